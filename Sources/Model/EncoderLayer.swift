import Engine

// Shape legend: B batch, S source positions, T target positions, D model width; in inference
// R = B·S rows (sentence b's positions are rows b·S ..< (b+1)·S).
//
// Norm placement: pre-norm. Every sublayer reads LayerNorm(x) and adds its (dropped-out)
// result back to x: x + Dropout(Sublayer(LayerNorm(x))). Each stack ends with a final
// LayerNorm. (Vaswani et al. normalise after the residual add; pre-norm trains stably
// without a long warm-up, as in fairseq's --*-normalize-before and PyTorch's norm_first.)

/// One encoder layer: self-attention over the source, then the feed-forward block.
public struct EncoderLayer: HasParameters {
    /// Norm before the self-attention.
    public let selfNorm: LayerNorm
    /// Self-attention over the source.
    public let selfAttention: MultiHeadAttention
    /// Norm before the feed-forward block.
    public let ffNorm: LayerNorm
    /// The position-wise feed-forward block.
    public let feedForward: FeedForward
    let dropout: Float

    init(_ c: ModelConfig, name: String, weights: inout WeightInitializer) {
        selfNorm = LayerNorm(c.modelDim, epsilon: c.layerNormEpsilon)
        selfAttention = MultiHeadAttention(c.modelDim, heads: c.heads, dropout: c.dropout, name: join(name, "self"), weights: &weights)
        ffNorm = LayerNorm(c.modelDim, epsilon: c.layerNormEpsilon)
        feedForward = FeedForward(c.modelDim, c.feedForwardDim, dropout: c.dropout, weights: &weights)
        dropout = c.dropout
    }

    /// x [B, S, D], sourceMask [B, 1, 1, S] -> [B, S, D].
    public func callAsFunction(_ x: Tensor, sourceMask: Tensor, _ ctx: ForwardContext) -> Tensor {
        let n = selfNorm(x)
        let x = ctx.residual(x, selfAttention(n, memory: n, mask: sourceMask, ctx), dropout)  // x + dropout(·)
        return ctx.residual(x, feedForward(ffNorm(x), ctx), dropout)
    }

    /// The block's weights for `infer`.
    public struct Inference: Sendable {
        /// The self-attention's and the feed-forward block's.
        public let selfAttention: MultiHeadAttention.Inference, feedForward: FeedForward.Inference
    }

    /// The inference weights of this layer (a copy: build again after the weights change).
    public func inference(_ precision: InferencePrecision) -> Inference {
        Inference(selfAttention: selfAttention.inference(precision), feedForward: feedForward.inference(precision))
    }

    /// The inference twin of `callAsFunction`: the same block on rows with weights `w`, `x`
    /// [B·S, D] updated in place, no graph and no dropout. Every position's key and value go into `keys` (one block
    /// per sentence, S positions, `hidden` marking `<pad>` keys); each row then queries its
    /// sentence's block. `sentence[r]` = r / S.
    public func infer(_ x: Rows, _ w: Inference, length s: Int, sentence: [Int], hidden: [Bool], keys: KeyValueCache,
                      _ t: InferenceScratch) {
        selfNorm.infer(x, into: t.normed)
        selfAttention.storeKeysValues(of: t.normed, w.selfAttention, in: keys, hidden: hidden, at: { ($0 / s, $0 % s) }, t)
        selfAttention.infer(t.normed, w.selfAttention, over: keys, blocks: sentence, count: s, t, addingTo: x)
        ffNorm.infer(x, into: t.normed)
        feedForward.infer(t.normed, w.feedForward, hiddenRows: t.hidden, addingTo: x)
    }

    /// self_norm, self, ff_norm, ff, in that order.
    public func parameters(_ p: String) -> [(name: String, tensor: Tensor)] {
        selfNorm.parameters(join(p, "self_norm")) + selfAttention.parameters(join(p, "self"))
            + ffNorm.parameters(join(p, "ff_norm")) + feedForward.parameters(join(p, "ff"))
    }
}
