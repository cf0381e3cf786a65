// Shape legend: B sentence pairs, S source positions, T target positions.

/// A batch of sentence pairs as token ids, the model's training input: every row is padded to
/// the batch's length with `ModelConfig.padding`, which the masks hide and the loss ignores.
///
/// Row b of `targetInput` is `<s> y1 … yn` and of `targetOutput` is `y1 … yn </s>`: position t
/// reads the target up to t and is scored on token t + 1. (Text's `Batcher` makes these; the
/// model does not know which ids `<s>` and `</s>` are.)
public struct TokenBatch: Sendable, Equatable {
    /// Sentence pairs B.
    public var size: Int
    /// Source ids [B, S], row-major.
    public var source: [Int32]
    /// S, the padded source length.
    public var sourceLength: Int
    /// Decoder inputs [B, T].
    public var targetInput: [Int32]
    /// Decoder targets [B, T]: the inputs shifted by one.
    public var targetOutput: [Int32]
    /// T, the padded target length.
    public var targetLength: Int

    /// A batch from its arrays; the counts must agree with the lengths (checked).
    public init(size: Int, source: [Int32], sourceLength: Int, targetInput: [Int32], targetOutput: [Int32], targetLength: Int) {
        precondition(source.count == size * sourceLength, "source has \(source.count) ids, expected \(size) x \(sourceLength)")
        precondition(targetInput.count == size * targetLength && targetOutput.count == size * targetLength,
                     "targets have \(targetInput.count) and \(targetOutput.count) ids, expected \(size) x \(targetLength)")
        self.size = size
        self.source = source
        self.sourceLength = sourceLength
        self.targetInput = targetInput
        self.targetOutput = targetOutput
        self.targetLength = targetLength
    }
}
