import Engine

// Shape legend: B batch, S source positions, T target positions, D model width; in inference
// R decoding rows (sentences x beams), one new token each, and C cached positions per row.
//
// Norm placement: pre-norm. Every sublayer reads LayerNorm(x) and adds its (dropped-out)
// result back to x: x + Dropout(Sublayer(LayerNorm(x))). Each stack ends with a final
// LayerNorm. (Vaswani et al. normalise after the residual add; pre-norm trains stably
// without a long warm-up, as in fairseq's --*-normalize-before and PyTorch's norm_first.)

/// One decoder layer: masked self-attention over the target prefix, cross-attention to the
/// encoder output (Q from the decoder, K and V from the encoder), then the feed-forward block.
public struct DecoderLayer: HasParameters {
    /// Norm before the masked self-attention.
    public let selfNorm: LayerNorm
    /// Masked self-attention over the target prefix.
    public let selfAttention: MultiHeadAttention
    /// Norm before the cross-attention.
    public let crossNorm: LayerNorm
    /// Cross-attention: queries from the decoder, keys and values from the encoder output.
    public let crossAttention: MultiHeadAttention
    /// Norm before the feed-forward block.
    public let ffNorm: LayerNorm
    /// The position-wise feed-forward block.
    public let feedForward: FeedForward
    let dropout: Float

    init(_ c: ModelConfig, name: String, weights: inout WeightInitializer) {
        selfNorm = LayerNorm(c.modelDim, epsilon: c.layerNormEpsilon)
        selfAttention = MultiHeadAttention(c.modelDim, heads: c.heads, dropout: c.dropout, name: join(name, "self"), weights: &weights)
        crossNorm = LayerNorm(c.modelDim, epsilon: c.layerNormEpsilon)
        crossAttention = MultiHeadAttention(c.modelDim, heads: c.heads, dropout: c.dropout, name: join(name, "cross"), weights: &weights)
        ffNorm = LayerNorm(c.modelDim, epsilon: c.layerNormEpsilon)
        feedForward = FeedForward(c.modelDim, c.feedForwardDim, dropout: c.dropout, weights: &weights)
        dropout = c.dropout
    }

    /// y [B, T, D], memory [B, S, D] (encoder output), targetMask [B|1, 1, T, T] (causal),
    /// sourceMask [B, 1, 1, S] -> [B, T, D].
    public func callAsFunction(_ y: Tensor, memory: Tensor, targetMask: Tensor, sourceMask: Tensor, _ ctx: ForwardContext) -> Tensor {
        let n = selfNorm(y)
        var y = ctx.residual(y, selfAttention(n, memory: n, mask: targetMask, ctx), dropout)  // y + dropout(·)
        y = ctx.residual(y, crossAttention(crossNorm(y), memory: memory, mask: sourceMask, ctx), dropout)
        return ctx.residual(y, feedForward(ffNorm(y), ctx), dropout)
    }

    /// The block's weights for `infer`.
    public struct Inference: Sendable {
        /// The two attentions' and the feed-forward block's.
        public let selfAttention, crossAttention: MultiHeadAttention.Inference, feedForward: FeedForward.Inference
    }

    /// The inference weights of this layer (a copy: build again after the weights change).
    public func inference(_ precision: InferencePrecision) -> Inference {
        Inference(selfAttention: selfAttention.inference(precision), crossAttention: crossAttention.inference(precision),
                  feedForward: feedForward.inference(precision))
    }

    /// The inference twin of `callAsFunction` for one new position, with weights `w`: `y` [R, D] holds one token
    /// per decoding row at position `step.position` and is updated in place (no dropout). The
    /// token's self-attention key and value join its row's block of `keys.own` and the query
    /// reads positions 0...t of it (later positions do not exist yet: no causal mask is needed;
    /// `<pad>` keys stay hidden as `Masks.causalPadding` hides them); cross-attention reads the
    /// cached encoder keys and values of the row's sentence, block `step.sentences[r]` of `keys.source`.
    public func infer(_ y: Rows, _ w: Inference, _ step: DecoderStep, keys: DecoderLayerKeys, _ s: InferenceScratch) {
        selfNorm.infer(y, into: s.normed)
        selfAttention.storeKeysValues(of: s.normed, w.selfAttention, in: keys.own, hidden: step.hidden,
                                      at: { (step.slots[$0], step.position) }, s)
        selfAttention.infer(s.normed, w.selfAttention, over: keys.own, blocks: step.slots, count: step.position + 1, s,
                            observer: step.observer, addingTo: y)
        crossNorm.infer(y, into: s.normed)
        crossAttention.infer(s.normed, w.crossAttention, over: keys.source, blocks: step.sentences, count: step.sourceLength, s,
                             observer: step.observer, addingTo: y)
        ffNorm.infer(y, into: s.normed)
        feedForward.infer(s.normed, w.feedForward, hiddenRows: s.hidden, addingTo: y)
    }

    /// self_norm, self, cross_norm, cross, ff_norm, ff, in that order.
    public func parameters(_ p: String) -> [(name: String, tensor: Tensor)] {
        selfNorm.parameters(join(p, "self_norm")) + selfAttention.parameters(join(p, "self"))
            + crossNorm.parameters(join(p, "cross_norm")) + crossAttention.parameters(join(p, "cross"))
            + ffNorm.parameters(join(p, "ff_norm")) + feedForward.parameters(join(p, "ff"))
    }
}
