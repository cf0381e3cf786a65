/// Packing of GEMM operands into the contiguous, k-major micro-panels the kernel streams.
///
/// Packing turns any layout (plain or transposed, any leading dimension) into the same
/// unit-stride format, so the micro-kernel needs no strides and transposes cost nothing extra.
/// Rows/columns beyond the matrix edge are zero-filled so edge tiles can run the full kernel.

/// Packs `op(A)[i0 ..< i0+mc, p0 ..< p0+kc]` into panels of 6 rows: panel `q` holds, for each
/// k step `p`, the 6 values `op(A)[i0 + 6q + r, p0 + p]` at `dst[q*kc*6 + p*6 + r]`.
@inline(__always)
func gemmPackA(transA: Bool, a: UnsafePointer<Float>, lda: Int, i0: Int, mc: Int,
               p0: Int, kc: Int, dst: UnsafeMutablePointer<Float>) {
    let mr = GEMMBlocking.mr
    var out = dst
    var i = 0
    while i < mc {
        let rows = min(mr, mc - i)
        if transA {
            // Stored [k, m]: the 6 values for one k step are adjacent in memory.
            var src = a + p0 * lda + i0 + i
            if rows == mr {
                for _ in 0..<kc {
                    out[0] = src[0]; out[1] = src[1]; out[2] = src[2]
                    out[3] = src[3]; out[4] = src[4]; out[5] = src[5]
                    out += mr; src += lda
                }
            } else {
                for _ in 0..<kc {
                    for r in 0..<rows { out[r] = src[r] }
                    for r in rows..<mr { out[r] = 0 }
                    out += mr; src += lda
                }
            }
        } else {
            // Stored [m, k]: read 6 row streams in parallel, each with unit stride.
            let base = a + (i0 + i) * lda + p0
            if rows == mr {
                let s0 = base, s1 = base + lda, s2 = base + 2 * lda
                let s3 = base + 3 * lda, s4 = base + 4 * lda, s5 = base + 5 * lda
                for p in 0..<kc {
                    out[0] = s0[p]; out[1] = s1[p]; out[2] = s2[p]
                    out[3] = s3[p]; out[4] = s4[p]; out[5] = s5[p]
                    out += mr
                }
            } else {
                for p in 0..<kc {
                    for r in 0..<rows { out[r] = base[r * lda + p] }
                    for r in rows..<mr { out[r] = 0 }
                    out += mr
                }
            }
        }
        i += mr
    }
}

/// Packs `op(B)[p0 ..< p0+kc, j0 ..< j0+nc]` into panels of 16 columns: panel `q` holds, for
/// each k step `p`, the 16 values `op(B)[p0 + p, j0 + 16q + c]` at `dst[q*kc*16 + p*16 + c]`.
@inline(__always)
func gemmPackB(transB: Bool, b: UnsafePointer<Float>, ldb: Int, p0: Int, kc: Int,
               j0: Int, nc: Int, dst: UnsafeMutablePointer<Float>) {
    let nr = GEMMBlocking.nr
    var out = dst
    var j = 0
    while j < nc {
        let cols = min(nr, nc - j)
        if transB {
            // Stored [n, k]: each of the 16 columns is a unit-stride row of storage; walk
            // them one at a time so reads stream and writes go to stride-16 slots in L1.
            let base = b + (j0 + j) * ldb + p0
            for cc in 0..<cols {
                let src = base + cc * ldb
                var o = out + cc
                for p in 0..<kc { o.pointee = src[p]; o += nr }
            }
            if cols < nr {
                for p in 0..<kc {
                    for cc in cols..<nr { out[p * nr + cc] = 0 }
                }
            }
            out += kc * nr
        } else {
            // Stored [k, n]: the 16 values for one k step are adjacent; copy as two vectors.
            var src = b + p0 * ldb + j0 + j
            if cols == nr {
                for _ in 0..<kc {
                    let rs = UnsafeRawPointer(src)
                    let ro = UnsafeMutableRawPointer(out)
                    ro.storeBytes(of: rs.loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
                    ro.storeBytes(of: rs.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self),
                                  toByteOffset: 32, as: SIMD8<Float>.self)
                    out += nr; src += ldb
                }
            } else {
                for _ in 0..<kc {
                    for cc in 0..<cols { out[cc] = src[cc] }
                    for cc in cols..<nr { out[cc] = 0 }
                    out += nr; src += ldb
                }
            }
        }
        j += nr
    }
}
