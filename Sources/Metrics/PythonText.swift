// Python `str` semantics over Unicode scalars.
//
// sacreBLEU works on Python strings: sequences of code points compared code point by code point.
// Swift `String` compares by canonical equivalence ("é" == "e\u{301}") and indexes by grapheme
// cluster, so every metric here works on `[UInt32]` code points instead, and these helpers
// reproduce the few `str` methods sacreBLEU calls.

import Foundation

/// Code points as Python sees them: one element per Unicode scalar, never normalised.
typealias Scalars = [UInt32]

enum PythonText {
    /// The code points of `s`, exactly as Python's `str` would hold them.
    @inline(__always)
    static func scalars(_ s: String) -> Scalars {
        var out = Scalars()
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars { out.append(u.value) }
        return out
    }

    /// A `String` holding exactly these code points (no normalisation happens on construction).
    static func string(_ scalars: Scalars) -> String {
        var view = String.UnicodeScalarView()
        for v in scalars {
            // Every value stored in `Scalars` came from a Unicode.Scalar, so this never fails;
            // the fallback keeps a corrupt value visible rather than crashing.
            view.append(Unicode.Scalar(v) ?? "\u{FFFD}")
        }
        return String(view)
    }

    /// Python's `str.isspace()`: bidi class WS/B/S or category Zs. Listed explicitly (from
    /// CPython 3.11) because it differs from Swift's `Character.isWhitespace` (e.g. U+180E,
    /// U+200B and U+FEFF are not whitespace to Python; U+001C–U+001F are).
    @inline(__always)
    static func isSpace(_ c: UInt32) -> Bool {
        if c < 0x80 {
            return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20)
        }
        switch c {
        case 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// Python's `s.rstrip()` (no argument): drops trailing whitespace.
    static func rstrip(_ s: Scalars) -> Scalars {
        var end = s.count
        while end > 0 && isSpace(s[end - 1]) { end -= 1 }
        return end == s.count ? s : Array(s[0..<end])
    }

    /// Python's `s.split()` (no argument) as ranges into `s`: maximal runs of non-whitespace.
    static func splitRanges(_ s: Scalars) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var i = 0
        let n = s.count
        while i < n {
            while i < n && isSpace(s[i]) { i += 1 }
            if i == n { break }
            let start = i
            while i < n && !isSpace(s[i]) { i += 1 }
            ranges.append(start..<i)
        }
        return ranges
    }

    /// Python's `''.join(s.split())`: `s` with every whitespace code point removed.
    static func removingWhitespace(_ s: Scalars) -> Scalars {
        var out = Scalars()
        out.reserveCapacity(s.count)
        for c in s where !isSpace(c) { out.append(c) }
        return out
    }

    /// Python's `str.lower()`: Unicode's full lowercase mapping per code point, plus CPython's
    /// one context rule: a capital sigma that ends a word (preceded by a cased letter and not
    /// followed by one, skipping case-ignorable marks) becomes final sigma ς.
    static func lowercased(_ s: Scalars) -> Scalars {
        var out = Scalars()
        out.reserveCapacity(s.count)
        for (i, c) in s.enumerated() {
            if c < 0x80 {
                out.append(c >= 0x41 && c <= 0x5A ? c + 0x20 : c)
            } else if c == 0x3A3 {
                out.append(isFinalSigma(s, i) ? 0x3C2 : 0x3C3)
            } else if let u = Unicode.Scalar(c) {
                for l in u.properties.lowercaseMapping.unicodeScalars { out.append(l.value) }
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// CPython's `handle_capital_sigma` test.
    private static func isFinalSigma(_ s: Scalars, _ i: Int) -> Bool {
        func property(_ c: UInt32, _ p: (Unicode.Scalar.Properties) -> Bool) -> Bool {
            Unicode.Scalar(c).map { p($0.properties) } ?? false
        }
        var j = i - 1
        while j >= 0 && property(s[j], { $0.isCaseIgnorable }) { j -= 1 }
        guard j >= 0 && property(s[j], { $0.isCased }) else { return false }
        j = i + 1
        while j < s.count && property(s[j], { $0.isCaseIgnorable }) { j += 1 }
        return j == s.count || !property(s[j], { $0.isCased })
    }

    /// Python's `f"{x:.{digits}f}"`: fixed-point with correct rounding of the binary value
    /// (glibc's printf does the same, ties included, e.g. 0.125 -> "0.12").
    static func fixed(_ x: Double, _ digits: Int) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        return String(format: "%.\(digits)f", x)
    }
}
