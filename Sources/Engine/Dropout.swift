/// Inverted dropout: each value is zeroed with probability `p` and survivors are scaled by
/// 1/(1-p), so evaluation (no dropout) needs no rescaling.
///
/// The keep/drop decision for element i is `hashRandom(seed, i)`: a pure function of the seed
/// and the index. The forward and backward recompute it instead of storing a mask, and the
/// result does not depend on how threads split the work.
public func dropout(_ a: Tensor, p: Float, seed: UInt64) -> Tensor {
    precondition(p >= 0 && p < 1, "dropout probability must be in [0, 1), got \(p)")
    if p == 0 { return a }
    let threshold = UInt64(Double(p) * 4_294_967_296.0)  // compare 32 random bits
    let scale = 1 / (1 - p)
    let out = Tensor(uninitializedShape: a.shape)
    let (pa, po) = (SharedPointer(a.data), SharedPointer(out.data))
    parallelChunks(a.count, minChunk: 8192) { r in
        for i in r { po[i] = (hashRandom(seed: seed, index: UInt64(i)) >> 32) < threshold ? 0 : pa[i] * scale }
    }
    return out.record([a]) { g in
        let (pg, ga) = (SharedPointer(g.data), SharedPointer(a.gradPointer()))
        parallelChunks(g.count, minChunk: 8192) { r in
            for i in r where (hashRandom(seed: seed, index: UInt64(i)) >> 32) >= threshold { ga[i] += pg[i] * scale }
        }
    }
}
