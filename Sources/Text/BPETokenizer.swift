import Foundation

/// Subword tokenizer: each pre-tokenised piece starts as single scalars (scalars outside the
/// learned alphabet become `<unk>`) and learned merges are applied lowest rank first.
///
/// Encoded pieces are memoised in a bounded, lock-protected cache shared by copies of the
/// tokenizer, since the same few thousand words make up most of any corpus.
public struct BPETokenizer: Tokenizer, Codable {
    /// How text is normalised first.
    public let normalizer: Normalizer
    /// How normalised text is cut into words and punctuation.
    public let preTokenizer: PreTokenizer
    /// The id <-> piece table (characters and merged pieces).
    public let vocabulary: Vocabulary
    /// Merges in rank order, as (left, right) token strings.
    public let merges: [(String, String)]

    private let scalarIds: [Unicode.Scalar: Int32]
    private let ranks: [UInt64: (rank: Int32, merged: Int32)]
    private let cache = PieceCache()

    /// Builds a tokenizer from a learned vocabulary and merge list. Throws if a merge refers to
    /// a token missing from the vocabulary (e.g. a hand-edited or truncated file).
    public init(normalizer: Normalizer, preTokenizer: PreTokenizer, vocabulary: Vocabulary,
                merges: [(String, String)]) throws {
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.vocabulary = vocabulary
        self.merges = merges
        var scalarIds: [Unicode.Scalar: Int32] = [:]
        for (i, t) in vocabulary.tokens.enumerated() where i >= SpecialTokens.strings.count {
            let scalars = t.unicodeScalars
            if scalars.count == 1, let c = scalars.first { scalarIds[c] = Int32(i) }
        }
        var ranks: [UInt64: (rank: Int32, merged: Int32)] = [:]
        for (r, (left, right)) in merges.enumerated() {
            guard let a = vocabulary.id(left), let b = vocabulary.id(right), let m = vocabulary.id(left + right) else {
                throw TextError.invalidTokenizerJSON(reason: "merge #\(r) (\"\(left)\" + \"\(right)\") uses a token missing from the vocabulary")
            }
            let key = BPELearner.key(a, b)
            if ranks[key] == nil { ranks[key] = (Int32(r), m) }
        }
        self.scalarIds = scalarIds
        self.ranks = ranks
    }

    /// Learns `merges` merges from `texts`. Scalars seen fewer than `minCharFrequency` times are
    /// left out of the alphabet; learning stops early if no pair occurs at least twice.
    public static func learn(from texts: [String], merges: Int, minCharFrequency: Int = 1,
                             normalizer: Normalizer = Normalizer(),
                             preTokenizer: PreTokenizer = PreTokenizer()) throws -> BPETokenizer {
        let counts = pieceCounts(texts, normalizer: normalizer, preTokenizer: preTokenizer)
        guard !counts.isEmpty else { throw TextError.emptyTrainingText }
        var learner = BPELearner(wordCounts: counts, minCharFrequency: minCharFrequency)
        learner.learn(merges: merges)
        return try BPETokenizer(normalizer: normalizer, preTokenizer: preTokenizer,
                                vocabulary: learner.vocabulary, merges: learner.merges)
    }

    /// Token ids of `text`: each word's characters merged by the learned rules, in rank order.
    public func encode(_ text: String) -> [Int32] {
        var ids: [Int32] = []
        for p in preTokenizer.split(normalizer.normalize(text)) {
            if let hit = cache.get(p) {
                ids.append(contentsOf: hit)
            } else {
                let enc = encodePiece(p)
                cache.set(p, enc)
                ids.append(contentsOf: enc)
            }
        }
        return ids
    }

    /// The normalised text of `ids` (special tokens dropped, ▁ marks turned back into spaces).
    public func decode(_ ids: [Int32]) -> String {
        preTokenizer.join(decodablePieces(ids))
    }

    /// Applies merges to one piece: repeatedly merge every occurrence of the lowest-ranked pair.
    private func encodePiece(_ piece: String) -> [Int32] {
        var symbols = piece.unicodeScalars.map { scalarIds[$0] ?? SpecialTokens.unknown }
        while symbols.count > 1 {
            var bestRank = Int32.max
            var bestKey: UInt64 = 0
            var merged: Int32 = 0
            for k in 0..<(symbols.count - 1) {
                let key = BPELearner.key(symbols[k], symbols[k + 1])
                if key != 0, let r = ranks[key], r.rank < bestRank {
                    bestRank = r.rank
                    bestKey = key
                    merged = r.merged
                }
            }
            if bestRank == Int32.max { break }
            let a = Int32(truncatingIfNeeded: bestKey >> 32)
            let b = Int32(truncatingIfNeeded: bestKey & 0xFFFF_FFFF)
            guard let next = BPELearner.replace(symbols, a, b, with: merged) else { break }
            symbols = next
        }
        return symbols
    }

    private enum CodingKeys: String, CodingKey { case normalizer, preTokenizer, vocabulary, merges }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let pairs = try c.decode([[String]].self, forKey: .merges)
        var merges: [(String, String)] = []
        merges.reserveCapacity(pairs.count)
        for (i, p) in pairs.enumerated() {
            guard p.count == 2 else {
                throw TextError.invalidTokenizerJSON(reason: "merge #\(i) has \(p.count) parts instead of 2")
            }
            merges.append((p[0], p[1]))
        }
        try self.init(normalizer: c.decode(Normalizer.self, forKey: .normalizer),
                      preTokenizer: c.decode(PreTokenizer.self, forKey: .preTokenizer),
                      vocabulary: c.decode(Vocabulary.self, forKey: .vocabulary),
                      merges: merges)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(normalizer, forKey: .normalizer)
        try c.encode(preTokenizer, forKey: .preTokenizer)
        try c.encode(vocabulary, forKey: .vocabulary)
        try c.encode(merges.map { [$0.0, $0.1] }, forKey: .merges)
    }
}

/// Piece -> ids memo for BPE encoding; cleared when full so memory stays bounded.
final class PieceCache: @unchecked Sendable {
    // Guarded by `lock`; encode may be called from several threads at once.
    private var map: [String: [Int32]] = [:]
    private let lock = NSLock()
    private let limit = 200_000

    func get(_ piece: String) -> [Int32]? {
        lock.lock()
        defer { lock.unlock() }
        return map[piece]
    }

    func set(_ piece: String, _ ids: [Int32]) {
        lock.lock()
        defer { lock.unlock() }
        if map.count >= limit { map.removeAll(keepingCapacity: true) }
        map[piece] = ids
    }
}
