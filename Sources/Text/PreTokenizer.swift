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

    /// A pre-tokeniser; see the properties.
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
    ///
    /// Works on the UTF-8 bytes and builds each piece from a byte slice: going through
    /// `unicodeScalars` and `String.UnicodeScalarView` was ~3x slower on the Tatoeba corpus.
    public func split(_ text: String) -> [String] {
        var text = text
        return text.withUTF8 { splitUTF8($0) }
    }

    private func splitUTF8(_ b: UnsafeBufferPointer<UInt8>) -> [String] {
        let n = b.count
        var pieces: [String] = []
        guard n > 0 else { return pieces }
        pieces.reserveCapacity(n / 4 + 2)
        var pendingSpace = addDummyPrefix
        var buf: [UInt8] = []
        buf.reserveCapacity(64)
        func emit(_ lo: Int, _ hi: Int) {
            buf.removeAll(keepingCapacity: true)
            if pendingSpace { buf.append(contentsOf: PreTokenizer.markerUTF8) }
            buf.append(contentsOf: UnsafeBufferPointer(rebasing: b[lo..<hi]))
            pieces.append(String(decoding: buf, as: UTF8.self))
            pendingSpace = false
        }
        var i = 0
        while i < n {
            let (c, len) = PreTokenizer.scalar(b, i)
            if c == 0x20 {
                // A space with no piece yet to carry its marker becomes a lone `▁` piece.
                if pendingSpace { pieces.append(PreTokenizer.marker) }
                pendingSpace = true
                i += 1
            } else if PreTokenizer.isWordChar(c) {
                var j = i + len
                var apostrophes: [(at: Int, len: Int)] = []
                while j < n {
                    let (d, dl) = PreTokenizer.scalar(b, j)
                    if PreTokenizer.isWordChar(d) {
                        j += dl
                    } else if (d == 0x27 || d == 0x2019) && j + dl < n && PreTokenizer.isWordChar(PreTokenizer.scalar(b, j + dl).0) {
                        apostrophes.append((j, dl))
                        j += dl
                    } else {
                        break
                    }
                }
                if !splitApostrophes || apostrophes.isEmpty || PreTokenizer.wholeWords.contains(lowered(b, i, j)) {
                    emit(i, j)
                } else {
                    var start = i
                    for a in apostrophes {
                        if a.at - start <= 6 && PreTokenizer.elisions.contains(lowered(b, start, a.at)) {
                            emit(start, a.at + a.len)
                            start = a.at + a.len
                        } else {
                            emit(start, a.at)
                            start = a.at
                        }
                    }
                    emit(start, j)
                }
                i = j
            } else {
                var j = i + len
                while j < n && PreTokenizer.scalar(b, j).0 == c { j += len }
                emit(i, j)
                i = j
            }
        }
        if pendingSpace && !(addDummyPrefix && pieces.isEmpty) { pieces.append(PreTokenizer.marker) }
        return pieces
    }

    static let markerUTF8: [UInt8] = [0xE2, 0x96, 0x81]

    /// The scalar starting at byte `i` of valid UTF-8, and its length in bytes.
    @inline(__always)
    static func scalar(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> (UInt32, Int) {
        let b0 = UInt32(b[i])
        if b0 < 0x80 { return (b0, 1) }
        if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | UInt32(b[i + 1] & 0x3F), 2) }
        if b0 < 0xF0 { return ((b0 & 0x0F) << 12 | UInt32(b[i + 1] & 0x3F) << 6 | UInt32(b[i + 2] & 0x3F), 3) }
        return ((b0 & 0x07) << 18 | UInt32(b[i + 1] & 0x3F) << 12 | UInt32(b[i + 2] & 0x3F) << 6 | UInt32(b[i + 3] & 0x3F), 4)
    }

    /// Letters, digits and combining marks (with table-free fast paths for ASCII and Latin).
    @inline(__always)
    static func isWordChar(_ v: UInt32) -> Bool {
        if v < 0x80 {
            return (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) || (v >= 0x30 && v <= 0x39)
        }
        if v >= 0xC0 && v <= 0x24F { return v != 0xD7 && v != 0xF7 }
        guard let c = Unicode.Scalar(v), v != 0x2581 else { return false }
        let p = c.properties
        if p.isAlphabetic { return true }
        switch p.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber, .nonspacingMark, .spacingMark, .enclosingMark:
            return true
        default:
            return false
        }
    }

    private func lowered(_ b: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int) -> String {
        guard hi - lo <= 16 else { return "" }
        return String(decoding: UnsafeBufferPointer(rebasing: b[lo..<hi]), as: UTF8.self).lowercased()
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
}
