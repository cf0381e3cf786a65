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
                // One 4-wide and one 2-wide copy per k step instead of six scalar ones.
                for _ in 0..<kc {
                    let rs = UnsafeRawPointer(src), ro = UnsafeMutableRawPointer(out)
                    ro.storeBytes(of: rs.loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
                    ro.storeBytes(of: rs.loadUnaligned(fromByteOffset: 16, as: SIMD2<Float>.self),
                                  toByteOffset: 16, as: SIMD2<Float>.self)
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
                // 8 k steps at a time: the 6 row segments are transposed in registers and each
                // k step's 6 values leave as one 4-wide and one 2-wide store, instead of 48
                // scalar loads and stores; the last kc % 8 steps go one by one.
                let kc8 = kc & ~7
                var p = 0
                while p < kc8 {
                    gemmTranspose6x8(src: base + p, ld: lda, dst: out)
                    out += 8 * mr; p += 8
                }
                while p < kc {
                    for r in 0..<mr { out[r] = base[r * lda + p] }
                    out += mr; p += 1
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
            // Stored [n, k]: each of the 16 columns is a unit-stride row of storage. Transpose
            // 8x8 blocks in registers; k and column remainders go element by element.
            let base = b + (j0 + j) * ldb + p0
            let kc8 = kc & ~7
            for half in 0..<2 {
                let c0 = half * 8
                let have = max(0, min(8, cols - c0))
                if have == 8 {
                    var p = 0
                    while p < kc8 {
                        gemmTranspose8x8(src: base + c0 * ldb + p, ld: ldb, dst: out + p * nr + c0, ldd: nr)
                        p += 8
                    }
                } else {
                    for cc in c0..<(c0 + 8) {
                        var o = out + cc
                        if cc < cols {
                            let src = base + cc * ldb
                            for p in 0..<kc8 { o.pointee = src[p]; o += nr }
                        } else {
                            for _ in 0..<kc8 { o.pointee = 0; o += nr }
                        }
                    }
                }
            }
            for p in kc8..<kc {
                for cc in 0..<nr { out[p * nr + cc] = cc < cols ? base[cc * ldb + p] : 0 }
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

/// Writes the transpose of the 8x8 block at `src` (rows `ld` apart) to `dst` (rows `ldd` apart).
@inline(__always)
func gemmTranspose8x8(src: UnsafePointer<Float>, ld: Int, dst: UnsafeMutablePointer<Float>, ldd: Int) {
    let t = gemmTransposedColumns(src: src, ld: ld, rows: 8)
    let w = UnsafeMutableRawPointer(dst)
    let ds = ldd * 4
    w.storeBytes(of: t.0, as: SIMD8<Float>.self)
    w.storeBytes(of: t.1, toByteOffset: ds, as: SIMD8<Float>.self)
    w.storeBytes(of: t.2, toByteOffset: 2 * ds, as: SIMD8<Float>.self)
    w.storeBytes(of: t.3, toByteOffset: 3 * ds, as: SIMD8<Float>.self)
    w.storeBytes(of: t.4, toByteOffset: 4 * ds, as: SIMD8<Float>.self)
    w.storeBytes(of: t.5, toByteOffset: 5 * ds, as: SIMD8<Float>.self)
    w.storeBytes(of: t.6, toByteOffset: 6 * ds, as: SIMD8<Float>.self)
    w.storeBytes(of: t.7, toByteOffset: 7 * ds, as: SIMD8<Float>.self)
}

/// Packs 6 rows x 8 columns at `src` (rows `ld` apart) as 8 groups of 6, column by column:
/// `dst[6j + r] = src[r * ld + j]`, the packed-A layout for 8 k steps of one micro-panel.
@inline(__always)
func gemmTranspose6x8(src: UnsafePointer<Float>, ld: Int, dst: UnsafeMutablePointer<Float>) {
    let t = gemmTransposedColumns(src: src, ld: ld, rows: 6)
    let w = UnsafeMutableRawPointer(dst)
    @inline(__always) func put(_ v: SIMD8<Float>, _ j: Int) {
        w.storeBytes(of: v.lowHalf, toByteOffset: 24 * j, as: SIMD4<Float>.self)
        w.storeBytes(of: SIMD2(v[4], v[5]), toByteOffset: 24 * j + 16, as: SIMD2<Float>.self)
    }
    put(t.0, 0); put(t.1, 1); put(t.2, 2); put(t.3, 3)
    put(t.4, 4); put(t.5, 5); put(t.6, 6); put(t.7, 7)
}

/// The 8 columns of the block of `rows` (a constant, at most 8) rows x 8 values at `src` (rows
/// `ld` apart), rows past `rows` read as zeros. Three "unzip" rounds (even lanes then odd lanes
/// of each vector pair) rotate the 6 index bits of the 64 elements by three, which turns
/// row-major (i, j) into (j, i).
@inline(__always)
func gemmTransposedColumns(src: UnsafePointer<Float>, ld: Int, rows: Int)
    -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
    let r = UnsafeRawPointer(src)
    @inline(__always) func row(_ i: Int) -> SIMD8<Float> {
        i < rows ? r.loadUnaligned(fromByteOffset: i * ld * 4, as: SIMD8<Float>.self) : SIMD8()
    }
    var (v0, v1, v2, v3, v4, v5, v6, v7) = (row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7))
    for _ in 0..<3 {
        (v0, v1, v2, v3, v4, v5, v6, v7) = (
            SIMD8(lowHalf: v0.evenHalf, highHalf: v1.evenHalf),
            SIMD8(lowHalf: v2.evenHalf, highHalf: v3.evenHalf),
            SIMD8(lowHalf: v4.evenHalf, highHalf: v5.evenHalf),
            SIMD8(lowHalf: v6.evenHalf, highHalf: v7.evenHalf),
            SIMD8(lowHalf: v0.oddHalf, highHalf: v1.oddHalf),
            SIMD8(lowHalf: v2.oddHalf, highHalf: v3.oddHalf),
            SIMD8(lowHalf: v4.oddHalf, highHalf: v5.oddHalf),
            SIMD8(lowHalf: v6.oddHalf, highHalf: v7.oddHalf))
    }
    return (v0, v1, v2, v3, v4, v5, v6, v7)
}
