/// Splits normalised text into pieces before vocabulary lookup or BPE, in a way that can be
/// undone exactly: every space becomes the marker `▁` (U+2581) glued to the front of the piece
/// that follows it, so decoding is "concatenate, turn `▁` back into spaces".
///
/// - Words (letters, digits, combining marks) stay whole; punctuation is split off, one piece per
///   run of the same character ("...", "!!").
/// - Apostrophes inside a word split it the way each language elides: after a French clitic
///   (`l'|homme`, `qu'|il`, `jusqu'|à`), before an English suffix (`don|'t`, `John|'s`); a few
///   lexicalised words (`aujourd'hui`, `o'clock`) stay whole.
/// - With `addDummyPrefix` the text is treated as if it followed a space, so a sentence-initial
///   word gets the same `▁word` piece as mid-sentence (as SentencePiece does); decode drops it.
public struct PreTokenizer: Codable, Sendable, Equatable {
    /// Treat the start of the text as following a space, e.g. true: "Hi there" -> ["▁Hi", "▁there"].
    public var addDummyPrefix: Bool
    /// Split words at inner apostrophes by the clitic rules above, e.g. true: "l'homme" -> ["▁l'", "homme"].
    public var splitApostrophes: Bool

    public init(addDummyPrefix: Bool = true, splitApostrophes: Bool = true) {
        self.addDummyPrefix = addDummyPrefix
        self.splitApostrophes = splitApostrophes
    }

    /// The word-boundary marker U+2581 as a string.
    public static let marker = "\u{2581}"

    /// French (and Italian-style) elided words: the apostrophe stays on their right.
    static let elisions: Set<String> = ["c", "ç", "d", "j", "l", "m", "n", "s", "t", "qu", "jusqu",
                                        "lorsqu", "puisqu", "quoiqu", "presqu", "quelqu"]
    /// Words whose apostrophe is part of the word itself.
    static let wholeWords: Set<String> = ["aujourd'hui", "aujourd’hui", "o'clock", "o’clock",
                                          "prud'homme", "prud'hommes", "prud’homme", "prud’hommes"]

    /// The pieces of `text` (which should already be normalised).
    public func split(_ text: String) -> [String] {
        let s = Array(text.unicodeScalars)
        let n = s.count
        var pieces: [String] = []
        guard n > 0 else { return pieces }
        pieces.reserveCapacity(n / 3 + 2)
        var pendingSpace = addDummyPrefix
        var i = 0
        func emit(_ range: Range<Int>) {
            var view = String.UnicodeScalarView()
            if pendingSpace { view.append(Normalizer.boundaryMarker) }
            view.append(contentsOf: s[range])
            pieces.append(String(view))
            pendingSpace = false
        }
        while i < n {
            let c = s[i]
            if c == " " {
                // A space with no piece yet to carry its marker becomes a lone `▁` piece.
                if pendingSpace { pieces.append(PreTokenizer.marker) }
                pendingSpace = true
                i += 1
            } else if PreTokenizer.isWordChar(c) {
                var j = i + 1
                var apostrophes: [Int] = []
                while j < n {
                    if PreTokenizer.isWordChar(s[j]) {
                        j += 1
                    } else if PreTokenizer.isApostrophe(s[j]) && j + 1 < n && PreTokenizer.isWordChar(s[j + 1]) {
                        apostrophes.append(j)
                        j += 1
                    } else {
                        break
                    }
                }
                if !splitApostrophes || apostrophes.isEmpty || isWholeWord(s[i..<j]) {
                    emit(i..<j)
                } else {
                    var start = i
                    for a in apostrophes {
                        if PreTokenizer.elisions.contains(lowered(s[start..<a])) {
                            emit(start..<(a + 1))
                            start = a + 1
                        } else {
                            emit(start..<a)
                            start = a
                        }
                    }
                    emit(start..<j)
                }
                i = j
            } else {
                var j = i + 1
                while j < n && s[j] == c { j += 1 }
                emit(i..<j)
                i = j
            }
        }
        if pendingSpace && !(addDummyPrefix && pieces.isEmpty) { pieces.append(PreTokenizer.marker) }
        return pieces
    }

    /// Joins pieces back into text: the inverse of `split` for any normalised input.
    public func join<S: Sequence>(_ pieces: S) -> String where S.Element == String {
        var out = String.UnicodeScalarView()
        for p in pieces {
            for c in p.unicodeScalars { out.append(c == Normalizer.boundaryMarker ? " " : c) }
        }
        if addDummyPrefix, out.first == " " { out.removeFirst() }
        return String(out)
    }

    static func isWordChar(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        if v < 0x80 {
            return (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) || (v >= 0x30 && v <= 0x39)
        }
        if c == Normalizer.boundaryMarker { return false }
        let p = c.properties
        if p.isAlphabetic { return true }
        switch p.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber, .nonspacingMark, .spacingMark, .enclosingMark:
            return true
        default:
            return false
        }
    }

    static func isApostrophe(_ c: Unicode.Scalar) -> Bool {
        c == "'" || c == "\u{2019}"
    }

    private func lowered(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view).lowercased()
    }

    private func isWholeWord(_ scalars: ArraySlice<Unicode.Scalar>) -> Bool {
        PreTokenizer.wholeWords.contains(lowered(scalars))
    }
}
