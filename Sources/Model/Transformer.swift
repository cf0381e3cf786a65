import Engine

// Shape legend: B batch, S source positions, T target positions, D model width, V vocabulary.

/// The encoder-decoder Transformer (Vaswani et al. 2017): embeddings scaled by √D plus the
/// sinusoidal table, N pre-norm encoder layers, N pre-norm decoder layers, and a projection of
/// the decoder output to target-vocabulary logits.
public struct Transformer: HasParameters {
    public let config: ModelConfig
    public let sourceEmbedding: Tensor   // [Vs, D]
    public let targetEmbedding: Tensor   // [Vt, D]
    public let encoderLayers: [EncoderLayer]
    public let encoderNorm: LayerNorm
    public let decoderLayers: [DecoderLayer]
    public let decoderNorm: LayerNorm
    /// `nil` when tied: the logits are then y·Eᵀ with E the target embedding.
    public let output: Linear?
    /// The fixed position table [maxLength, D] (not a parameter, not saved).
    public let positions: Tensor

    /// A freshly initialised model; `seed` fixes every initial weight.
    public init(_ config: ModelConfig, seed: UInt64) {
        self.init(config, weights: .random(seed: seed))
    }

    /// A model whose weights come from `weights`: `.random(seed:)` as `init(_:seed:)`, or
    /// `.unset` for a model that `load` fills next (no time spent drawing throwaway weights).
    public init(_ config: ModelConfig, weights: WeightInitializer) {
        self.config = config
        var weights = weights
        let d = config.modelDim
        // N(0, 1/D) so that after the √D scale each embedding has unit-variance components.
        sourceEmbedding = weights.normal([config.sourceVocabSize, d], std: 1 / Float(d).squareRoot())
        targetEmbedding = weights.normal([config.targetVocabSize, d], std: 1 / Float(d).squareRoot())
        encoderLayers = (0..<config.encoderLayers).map { EncoderLayer(config, name: "encoder.layers.\($0)", weights: &weights) }
        encoderNorm = LayerNorm(d, epsilon: config.layerNormEpsilon)
        decoderLayers = (0..<config.decoderLayers).map { DecoderLayer(config, name: "decoder.layers.\($0)", weights: &weights) }
        decoderNorm = LayerNorm(d, epsilon: config.layerNormEpsilon)
        output = config.tieOutputEmbedding ? nil : Linear(d, config.targetVocabSize, weights: &weights)
        positions = PositionalEncoding.table(length: config.maxLength, dim: d)
    }

    /// Token ids [B·L] -> embedded and positioned vectors [B, L, D], with dropout.
    func embed(_ table: Tensor, _ tokens: [Int32], batch: Int, length: Int, offset: Int = 0, _ ctx: ForwardContext) -> Tensor {
        precondition(offset + length <= config.maxLength, "sequence of \(offset + length) tokens exceeds max length \(config.maxLength)")
        let e = embedding(table, ids: tokens, shape: [batch, length]) * Float(config.modelDim).squareRoot()  // [B, L, D]
        return ctx.dropout(e + positions.slice(axis: 0, offset..<(offset + length)), config.dropout)      // [B, L, D]
    }

    /// Encodes source ids `[B·S]` (padded with 0): returns the encoder output [B, S, D] and the
    /// source padding mask [B, 1, 1, S] that every attention over the source uses.
    public func encode(_ source: [Int32], batch: Int, length: Int, _ ctx: ForwardContext) -> (memory: Tensor, mask: Tensor) {
        let mask = Masks.padding(source, batch: batch, length: length, pad: config.padding)  // [B, 1, 1, S]
        var x = embed(sourceEmbedding, source, batch: batch, length: length, ctx)  // [B, S, D]
        for layer in encoderLayers { x = layer(x, sourceMask: mask, ctx) }
        return (encoderNorm(x), mask)
    }

    /// Decodes target inputs `[B·T]` (<s> + target, padded) against the encoder output:
    /// returns the final decoder states [B, T, D].
    public func decode(_ targetInput: [Int32], batch: Int, length: Int, memory: Tensor, sourceMask: Tensor, _ ctx: ForwardContext) -> Tensor {
        let mask = Masks.causalPadding(targetInput, batch: batch, length: length, pad: config.padding)  // [B, 1, T, T]
        var y = embed(targetEmbedding, targetInput, batch: batch, length: length, ctx)  // [B, T, D]
        for layer in decoderLayers { y = layer(y, memory: memory, targetMask: mask, sourceMask: sourceMask, ctx) }
        return decoderNorm(y)
    }

    /// Decoder states [.., D] -> logits [.., V].
    public func logits(_ states: Tensor) -> Tensor {
        output.map { $0(states) } ?? matmul(states, targetEmbedding, transposeB: true)
    }

    /// The training forward pass: logits [B·T, V] for every target position.
    public func callAsFunction(source: [Int32], sourceLength: Int, targetInput: [Int32], targetLength: Int,
                               batch: Int, _ ctx: ForwardContext) -> Tensor {
        let (memory, mask) = encode(source, batch: batch, length: sourceLength, ctx)
        let states = decode(targetInput, batch: batch, length: targetLength, memory: memory, sourceMask: mask, ctx)
        return logits(states).reshaped([batch * targetLength, config.targetVocabSize])  // [B·T, V]
    }

    /// The training loss: label-smoothed cross-entropy of `batch.targetOutput` (ids equal to
    /// `config.padding` count for nothing), the same value as `crossEntropy(logits: self(…), …)`
    /// but computed by `projectedCrossEntropy`, which never holds the `[B·T, V]` logits or their
    /// gradient (the largest tensors of a step with a big vocabulary).
    public func loss(_ batch: TokenBatch, labelSmoothing: Float, _ ctx: ForwardContext) -> CrossEntropyResult {
        let (memory, mask) = encode(batch.source, batch: batch.size, length: batch.sourceLength, ctx)
        let states = decode(batch.targetInput, batch: batch.size, length: batch.targetLength, memory: memory,
                            sourceMask: mask, ctx)  // [B, T, D]
        return projectedCrossEntropy(hidden: states, weight: output?.weight ?? targetEmbedding, bias: output?.bias,
                                     targets: batch.targetOutput, ignoreIndex: config.padding, labelSmoothing: labelSmoothing)
    }

    /// Every parameter with its dotted name, in a fixed order.
    public func parameters(_ p: String = "") -> [(name: String, tensor: Tensor)] {
        var out: [(name: String, tensor: Tensor)] = [(join(p, "encoder.embedding.weight"), sourceEmbedding)]
        for (i, l) in encoderLayers.enumerated() { out += l.parameters(join(p, "encoder.layers.\(i)")) }
        out += encoderNorm.parameters(join(p, "encoder.norm"))
        out.append((join(p, "decoder.embedding.weight"), targetEmbedding))
        for (i, l) in decoderLayers.enumerated() { out += l.parameters(join(p, "decoder.layers.\(i)")) }
        out += decoderNorm.parameters(join(p, "decoder.norm"))
        if let output { out += output.parameters(join(p, "output")) }
        return out
    }

    /// Number of trainable values.
    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.tensor.count } }
}

/// Why a set of named tensors does not fit a model.
public struct ParameterLoadError: Error, CustomStringConvertible {
    public let description: String
}

extension Transformer {
    /// Copies values into the model's parameters by name. Every parameter must be present with
    /// exactly its shape; the error names the first tensor that is missing or mis-shaped.
    public func load(_ lookup: (String) -> (shape: [Int], values: [Float])?) throws {
        for (name, t) in parameters() {
            guard let (shape, values) = lookup(name) else {
                throw ParameterLoadError(description: "tensor '\(name)' is missing (expected shape \(t.shape))")
            }
            guard shape == t.shape, values.count == t.count else {
                throw ParameterLoadError(description: "tensor '\(name)' has shape \(shape), the model config needs \(t.shape)")
            }
            values.withUnsafeBufferPointer { t.data.update(from: $0.baseAddress!, count: t.count) }
        }
    }
}
