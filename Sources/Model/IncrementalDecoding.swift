import Engine

// Shape legend: R decoding rows, B source sentences, S source positions, D model width,
// H heads, K = D/H, F feed-forward width, V target vocabulary, C step capacity.

extension Transformer {
    /// Encodes source ids `[B·S]` (padded with 0) once and returns a cache ready for
    /// `decodeStep`: the encoder output's cross-attention keys and values for every decoder
    /// layer, and empty self-attention buffers for `beam` rows per sentence (row r decodes
    /// sentence r / beam), room for `maxSteps` tokens (clamped to the model's `maxLength`).
    ///
    /// This is the part of decoding that does not change from step to step; recomputing it per
    /// token is what makes naive decoding quadratic.
    public func startDecoding(source: [Int32], batch: Int, length: Int, beam: Int = 1, maxSteps: Int) -> DecoderCache {
        let (memory, mask) = encodeRows(source, batch: batch, length: length)  // [B·S, D], [B·S]
        let (d, h) = (config.modelDim, config.heads)
        let k = d / h
        let kv = batch * h * length * k
        let projected = Storage(uninitializedCount: batch * length * d)
        let cross = decoderLayers.map { layer -> Storage in
            let s = Storage(uninitializedCount: 2 * kv + batch * length)
            for (linear, dst) in [(layer.crossAttention.key, s.pointer), (layer.crossAttention.value, s.pointer + kv)] {
                linearRows(memory.pointer, rows: batch * length, depth: d, weight: linear.weight.data, bias: linear.bias?.data,
                           outputs: d, into: projected.pointer, .store)
                splitHeads(projected.pointer, batch: batch, length: length, heads: h, headDim: k, into: dst)
            }
            (s.pointer + 2 * kv).update(from: mask.pointer, count: batch * length)
            return s
        }
        let beam = max(1, beam)
        return DecoderCache(layers: decoderLayers.count, heads: h, headDim: k, feedForward: config.feedForwardDim,
                            rows: batch * beam, capacity: max(1, min(maxSteps, config.maxLength)), sourceLength: length,
                            blockOf: (0..<(batch * beam)).map { $0 / beam }, cross: cross)
    }

    /// Feeds one token per cache row (`tokens.count == cache.rows`, the first step's token
    /// being `<s>`) at position `cache.step`, and returns next-token logits `[R, V]`.
    ///
    /// Equals the last position of the full decoder (`decode` + `logits`) over the whole
    /// prefix, to rounding: the token's self-attention query attends over the cached keys and
    /// values of every earlier position plus its own (no causal mask is needed, later positions
    /// do not exist yet; `<pad>` tokens are hidden as keys, as `Masks.causalPadding` does),
    /// cross-attention reads the cached encoder keys and values under the source padding mask.
    /// Runs without recording gradients; the only tensor it allocates is the returned logits.
    public func decodeStep(_ tokens: [Int32], cache c: DecoderCache) -> Tensor {
        precondition(tokens.count == c.rows, "decodeStep needs one token per cache row: \(tokens.count) tokens, \(c.rows) rows")
        precondition(c.step < c.capacity, "decodeStep past the cache's \(c.capacity) steps")
        let (d, h, k, f, v) = (config.modelDim, config.heads, config.modelDim / config.heads, config.feedForwardDim, config.targetVocabSize)
        let (rows, t) = (c.rows, c.step)
        let x = c.stream.pointer
        let scale = Float(d).squareRoot()
        let position = positions.data + t * d
        for (r, token) in tokens.enumerated() {
            precondition(token >= 0 && Int(token) < v, "token id \(token) outside vocabulary of \(v)")
            let (e, xr) = (targetEmbedding.data + Int(token) * d, x + r * d)
            for j in 0..<d { xr[j] = e[j] * scale + position[j] }
        }
        let ownRows = Array(0..<rows)
        let (normed, q, mixed, weights) = (c.normed.pointer, c.query.pointer, c.mixed.pointer, c.weights.pointer)
        func norm(_ n: LayerNorm) {
            layerNormRows(x, rows: rows, width: d, gamma: n.weight.data, beta: n.bias.data, eps: n.epsilon, into: normed)
        }
        func linear(_ l: Linear, _ input: UnsafeMutablePointer<Float>, _ depth: Int, _ out: UnsafeMutablePointer<Float>, _ e: RowsEpilogue) {
            linearRows(input, rows: rows, depth: depth, weight: l.weight.data, bias: l.bias?.data, outputs: l.weight.dim(0), into: out, e)
        }
        func observe(_ name: String, _ keys: Int) {
            guard let observer = c.observer else { return }
            let w = Tensor(uninitializedShape: [rows, h, 1, keys])
            w.data.update(from: weights, count: w.count)
            observer(name, "weights", w)
        }
        for (l, layer) in decoderLayers.enumerated() {
            // Self-attention: this position's key and value join the cache, then the query
            // reads positions 0...t.
            norm(layer.selfNorm)
            let own = c.selfKeys[l]
            linear(layer.selfAttention.query, normed, d, q, .store)
            linear(layer.selfAttention.key, normed, d, c.key.pointer, .store)
            linear(layer.selfAttention.value, normed, d, c.value.pointer, .store)
            for r in 0..<rows {
                for head in 0..<h {
                    let slot = ((r * h + head) * c.capacity + t) * k
                    (own.keys + slot).update(from: c.key.pointer + r * d + head * k, count: k)
                    (own.values + slot).update(from: c.value.pointer + r * d + head * k, count: k)
                }
                own.mask[r * c.capacity + t] = tokens[r] == config.padding ? -.infinity : 0
            }
            attendSingleQuery(q, rows: rows, heads: h, headDim: k, cache: own, blockOf: ownRows, count: t + 1,
                              weights: weights, into: mixed)
            observe(layer.selfAttention.name, t + 1)
            linear(layer.selfAttention.output, mixed, d, x, .accumulate)
            // Cross-attention over the cached encoder keys and values.
            norm(layer.crossNorm)
            linear(layer.crossAttention.query, normed, d, q, .store)
            attendSingleQuery(q, rows: rows, heads: h, headDim: k, cache: c.cross[l], blockOf: c.blockOf,
                              count: c.sourceLength, weights: weights, into: mixed)
            observe(layer.crossAttention.name, c.sourceLength)
            linear(layer.crossAttention.output, mixed, d, x, .accumulate)
            // Feed-forward.
            norm(layer.ffNorm)
            linear(layer.feedForward.hidden, normed, d, c.hidden.pointer, .relu)
            linear(layer.feedForward.output, c.hidden.pointer, f, x, .accumulate)
        }
        norm(decoderNorm)
        let out = Tensor(uninitializedShape: [rows, v])
        linearRows(normed, rows: rows, depth: d, weight: output?.weight.data ?? targetEmbedding.data, bias: output?.bias?.data,
                   outputs: v, into: out.data, .store)
        c.advance()
        return out
    }
}
