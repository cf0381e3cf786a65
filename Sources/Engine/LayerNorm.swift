import Foundation

/// Layer normalisation over the last axis, fused: y = (x − mean) / sqrt(var + eps) · gamma + beta,
/// with the biased variance (as PyTorch's `nn.LayerNorm`, eps 1e-5 by default).
///
/// The forward saves each row's mean and 1/std; the backward is the closed form
/// dx = rstd · (dx̂ − mean(dx̂) − x̂ · mean(dx̂ ⊙ x̂)) with dx̂ = g ⊙ gamma, parallel over rows;
/// dgamma and dbeta sum over rows in order, split over columns (rows would race on them).
public func layerNorm(_ x: Tensor, gamma: Tensor, beta: Tensor, eps: Float = 1e-5) -> Tensor {
    let d = x.shape.last ?? 1
    precondition(gamma.shape == [d] && beta.shape == [d], "layerNorm gamma/beta must be [\(d)], got \(gamma.shape), \(beta.shape)")
    let rows = x.count / max(1, d)
    let out = Tensor(uninitializedShape: x.shape)
    let stats = Storage(uninitializedCount: rows * 2)  // mean, rstd per row
    let (px, py, ps, pgm, pbt) = (SharedPointer(x.data), SharedPointer(out.data), SharedPointer(stats.pointer),
                                  SharedPointer(gamma.data), SharedPointer(beta.data))
    parallelChunks(rows, minChunk: max(1, 8192 / max(1, d))) { r in
        for row in r {
            let (mean, rstd) = layerNormRow(px.base + row * d, width: d, gamma: pgm.base, beta: pbt.base, eps: eps, into: py.base + row * d)
            ps[2 * row] = mean; ps[2 * row + 1] = rstd
        }
    }
    return out.record([x, gamma, beta]) { [stats] g in
        let ps = SharedPointer(stats.pointer)  // the capture keeps the saved values alive
        let pg = SharedPointer(g.data)
        if x.requiresGrad {
            let (gradX, assign) = x.gradForWriting()
            let gx = SharedPointer(gradX)
            parallelChunks(rows, minChunk: max(1, 8192 / max(1, d))) { r in
                for row in r {
                    let (xr, gr, dx) = (px.base + row * d, pg.base + row * d, gx.base + row * d)
                    let (mean, rstd) = (ps[2 * row], ps[2 * row + 1])
                    // Σ dx̂ and Σ dx̂ ⊙ x̂ with 8 partial sums (missing tail lanes have g = 0).
                    var sumD = SIMD8<Float>(), sumDX = SIMD8<Float>()
                    var j = 0
                    while j < d {
                        let dxh = loadLanes(gr, j, count: d, fill: 0) * loadLanes(pgm.base, j, count: d, fill: 0)
                        sumD += dxh
                        sumDX.addProduct(dxh, (loadLanes(xr, j, count: d, fill: 0) - mean) * rstd)
                        j += 8
                    }
                    let (mD, mDX) = (sumD.sum() / Float(d), sumDX.sum() / Float(d))
                    for j in 0..<d {
                        let xh = (xr[j] - mean) * rstd
                        let v = rstd * (gr[j] * pgm[j] - mD - xh * mDX)
                        dx[j] = (assign ? 0 : dx[j]) + v
                    }
                }
            }
        }
        if gamma.requiresGrad || beta.requiresGrad {
            // Split over columns: each column still sums its rows in order, on one thread.
            let (gg, gb) = (SharedPointer(gamma.gradPointer()), SharedPointer(beta.gradPointer()))
            parallelChunks(d, minChunk: 8) { cols in
                for row in 0..<rows {
                    let (xr, gr) = (px.base + row * d, pg.base + row * d)
                    let (mean, rstd) = (ps[2 * row], ps[2 * row + 1])
                    for j in cols {
                        gg[j] += gr[j] * (xr[j] - mean) * rstd
                        gb[j] += gr[j]
                    }
                }
            }
        }
    }
}

/// Layer-normalises one row of width `d` into `y` (biased variance, as `nn.LayerNorm`) and
/// returns the row's mean and 1/std for the backward pass: the arithmetic `layerNorm` and its
/// inference twin `layerNormRows` share.
@inline(__always)
func layerNormRow(_ x: UnsafePointer<Float>, width d: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
                  eps: Float, into y: UnsafeMutablePointer<Float>) -> (mean: Float, rstd: Float) {
    // 8 partial sums: a scalar `+=` loop is one chain of dependent adds and does not vectorise.
    var acc = SIMD8<Float>()
    var j = 0
    while j < d { acc += loadLanes(x, j, count: d, fill: 0); j += 8 }
    let mean = acc.sum() / Float(d)
    acc = SIMD8()
    j = 0
    while j < d {
        let c = loadLanes(x, j, count: d, fill: mean) - mean  // missing lanes give c = 0
        acc.addProduct(c, c)
        j += 8
    }
    let rstd = 1 / sqrtf(acc.sum() / Float(d) + eps)
    for j in 0..<d { y[j] = (x[j] - mean) * rstd * gamma[j] + beta[j] }
    return (mean, rstd)
}

/// The inference twin of `layerNorm`: each row of `x` normalised into the same row of `out`
/// with exactly `layerNorm`'s arithmetic (`layerNormRow`), no graph. Sets `out.count`.
public func layerNormRows(_ x: Rows, gamma: Tensor, beta: Tensor, eps: Float, into out: Rows) {
    let d = x.width
    precondition(gamma.count == d && beta.count == d && out.width == d, "layerNormRows: rows of \(d), gamma \(gamma.shape), output \(out.width)")
    precondition(x !== out, "layerNormRows: input and output must be different rows")
    out.reserve(x.count)
    out.count = x.count
    for row in 0..<x.count {
        _ = layerNormRow(x.row(row), width: d, gamma: gamma.data, beta: beta.data, eps: eps, into: out.row(row))
    }
}
