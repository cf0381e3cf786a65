// The mteval-v13a tokenizer, as sacreBLEU 2.6.0 implements it (`tokenizer_13a.py` followed by
// `tokenizer_re.py`). The regexes are reproduced as hand-written scans: each sacreBLEU pattern
// matches one or two fixed character classes, and a left-to-right scan that emits the
// replacement and skips past the match is exactly `re.sub`'s non-overlapping semantics.

/// The mteval-v13a tokenizer that sacreBLEU's BLEU uses by default (`tok:13a`).
///
/// Separates ASCII punctuation and symbols from words, splits `.` and `,` from words unless they
/// sit between digits (so "1,000.5" stays one token), splits `-` after a digit, and collapses
/// whitespace. Apostrophes and other hyphens stay inside words ("aujourd'hui", "peut-être").
/// Non-ASCII punctuation such as « » is left untouched, as in sacreBLEU.
public enum Tokenizer13a {
    /// Tokenizes one line exactly as sacreBLEU's `Tokenizer13a()(line)`: the result is the tokens
    /// joined by single spaces, without leading or trailing space.
    public static func tokenize(_ line: String) -> String {
        let (flat, ranges) = tokens(PythonText.scalars(line))
        var out = Scalars()
        out.reserveCapacity(flat.count)
        for (k, r) in ranges.enumerated() {
            if k > 0 { out.append(space) }
            out.append(contentsOf: flat[r])
        }
        return PythonText.string(out)
    }

    /// The tokens of `line` as ranges into the returned, fully rewritten, code point array.
    static func tokens(_ line: Scalars) -> (Scalars, [Range<Int>]) {
        var s = line
        // Language-independent part, in sacreBLEU's order.
        if s.contains(0x3C) { s = replace(s, skipped, with: []) }
        if s.contains(newline) {
            s = replace(s, [0x2D, newline], with: [])
            s = replace(s, [newline], with: [space])
        }
        if s.contains(0x26) {
            s = replace(s, entityQuot, with: [0x22])
            s = replace(s, entityAmp, with: [0x26])
            s = replace(s, entityLt, with: [0x3C])
            s = replace(s, entityGt, with: [0x3E])
        }
        // The padding spaces are harmless here but kept for fidelity: the rules below look at
        // neighbouring characters, and a padded line gives the first and last ones a neighbour.
        var padded = Scalars()
        padded.reserveCapacity(s.count * 2 + 2)
        padded.append(space)
        padded.append(contentsOf: s)
        padded.append(space)
        s = separateSymbols(padded)
        // ([^0-9])([\.,]) -> "\1 \2 "
        s = pairRule(s, first: { !isDigit($0) }, second: isDotOrComma) { a, b in (a, space, b, space) }
        // ([\.,])([^0-9]) -> " \1 \2"
        s = pairRule(s, first: isDotOrComma, second: { !isDigit($0) }) { a, b in (space, a, space, b) }
        // ([0-9])(-) -> "\1 \2 "
        s = pairRule(s, first: isDigit, second: { $0 == 0x2D }) { a, b in (a, space, b, space) }
        return (s, PythonText.splitRanges(s))
    }

    private static let space: UInt32 = 0x20
    private static let newline: UInt32 = 0x0A
    private static let skipped = PythonText.scalars("<skipped>")
    private static let entityQuot = PythonText.scalars("&quot;")
    private static let entityAmp = PythonText.scalars("&amp;")
    private static let entityLt = PythonText.scalars("&lt;")
    private static let entityGt = PythonText.scalars("&gt;")

    @inline(__always) private static func isDigit(_ c: UInt32) -> Bool { c >= 0x30 && c <= 0x39 }
    @inline(__always) private static func isDotOrComma(_ c: UInt32) -> Bool { c == 0x2E || c == 0x2C }

    /// The class `[\{-\~\[-\` -\&\(-\+\:-\@\/]`: ASCII symbols and punctuation except
    /// `'`, `,`, `-` and `.` (and space itself, which only adds spaces).
    @inline(__always)
    private static func isSymbol(_ c: UInt32) -> Bool {
        (c >= 0x7B && c <= 0x7E) || (c >= 0x5B && c <= 0x60) || (c >= 0x20 && c <= 0x26)
            || (c >= 0x28 && c <= 0x2B) || (c >= 0x3A && c <= 0x40) || c == 0x2F
    }

    /// `re.sub(r'([symbols])', r' \1 ', s)`.
    private static func separateSymbols(_ s: Scalars) -> Scalars {
        var out = Scalars()
        out.reserveCapacity(s.count * 2)
        for c in s {
            if isSymbol(c) {
                out.append(space); out.append(c); out.append(space)
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// `re.sub` of a two-character pattern `(A)(B)`: leftmost matches, never overlapping. Every
    /// 13a replacement is four code points, returned as a tuple so a match allocates nothing.
    @inline(__always)
    private static func pairRule(
        _ s: Scalars, first: (UInt32) -> Bool, second: (UInt32) -> Bool,
        replacement: (UInt32, UInt32) -> (UInt32, UInt32, UInt32, UInt32)
    ) -> Scalars {
        var out = Scalars()
        out.reserveCapacity(s.count + s.count / 2)
        var i = 0
        let n = s.count
        while i < n {
            if i + 1 < n && first(s[i]) && second(s[i + 1]) {
                let r = replacement(s[i], s[i + 1])
                out.append(r.0); out.append(r.1); out.append(r.2); out.append(r.3)
                i += 2
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return out
    }

    /// Python's `str.replace(old, new)`: every non-overlapping occurrence, left to right.
    private static func replace(_ s: Scalars, _ old: Scalars, with new: Scalars) -> Scalars {
        let m = old.count
        guard m > 0, s.count >= m else { return s }
        var out = Scalars()
        out.reserveCapacity(s.count)
        var i = 0
        while i < s.count {
            if i + m <= s.count && s[i] == old[0] && s[i..<(i + m)].elementsEqual(old) {
                out.append(contentsOf: new)
                i += m
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return out
    }
}
