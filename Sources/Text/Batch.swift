/// A tokenised training example (no `<s>`/`</s>`; the batcher adds them).
public struct TokenizedPair: Codable, Sendable, Equatable {
    /// Source ids, without `<s>`/`</s>`.
    public var source: [Int32]
    /// Target ids, without `<s>`/`</s>`.
    public var target: [Int32]

    /// A pair of id sequences.
    public init(source: [Int32], target: [Int32]) {
        self.source = source
        self.target = target
    }
}

extension TokenizerPair {
    /// Encodes every pair of `corpus` with the source and target tokenizers.
    public func encode(_ corpus: ParallelCorpus) -> [TokenizedPair] {
        corpus.pairs.map { TokenizedPair(source: source.encode($0.source), target: target.encode($0.target)) }
    }
}

/// How batches are formed; stored with the training config so a run can be resumed exactly.
public struct BatchConfig: Codable, Sendable, Equatable {
    /// What happens to a side longer than `maxLength`.
    public enum OverLength: String, Codable, Sendable {
        /// Cut the side to `maxLength` tokens.
        case truncate
        /// Leave the pair out (counted in `BatchStats.skippedTooLong`).
        case skip
    }

    /// Token budget per batch: B × (S + T) including padding, where S is the longest source and
    /// T the longest target + 1 (for `<s>`/`</s>`), e.g. 4096.
    public var maxTokens: Int
    /// Longest side kept, in tokens without `<s>`/`</s>`, e.g. 100.
    public var maxLength: Int
    /// What to do with a side longer than `maxLength`, e.g. "truncate".
    public var overLength: OverLength
    /// Pairs per length-sorting bucket, e.g. 16384: larger means less padding but batches whose
    /// composition is less random. On Tatoeba (budget 4096) padding is 18% at 4096, 8% at
    /// 16384, 3% at 65536.
    public var bucketSize: Int
    /// Seed of the shuffles, e.g. 1; the same seed gives the same batches in the same order.
    public var seed: UInt64

    /// A batching recipe; see the properties.
    public init(maxTokens: Int = 4096, maxLength: Int = 100, overLength: OverLength = .truncate,
                bucketSize: Int = 16384, seed: UInt64 = 1) {
        self.maxTokens = maxTokens
        self.maxLength = maxLength
        self.overLength = overLength
        self.bucketSize = bucketSize
        self.seed = seed
    }
}

/// What the batcher kept and dropped.
public struct BatchStats: Codable, Sendable, Equatable, CustomStringConvertible {
    /// Pairs that take part in batches.
    public var pairs = 0
    /// Pairs with a side cut to `maxLength`.
    public var truncated = 0
    /// Pairs left out because a side exceeded `maxLength` (policy `.skip`).
    public var skippedTooLong = 0
    /// Pairs left out because a side has no tokens.
    public var skippedEmpty = 0

    /// Nothing kept or dropped yet.
    public init() {}

    /// One line for logs.
    public var description: String {
        "\(pairs) pairs batched; \(truncated) truncated, \(skippedTooLong) skipped as too long, \(skippedEmpty) skipped as empty"
    }
}

/// One training batch, flattened row-major and padded with `<pad>` (0).
///
/// Row b of `targetInput` is `<s> y1 … yn` and of `targetOutput` is `y1 … yn </s>`: the decoder
/// sees position t and is trained to predict position t + 1.
public struct Batch: Sendable, Equatable {
    /// Number of sentence pairs B.
    public let batchSize: Int
    /// Padded source length S.
    public let sourceLength: Int
    /// Padded target length T (longest target + 1).
    public let targetLength: Int
    /// [B, S] source ids.
    public let source: [Int32]
    /// [B, T] decoder inputs, starting with `<s>`.
    public let targetInput: [Int32]
    /// [B, T] decoder targets, ending with `</s>`.
    public let targetOutput: [Int32]
    /// Non-pad entries of `source`.
    public let sourceTokens: Int
    /// Non-pad entries of `targetOutput` (the number of loss terms).
    public let targetTokens: Int
    /// Index of each row's pair in the array given to the `Batcher`.
    public let pairIndices: [Int]

    /// Padded size B × (S + T), the quantity the token budget bounds.
    public var paddedTokens: Int { batchSize * (sourceLength + targetLength) }
}
