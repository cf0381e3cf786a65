import Engine

// Shape legend: R rows, D model width, F feed-forward width.

/// The activations one inference pass through a block needs besides its residual stream, reused
/// by every layer and every decoding step: the normalised rows, the attention's queries, keys,
/// values and merged heads [R, D], and the feed-forward hidden rows [R, F]. The kernels grow
/// them to the rows they are given.
public final class InferenceScratch {
    /// LayerNorm(x), the input of the next sublayer [R, D].
    public let normed: Rows
    /// Attention projections [R, D].
    public let queries, keys, values: Rows
    /// Attention output before W_O, heads side by side [R, D].
    public let mixed: Rows
    /// Feed-forward hidden units [R, F].
    public let hidden: Rows

    /// Scratch for `rows` rows of a model with width `modelDim` and feed-forward width `feedForwardDim`.
    public init(rows: Int, modelDim d: Int, feedForwardDim f: Int) {
        (normed, queries, keys, values, mixed) = (Rows(capacity: rows, width: d), Rows(capacity: rows, width: d),
                                                  Rows(capacity: rows, width: d), Rows(capacity: rows, width: d),
                                                  Rows(capacity: rows, width: d))
        hidden = Rows(capacity: rows, width: f)
    }

    /// Scratch sized for `config`'s widths.
    public convenience init(rows: Int, _ config: ModelConfig) {
        self.init(rows: rows, modelDim: config.modelDim, feedForwardDim: config.feedForwardDim)
    }
}
