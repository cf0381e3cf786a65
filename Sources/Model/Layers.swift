import Engine

/// Something with parameters that have ordered, dotted names (`decoder.layers.2.cross.query.weight`),
/// the names shared by the optimizer, the checkpoint and `inspect`.
public protocol HasParameters {
    /// Parameters in a fixed order, each named `prefix + "." + local name`.
    func parameters(_ prefix: String) -> [(name: String, tensor: Tensor)]
}

func join(_ prefix: String, _ name: String) -> String { prefix.isEmpty ? name : prefix + "." + name }

/// y = x·Wᵀ + b with W stored `[out, in]` (PyTorch's `nn.Linear` layout).
public struct Linear: HasParameters {
    /// W [out, in], as `nn.Linear` stores it.
    public let weight: Tensor  // [out, in]
    /// b [out], or nil for a layer without bias.
    public let bias: Tensor?   // [out]

    /// Xavier-uniform weights (bound √(6/(in+out))), zero bias.
    public init(_ inDim: Int, _ outDim: Int, bias: Bool = true, weights: inout WeightInitializer) {
        weight = weights.uniform([outDim, inDim], bound: (6 / Float(inDim + outDim)).squareRoot())
        self.bias = bias ? .zeros([outDim], requiresGrad: true) : nil
    }

    /// x [.., in] -> x·Wᵀ + b [.., out], recorded for backward.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        linear(x, weight: weight, bias: bias)  // [.., out]
    }

    /// Inference twin: the weights as the decoding kernels read them (`InferenceLinear`), which
    /// compute `out = epilogue(x·Wᵀ + b)` for each row of `x`, no graph. A copy: build it again
    /// after the weights change.
    public func inference(_ precision: InferencePrecision) -> InferenceLinear {
        InferenceLinear(weight: weight, bias: bias, precision)
    }

    /// weight, then bias.
    public func parameters(_ prefix: String) -> [(name: String, tensor: Tensor)] {
        [(join(prefix, "weight"), weight)] + (bias.map { [(join(prefix, "bias"), $0)] } ?? [])
    }
}

/// Layer normalisation over the last axis with a learned gain (`weight`) and shift (`bias`).
public struct LayerNorm: HasParameters {
    /// The gain γ [D].
    public let weight: Tensor  // [D]
    /// The shift β [D].
    public let bias: Tensor    // [D]
    /// Added to the variance before the square root, e.g. 1e-5.
    public let epsilon: Float

    /// γ = 1, β = 0 over `dim` features.
    public init(_ dim: Int, epsilon: Float) {
        weight = Tensor(shape: [dim], repeating: 1, requiresGrad: true)
        bias = .zeros([dim], requiresGrad: true)
        self.epsilon = epsilon
    }

    /// Each row of x [.., D] normalised, then scaled by γ and shifted by β.
    public func callAsFunction(_ x: Tensor) -> Tensor { layerNorm(x, gamma: weight, beta: bias, eps: epsilon) }

    /// Inference twin: each row of `x` normalised into `out`, with the same arithmetic.
    public func infer(_ x: Rows, into out: Rows) { layerNormRows(x, gamma: weight, beta: bias, eps: epsilon, into: out) }

    /// weight (γ), then bias (β).
    public func parameters(_ prefix: String) -> [(name: String, tensor: Tensor)] {
        [(join(prefix, "weight"), weight), (join(prefix, "bias"), bias)]
    }
}

/// The position-wise feed-forward block: ReLU(x·W₁ᵀ + b₁)·W₂ᵀ + b₂, with dropout on the hidden units.
public struct FeedForward: HasParameters {
    /// W₁: D -> F.
    public let hidden: Linear  // D -> F
    /// W₂: F -> D.
    public let output: Linear  // F -> D
    let dropout: Float

    /// A block of width `dim` with `hiddenDim` hidden units and dropout on them.
    public init(_ dim: Int, _ hiddenDim: Int, dropout: Float, weights: inout WeightInitializer) {
        hidden = Linear(dim, hiddenDim, weights: &weights)
        output = Linear(hiddenDim, dim, weights: &weights)
        self.dropout = dropout
    }

    /// x [B, L, D] -> [B, L, D], each position on its own.
    public func callAsFunction(_ x: Tensor, _ ctx: ForwardContext) -> Tensor {
        let h = matmul(x, hidden.weight, transposeB: true)  // [B, L, F], bias added below
        return output(ctx.biasReLUDropout(h, hidden.bias, dropout))  // [B, L, F] -> [B, L, D]
    }

    /// The block's weights for `infer`.
    public struct Inference: Sendable {
        /// W₁ and W₂ as the decoding kernels read them.
        public let hidden, output: InferenceLinear
    }

    /// The inference weights of this block (a copy: build again after the weights change).
    public func inference(_ precision: InferencePrecision) -> Inference {
        Inference(hidden: hidden.inference(precision), output: output.inference(precision))
    }

    /// Inference twin, with the block's residual add: `stream += output(ReLU(hidden(x)))` for
    /// each row (no dropout), with weights `w` (`inference`); `hiddenRows` [R, F] is scratch.
    public func infer(_ x: Rows, _ w: Inference, hiddenRows: Rows, addingTo stream: Rows) {
        w.hidden(x, into: hiddenRows, .relu)   // [R, F]
        w.output(hiddenRows, into: stream, .accumulate)  // [R, D]
    }

    /// hidden, then output.
    public func parameters(_ prefix: String) -> [(name: String, tensor: Tensor)] {
        hidden.parameters(join(prefix, "hidden")) + output.parameters(join(prefix, "output"))
    }
}
