import Model
import Text

// Where Text's ids meet the model, which knows no tokenizer: the batcher's batches become the
// model's `TokenBatch`, and the model's padding id is Text's `<pad>`.

extension Batch {
    /// The batch as the model reads it (the same arrays; the statistics stay here).
    public var tokens: TokenBatch {
        TokenBatch(size: batchSize, source: source, sourceLength: sourceLength, targetInput: targetInput,
                   targetOutput: targetOutput, targetLength: targetLength)
    }
}

extension ModelConfig {
    /// The configuration with the model's token conventions taken from Text (`SpecialTokens.pad`
    /// as `padding`): every config that builds a model passes through here.
    public func withTextTokens() -> ModelConfig {
        var c = self
        c.padding = SpecialTokens.pad
        return c
    }
}
