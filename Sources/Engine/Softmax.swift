import Foundation

/// Softmax over the last axis of `scale · x + mask`, fused and numerically stable, then
/// (with `dropout` > 0) inverted dropout on the result in the same pass.
///
/// `mask` is additive and broadcasts to `x` (e.g. `[B, 1, 1, S]` for padding, `[T, T]` for the
/// causal mask): 0 keeps a position, -infinity removes it. The row maximum is subtracted
/// before `exp`; a row whose every position is masked gives all zeros instead of NaN.
/// Attention passes its 1/√d_k as `scale`, saving a pass over the scores, and its dropout on
/// the weights with the seed `dropout(_:p:seed:)` would take: the result is the same bits as
/// `dropout(softmax(x, scale:, mask:), p:, seed:)`, with one pass less each way.
/// Backward: dy = keep ? dz / (1 − p) : 0, then dx = scale · y ⊙ (dy − Σ dy⊙y), using the saved
/// softmax values y (their storage, not a tensor) and the mask recomputed from the seed.
public func softmax(_ x: Tensor, scale: Float = 1, mask: Tensor? = nil, dropout p: Float = 0, seed: UInt64 = 0) -> Tensor {
    precondition(p >= 0 && p < 1, "dropout probability must be in [0, 1), got \(p)")
    let n = x.shape.last ?? 1
    if let mask { precondition(Shapes.broadcast(x.shape, mask.shape) == x.shape, "mask \(mask.shape) does not broadcast to \(x.shape)") }
    let out = Tensor(uninitializedShape: x.shape)
    // With dropout the output is the dropped copy and the softmax values are kept beside it.
    let y = p == 0 ? out.storage : Storage(uninitializedCount: x.count)
    let drop = DropoutMask(p: p, seed: seed)
    let keepScale = 1 / (1 - p)
    let (px, py, pz) = (SharedPointer(x.data), SharedPointer(y.pointer), SharedPointer(out.data))
    let pm = mask.map { SharedPointer($0.data) }
    let rows = x.count / max(1, n)
    let (shape, maskShape) = (x.shape, mask?.shape ?? [1])
    parallelChunks(rows, minChunk: max(1, 4096 / max(1, n))) { chunk in
        forEachBroadcastRow(big: shape, a: maskShape, b: shape, rows: chunk) { row, mo, ms, _, _ in
            let (xr, yr) = (px.base + row, py.base + row)
            var mx = -Float.infinity
            for j in 0..<n {
                let v = scale * xr[j] + (pm.map { $0[mo + j * ms] } ?? 0)
                yr[j] = v
                mx = max(mx, v)
            }
            _ = softmaxRowInPlace(yr, count: n, max: mx)
            if p > 0 {
                let zr = pz.base + row
                for j in 0..<n {
                    let v = yr[j] * keepScale
                    zr[j] = drop.keeps(row &+ j) ? v : 0
                }
            }
        }
    }
    return out.record([x]) { g in
        let (pg, py) = (SharedPointer(g.data), SharedPointer(y.pointer))
        let (gradX, assign) = x.gradForWriting()
        let gx = SharedPointer(gradX)
        parallelChunks(rows, minChunk: max(1, 4096 / max(1, n))) { r in
            for row in r {
                let o = row * n
                @inline(__always) func dy(_ j: Int) -> Float {
                    let (g, s) = (pg[o + j], pg[o + j] * keepScale)
                    return p == 0 ? g : (drop.keeps(o &+ j) ? s : 0)
                }
                var dot: Float = 0
                for j in 0..<n { dot += dy(j) * py[o + j] }
                for j in 0..<n { gx[o + j] = (assign ? 0 : gx[o + j]) + scale * py[o + j] * (dy(j) - dot) }
            }
        }
    }
}

/// Turns one row of scaled, masked scores whose maximum is `mx` into softmax weights, in place.
/// A row whose every entry is masked (mx = −∞) becomes all zeros instead of NaN; returns false then.
@inline(__always)
func softmaxRowInPlace(_ w: UnsafeMutablePointer<Float>, count n: Int, max mx: Float) -> Bool {
    if mx == -Float.infinity {
        for j in 0..<n { w[j] = 0 }
        return false
    }
    let inv = 1 / expShiftedInPlace(w, count: n, shift: mx)
    for j in 0..<n { w[j] *= inv }
    return true
}
