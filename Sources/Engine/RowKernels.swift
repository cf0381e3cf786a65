import Foundation

// Row-level pieces shared by the graph ops (`layerNorm`, `softmax`) and the no-grad decoding
// kernels in the Model module, so both compute exactly the same arithmetic.

/// Layer-normalises one row of width `d` into `y` (biased variance, as `nn.LayerNorm`) and
/// returns the row's mean and 1/std for the backward pass.
@inlinable @inline(__always)
public func layerNormRow(_ x: UnsafePointer<Float>, width d: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
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

/// Turns one row of scaled, masked scores whose maximum is `mx` into softmax weights, in place.
/// A row whose every entry is masked (mx = −∞) becomes all zeros instead of NaN; returns false then.
@inlinable @inline(__always)
public func softmaxRowInPlace(_ w: UnsafeMutablePointer<Float>, count n: Int, max mx: Float) -> Bool {
    if mx == -Float.infinity {
        for j in 0..<n { w[j] = 0 }
        return false
    }
    let inv = 1 / expShiftedInPlace(w, count: n, shift: mx)
    for j in 0..<n { w[j] *= inv }
    return true
}
