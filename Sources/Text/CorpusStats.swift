/// How a corpus file is read; one config for every reader.
public struct CorpusReaderConfig: Codable, Sendable, Equatable {
    /// Lines (TSV) or sides (Moses) with more Unicode scalars than this are skipped and counted,
    /// e.g. 1000. They are never held in memory whole, so a corrupt multi-GB line is harmless.
    public var maxCharacters: Int

    /// Lines longer than `maxCharacters` are skipped.
    public init(maxCharacters: Int = 1000) {
        self.maxCharacters = maxCharacters
    }
}

/// Counts of what a corpus reader kept and skipped, by reason, so `train` can print them.
public struct CorpusStats: Codable, Sendable, Equatable, CustomStringConvertible {
    /// Physical lines seen (for Moses: lines of the source file).
    public var linesRead = 0
    /// Pairs returned.
    public var pairsKept = 0
    /// Lines that were empty or whitespace only (e.g. a trailing blank line).
    public var skippedBlank = 0
    /// Pairs with an empty (or whitespace-only) source or target side.
    public var skippedEmptySide = 0
    /// Lines over `CorpusReaderConfig.maxCharacters`.
    public var skippedTooLong = 0
    /// Bytes read from disk (all files).
    public var bytesRead = 0

    /// Nothing read yet.
    public init() {}

    /// All skipped lines, whatever the reason.
    public var skipped: Int { skippedBlank + skippedEmptySide + skippedTooLong }

    /// One line for logs, e.g. "200 pairs from 203 lines; skipped …".
    public var description: String {
        "\(pairsKept) pairs from \(linesRead) lines; skipped \(skippedEmptySide) with an empty side, "
            + "\(skippedTooLong) too long, \(skippedBlank) blank"
    }
}
