import Engine

/// What a forward pass needs beyond the inputs: whether dropout is active, where its seeds come
/// from, and (for `translate --explain`) an optional observer of attention internals.
public final class ForwardContext {
    /// True while training: dropout is applied.
    public let training: Bool
    private var seeds: RandomGenerator
    /// Called with (parameter prefix like "decoder.layers.1.cross", what, tensor) inside every
    /// attention: "queries" [B, H, T, K], "keys" and "values" [B, H, S, K], "scores" (q·k/√K,
    /// before the mask) and "weights" (after mask and softmax) [B, H, T, S], "mask" (additive,
    /// broadcastable to the scores) when there is one, then "merged" (the heads' outputs side by
    /// side, before W_O) and "output" (after W_O) [B, T, D].
    public var observer: ((String, String, Tensor) -> Void)?

    /// `seed` fixes every dropout mask of this pass (e.g. derived from the training step).
    public init(training: Bool, seed: UInt64 = 0, observer: ((String, String, Tensor) -> Void)? = nil) {
        self.training = training
        self.seeds = RandomGenerator(seed: seed)
        self.observer = observer
    }

    /// Dropout with a fresh seed, or the identity when not training.
    func dropout(_ x: Tensor, _ p: Float) -> Tensor {
        guard training, p > 0 else { return x }
        return Engine.dropout(x, p: p, seed: seeds.next())
    }

    /// The probability and seed a fused op's dropout uses: `p` with a fresh seed while
    /// training, else 0 (no dropout, no seed drawn), as `dropout` decides.
    func dropoutDraw(_ p: Float) -> (p: Float, seed: UInt64) {
        guard training, p > 0 else { return (0, 0) }
        return (p, seeds.next())
    }

    /// x + dropout(f): a residual connection (`residualDropout`, one pass).
    func residual(_ x: Tensor, _ f: Tensor, _ p: Float) -> Tensor {
        let (p, seed) = dropoutDraw(p)
        return residualDropout(x, f, p: p, seed: seed)
    }

    /// dropout(ReLU(h + b)) (`biasReLUDropout`, one pass).
    func biasReLUDropout(_ h: Tensor, _ bias: Tensor?, _ p: Float) -> Tensor {
        let (p, seed) = dropoutDraw(p)
        return Engine.biasReLUDropout(h, bias: bias, p: p, seed: seed)
    }
}
