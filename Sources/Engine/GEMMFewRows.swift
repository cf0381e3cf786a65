/// GEMM for products with fewer rows than one micro-tile (m < 6): decoding steps, where one
/// or a few hidden states meet a [d, vocab] projection or a tied [vocab, d] embedding.
///
/// There the packed path is memory-bound on B: it reads B, writes a packed copy, reads that
/// again, and computes 6 rows where 1 is needed. Here B is streamed once, in place.
/// The (few) rows of op(A) are first copied into a contiguous [rows, k] scratch block, so
/// transposed A costs nothing in the kernels.
///
/// Every element gets the same arithmetic whichever kernel or thread covers it (an FMA chain
/// over k from zero here; the dot-product procedure of `dotProducts`), so results are
/// thread-count invariant. The chain has no KC blocking, unlike the packed path: which path
/// runs depends only on m, never on the thread count.

/// Computes rows `rows` (fewer than 6) and columns `cols` of C on the calling thread.
func gemmFewRows(_ ops: GEMMOperands, rows: Range<Int>, cols: Range<Int>) {
    let m = rows.count, k = ops.k
    if m == 0 || cols.isEmpty { return }
    let buffers = GEMMBuffers.current
    buffers.reserve(a: m * k, b: 0)
    let a = buffers.a
    for r in 0..<m {
        let i = rows.lowerBound + r
        let dst = a + r * k
        if ops.transA {
            for p in 0..<k { dst[p] = ops.a[p * ops.lda + i] }
        } else {
            dst.update(from: ops.a + i * ops.lda, count: k)
        }
    }
    let c = ops.c + rows.lowerBound * ops.ldc
    if ops.transB {
        dotProducts(a: a, m: m, k: k, b: ops.b, ldb: ops.ldb, cols: cols, c: c, ldc: ops.ldc,
                    ScaledDotSink(alpha: ops.alpha, beta: ops.beta))
    } else {
        gemmFewRowsAxpy(ops, a: a, m: m, c: c, cols: cols)
    }
}

/// B stored [k, n]: each C row is a sum of B rows scaled by A values; vectorised over columns.
private func gemmFewRowsAxpy(_ ops: GEMMOperands, a: UnsafePointer<Float>, m: Int,
                             c: UnsafeMutablePointer<Float>, cols: Range<Int>) {
    let k = ops.k
    var j = cols.lowerBound
    if m == 1 {
        while j + 64 <= cols.upperBound {
            gemmOneRowKernel64(k: k, a: a, b: ops.b + j, ldb: ops.ldb, c: c + j,
                               alpha: ops.alpha, beta: ops.beta)
            j += 64
        }
    }
    while j + 16 <= cols.upperBound {
        var r = 0
        while r < m {
            gemmRowsKernel4x16(k: k, a: a + r * k, rows: min(4, m - r), b: ops.b + j, ldb: ops.ldb,
                               c: c + r * ops.ldc + j, ldc: ops.ldc, alpha: ops.alpha, beta: ops.beta)
            r += 4
        }
        j += 16
    }
    // Last < 16 columns: scalar fused multiply-adds, the same chain as a SIMD lane.
    for jj in j..<cols.upperBound {
        for r in 0..<m {
            var acc: Float = 0
            for p in 0..<k { acc = acc.addingProduct(a[r * k + p], ops.b[p * ops.ldb + jj]) }
            let out = c + r * ops.ldc + jj
            out.pointee = ops.beta == 0 ? ops.alpha * acc : ops.alpha * acc + ops.beta * out.pointee
        }
    }
}

/// One C row, 64 columns: 8 independent accumulators keep the FMA pipes busy while B streams.
@inline(never)
func gemmOneRowKernel64(k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, ldb: Int,
                        c: UnsafeMutablePointer<Float>, alpha: Float, beta: Float) {
    var acc = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(),
               SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
    var rb = UnsafeRawPointer(b)
    for p in 0..<k {
        let av = SIMD8<Float>(repeating: a[p])
        acc.0.addProduct(av, rb.loadUnaligned(as: SIMD8<Float>.self))
        acc.1.addProduct(av, rb.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self))
        acc.2.addProduct(av, rb.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self))
        acc.3.addProduct(av, rb.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self))
        acc.4.addProduct(av, rb.loadUnaligned(fromByteOffset: 128, as: SIMD8<Float>.self))
        acc.5.addProduct(av, rb.loadUnaligned(fromByteOffset: 160, as: SIMD8<Float>.self))
        acc.6.addProduct(av, rb.loadUnaligned(fromByteOffset: 192, as: SIMD8<Float>.self))
        acc.7.addProduct(av, rb.loadUnaligned(fromByteOffset: 224, as: SIMD8<Float>.self))
        rb += ldb * 4
    }
    gemmStoreRow(c, acc.0, acc.1, alpha, beta)
    gemmStoreRow(c + 16, acc.2, acc.3, alpha, beta)
    gemmStoreRow(c + 32, acc.4, acc.5, alpha, beta)
    gemmStoreRow(c + 48, acc.6, acc.7, alpha, beta)
}

/// Up to 4 C rows (`rows`; missing rows repeat the last one and are not stored), 16 columns.
@inline(never)
func gemmRowsKernel4x16(k: Int, a: UnsafePointer<Float>, rows: Int, b: UnsafePointer<Float>,
                        ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                        alpha: Float, beta: Float) {
    let a0 = a, a1 = a + min(1, rows - 1) * k, a2 = a + min(2, rows - 1) * k
    let a3 = a + min(3, rows - 1) * k
    var c00 = SIMD8<Float>(), c01 = SIMD8<Float>(), c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
    var c20 = SIMD8<Float>(), c21 = SIMD8<Float>(), c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
    var rb = UnsafeRawPointer(b)
    for p in 0..<k {
        let b0 = rb.loadUnaligned(as: SIMD8<Float>.self)
        let b1 = rb.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
        var av = SIMD8<Float>(repeating: a0[p])
        c00.addProduct(av, b0); c01.addProduct(av, b1)
        av = SIMD8<Float>(repeating: a1[p])
        c10.addProduct(av, b0); c11.addProduct(av, b1)
        av = SIMD8<Float>(repeating: a2[p])
        c20.addProduct(av, b0); c21.addProduct(av, b1)
        av = SIMD8<Float>(repeating: a3[p])
        c30.addProduct(av, b0); c31.addProduct(av, b1)
        rb += ldb * 4
    }
    gemmStoreRow(c, c00, c01, alpha, beta)
    if rows > 1 { gemmStoreRow(c + ldc, c10, c11, alpha, beta) }
    if rows > 2 { gemmStoreRow(c + 2 * ldc, c20, c21, alpha, beta) }
    if rows > 3 { gemmStoreRow(c + 3 * ldc, c30, c31, alpha, beta) }
}
