import Foundation

/// Number and size formatting shared by every report, so the same quantity always reads the same.
enum Format {
    /// A statistic in 4 significant digits, e.g. "0.01234", "-1.5e-07", "nan".
    static func num(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        if x == 0 { return "0" }
        return String(format: "%.4g", x)
    }

    /// A whole number with thousands separators, e.g. "1,234,567".
    static func count(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// A byte count for people, e.g. "1.45 MB (1,454,232 bytes)".
    static func bytes(_ n: Int) -> String {
        let units = ["bytes", "KB", "MB", "GB", "TB"]
        var v = Double(n)
        var u = 0
        while v >= 1000 && u < units.count - 1 { v /= 1000; u += 1 }
        return u == 0 ? "\(n) bytes" : String(format: "%.2f %@ (%@ bytes)", v, units[u], count(n))
    }

    /// A shape as written in the code, e.g. "[910, 32]"; "[]" for a scalar.
    static func shape(_ s: [Int]) -> String { "[" + s.map(String.init).joined(separator: ", ") + "]" }

    /// Seconds for people: "42s", "3m05s", "1h02m".
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let s = Int(seconds.rounded())
        if s < 60 { return String(format: "%.1fs", seconds) }
        if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
    }

    /// A camelCase key as words, e.g. "feedForwardDim" -> "feed forward dim".
    static func words(_ key: String) -> String {
        var out = ""
        for c in key {
            if c.isUppercase, !out.isEmpty { out.append(" ") }
            out.append(contentsOf: c.lowercased())
        }
        return out
    }

    /// A Float as the shortest decimal that reads back to it, as a Double: JSON shows 0.1, not
    /// 0.10000000149011612. Non-finite values have no JSON form and become nil.
    static func jsonFloat(_ x: Float) -> Double? { x.isFinite ? Double("\(x)") : nil }

    /// A Double for JSON (nil for NaN/inf, which JSON cannot carry).
    static func jsonDouble(_ x: Double) -> Double? { x.isFinite ? x : nil }
}

/// Left-pads `s` to `width` characters (right-aligned column).
func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
}

/// Right-pads `s` to `width` characters (left-aligned column).
func padRight(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
}
