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
        let ascii = s.utf8.allSatisfy { $0 < 0x80 }
        if lowercase { s = s.lowercased() }
        // ASCII is already NFC; skipping the Foundation bridge here makes English ~10x cheaper.
        if nfc && !ascii { s = s.precomposedStringWithCanonicalMapping }
        if collapseWhitespace {
            s = Normalizer.collapse(s, ascii: ascii)
        } else if !ascii && s.unicodeScalars.contains(Normalizer.boundaryMarker) {
            var out = String.UnicodeScalarView()
            for c in s.unicodeScalars { out.append(c == Normalizer.boundaryMarker ? " " : c) }
            s = String(out)
        }
        return s
    }

    private static func collapse(_ s: String, ascii: Bool) -> String {
        if ascii {
            // Fast path: most lines need no change at all.
            var clean = true
            var previousSpace = true
            for b in s.utf8 {
                let space = b == 0x20 || (b >= 0x09 && b <= 0x0D)
                if space && (previousSpace || b != 0x20) { clean = false; break }
                previousSpace = space
            }
            if clean && !previousSpace { return s }
        }
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for c in s.unicodeScalars {
            if c.properties.isWhitespace || c == boundaryMarker {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace {
                out.append(" ")
                pendingSpace = false
            }
            out.append(c)
        }
        return String(out)
    }
}
