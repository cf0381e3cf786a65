import Foundation

/// A command-line flag: `--name VALUE` or a switch `--name`.
public struct Flag: Sendable {
    public let name: String
    /// Placeholder shown in help for a flag that takes a value (e.g. "N", "FILE"); nil for a switch.
    public let value: String?
    public let help: String
    /// Section heading in `--help`, e.g. "Model".
    public let group: String

    public init(_ name: String, _ value: String? = nil, _ help: String, group: String = "Options") {
        self.name = name
        self.value = value
        self.help = help
        self.group = group
    }
}

/// A mistake on the command line: printed as one line plus the `--help` hint, exit status 2.
public struct UsageError: Error, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
}

/// The flags a user gave, with typed accessors that validate as they read.
public struct ParsedFlags: Sendable {
    public private(set) var values: [String: String] = [:]
    public private(set) var switches: Set<String> = []
    /// Switches turned off explicitly (`--no-NAME`, or `false` in a config file): a switch
    /// whose default is on needs this to tell "off" from "not given".
    public private(set) var switchedOff: Set<String> = []
    /// Arguments that are not flags, in order.
    public private(set) var positionals: [String] = []

    public func has(_ name: String) -> Bool { values[name] != nil || switches.contains(name) }
    public func string(_ name: String) -> String? { values[name] }
    /// A switch's state: true (`--NAME`), false (`--no-NAME` or `false` in the config), nil (not given).
    public func switchState(_ name: String) -> Bool? {
        switches.contains(name) ? true : switchedOff.contains(name) ? false : nil
    }

    public func int(_ name: String) throws -> Int? {
        guard let s = values[name] else { return nil }
        guard let v = Int(s) else { throw UsageError("--\(name) expects a whole number, got '\(s)'") }
        return v
    }

    public func double(_ name: String) throws -> Double? {
        guard let s = values[name] else { return nil }
        guard let v = Double(s), v.isFinite else { throw UsageError("--\(name) expects a number, got '\(s)'") }
        return v
    }

    /// An integer that must be at least `min` (e.g. sizes must be ≥ 1).
    public func int(_ name: String, atLeast min: Int) throws -> Int? {
        guard let v = try int(name) else { return nil }
        guard v >= min else { throw UsageError("--\(name) must be at least \(min), got \(v)") }
        return v
    }

    public func double(_ name: String, in range: ClosedRange<Double>) throws -> Double? {
        guard let v = try double(name) else { return nil }
        guard range.contains(v) else { throw UsageError("--\(name) must be between \(range.lowerBound) and \(range.upperBound), got \(v)") }
        return v
    }

    mutating func set(_ name: String, _ value: String?) {
        if let value { values[name] = value } else { switches.insert(name); switchedOff.remove(name) }
    }

    mutating func switchOff(_ name: String) { switches.remove(name); switchedOff.insert(name) }
    mutating func addPositional(_ s: String) { positionals.append(s) }
}

/// A small parser for `--flag value` / `--flag=value` / `--switch` arguments with generated help,
/// close-match suggestions for typos, and `--config FILE.json` (a JSON object of flag names to
/// values, applied before the command line so flags override it).
public struct FlagParser: Sendable {
    public let command: String
    public let usage: String
    public let flags: [Flag]

    public init(command: String, usage: String, flags: [Flag]) {
        self.command = command
        self.usage = usage
        self.flags = flags + [Flag("help", nil, "Show this help and exit.", group: "Other")]
    }

    public func parse(_ arguments: [String]) throws -> ParsedFlags {
        var parsed = ParsedFlags()
        var args = arguments[...]
        if let i = args.firstIndex(where: { $0 == "--config" || $0.hasPrefix("--config=") }),
           flags.contains(where: { $0.name == "config" }) {
            let path: String
            if args[i].hasPrefix("--config=") {
                path = String(args[i].dropFirst("--config=".count))
            } else {
                guard i + 1 < args.endIndex else { throw UsageError("--config needs a value (FILE)") }
                path = args[i + 1]
            }
            try applyConfigFile(path, to: &parsed)
        }
        while let arg = args.popFirst() {
            guard arg.hasPrefix("--"), arg.count > 2 else {
                if arg.hasPrefix("-") && arg != "-" { throw UsageError("unknown option '\(arg)' (flags start with --)") }
                parsed.addPositional(arg)
                continue
            }
            var name = String(arg.dropFirst(2))
            var inline: String?
            if let eq = name.firstIndex(of: "=") { inline = String(name[name.index(after: eq)...]); name = String(name[..<eq]) }
            if name.hasPrefix("no-"), let f = flag(String(name.dropFirst(3))), f.value == nil {
                parsed.switchOff(f.name)
                continue
            }
            guard let f = flag(name) else { throw UsageError("unknown flag --\(name)\(suggestion(for: name))") }
            if f.value == nil {
                if inline != nil { throw UsageError("--\(name) is a switch and takes no value") }
                parsed.set(name, nil)
            } else if let inline {
                parsed.set(name, inline)
            } else {
                guard let v = args.popFirst(), !(v.hasPrefix("--") && v.count > 2) else {
                    throw UsageError("--\(name) needs a value (\(f.value!))")
                }
                parsed.set(name, v)
            }
        }
        return parsed
    }

    private func flag(_ name: String) -> Flag? { flags.first { $0.name == name } }

    private func applyConfigFile(_ path: String, to parsed: inout ParsedFlags) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UsageError("cannot read config file \(path): check the path")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw UsageError("\(path) is not a JSON object of flag names to values, e.g. {\"steps\": 1000, \"tokenizer\": \"bpe\"}")
        }
        for key in object.keys.sorted() {
            guard let f = flag(key), key != "config" else { throw UsageError("\(path): unknown setting '\(key)'\(suggestion(for: key))") }
            switch object[key] {
            case let b as Bool where f.value == nil: if b { parsed.set(key, nil) } else { parsed.switchOff(key) }
            case let n as NSNumber: parsed.set(key, n.stringValue)
            case let s as String: parsed.set(key, s)
            default: throw UsageError("\(path): setting '\(key)' must be a number, string or (for switches) true/false")
            }
        }
    }

    private func suggestion(for name: String) -> String {
        let best = flags.map { ($0.name, editDistance($0.name, name)) }.min { $0.1 < $1.1 }
        guard let (candidate, d) = best, d <= max(2, name.count / 3) else { return "" }
        return " (did you mean --\(candidate)?)"
    }

    /// The `--help` text: usage, then flags grouped by section.
    public var help: String {
        var out = "Usage: \(usage)\n"
        var groups: [String] = []
        for f in flags where !groups.contains(f.group) { groups.append(f.group) }
        for g in groups {
            out += "\n\(g):\n"
            for f in flags where f.group == g {
                let left = "  --\(f.name)" + (f.value.map { " \($0)" } ?? "")
                let pad = String(repeating: " ", count: max(1, 28 - left.count))
                out += left + (left.count >= 28 ? "\n" + String(repeating: " ", count: 28) : pad) + f.help + "\n"
            }
        }
        return out
    }

    /// Prints `error` and the help hint to standard error and exits with status 2.
    public func fail(_ error: Error) -> Never {
        FileHandle.standardError.write(Data("\(command): error: \(error)\nRun '\(command) --help' to see the flags.\n".utf8))
        exit(2)
    }
}

func editDistance(_ a: String, _ b: String) -> Int {
    let (a, b) = (Array(a), Array(b))
    var row = Array(0...b.count)
    for i in 1...max(1, a.count) where !a.isEmpty {
        var prev = row[0]
        row[0] = i
        for j in 1...max(1, b.count) where !b.isEmpty {
            let cur = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1))
            prev = cur
        }
    }
    return row[b.count]
}

/// Writes a line to standard error.
public func printError(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }
