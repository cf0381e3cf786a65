/// The single-threaded blocked GEMM loop nest (GotoBLAS/BLIS order) over one rectangle of C.
///
/// Loop order, outermost first: columns in NC blocks (pack a KC x NC block of B, L3-resident),
/// depth in KC blocks, rows in MC blocks (pack an MC x KC block of A, L2-resident), then
/// 16-column micro-panels of B (stay in L1; two at a time where `GEMMBlocking.widePairs`) and
/// 6-row micro-panels of A (streamed from L2).
/// The first KC block applies the caller's beta; later ones accumulate (beta = 1), so every C
/// element sees the same k-order no matter how the rectangle was cut out of a larger product.

/// Raw operand description shared by the driver and the threading layer.
struct GEMMOperands {
    var transA: Bool
    var transB: Bool
    var k: Int
    var alpha: Float
    var a: UnsafePointer<Float>
    var lda: Int
    var b: UnsafePointer<Float>
    var ldb: Int
    var beta: Float
    var c: UnsafeMutablePointer<Float>
    var ldc: Int
}

/// Computes rows `rows` x columns `cols` of C for `ops` on the calling thread.
/// Requires k > 0 and alpha != 0 (the caller handles those cases by scaling C).
func gemmRectangle(_ ops: GEMMOperands, rows: Range<Int>, cols: Range<Int>) {
    if rows.isEmpty || cols.isEmpty { return }
    let mr = GEMMBlocking.mr, nr = GEMMBlocking.nr, wide = GEMMBlocking.widePairs
    let kcMax = min(GEMMBlocking.kc, ops.k)
    let mcMax = min(GEMMBlocking.mc, (rows.count + mr - 1) / mr * mr)
    let ncMax = min(GEMMBlocking.nc, (cols.count + nr - 1) / nr * nr)
    // With few column panels an A block is reused only a handful of times, so packing it costs
    // more than it saves: the kernel then reads A in place (see `GEMMARows`).
    let packAllA = cols.count > GEMMBlocking.unpackedAMaxColumns
    let buffers = GEMMBuffers.current
    buffers.reserve(a: packAllA ? mcMax * kcMax : 0, b: kcMax * ncMax)
    let packA = buffers.a, packB = buffers.b, tile = buffers.tile
    let ldc = ops.ldc

    var jc = cols.lowerBound
    while jc < cols.upperBound {
        let nc = min(GEMMBlocking.nc, cols.upperBound - jc)
        var pc = 0
        while pc < ops.k {
            let kc = min(GEMMBlocking.kc, ops.k - pc)
            let beta: Float = pc == 0 ? ops.beta : 1
            gemmPackB(transB: ops.transB, b: ops.b, ldb: ops.ldb, p0: pc, kc: kc,
                      j0: jc, nc: nc, dst: packB)
            var ic = rows.lowerBound
            while ic < rows.upperBound {
                let mc = min(GEMMBlocking.mc, rows.upperBound - ic)
                if packAllA {
                    gemmPackA(transA: ops.transA, a: ops.a, lda: ops.lda, i0: ic, mc: mc,
                              p0: pc, kc: kc, dst: packA)
                }
                var jr = 0
                while jr < nc {
                    let cols = min(nr, nc - jr)
                    // Two full panels side by side go through the 6x32 kernel where it pays.
                    let pair = wide && nc - jr >= 2 * nr
                    let bPanel = UnsafePointer(packB + jr * kc)
                    var ir = 0
                    while ir < mc {
                        let rowsHere = min(mr, mc - ir)
                        let cTile = ops.c + (ic + ir) * ldc + jc + jr
                        let aPanel: UnsafePointer<Float>
                        let rowsA: GEMMARows
                        if packAllA {
                            aPanel = UnsafePointer(packA + ir * kc)
                            rowsA = .packed
                        } else if ops.transA {
                            aPanel = ops.a + pc * ops.lda + ic + ir
                            rowsA = .strided(rowStride: 1, step: ops.lda, rows: rowsHere)
                        } else {
                            aPanel = ops.a + (ic + ir) * ops.lda + pc
                            rowsA = .strided(rowStride: ops.lda, step: 1, rows: rowsHere)
                        }
                        if rowsHere == mr && pair {
                            if packAllA {
                                gemmKernelPackedWide(kc: kc, a: aPanel, b: bPanel,
                                                     c: cTile, ldc: ldc, alpha: ops.alpha, beta: beta)
                            } else {
                                gemmKernelStridedWide(kc: kc, a: aPanel, rowsA: rowsA, b: bPanel,
                                                      c: cTile, ldc: ldc, alpha: ops.alpha, beta: beta)
                            }
                        } else if rowsHere == mr && cols == nr {
                            if packAllA {
                                gemmKernelPacked(kc: kc, a: aPanel, b: bPanel,
                                                 c: cTile, ldc: ldc, alpha: ops.alpha, beta: beta)
                            } else {
                                gemmKernelStrided(kc: kc, a: aPanel, rowsA: rowsA, b: bPanel,
                                                  c: cTile, ldc: ldc, alpha: ops.alpha, beta: beta)
                            }
                        } else {
                            gemmKernelEdge(packed: packAllA, kc: kc, a: aPanel, rowsA: rowsA, b: bPanel, c: cTile, ldc: ldc,
                                           rows: rowsHere, cols: cols, alpha: ops.alpha,
                                           beta: beta, scratch: tile)
                            if pair {  // the second panel's part of a bottom edge tile
                                gemmKernelEdge(packed: packAllA, kc: kc, a: aPanel, rowsA: rowsA, b: bPanel + kc * nr,
                                               c: cTile + nr, ldc: ldc, rows: rowsHere, cols: nr, alpha: ops.alpha,
                                               beta: beta, scratch: tile)
                            }
                        }
                        ir += mr
                    }
                    jr += pair ? 2 * nr : nr
                }
                ic += mc
            }
            pc += kc
        }
        jc += nc
    }
}

/// C[rows, cols] = beta * C, used when the product term vanishes (k == 0 or alpha == 0).
/// beta == 0 writes zeros without reading C, so NaN garbage in C does not survive.
func gemmScale(c: UnsafeMutablePointer<Float>, ldc: Int, rows: Range<Int>, cols: Range<Int>,
               beta: Float) {
    if beta == 1 { return }
    for i in rows {
        let row = c + i * ldc
        if beta == 0 {
            for j in cols { row[j] = 0 }
        } else {
            for j in cols { row[j] = beta * row[j] }
        }
    }
}
