import Foundation

/// Text clean-up applied before tokenisation, so the same sentence typed two ways (decomposed
/// accents, no-break spaces before French `?`, stray double spaces) maps to the same tokens.
///
/// Tokenizers round-trip exactly to `normalize(x)`, never to the raw `x`.
public struct Normalizer: Codable, Sendable, Equatable {
    /// Compose to Unicode NFC, e.g. true: "e\u{301}" (e + combining acute) becomes "é".
    public var nfc: Bool
    /// Lowercase everything (Unicode-aware), e.g. false: keeps "Paris" distinct from "paris".
    public var lowercase: Bool
    /// Map every Unicode whitespace (tab, U+00A0, U+202F, ...) to one space, collapse runs and
    /// trim both ends, e.g. true: "  a \u{A0}?" becomes "a ?".
    public var collapseWhitespace: Bool

    /// A normaliser; see the properties for each step.
    public init(nfc: Bool = true, lowercase: Bool = false, collapseWhitespace: Bool = true) {
        self.nfc = nfc
        self.lowercase = lowercase
        self.collapseWhitespace = collapseWhitespace
    }

    /// The word-boundary marker is reserved by the tokenizers, so a literal U+2581 in the input
    /// becomes a space; otherwise it would decode as a space and break the exact round trip.
    static let boundaryMarker: Unicode.Scalar = "\u{2581}"

    /// Returns the normalised text.
    public func normalize(_ text: String) -> String {
        var s = text
        var ascii = true
        var maybeNotNFC = false
        for c in s.unicodeScalars where c.value >= 0x80 {
            ascii = false
            if !Normalizer.knownNFC(c) { maybeNotNFC = true; break }
        }
        if lowercase { s = s.lowercased() }
        // Foundation's NFC costs microseconds per call through the bridge; most lines (all of
        // English, nearly all of French) contain only scalars that are NFC whatever surrounds them.
        if nfc && maybeNotNFC { s = s.precomposedStringWithCanonicalMapping }
        if collapseWhitespace {
            s = Normalizer.collapse(s)
        } else if !ascii && s.unicodeScalars.contains(Normalizer.boundaryMarker) {
            var out = String.UnicodeScalarView()
            for c in s.unicodeScalars { out.append(c == Normalizer.boundaryMarker ? " " : c) }
            s = String(out)
        }
        return s
    }

    /// Scalars that neither decompose nor combine with a neighbour under NFC (checked against
    /// Unicode 14 data): everything below the combining diacritics block U+0300, and general
    /// punctuation/currency U+2002...U+20CF (U+2000/U+2001 are singletons that NFC replaces).
    @inline(__always)
    static func knownNFC(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        return v < 0x300 || (v >= 0x2002 && v <= 0x20CF)
    }

    /// Unicode White_Space scalars, matched without the property tables.
    @inline(__always)
    static func isWhitespace(_ v: UInt32) -> Bool {
        switch v {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    private static func collapse(_ s: String) -> String {
        // Fast path: most lines need no change at all.
        var clean = true
        var previousSpace = true
        for c in s.unicodeScalars {
            let space = isWhitespace(c.value)
            if (space && (previousSpace || c != " ")) || c == boundaryMarker { clean = false; break }
            previousSpace = space
        }
        if clean && !previousSpace { return s }
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        var pendingSpace = false
        for c in s.unicodeScalars {
            if isWhitespace(c.value) || c == boundaryMarker {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace {
                out.append(0x20)
                pendingSpace = false
            }
            out.append(contentsOf: c.utf8)
        }
        return String(decoding: out, as: UTF8.self)
    }
}
