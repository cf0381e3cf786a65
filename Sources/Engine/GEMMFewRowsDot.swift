/// Dot-product tiles for products with few rows against a B stored [n, k] (row j of B is one
/// contiguous k-vector): the few-rows GEMM with transB (`gemmFewRows`, e.g. logits against a
/// tied [vocab, d] embedding) and the inference kernel `linearRows` (decoding rows against an
/// `nn.Linear` weight [out, in]) share them; only where a finished dot product goes differs
/// (`DotSink`: GEMM's alpha/beta update, or a layer's bias and epilogue).
///
/// Every element is computed by the same procedure whichever tile covers it: 8 lane-wise FMA
/// chains over k in steps of 8, the lanes summed pairwise in a fixed order, then scalar FMAs for
/// the last k % 8 terms. So a row's result does not depend on how many other rows share the
/// call, which tile it fell in, or how columns were split between threads.

/// Where a finished dot product (A row · B row `column`) is written.
protocol DotSink {
    func store(_ dot: Float, column: Int, at c: UnsafeMutablePointer<Float>)
}

/// The GEMM's update: C = alpha · dot + beta · C (beta == 0 never reads C).
struct ScaledDotSink: DotSink {
    let alpha: Float
    let beta: Float
    @inline(__always) func store(_ dot: Float, column: Int, at c: UnsafeMutablePointer<Float>) {
        c.pointee = beta == 0 ? alpha * dot : alpha * dot + beta * c.pointee
    }
}

/// C[0..<m, cols] = sink(A row · B row) for A [m, k] contiguous (row stride k) and B rows of
/// stride `ldb`. Columns go in blocks of 64 (64 B rows of k = 256 are 64 KiB: they stay in L2
/// while all rows of A pass); within a block, 4 rows x 2 columns per tile (8 chains, each B load
/// feeding 4 of them), a lone last row 1 x 4, an odd last column one dot at a time.
func dotProducts<S: DotSink>(a: UnsafePointer<Float>, m: Int, k: Int, b: UnsafePointer<Float>, ldb: Int,
                             cols: Range<Int>, c: UnsafeMutablePointer<Float>, ldc: Int, _ sink: S) {
    if m <= 0 || cols.isEmpty { return }
    var j0 = cols.lowerBound
    while j0 < cols.upperBound {
        let j1 = min(cols.upperBound, j0 + 64)
        var r = 0
        while r < m {
            let rows = min(4, m - r)
            let (ar, cr) = (a + r * k, c + r * ldc)
            var j = j0
            if rows == 1 {
                while j + 4 <= j1 { dotTile1x4(k: k, a: ar, b: b, ldb: ldb, column: j, c: cr, sink); j += 4 }
            } else {
                while j + 2 <= j1 { dotTile4x2(k: k, a: ar, rows: rows, b: b, ldb: ldb, column: j, c: cr, ldc: ldc, sink); j += 2 }
            }
            while j < j1 {
                for i in 0..<rows {
                    sink.store(dotFinish(SIMD8<Float>(), k: k, a: ar + i * k, b: b + j * ldb, from: 0), column: j, at: cr + i * ldc + j)
                }
                j += 1
            }
            r += rows
        }
        j0 = j1
    }
}

/// Finishes a dot product: the lane-wise chains `lanes` already cover k up to `from` (a multiple
/// of 8); continues them to the last full 8, sums the lanes pairwise, adds the k % 8 tail.
@inline(__always)
func dotFinish(_ lanes: SIMD8<Float>, k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, from: Int) -> Float {
    var acc = lanes
    let k8 = k & ~7
    var p = from
    while p < k8 {
        acc.addProduct(load8(a + p), load8(b + p))
        p += 8
    }
    let h4 = acc.lowHalf + acc.highHalf
    let h2 = h4.lowHalf + h4.highHalf
    var s = h2[0] + h2[1]
    while p < k { s = s.addingProduct(a[p], b[p]); p += 1 }
    return s
}

@inline(__always)
func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

/// One A row against B rows `column ..< column + 4`: 4 chains share each A load.
@inline(never)
func dotTile1x4<S: DotSink>(k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, ldb: Int, column j: Int,
                            c: UnsafeMutablePointer<Float>, _ sink: S) {
    let b0 = b + j * ldb, b1 = b0 + ldb, b2 = b0 + 2 * ldb, b3 = b0 + 3 * ldb
    var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
    let k8 = k & ~7
    var p = 0
    while p < k8 {
        let av = load8(a + p)
        s0.addProduct(av, load8(b0 + p)); s1.addProduct(av, load8(b1 + p))
        s2.addProduct(av, load8(b2 + p)); s3.addProduct(av, load8(b3 + p))
        p += 8
    }
    sink.store(dotFinish(s0, k: k, a: a, b: b0, from: k8), column: j, at: c + j)
    sink.store(dotFinish(s1, k: k, a: a, b: b1, from: k8), column: j + 1, at: c + j + 1)
    sink.store(dotFinish(s2, k: k, a: a, b: b2, from: k8), column: j + 2, at: c + j + 2)
    sink.store(dotFinish(s3, k: k, a: a, b: b3, from: k8), column: j + 3, at: c + j + 3)
}

/// Up to 4 A rows (`rows`; missing ones repeat the last and are not stored) against B rows
/// `column` and `column + 1`, so each B load feeds up to 4 chains and B streams from memory once.
@inline(never)
func dotTile4x2<S: DotSink>(k: Int, a: UnsafePointer<Float>, rows: Int, b: UnsafePointer<Float>, ldb: Int, column j: Int,
                            c: UnsafeMutablePointer<Float>, ldc: Int, _ sink: S) {
    let a0 = a, a1 = a + min(1, rows - 1) * k, a2 = a + min(2, rows - 1) * k
    let a3 = a + min(3, rows - 1) * k
    let b0 = b + j * ldb, b1 = b0 + ldb
    var s00 = SIMD8<Float>(), s01 = SIMD8<Float>(), s10 = SIMD8<Float>(), s11 = SIMD8<Float>()
    var s20 = SIMD8<Float>(), s21 = SIMD8<Float>(), s30 = SIMD8<Float>(), s31 = SIMD8<Float>()
    let k8 = k & ~7
    var p = 0
    while p < k8 {
        let v0 = load8(b0 + p), v1 = load8(b1 + p)
        var av = load8(a0 + p)
        s00.addProduct(av, v0); s01.addProduct(av, v1)
        av = load8(a1 + p)
        s10.addProduct(av, v0); s11.addProduct(av, v1)
        av = load8(a2 + p)
        s20.addProduct(av, v0); s21.addProduct(av, v1)
        av = load8(a3 + p)
        s30.addProduct(av, v0); s31.addProduct(av, v1)
        p += 8
    }
    sink.store(dotFinish(s00, k: k, a: a0, b: b0, from: k8), column: j, at: c + j)
    sink.store(dotFinish(s01, k: k, a: a0, b: b1, from: k8), column: j + 1, at: c + j + 1)
    if rows > 1 {
        sink.store(dotFinish(s10, k: k, a: a1, b: b0, from: k8), column: j, at: c + ldc + j)
        sink.store(dotFinish(s11, k: k, a: a1, b: b1, from: k8), column: j + 1, at: c + ldc + j + 1)
    }
    if rows > 2 {
        sink.store(dotFinish(s20, k: k, a: a2, b: b0, from: k8), column: j, at: c + 2 * ldc + j)
        sink.store(dotFinish(s21, k: k, a: a2, b: b1, from: k8), column: j + 1, at: c + 2 * ldc + j + 1)
    }
    if rows > 3 {
        sink.store(dotFinish(s30, k: k, a: a3, b: b0, from: k8), column: j, at: c + 3 * ldc + j)
        sink.store(dotFinish(s31, k: k, a: a3, b: b1, from: k8), column: j + 1, at: c + 3 * ldc + j + 1)
    }
}
