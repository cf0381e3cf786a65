// Vectorised exp and the row loops built on it (softmax, log-sum-exp, cross-entropy).
//
// libm's `expf` is a call per element (~4 ns here) and a scalar `s += e` loop is a chain of
// dependent adds; the output softmax of a training step runs both over N × V logits (small
// config: 6,000 × 8,000 a step). These helpers do 8 lanes at a time with 8 partial sums.
// Every element goes through the same `simdExp`, full vector or tail, so a value does not depend
// on where it sits in the row or on how rows are split between threads.

/// e^x for 8 lanes at once, Cephes' `expf` scheme: x = n·ln2 + r with |r| ≤ ln2/2, a degree-6
/// polynomial for e^r, and 2^n written into the exponent bits. Relative error ≤ 1.2e-7 against
/// the exact value (measured over [−87.3, 88.3]), about 7x cheaper than `expf` per element.
/// x < ln(2^−126) ≈ −87.34 (including −∞, a masked score) gives exactly 0, never a denormal;
/// x > 88.38 gives +∞; NaN stays NaN.
@inlinable @inline(__always)
public func simdExp(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let lo: Float = -87.336544, hi: Float = 88.37626
    var xc = x
    xc.replace(with: hi, where: x .> hi)
    xc.replace(with: lo, where: x .< lo)
    // Adding 1.5·2^23 rounds x/ln2 to the nearest integer n, which lands in the low mantissa
    // bits: subtracting the constant gives n as a float, the bit pattern gives it as an integer.
    let magic: Float = 12_582_912
    let t = SIMD8<Float>(repeating: magic).addingProduct(xc, 1.44269504088896341)
    let n = t - magic
    // ln2 in two parts (0.693359375 is exact in 10 bits), so r keeps its low bits.
    let r = xc.addingProduct(n, -0.693359375).addingProduct(n, 2.12194440e-4)
    var p = SIMD8<Float>(repeating: 1.3981999507e-3).addingProduct(r, 1.9875691500e-4)
    p = SIMD8(repeating: 8.3334519073e-3).addingProduct(p, r)
    p = SIMD8(repeating: 4.1665795894e-2).addingProduct(p, r)
    p = SIMD8(repeating: 1.6666665459e-1).addingProduct(p, r)
    p = SIMD8(repeating: 5.0000001201e-1).addingProduct(p, r)
    let er = (r + 1).addingProduct(p, r * r)
    let exponent = unsafeBitCast(t, to: SIMD8<Int32>.self) &- Int32(bitPattern: magic.bitPattern) &+ 127
    var y = er * unsafeBitCast(exponent &<< 23, to: SIMD8<Float>.self)
    y.replace(with: 0, where: x .< lo)
    y.replace(with: Float.infinity, where: x .> hi)
    return y
}

/// `simdExp` for 16 lanes (one AVX-512 register): the same operations lane by lane, so the same
/// values bit for bit (`VectorMathTests`); for the vocabulary-wide log-sum-exp of beam search.
@inlinable @inline(__always)
public func simdExp(_ x: SIMD16<Float>) -> SIMD16<Float> {
    let lo: Float = -87.336544, hi: Float = 88.37626
    var xc = x
    xc.replace(with: hi, where: x .> hi)
    xc.replace(with: lo, where: x .< lo)
    let magic: Float = 12_582_912
    let t = SIMD16<Float>(repeating: magic).addingProduct(xc, 1.44269504088896341)
    let n = t - magic
    let r = xc.addingProduct(n, -0.693359375).addingProduct(n, 2.12194440e-4)
    var p = SIMD16<Float>(repeating: 1.3981999507e-3).addingProduct(r, 1.9875691500e-4)
    p = SIMD16(repeating: 8.3334519073e-3).addingProduct(p, r)
    p = SIMD16(repeating: 4.1665795894e-2).addingProduct(p, r)
    p = SIMD16(repeating: 1.6666665459e-1).addingProduct(p, r)
    p = SIMD16(repeating: 5.0000001201e-1).addingProduct(p, r)
    let er = (r + 1).addingProduct(p, r * r)
    let exponent = unsafeBitCast(t, to: SIMD16<Int32>.self) &- Int32(bitPattern: magic.bitPattern) &+ 127
    var y = er * unsafeBitCast(exponent &<< 23, to: SIMD16<Float>.self)
    y.replace(with: 0, where: x .< lo)
    y.replace(with: Float.infinity, where: x .> hi)
    return y
}

/// Loads lanes `j ..< j + 8` of `x`, or the `count − j` that exist with `fill` in the rest.
@inlinable @inline(__always)
func loadLanes(_ x: UnsafePointer<Float>, _ j: Int, count: Int, fill: Float) -> SIMD8<Float> {
    if j + 8 <= count { return UnsafeRawPointer(x + j).loadUnaligned(as: SIMD8<Float>.self) }
    var v = SIMD8<Float>(repeating: fill)
    for l in 0..<(count - j) { v[l] = x[j + l] }
    return v
}

/// Stores the first `min(8, count − j)` lanes of `v` at `x + j`.
@inlinable @inline(__always)
func storeLanes(_ v: SIMD8<Float>, _ x: UnsafeMutablePointer<Float>, _ j: Int, count: Int) {
    if j + 8 <= count {
        UnsafeMutableRawPointer(x + j).storeBytes(of: v, as: SIMD8<Float>.self)
    } else {
        for l in 0..<(count - j) { x[j + l] = v[l] }
    }
}

/// The maximum and the sum of `x[0 ..< count]` (max −∞ and sum 0 for an empty row).
@inlinable
public func rowMaxAndSum(_ x: UnsafePointer<Float>, count: Int) -> (max: Float, sum: Float) {
    var mx = SIMD8<Float>(repeating: -.infinity), s = SIMD8<Float>()
    var j = 0
    while j < count {
        let v = loadLanes(x, j, count: count, fill: 0)
        s += v
        let m = j + 8 <= count ? v : loadLanes(x, j, count: count, fill: -.infinity)
        mx.replace(with: m, where: m .> mx)
        j += 8
    }
    return (mx.max(), s.sum())
}

/// Replaces `w[j]` by e^(w[j] − shift) and returns the sum of the new values.
@inlinable
public func expShiftedInPlace(_ w: UnsafeMutablePointer<Float>, count: Int, shift: Float) -> Float {
    var s = SIMD8<Float>()
    var j = 0
    while j < count {
        // Missing tail lanes are −∞ and contribute e^−∞ = 0 to the sum.
        let e = simdExp(loadLanes(w, j, count: count, fill: -.infinity) - shift)
        s += e
        storeLanes(e, w, j, count: count)
        j += 8
    }
    return s.sum()
}

/// Σ_j e^(x[j] − shift), leaving `x` as it is.
@inlinable
public func expShiftedSum(_ x: UnsafePointer<Float>, count: Int, shift: Float) -> Float {
    var s = SIMD8<Float>()
    var j = 0
    while j < count {
        s += simdExp(loadLanes(x, j, count: count, fill: -.infinity) - shift)
        j += 8
    }
    return s.sum()
}
