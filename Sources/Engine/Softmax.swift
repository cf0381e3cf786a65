import Foundation

/// Softmax over the last axis of `scale · x + mask`, fused and numerically stable.
///
/// `mask` is additive and broadcasts to `x` (e.g. `[B, 1, 1, S]` for padding, `[T, T]` for the
/// causal mask): 0 keeps a position, -infinity removes it. The row maximum is subtracted
/// before `exp`; a row whose every position is masked gives all zeros instead of NaN.
/// Attention passes its 1/√d_k as `scale`, saving a pass over the scores.
/// Backward: dx = scale · y ⊙ (g − Σ g⊙y), using the saved output values y (its storage, not the tensor).
public func softmax(_ x: Tensor, scale: Float = 1, mask: Tensor? = nil) -> Tensor {
    let n = x.shape.last ?? 1
    if let mask { precondition(Shapes.broadcast(x.shape, mask.shape) == x.shape, "mask \(mask.shape) does not broadcast to \(x.shape)") }
    let out = Tensor(uninitializedShape: x.shape)
    let (px, py) = (x.data, out.data)
    let pm = mask?.data
    forEachBroadcastRow(big: x.shape, a: mask?.shape ?? [1], b: x.shape) { row, mo, ms, _, _ in
        let (xr, yr) = (px + row, py + row)
        var mx = -Float.infinity
        for j in 0..<n {
            let v = scale * xr[j] + (pm.map { $0[mo + j * ms] } ?? 0)
            yr[j] = v
            mx = max(mx, v)
        }
        _ = softmaxRowInPlace(yr, count: n, max: mx)
    }
    let y = out.storage
    let rows = x.count / max(1, n)
    return out.record([x]) { g in
        let (pg, gx, py) = (SharedPointer(g.data), SharedPointer(x.gradPointer()), SharedPointer(y.pointer))
        parallelChunks(rows, minChunk: max(1, 4096 / max(1, n))) { r in
            for row in r {
                let o = row * n
                var dot: Float = 0
                for j in 0..<n { dot += pg[o + j] * py[o + j] }
                for j in 0..<n { gx[o + j] += scale * py[o + j] * (pg[o + j] - dot) }
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
