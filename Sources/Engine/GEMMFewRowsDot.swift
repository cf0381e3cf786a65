/// The few-rows GEMM (see `gemmFewRows`) for B stored [n, k] (transB), e.g. logits against a
/// tied [vocab, d] embedding: every C element is a dot product of two contiguous k-vectors.
///
/// Every element uses the same procedure, whichever kernel covers it: 8 lane-wise FMA chains
/// over k in steps of 8, an in-order lane sum, then scalar FMAs for the last k % 8 terms, then
/// `alpha * dot + beta * C`.

/// C[0..<m, cols] for A rows contiguous in `a` ([m, k]) and B stored [n, k].
func gemmFewRowsDot(_ ops: GEMMOperands, a: UnsafePointer<Float>, m: Int,
                    c: UnsafeMutablePointer<Float>, cols: Range<Int>) {
    let k = ops.k, ldb = ops.ldb, ldc = ops.ldc
    var j = cols.lowerBound
    if m == 1 {
        while j + 4 <= cols.upperBound {
            gemmDot1x4(k: k, a: a, b: ops.b + j * ldb, ldb: ldb, c: c + j,
                       alpha: ops.alpha, beta: ops.beta)
            j += 4
        }
    } else {
        while j + 2 <= cols.upperBound {
            var r = 0
            while r < m {
                gemmDot4x2(k: k, a: a + r * k, rows: min(4, m - r), b: ops.b + j * ldb, ldb: ldb,
                           c: c + r * ldc + j, ldc: ldc, alpha: ops.alpha, beta: ops.beta)
                r += 4
            }
            j += 2
        }
    }
    for jj in j..<cols.upperBound {
        for r in 0..<m {
            let d = gemmDotFinish(SIMD8<Float>(), k: k, a: a + r * k, b: ops.b + jj * ldb, from: 0)
            gemmDotStore(c + r * ldc + jj, d, ops.alpha, ops.beta)
        }
    }
}

/// Finishes a dot product: lane-wise chains `lanes` already cover k up to `from` (a multiple
/// of 8); continues them to the last full 8, sums lanes in order, adds the k % 8 tail.
@inline(__always)
func gemmDotFinish(_ lanes: SIMD8<Float>, k: Int, a: UnsafePointer<Float>,
                   b: UnsafePointer<Float>, from: Int) -> Float {
    var acc = lanes
    let k8 = k & ~7
    var p = from
    while p < k8 {
        acc.addProduct(UnsafeRawPointer(a + p).loadUnaligned(as: SIMD8<Float>.self),
                       UnsafeRawPointer(b + p).loadUnaligned(as: SIMD8<Float>.self))
        p += 8
    }
    var s = acc.sum()
    for q in k8..<k { s = s.addingProduct(a[q], b[q]) }
    return s
}

@inline(__always)
func gemmDotStore(_ c: UnsafeMutablePointer<Float>, _ d: Float, _ alpha: Float, _ beta: Float) {
    c.pointee = beta == 0 ? alpha * d : alpha * d + beta * c.pointee
}

@inline(__always)
func gemmLoad8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

/// One A row against 4 B rows: 4 chains share each A load.
@inline(never)
func gemmDot1x4(k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, ldb: Int,
                c: UnsafeMutablePointer<Float>, alpha: Float, beta: Float) {
    let b0 = b, b1 = b + ldb, b2 = b + 2 * ldb, b3 = b + 3 * ldb
    var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
    let k8 = k & ~7
    var p = 0
    while p < k8 {
        let av = gemmLoad8(a + p)
        s0.addProduct(av, gemmLoad8(b0 + p)); s1.addProduct(av, gemmLoad8(b1 + p))
        s2.addProduct(av, gemmLoad8(b2 + p)); s3.addProduct(av, gemmLoad8(b3 + p))
        p += 8
    }
    gemmDotStore(c, gemmDotFinish(s0, k: k, a: a, b: b0, from: k8), alpha, beta)
    gemmDotStore(c + 1, gemmDotFinish(s1, k: k, a: a, b: b1, from: k8), alpha, beta)
    gemmDotStore(c + 2, gemmDotFinish(s2, k: k, a: a, b: b2, from: k8), alpha, beta)
    gemmDotStore(c + 3, gemmDotFinish(s3, k: k, a: a, b: b3, from: k8), alpha, beta)
}

/// Up to 4 A rows (`rows`; missing ones repeat the last and are not stored) against 2 B rows,
/// so each B load feeds up to 4 chains and B streams from memory once.
@inline(never)
func gemmDot4x2(k: Int, a: UnsafePointer<Float>, rows: Int, b: UnsafePointer<Float>, ldb: Int,
                c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float) {
    let a0 = a, a1 = a + min(1, rows - 1) * k, a2 = a + min(2, rows - 1) * k
    let a3 = a + min(3, rows - 1) * k
    let b0 = b, b1 = b + ldb
    var s00 = SIMD8<Float>(), s01 = SIMD8<Float>(), s10 = SIMD8<Float>(), s11 = SIMD8<Float>()
    var s20 = SIMD8<Float>(), s21 = SIMD8<Float>(), s30 = SIMD8<Float>(), s31 = SIMD8<Float>()
    let k8 = k & ~7
    var p = 0
    while p < k8 {
        let v0 = gemmLoad8(b0 + p), v1 = gemmLoad8(b1 + p)
        var av = gemmLoad8(a0 + p)
        s00.addProduct(av, v0); s01.addProduct(av, v1)
        av = gemmLoad8(a1 + p)
        s10.addProduct(av, v0); s11.addProduct(av, v1)
        av = gemmLoad8(a2 + p)
        s20.addProduct(av, v0); s21.addProduct(av, v1)
        av = gemmLoad8(a3 + p)
        s30.addProduct(av, v0); s31.addProduct(av, v1)
        p += 8
    }
    gemmDotStore(c, gemmDotFinish(s00, k: k, a: a0, b: b0, from: k8), alpha, beta)
    gemmDotStore(c + 1, gemmDotFinish(s01, k: k, a: a0, b: b1, from: k8), alpha, beta)
    if rows > 1 {
        gemmDotStore(c + ldc, gemmDotFinish(s10, k: k, a: a1, b: b0, from: k8), alpha, beta)
        gemmDotStore(c + ldc + 1, gemmDotFinish(s11, k: k, a: a1, b: b1, from: k8), alpha, beta)
    }
    if rows > 2 {
        gemmDotStore(c + 2 * ldc, gemmDotFinish(s20, k: k, a: a2, b: b0, from: k8), alpha, beta)
        gemmDotStore(c + 2 * ldc + 1, gemmDotFinish(s21, k: k, a: a2, b: b1, from: k8), alpha, beta)
    }
    if rows > 3 {
        gemmDotStore(c + 3 * ldc, gemmDotFinish(s30, k: k, a: a3, b: b0, from: k8), alpha, beta)
        gemmDotStore(c + 3 * ldc + 1, gemmDotFinish(s31, k: k, a: a3, b: b1, from: k8), alpha, beta)
    }
}
