import Foundation

/// One translation example: a source sentence and its target, as read (not yet normalised).
public struct SentencePair: Codable, Sendable, Hashable {
    /// The source sentence.
    public var source: String
    /// Its translation.
    public var target: String

    /// A pair as read.
    public init(source: String, target: String) {
        self.source = source
        self.target = target
    }
}

/// A parallel corpus held in memory, plus the statistics of how it was read.
///
/// Readers split bytes themselves (memchr on 1 MiB chunks, one UTF-8 validation per side) because
/// building a String of the whole file and splitting it is several times slower and doubles memory.
public struct ParallelCorpus: Sendable {
    /// The pairs kept, in file order.
    public var pairs: [SentencePair]
    /// How many lines were read and skipped, and why.
    public var stats: CorpusStats

    /// A corpus of `pairs`.
    public init(pairs: [SentencePair], stats: CorpusStats = CorpusStats()) {
        self.pairs = pairs
        self.stats = stats
    }

    /// Reads `source<TAB>target` lines; columns after the second (e.g. Tatoeba/Anki attribution)
    /// are ignored. Throws for a missing or empty file, invalid UTF-8, a line without a tab, or
    /// when every line is skipped.
    public static func readTSV(path: String, config: CorpusReaderConfig = CorpusReaderConfig()) throws -> ParallelCorpus {
        var reader = try LineReader(path: path, maxLineBytes: maxBytes(config))
        defer { reader.close() }
        var stats = CorpusStats()
        var pairs: [SentencePair] = []
        var sawContent = false
        while let pair = try reader.next({ line, number -> SentencePair? in
            stats.linesRead += 1
            guard case .text(let bytes) = line else {
                sawContent = true
                stats.skippedTooLong += 1
                return nil
            }
            if isBlank(bytes) {
                stats.skippedBlank += 1
                return nil
            }
            sawContent = true
            if scalarCount(bytes) > config.maxCharacters {
                stats.skippedTooLong += 1
                return nil
            }
            guard let tab = bytes.firstIndex(of: 0x09) else {
                throw TextError.missingColumn(path: path, line: number)
            }
            let rest = bytes[(tab + 1)...]
            let end = rest.firstIndex(of: 0x09) ?? bytes.endIndex
            let src = UnsafeBufferPointer(rebasing: bytes[..<tab])
            let tgt = UnsafeBufferPointer(rebasing: bytes[(tab + 1)..<end])
            guard let s = String(validating: src, as: UTF8.self),
                  let t = String(validating: tgt, as: UTF8.self) else {
                throw TextError.invalidUTF8(path: path, line: number)
            }
            if isBlank(src) || isBlank(tgt) {
                stats.skippedEmptySide += 1
                return nil
            }
            return SentencePair(source: s, target: t)
        }) {
            if let pair { pairs.append(pair) }
        }
        stats.bytesRead = reader.bytesRead
        return try finish(pairs, stats, path: path, sawContent: sawContent)
    }

    /// Reads two line-aligned files (e.g. `train.en` and `train.fr`): line N of one translates
    /// line N of the other. Throws, naming both line counts, if the files differ in length.
    public static func readMoses(sourcePath: String, targetPath: String,
                                 config: CorpusReaderConfig = CorpusReaderConfig()) throws -> ParallelCorpus {
        var src = try LineReader(path: sourcePath, maxLineBytes: maxBytes(config))
        defer { src.close() }
        var tgt = try LineReader(path: targetPath, maxLineBytes: maxBytes(config))
        defer { tgt.close() }
        var stats = CorpusStats()
        var pairs: [SentencePair] = []
        var sawSource = false
        var sawTarget = false
        while true {
            // Each side becomes .some(nil) when blank/too long/skipped, nil at end of file.
            let s = try src.next { try decode($0, path: sourcePath, line: $1, config: config, saw: &sawSource) }
            let t = try tgt.next { try decode($0, path: targetPath, line: $1, config: config, saw: &sawTarget) }
            if s == nil && t == nil { break }
            guard let s, let t else {
                // Count the rest of the longer file so the error can name both lengths.
                while try src.next({ _, _ in () }) != nil {}
                while try tgt.next({ _, _ in () }) != nil {}
                if !sawSource { throw TextError.emptyFile(path: sourcePath) }
                if !sawTarget { throw TextError.emptyFile(path: targetPath) }
                throw TextError.lineCountMismatch(sourcePath: sourcePath, sourceLines: src.lineNumber,
                                                  targetPath: targetPath, targetLines: tgt.lineNumber)
            }
            stats.linesRead += 1
            switch (s, t) {
            case (.text(let a), .text(let b)):
                pairs.append(SentencePair(source: a, target: b))
            case (.tooLong, _), (_, .tooLong):
                stats.skippedTooLong += 1
            case (.blank, .blank):
                stats.skippedBlank += 1
            default:
                stats.skippedEmptySide += 1
            }
        }
        if !sawSource { throw TextError.emptyFile(path: sourcePath) }
        if !sawTarget { throw TextError.emptyFile(path: targetPath) }
        stats.bytesRead = src.bytesRead + tgt.bytesRead
        return try finish(pairs, stats, path: sourcePath, sawContent: true)
    }

    private enum Side { case text(String), blank, tooLong }

    private static func decode(_ line: LineReader.Line, path: String, line number: Int,
                               config: CorpusReaderConfig, saw: inout Bool) throws -> Side {
        guard case .text(let bytes) = line else {
            saw = true
            return .tooLong
        }
        if isBlank(bytes) { return .blank }
        saw = true
        if scalarCount(bytes) > config.maxCharacters { return .tooLong }
        guard let s = String(validating: bytes, as: UTF8.self) else {
            throw TextError.invalidUTF8(path: path, line: number)
        }
        return .text(s)
    }

    private static func finish(_ pairs: [SentencePair], _ stats: CorpusStats, path: String,
                               sawContent: Bool) throws -> ParallelCorpus {
        var stats = stats
        guard sawContent else { throw TextError.emptyFile(path: path) }
        stats.pairsKept = pairs.count
        if pairs.isEmpty {
            throw TextError.noUsablePairs(path: path, summary: stats.description)
        }
        return ParallelCorpus(pairs: pairs, stats: stats)
    }

    /// A UTF-8 scalar takes at most 4 bytes, so this many bytes can hold `maxCharacters` scalars.
    private static func maxBytes(_ config: CorpusReaderConfig) -> Int {
        max(1, config.maxCharacters) * 4 + 8
    }

    /// Unicode scalars in UTF-8 bytes: every byte that is not a continuation byte starts one.
    static func scalarCount(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var n = 0
        for b in bytes where b & 0xC0 != 0x80 { n += 1 }
        return n
    }

    /// True when the bytes hold only ASCII whitespace (space, tab, CR, LF, VT, FF).
    static func isBlank(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for b in bytes where !(b == 0x20 || (b >= 0x09 && b <= 0x0D)) { return false }
        return true
    }
}
