import Foundation

/// A command-line flag: `--name VALUE` or a switch `--name`.
public struct Flag: Sendable {
    public let name: String
    /// Placeholder shown in help for a flag that takes a value (e.g. "N", "FILE"); nil for a switch.
    public let value: String?
    public let help: String
    /// Section heading in `--help`, e.g. "Model".
    public let group: String
    /// Other spellings that mean the same, e.g. ["output"] for train's `--out`: the tools share one
    /// vocabulary, and where two of them used different words both are accepted.
    public let aliases: [String]
    /// Old spellings still accepted for a while, each with the note printed when it is used.
    public let deprecated: [String: String]

    public init(_ name: String, _ value: String? = nil, _ help: String, group: String = "Options",
                aliases: [String] = [], deprecated: [String: String] = [:]) {
        self.name = name
        self.value = value
        self.help = help
        self.group = group
        self.aliases = aliases
        self.deprecated = deprecated
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
    /// Notes for the user about how the command line was read, e.g. a deprecated spelling.
    public private(set) var notes: [String] = []
    /// Flags whose value came from `--config` and was not given again on the command line: a
    /// tool whose flags overlap (`--layers` and `--encoder-layers`) lets the command line's win.
    public private(set) var fromConfigFile: Set<String> = []

    public func has(_ name: String) -> Bool { values[name] != nil || switches.contains(name) }
    /// Whether `name` was given on the command line itself (not only in the `--config` file).
    public func onCommandLine(_ name: String) -> Bool { has(name) && !fromConfigFile.contains(name) }
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
        fromConfigFile.remove(name)
    }

    mutating func switchOff(_ name: String) { switches.remove(name); switchedOff.insert(name); fromConfigFile.remove(name) }
    mutating func markFromConfigFile(_ name: String) { fromConfigFile.insert(name) }
    mutating func addPositional(_ s: String) { positionals.append(s) }
    mutating func addNote(_ s: String) { if !notes.contains(s) { notes.append(s) } }
}

/// A small parser for `--flag value` / `--flag=value` / `--switch` arguments with generated help,
/// close-match suggestions for typos, aliases, `-h`, `--version`, and `--config FILE.json` (a JSON
/// object of flag names to values, applied before the command line so flags override it; `-`
/// reads it from standard input).
public struct FlagParser: Sendable {
    public let command: String
    public let usage: String
    /// What the tool does, a paragraph under the usage line of `--help`.
    public let summary: String
    public let flags: [Flag]
    /// Paragraphs after the flags in `--help`: examples, exit statuses.
    public let epilogue: String
    /// The version `--version` prints; nil: no `--version` flag.
    public let version: String?

    public init(command: String, usage: String, summary: String = "", flags: [Flag], epilogue: String = "", version: String? = nil) {
        self.command = command
        self.usage = usage
        self.summary = summary
        self.epilogue = epilogue
        self.version = version
        var all = flags + [Flag("help", nil, "Show this help and exit (also -h).", group: "Other")]
        if version != nil { all.append(Flag("version", nil, "Print the version and exit.", group: "Other")) }
        self.flags = all
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
            if arg == "-h" { parsed.set("help", nil); continue }
            guard arg.hasPrefix("--"), arg.count > 2 else {
                if arg.hasPrefix("-") && arg != "-" && Double(arg) == nil {
                    throw UsageError("unknown option '\(arg)' (flags start with --; -h shows them)")
                }
                parsed.addPositional(arg)
                continue
            }
            var name = String(arg.dropFirst(2))
            var inline: String?
            if let eq = name.firstIndex(of: "=") { inline = String(name[name.index(after: eq)...]); name = String(name[..<eq]) }
            if name.hasPrefix("no-"), let f = flag(String(name.dropFirst(3)), notes: &parsed), f.value == nil {
                parsed.switchOff(f.name)
                continue
            }
            guard let f = flag(name, notes: &parsed) else { throw UsageError("unknown flag --\(name)\(suggestion(for: name))") }
            if f.value == nil {
                if inline != nil { throw UsageError("--\(name) is a switch and takes no value") }
                parsed.set(f.name, nil)
            } else if let inline {
                parsed.set(f.name, inline)
            } else {
                guard let v = args.popFirst(), !(v.hasPrefix("--") && v.count > 2) else {
                    throw UsageError("--\(name) needs a value (\(f.value!))")
                }
                parsed.set(f.name, v)
            }
        }
        return parsed
    }

    /// The flag called `name` (or one of its aliases); a deprecated spelling adds its note.
    private func flag(_ name: String, notes: inout ParsedFlags) -> Flag? {
        if let f = flags.first(where: { $0.name == name || $0.aliases.contains(name) }) { return f }
        guard let f = flags.first(where: { $0.deprecated[name] != nil }) else { return nil }
        notes.addNote("\(command): note: --\(name) is deprecated: \(f.deprecated[name]!)")
        return f
    }

    private func applyConfigFile(_ path: String, to parsed: inout ParsedFlags) throws {
        let data = path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: path)
        let name = path == "-" ? "<stdin>" : path
        guard let data else { throw UsageError("cannot read config file \(path): check the path") }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw UsageError("\(name) is not a JSON object of flag names to values, e.g. {\"steps\": 1000, \"tokenizer\": \"bpe\"}")
        }
        for key in object.keys.sorted() {
            guard let f = flag(key, notes: &parsed), f.name != "config" else {
                throw UsageError("\(name): unknown setting '\(key)'\(suggestion(for: key)); the keys are \(command)'s flag names without --")
            }
            switch object[key] {
            case let b as Bool where f.value == nil: if b { parsed.set(f.name, nil) } else { parsed.switchOff(f.name) }
            case let n as NSNumber where f.value != nil: parsed.set(f.name, n.stringValue)
            case let s as String where f.value != nil: parsed.set(f.name, s)
            case is NSNull: continue
            default:
                throw UsageError("\(name): setting '\(key)' must be " + (f.value == nil ? "true or false (it is a switch)" : "a number or a string (\(f.value!))"))
            }
            parsed.markFromConfigFile(f.name)
        }
    }

    private func suggestion(for name: String) -> String {
        let names = flags.flatMap { [$0.name] + $0.aliases }
        let best = names.map { ($0, editDistance($0, name)) }.min { $0.1 < $1.1 }
        guard let (candidate, d) = best, d <= max(2, name.count / 3) else { return "" }
        return " (did you mean --\(candidate)?)"
    }

    /// The `--help` text for a terminal `width` columns wide (`Terminal.columns()`): usage,
    /// summary, flags grouped by section with their help wrapped beside them, then the epilogue.
    public func help(width: Int = Terminal.columns()) -> String {
        let width = max(40, min(width, 100))
        var out = wrap("Usage: " + usage, width: width, indent: 7) + "\n"
        if !summary.isEmpty { out += "\n" + paragraphs(summary, width: width) }
        var groups: [String] = []
        for f in flags where !groups.contains(f.group) { groups.append(f.group) }
        // The help column starts at 28 on a wide terminal; on a narrow one it goes under the flag.
        let column = width >= 64 ? 28 : 6
        for g in groups {
            out += "\n\(g):\n"
            for f in flags where f.group == g {
                let left = "  " + ([f.name] + f.aliases).map { "--" + $0 }.joined(separator: ", ") + (f.value.map { " \($0)" } ?? "")
                let text = wrap(f.help, width: width - column, indent: 0).split(separator: "\n", omittingEmptySubsequences: false)
                let pad = String(repeating: " ", count: column)
                if left.count + 2 <= column {
                    out += left + String(repeating: " ", count: column - left.count) + text[0] + "\n"
                    out += text.dropFirst().map { pad + $0 + "\n" }.joined()
                } else {
                    out += left + "\n" + text.map { pad + $0 + "\n" }.joined()
                }
            }
        }
        if !epilogue.isEmpty { out += "\n" + paragraphs(epilogue, width: width) }
        return out
    }

    /// Handles `--help` and `--version` (prints, exits 0) and the notes the parse left (printed
    /// on standard error); call right after `parse`.
    public func handleStandardFlags(_ parsed: ParsedFlags) {
        if parsed.has("help") { FileHandle.standardOutput.write(Data(help().utf8)); exit(0) }
        if parsed.has("version"), let version { print("\(command) \(version)"); exit(0) }
        for note in parsed.notes { printError(note) }
    }

    /// Prints `error` and the help hint to standard error and exits with status 2.
    public func fail(_ error: Error) -> Never {
        FileHandle.standardError.write(Data("\(command): error: \(error)\nRun '\(command) --help' to see the flags.\n".utf8))
        exit(2)
    }
}

/// Wraps `text` to `width` columns: paragraphs are separated by blank lines; lines starting with
/// spaces (examples, lists) are kept as they are.
func paragraphs(_ text: String, width: Int) -> String {
    var out = ""
    for block in text.components(separatedBy: "\n\n") {
        let lines = block.split(separator: "\n", omittingEmptySubsequences: false)
        var prose: [Substring] = []
        func flush() {
            if !prose.isEmpty { out += wrap(prose.joined(separator: " "), width: width, indent: 0) + "\n"; prose = [] }
        }
        for line in lines {
            if line.hasPrefix(" ") { flush(); out += line + "\n" } else { prose.append(line) }
        }
        flush()
        out += "\n"
    }
    return String(out.dropLast())
}

/// Word-wraps `text` to `width` columns; continuation lines start with `indent` spaces.
/// A word longer than a line stays whole.
public func wrap(_ text: String, width: Int, indent: Int) -> String {
    var lines: [String] = []
    var line = ""
    for word in text.split(separator: " ", omittingEmptySubsequences: true) {
        let candidate = line.isEmpty ? String(word) : line + " " + word
        let limit = lines.isEmpty ? width : width - indent
        if line.isEmpty || candidate.count <= limit {
            line = candidate
        } else {
            lines.append(line)
            line = String(word)
        }
    }
    lines.append(line)
    let pad = String(repeating: " ", count: indent)
    return lines.enumerated().map { $0.offset == 0 ? $0.element : pad + $0.element }.joined(separator: "\n")
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
