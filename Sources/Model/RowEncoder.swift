import Engine

// Shape legend: B batch, S source positions, D model width, H heads, K = D/H, F feed-forward width.

extension Transformer {
    /// The encoder for inference, on the decoding kernels: the same function as `encode`
    /// (embeddings, pre-norm layers, final norm) without the autodiff graph, returning the
    /// output `[B·S, D]` and the additive padding mask `[B·S]` (0 = token, −∞ = `<pad>`).
    ///
    /// Translation encodes a few short sentences at a time, where a packed GEMM spends its time
    /// packing weights (measured: 3 ms for a 10-token sentence at D = 256, 3+3 layers, about a
    /// tenth of a whole greedy translation); the row kernels read each weight once. Each row is
    /// computed on its own, so a sentence encodes to the same bits in any batch.
    func encodeRows(_ source: [Int32], batch: Int, length s: Int) -> (memory: Storage, mask: Storage) {
        precondition(source.count == batch * s, "source has \(source.count) ids, expected batch \(batch) x length \(s)")
        precondition(s <= config.maxLength, "sequence of \(s) tokens exceeds max length \(config.maxLength)")
        let (d, h, f) = (config.modelDim, config.heads, config.feedForwardDim)
        let k = d / h
        let rows = batch * s
        let mask = Storage(uninitializedCount: rows)
        for (i, token) in source.enumerated() { mask.pointer[i] = token == config.padding ? -.infinity : 0 }
        let x = Storage(uninitializedCount: rows * d)
        let scale = Float(d).squareRoot()
        for (i, token) in source.enumerated() {
            precondition(token >= 0 && Int(token) < config.sourceVocabSize, "token id \(token) outside vocabulary of \(config.sourceVocabSize)")
            let (e, p, xr) = (sourceEmbedding.data + Int(token) * d, positions.data + (i % s) * d, x.pointer + i * d)
            for j in 0..<d { xr[j] = e[j] * scale + p[j] }
        }
        let scratch = (0..<4).map { _ in Storage(uninitializedCount: rows * d) }
        let (normed, q, mixed, projected) = (scratch[0].pointer, scratch[1].pointer, scratch[2].pointer, scratch[3].pointer)
        let hidden = Storage(uninitializedCount: rows * f)
        let kv = Storage(uninitializedCount: 2 * rows * d)
        let weights = Storage(uninitializedCount: rows * h * s)
        let keys = CachedKeys(keys: kv.pointer, values: kv.pointer + rows * d, mask: mask.pointer, capacity: s)
        let blockOf = (0..<rows).map { $0 / s }
        // Only raw pointers into these are used below; keep the buffers alive until the end.
        defer { withExtendedLifetime((scratch, hidden, kv, weights)) {} }
        func norm(_ n: LayerNorm, into out: UnsafeMutablePointer<Float>) {
            layerNormRows(x.pointer, rows: rows, width: d, gamma: n.weight.data, beta: n.bias.data, eps: n.epsilon, into: out)
        }
        func linear(_ l: Linear, _ input: UnsafeMutablePointer<Float>, _ depth: Int, _ out: UnsafeMutablePointer<Float>, _ e: RowsEpilogue) {
            linearRows(input, rows: rows, depth: depth, weight: l.weight.data, bias: l.bias?.data, outputs: l.weight.dim(0), into: out, e)
        }
        for layer in encoderLayers {
            norm(layer.selfNorm, into: normed)
            let a = layer.selfAttention
            linear(a.query, normed, d, q, .store)
            for (l, dst) in [(a.key, keys.keys), (a.value, keys.values)] {
                linear(l, normed, d, projected, .store)
                splitHeads(projected, batch: batch, length: s, heads: h, headDim: k, into: dst)
            }
            attendSingleQuery(q, rows: rows, heads: h, headDim: k, cache: keys, blockOf: blockOf, count: s,
                              weights: weights.pointer, into: mixed)
            linear(a.output, mixed, d, x.pointer, .accumulate)
            norm(layer.ffNorm, into: normed)
            linear(layer.feedForward.hidden, normed, d, hidden.pointer, .relu)
            linear(layer.feedForward.output, hidden.pointer, f, x.pointer, .accumulate)
        }
        let memory = Storage(uninitializedCount: rows * d)
        norm(encoderNorm, into: memory.pointer)
        return (memory, mask)
    }
}

/// `[B, S, H·K]` rows (heads side by side) -> `[B, H, S, K]` (each head's rows contiguous),
/// the layout `attendSingleQuery` reads keys and values in. `x` and `dst` must not overlap.
func splitHeads(_ x: UnsafePointer<Float>, batch: Int, length s: Int, heads h: Int, headDim k: Int,
                into dst: UnsafeMutablePointer<Float>) {
    let d = h * k
    for b in 0..<batch {
        for p in 0..<s {
            for head in 0..<h {
                (dst + ((b * h + head) * s + p) * k).update(from: x + (b * s + p) * d + head * k, count: k)
            }
        }
    }
}
