import Engine

// Shape legend: B batch, S source positions, T target positions, D model width, V vocabulary;
// in inference R decoding rows (sentences x beams).

/// The encoder-decoder Transformer (Vaswani et al. 2017): embeddings scaled by √D plus the
/// sinusoidal table, N pre-norm encoder layers, N pre-norm decoder layers, and a projection of
/// the decoder output to target-vocabulary logits.
///
/// Two ways to run it, built from the same blocks: the graph forward (`encode`, `decode`,
/// `logits`, `loss`) over whole sentences, for training and `--explain`; and its inference twin
/// (`encodeRows`, `startDecoding`, `decodeStep`), which computes the same function one new token
/// at a time with cached keys and values and no graph. Each block holds both of its modes side
/// by side (`EncoderLayer`, `DecoderLayer`, `MultiHeadAttention`, `FeedForward`, `Linear`,
/// `LayerNorm`); `InferenceTwinTests` ties them together.
public struct Transformer: HasParameters {
    /// The architecture.
    public let config: ModelConfig
    /// Source token vectors [Vs, D].
    public let sourceEmbedding: Tensor   // [Vs, D]
    /// Target token vectors [Vt, D] (also the output projection when tied; the same tensor as
    /// `sourceEmbedding` when `config.shareEmbeddings`).
    public let targetEmbedding: Tensor   // [Vt, D]
    /// The encoder stack.
    public let encoderLayers: [EncoderLayer]
    /// The encoder's final norm.
    public let encoderNorm: LayerNorm
    /// The decoder stack.
    public let decoderLayers: [DecoderLayer]
    /// The decoder's final norm.
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
    /// `.unset` for a model a checkpoint loader fills next (no time spent drawing throwaway weights).
    public init(_ config: ModelConfig, weights: WeightInitializer) {
        self.config = config
        var weights = weights
        let d = config.modelDim
        // N(0, 1/D) so that after the √D scale each embedding has unit-variance components.
        sourceEmbedding = weights.normal([config.sourceVocabSize, d], std: 1 / Float(d).squareRoot())
        // Shared: the decoder looks its tokens up in the same matrix, and training sums both
        // sides' gradients (and the output projection's, when tied) into it.
        targetEmbedding = config.shareEmbeddings ? sourceEmbedding
            : weights.normal([config.targetVocabSize, d], std: 1 / Float(d).squareRoot())
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

    /// Encodes source ids `[B·S]` (padded with `config.padding`): returns the encoder output
    /// [B, S, D] and the source padding mask [B, 1, 1, S] that every attention over the source uses.
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

    // MARK: Inference twin: rows of tokens, cached keys and values, no graph

    /// The inference twin of `encode`: source ids `[B·S]` (padded with `config.padding`) →
    /// the encoder output as rows [B·S, D] and, per position, whether it is padding (hidden as a
    /// key). Same embeddings, pre-norm layers and final norm, no dropout; `weights` from
    /// `inferenceWeights()` (built here when nil).
    ///
    /// Translation encodes a few short sentences at a time, where a packed GEMM spends its time
    /// packing weights; the row kernels read weights packed once per model. Each row is computed
    /// on its own, so a sentence encodes to the same bits in any batch.
    public func encodeRows(_ source: [Int32], batch: Int, length s: Int, weights: InferenceWeights? = nil)
        -> (memory: Rows, hidden: [Bool]) {
        precondition(source.count == batch * s, "source has \(source.count) ids, expected batch \(batch) x length \(s)")
        precondition(s <= config.maxLength, "sequence of \(s) tokens exceeds max length \(config.maxLength)")
        let weights = weights ?? inferenceWeights()
        let rows = batch * s
        let x = Rows(capacity: rows, width: config.modelDim)  // [B·S, D]
        embedRows(sourceEmbedding, ids: source, scale: Float(config.modelDim).squareRoot(), positions: positions,
                  position: { $0 % s }, into: x)
        let hidden = Masks.hiddenKeys(source, pad: config.padding)
        if !encoderLayers.isEmpty {
            let keys = KeyValueCache(blocks: batch, heads: config.heads, headDim: config.modelDim / config.heads, capacity: max(1, s))
            let scratch = InferenceScratch(rows: rows, config)
            let sentence = (0..<rows).map { $0 / s }
            for (layer, w) in zip(encoderLayers, weights.encoder) {
                layer.infer(x, w, length: s, sentence: sentence, hidden: hidden, keys: keys, scratch)
            }
        }
        let memory = Rows(capacity: rows, width: config.modelDim)
        encoderNorm.infer(x, into: memory)
        return (memory, hidden)
    }

    /// Encodes source ids `[B·S]` (padded with `config.padding`) once and returns a cache ready
    /// for `decodeStep`: per decoder layer, the encoder output's cross-attention keys and values,
    /// and room for the self-attention keys and values of `beam` rows per sentence (row r decodes
    /// sentence r / beam) and `maxSteps` tokens (clamped to the model's `maxLength`). `weights`
    /// (`inferenceWeights()`, built here when nil) are the ones every step of this cache uses.
    ///
    /// This is the part of decoding that does not change from step to step; recomputing it per
    /// token is what makes naive decoding quadratic.
    public func startDecoding(source: [Int32], batch: Int, length: Int, beam: Int = 1, maxSteps: Int,
                              weights: InferenceWeights? = nil) -> DecoderCache {
        let weights = weights ?? inferenceWeights()
        let (memory, hidden) = encodeRows(source, batch: batch, length: length, weights: weights)  // [B·S, D], [B·S]
        let beam = max(1, beam)
        let (h, k) = (config.heads, config.modelDim / config.heads)
        let capacity = max(1, min(maxSteps, config.maxLength))
        let scratch = InferenceScratch(rows: batch * length, config)
        let layers = zip(decoderLayers, weights.decoder).map { layer, w -> DecoderLayerKeys in
            let source = KeyValueCache(blocks: batch, heads: h, headDim: k, capacity: max(1, length))
            layer.crossAttention.storeKeysValues(of: memory, w.crossAttention, in: source, hidden: hidden,
                                                 at: { ($0 / length, $0 % length) }, scratch)
            return DecoderLayerKeys(source: source, own: KeyValueCache(blocks: batch * beam, heads: h, headDim: k, capacity: capacity))
        }
        return DecoderCache(layers: layers, weights: weights, sentences: (0..<(batch * beam)).map { $0 / beam }, capacity: capacity,
                            sourceLength: length, modelDim: config.modelDim, feedForwardDim: config.feedForwardDim)
    }

    /// Feeds one token per cache row (`tokens.count == cache.rows`, the first step's token
    /// being `<s>`) at position `cache.step`, and returns next-token logits `[R, V]`.
    ///
    /// The inference twin of `decode` + `logits` at the last position of the whole prefix: equal
    /// to rounding (`testCachedStepsEqualTheFullDecoderWithPadding`). Runs without recording
    /// gradients; the only tensor it allocates is the returned logits. Searches that only need
    /// the best tokens use `decodeStates` and fold the projection into their selection instead.
    public func decodeStep(_ tokens: [Int32], cache: DecoderCache) -> Tensor {
        let states = decodeStates(tokens, cache: cache)
        let out = Tensor(uninitializedShape: [states.count, config.targetVocabSize])  // [R, V]
        cache.weights.output(states, into: Rows(sharing: out, width: config.targetVocabSize))
        return out
    }

    /// `decodeStep` up to the decoder's final norm: the new tokens' states [R, D] (rows of the
    /// cache's scratch, valid until the next step), for a search that projects them to the
    /// vocabulary its own way (`cache.weights.output`, e.g. fused with its top-k).
    public func decodeStates(_ tokens: [Int32], cache c: DecoderCache) -> Rows {
        precondition(tokens.count == c.rows, "decodeStep needs one token per cache row: \(tokens.count) tokens, \(c.rows) rows")
        precondition(c.step < c.capacity, "decodeStep past the cache's \(c.capacity) steps")
        let t = c.step
        embedRows(targetEmbedding, ids: tokens, scale: Float(config.modelDim).squareRoot(), positions: positions,
                  position: { _ in t }, into: c.stream)  // [R, D]
        let step = c.decoderStep(hidden: Masks.hiddenKeys(tokens, pad: config.padding))
        for (i, layer) in decoderLayers.enumerated() { layer.infer(c.stream, c.weights.decoder[i], step, keys: c.layers[i], c.scratch) }
        decoderNorm.infer(c.stream, into: c.scratch.normed)  // [R, D]
        c.advance()
        return c.scratch.normed
    }

    /// Every parameter with its dotted name, in a fixed order.
    public func parameters(_ p: String = "") -> [(name: String, tensor: Tensor)] {
        var out: [(name: String, tensor: Tensor)] = [(join(p, "encoder.embedding.weight"), sourceEmbedding)]
        for (i, l) in encoderLayers.enumerated() { out += l.parameters(join(p, "encoder.layers.\(i)")) }
        out += encoderNorm.parameters(join(p, "encoder.norm"))
        if !config.shareEmbeddings { out.append((join(p, "decoder.embedding.weight"), targetEmbedding)) }
        for (i, l) in decoderLayers.enumerated() { out += l.parameters(join(p, "decoder.layers.\(i)")) }
        out += decoderNorm.parameters(join(p, "decoder.norm"))
        if let output { out += output.parameters(join(p, "output")) }
        return out
    }

    /// Number of trainable values.
    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.tensor.count } }
}
