import Engine

// Shape legend: B batch, T query positions, S key/value positions, D model width,
// H heads, K = D/H width of one head; in inference, R query rows (one per token being
// computed) and C cached positions.

/// Multi-head scaled dot-product attention (Vaswani et al. 2017, §3.2).
///
/// The queries come from `x`; the keys and values from `memory`. In self-attention `memory` is
/// `x` itself; in the decoder's cross-attention `memory` is the encoder output, so each target
/// position asks (Q) the source positions (K) and collects their values (V). The weight
/// matrices W_Q, W_K, W_V, W_O are fixed after training; Q, K and V are recomputed for every
/// sentence. Each head sees its own K-wide slice of the projections, and scores are divided by
/// √K so their spread does not grow with the head width and saturate the softmax.
///
/// Two modes, side by side: `callAsFunction` builds the autodiff graph over whole sequences
/// (training, `--explain`); `storeKeysValues` + `infer` are its inference twin, one query row
/// at a time over keys and values kept in a `KeyValueCache`, so decoding computes each
/// position's keys once (`AttentionTwinTests` holds them equal).
public struct MultiHeadAttention: HasParameters {
    /// W_Q, W_K, W_V (D -> D, heads side by side) and W_O (merged heads -> D).
    public let query, key, value, output: Linear
    /// Heads H; each works in K = D / H dimensions.
    public let heads: Int
    /// Dotted name (e.g. "decoder.layers.0.cross"), reported to `ForwardContext.observer`.
    public let name: String
    let dropout: Float

    /// Attention of width `dim` with `heads` heads, dropout on its weights, and its dotted `name`.
    public init(_ dim: Int, heads: Int, dropout: Float, name: String, weights: inout WeightInitializer) {
        query = Linear(dim, dim, weights: &weights)
        key = Linear(dim, dim, weights: &weights)
        value = Linear(dim, dim, weights: &weights)
        output = Linear(dim, dim, weights: &weights)
        self.heads = heads
        self.dropout = dropout
        self.name = name
    }

    /// Attention of `x` [B, T, D] over `memory` [B, S, D]; `mask` is additive and broadcasts to
    /// [B, H, T, S] (0 = may attend, −∞ = may not). Returns [B, T, D].
    public func callAsFunction(_ x: Tensor, memory: Tensor, mask: Tensor?, _ ctx: ForwardContext) -> Tensor {
        let q = splitHeads(query(x))        // [B, H, T, K]
        let k = splitHeads(key(memory))     // [B, H, S, K]
        let v = splitHeads(value(memory))   // [B, H, S, K]
        return attend(q, k, v, mask: mask, ctx)
    }

    /// The core: softmax(Q·Kᵀ/√K + mask)·V per head, heads merged, then W_O.
    public func attend(_ q: Tensor, _ k: Tensor, _ v: Tensor, mask: Tensor?, _ ctx: ForwardContext) -> Tensor {
        let (b, t, headDim) = (q.dim(0), q.dim(2), q.dim(3))
        let scale = 1 / Float(headDim).squareRoot()
        let scores = matmul(q, k, transposeB: true)                 // [B, H, T, S], unscaled
        // While training, dropout on the weights runs inside the softmax's pass (an observer,
        // used only when not training, sees the weights themselves).
        let (p, seed) = ctx.dropoutDraw(dropout)
        let weights = softmax(scores, scale: scale, mask: mask, dropout: p, seed: seed)  // [B, H, T, S], rows sum to 1
        if let observe = ctx.observer {
            observe(name, "queries", q)
            observe(name, "keys", k)
            observe(name, "values", v)
            observe(name, "scores", scores * scale)
            if let mask { observe(name, "mask", mask) }
            observe(name, "weights", weights)
        }
        let mixed = matmul(weights, v)                              // [B, H, T, K]
        let merged = mixed.permuted([0, 2, 1, 3]).reshaped([b, t, heads * headDim])  // [B, T, D]
        let out = output(merged)                                    // [B, T, D]
        if let observe = ctx.observer {
            observe(name, "merged", merged)
            observe(name, "output", out)
        }
        return out
    }

    /// [B, L, D] -> [B, H, L, K]: each head gets a contiguous K-wide slice of D.
    public func splitHeads(_ x: Tensor) -> Tensor {
        let (b, l, d) = (x.dim(0), x.dim(1), x.dim(2))
        return x.reshaped([b, l, heads, d / heads]).permuted([0, 2, 1, 3])
    }

    // MARK: Inference twin: cached keys and values, one query row at a time

    /// W_Q, W_K, W_V and W_O as the decoding kernels read them.
    public struct Inference: Sendable {
        /// The four projections.
        public let query, key, value, output: InferenceLinear
    }

    /// The inference weights of this attention (a copy: build again after the weights change).
    public func inference(_ precision: InferencePrecision) -> Inference {
        Inference(query: query.inference(precision), key: key.inference(precision), value: value.inference(precision),
                  output: output.inference(precision))
    }

    /// The graph's `key(memory)`, `value(memory)` and `splitHeads`, for the cache: projects each
    /// row of `memory` [R, D] to a key and a value (weights `w`) and stores them at `at(row)`
    /// (block, position) of `cache`, the key hidden where `hidden[row]` (a `<pad>`; `Masks.hiddenKeys`).
    public func storeKeysValues(of memory: Rows, _ w: Inference, in cache: KeyValueCache, hidden: [Bool],
                                at: (Int) -> (block: Int, position: Int), _ s: InferenceScratch) {
        w.key(memory, into: s.keys)       // [R, D]
        w.value(memory, into: s.values)   // [R, D]
        cache.store(keys: s.keys, values: s.values, hidden: hidden, at: at)
    }

    /// The inference twin of `callAsFunction`, with the residual add of the block around it and
    /// weights `w` (`inference`): each row r of `x` [R, D] queries the first `count` positions of block `blocks[r]` of
    /// `cache`, and `stream` [R, D] += W_O · (heads merged). No dropout. `observer`, if given,
    /// receives (`name`, "weights", [R, H, 1, count]) as `ForwardContext.observer` would for the
    /// last query row of the graph.
    public func infer(_ x: Rows, _ w: Inference, over cache: KeyValueCache, blocks: [Int], count: Int, _ s: InferenceScratch,
                      observer: ((String, String, Tensor) -> Void)? = nil, addingTo stream: Rows) {
        w.query(x, into: s.queries)                                                       // [R, D]
        let weights = observer.map { _ in Tensor(uninitializedShape: [x.count, heads, 1, count]) }  // [R, H, 1, C]
        attendCached(s.queries, cache: cache, blocks: blocks, count: count, weights: weights, into: s.mixed)  // [R, D]
        if let observer, let weights { observer(name, "weights", weights) }
        w.output(s.mixed, into: stream, .accumulate)                                      // [R, D]
    }

    /// query, key, value and output, each weight then bias.
    public func parameters(_ prefix: String) -> [(name: String, tensor: Tensor)] {
        query.parameters(join(prefix, "query")) + key.parameters(join(prefix, "key"))
            + value.parameters(join(prefix, "value")) + output.parameters(join(prefix, "output"))
    }
}
