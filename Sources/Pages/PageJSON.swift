import Foundation

/// How many digits of a number a page keeps: pages embed hundreds of thousands of numbers, and
/// 4 significant digits (about 6 characters) instead of a Float's 9 keep them small while every
/// number shown (at most 3 decimals) stays exact.
public enum Rounding: Sendable, Equatable {
    /// `n` significant digits, e.g. 0.012345 → 0.01235 with 4.
    case significant(Int)
    /// `n` digits after the point, e.g. 0.012345 → 0.0123 with 4 (attention weights, whose
    /// error then stays below 0.00005 and whose rows still sum to 1 within S·0.00005).
    case decimals(Int)
}

/// A JSON value written compactly: the data embedded in the pages. Float arrays have their own
/// cases so a big tensor is not a tree of boxed numbers.
public indirect enum PageJSON: Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case number(Double, Rounding)
    case string(String)
    case array([PageJSON])
    /// Keys in the given order.
    case object([(String, PageJSON)])
    case floats([Float], Rounding)
    case floatRows([[Float]], Rounding)
    case floatGrid([[[Float]]], Rounding)
    /// JSON text written as it is (from JSONSerialization, which keeps booleans and numbers
    /// apart); `<`, `>` and `&`, which can only occur inside its strings, are escaped.
    case raw(String)

    /// The JSON text. Non-finite numbers become null. `<`, `>` and `&` in strings are escaped as
    /// \u003c etc., so the text can sit inside a `<script>` element as it is.
    public var text: String {
        let out = JSONBytes()
        out.write(self)
        return String(decoding: out.bytes, as: UTF8.self)
    }

    /// An object from key-value pairs, skipping nil values.
    public static func fields(_ pairs: KeyValuePairs<String, PageJSON?>) -> PageJSON {
        .object(pairs.compactMap { k, v in v.map { (k, $0) } })
    }

    public static func strings(_ s: [String]) -> PageJSON { .array(s.map(PageJSON.string)) }
}

/// The writer behind `PageJSON.text`: appends UTF-8 bytes, formatting numbers by hand (String(format:)
/// is slow enough to matter at a million numbers).
final class JSONBytes {
    var bytes: [UInt8] = []

    private static let powers: [Double] = (0...22).map { pow(10, Double($0)) }

    func write(_ v: PageJSON) {
        switch v {
        case .null: append("null")
        case .bool(let b): append(b ? "true" : "false")
        case .int(let i): append(String(i))
        case .number(let x, let r): number(x, r)
        case .string(let s): string(s)
        case .array(let a): list(a.count) { write(a[$0]) }
        case .object(let pairs):
            bytes.append(UInt8(ascii: "{"))
            for (i, (k, value)) in pairs.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                string(k)
                bytes.append(UInt8(ascii: ":"))
                write(value)
            }
            bytes.append(UInt8(ascii: "}"))
        case .floats(let a, let r): list(a.count) { number(Double(a[$0]), r) }
        case .floatRows(let rows, let r): list(rows.count) { i in list(rows[i].count) { number(Double(rows[i][$0]), r) } }
        case .floatGrid(let g, let r): list(g.count) { i in list(g[i].count) { j in list(g[i][j].count) { number(Double(g[i][j][$0]), r) } } }
        case .raw(let text):
            for u in text.utf8 {
                switch u {
                case UInt8(ascii: "<"): append("\\u003c")
                case UInt8(ascii: ">"): append("\\u003e")
                case UInt8(ascii: "&"): append("\\u0026")
                default: bytes.append(u)
                }
            }
        }
    }

    private func list(_ n: Int, _ item: (Int) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for i in 0..<n {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            item(i)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    private func append(_ s: String) { bytes.append(contentsOf: s.utf8) }

    func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for u in s.utf8 {
            switch u {
            case UInt8(ascii: "\""): append("\\\"")
            case UInt8(ascii: "\\"): append("\\\\")
            case UInt8(ascii: "\n"): append("\\n")
            case UInt8(ascii: "\t"): append("\\t")
            case UInt8(ascii: "<"): append("\\u003c")
            case UInt8(ascii: ">"): append("\\u003e")
            case UInt8(ascii: "&"): append("\\u0026")
            case 0..<0x20: append("\\u00" + (u < 16 ? "0" : "") + String(u, radix: 16))
            default: bytes.append(u)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// `x` rounded as `r`, shortest form: no trailing zeros, no "0." before an integer.
    func number(_ x: Double, _ r: Rounding) {
        guard x.isFinite else { append("null"); return }
        let ax = abs(x)
        var decimals: Int
        switch r {
        case .decimals(let n): decimals = n
        case .significant(let n):
            guard ax > 0 else { bytes.append(UInt8(ascii: "0")); return }
            decimals = n - 1 - Int(log10(ax).rounded(.down))
            if decimals > 12 {  // tiny: exponent form keeps the significant digits
                append(Self.shortest(Double(String(format: "%.\(n - 1)e", x)) ?? x))
                return
            }
        }
        if decimals <= 0 {
            let unit = Self.powers[min(22, -decimals)]
            let v = (ax / unit).rounded() * unit
            guard v < 9e15 else { append(Self.shortest(x)); return }
            if x < 0 && v > 0 { bytes.append(UInt8(ascii: "-")) }
            append(String(Int64(v)))
            return
        }
        decimals = min(decimals, 15)
        let scaled = (ax * Self.powers[decimals]).rounded()
        guard scaled < 9e15 else { append(Self.shortest(x)); return }
        var n = Int64(scaled)
        if n == 0 { bytes.append(UInt8(ascii: "0")); return }
        if x < 0 { bytes.append(UInt8(ascii: "-")) }
        // Drop trailing zeros of the fraction.
        while decimals > 0 && n % 10 == 0 { n /= 10; decimals -= 1 }
        let digits = Array(String(n).utf8)
        if decimals == 0 { bytes.append(contentsOf: digits); return }
        if digits.count > decimals {
            bytes.append(contentsOf: digits[..<(digits.count - decimals)])
            bytes.append(UInt8(ascii: "."))
            bytes.append(contentsOf: digits[(digits.count - decimals)...])
        } else {
            append("0.")
            bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: decimals - digits.count))
            bytes.append(contentsOf: digits)
        }
    }

    private static func shortest(_ x: Double) -> String {
        let s = "\(x)"
        return s.hasSuffix(".0") ? String(s.dropLast(2)) : s
    }
}
