import Random

/// Inverted dropout: each value is zeroed with probability `p` and survivors are scaled by
/// 1/(1-p), so evaluation (no dropout) needs no rescaling.
///
/// The keep/drop decision for element i is a hash of (seed, i): a pure function, so the
/// backward recomputes it instead of storing a mask, and the result does not depend on how
/// threads split the work. A 32-bit hash (two multiplies) keeps the loop vectorisable.
public func dropout(_ a: Tensor, p: Float, seed: UInt64) -> Tensor {
    precondition(p >= 0 && p < 1, "dropout probability must be in [0, 1), got \(p)")
    if p == 0 { return a }
    let mask = DropoutMask(p: p, seed: seed)
    let scale = 1 / (1 - p)
    let out = Tensor(uninitializedShape: a.shape)
    let (pa, po) = (SharedPointer(a.data), SharedPointer(out.data))
    parallelChunks(a.count, minChunk: 8192) { r in
        for i in r { po[i] = mask.keeps(i) ? pa[i] * scale : 0 }
    }
    return out.record([a]) { g in
        let (pg, (gradA, assign)) = (SharedPointer(g.data), a.gradForWriting())
        let ga = SharedPointer(gradA)
        parallelChunks(g.count, minChunk: 8192) { r in
            for i in r { ga[i] = (assign ? 0 : ga[i]) + (mask.keeps(i) ? pg[i] * scale : 0) }
        }
    }
}

/// Which elements dropout keeps, as a function of the seed and the element index.
struct DropoutMask: Sendable {
    let multiplier: UInt32  // odd, from the seed: each seed permutes indices differently
    let offset: UInt32
    let threshold: UInt32   // drop when hash < p · 2³²

    init(p: Float, seed: UInt64) {
        var s = SplitMix64(seed: seed)
        multiplier = UInt32(truncatingIfNeeded: s.next()) | 1
        offset = UInt32(truncatingIfNeeded: s.next())
        threshold = UInt32(min(4_294_967_295, Double(p) * 4_294_967_296.0))
    }

    @inline(__always) func keeps(_ i: Int) -> Bool {
        var x = UInt32(truncatingIfNeeded: i) &* multiplier &+ offset
        // lowbias32 (Chris Wellons' hash-prospector): good avalanche for two multiplies.
        x ^= x >> 16; x &*= 0x7FEB_352D
        x ^= x >> 15; x &*= 0x846C_A68B
        x ^= x >> 16
        return x >= threshold
    }
}
