/// The register-blocked GEMM micro-kernel: one `GEMMBlocking.mr x GEMMBlocking.nr` (6x16) tile
/// of C from a packed A micro-panel and a packed B micro-panel.
///
/// Twelve `SIMD8<Float>` accumulators (6 rows x 2 vectors) plus two B vectors and one broadcast
/// A value use 15 of the 16 AVX2 registers, so the k-loop runs without spills: per k step it does
/// 2 vector loads, 6 broadcasts and 12 FMAs.
///
/// Every element of C is computed as a k-ordered FMA chain followed by `alpha * acc + beta * c`,
/// whether its tile is full or an edge tile, so the result does not depend on where tile or
/// thread boundaries fall (this is what makes 1- and 2-thread results bitwise equal).

/// Tile and cache-block sizes, chosen for Zen 1 (32 KiB L1d, 512 KiB L2, 8 MiB L3 per CCX); they
/// also fit this machine's larger caches, where the kernel runs at 93-97% of MKL.
public enum GEMMBlocking {
    /// Rows of C per micro-tile.
    static let mr = 6
    /// Columns of C per micro-tile (two SIMD8 vectors).
    static let nr = 16
    /// Depth of one packed block: a 16 x 256 B micro-panel (16 KiB) stays in L1.
    static let kc = 256
    /// Rows of A per packed block: 144 x 256 floats = 144 KiB, well inside L2.
    static let mc = 144
    /// Columns of B per packed block: 256 x 2048 floats = 2 MiB, inside L3.
    static let nc = 2048
    /// Rectangles at most this many columns wide (4 micro-panels) read A in place, unpacked.
    static let unpackedAMaxColumns = 64
    /// Whether full tiles run two B micro-panels at a time in `gemmKernel6x32` (zmm registers):
    /// on where the CPU has AVX-512. Results are the same bits either way; tests and `bench`
    /// set it to compare the two. Set before GEMMs run (like `Threads.count`), not during.
    nonisolated(unsafe) public static var widePairs = cpuHasAVX512()
}

/// Offsets of the 6 A rows of a micro-tile from the A pointer, plus the step between k values.
/// Packed panels use rows (0...5) and step 6; unpacked row-major A uses rows (0, lda, ...) and
/// step 1; unpacked transposed A uses rows (0...5) and step lda. Rows past the matrix edge
/// repeat the last real row, so nothing is read out of bounds (their results are discarded).
struct GEMMARows {
    var r0: Int, r1: Int, r2: Int, r3: Int, r4: Int, r5: Int
    var step: Int

    /// Layout of a packed A micro-panel (a literal, so the kernel sees constant offsets).
    @inline(__always)
    static var packed: GEMMARows { GEMMARows(r0: 0, r1: 1, r2: 2, r3: 3, r4: 4, r5: 5, step: 6) }

    /// Rows of an unpacked A where row r starts at `r * rowStride` and k advances by `step`;
    /// only `rows` (1...6) of them exist.
    @inline(__always)
    static func strided(rowStride: Int, step: Int, rows: Int) -> GEMMARows {
        let last = rows - 1
        return GEMMARows(r0: 0, r1: min(1, last) * rowStride, r2: min(2, last) * rowStride,
                         r3: min(3, last) * rowStride, r4: min(4, last) * rowStride,
                         r5: min(5, last) * rowStride, step: step)
    }
}

/// Computes the 6x16 product of A rows `rowsA` (see `GEMMARows`) and a packed B micro-panel
/// `b` (kc x 16, k-major) and stores `alpha * acc + beta * C` into the full tile at `c`
/// (beta == 0: C is not read).
@inline(__always)
func gemmKernel6x16(kc: Int, a: UnsafePointer<Float>, rowsA: GEMMARows, b: UnsafePointer<Float>,
                    c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float) {
    var c00 = SIMD8<Float>(), c01 = SIMD8<Float>()
    var c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
    var c20 = SIMD8<Float>(), c21 = SIMD8<Float>()
    var c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
    var c40 = SIMD8<Float>(), c41 = SIMD8<Float>()
    var c50 = SIMD8<Float>(), c51 = SIMD8<Float>()
    // B is walked with a moving pointer, not a base plus a growing byte offset: with the offset
    // form LLVM unrolled the loop twice and spilled accumulators to the stack every k step
    // (39 GFLOP/s on one core); with the pointer it keeps all 12 in registers (98 GFLOP/s).
    var pb = UnsafeRawPointer(b)
    let (r0, r1, r2, r3, r4, r5) = (rowsA.r0, rowsA.r1, rowsA.r2, rowsA.r3, rowsA.r4, rowsA.r5)
    let step = rowsA.step
    var pa = a
    for _ in 0..<kc {
        let b0 = pb.loadUnaligned(as: SIMD8<Float>.self)
        let b1 = pb.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
        var av = SIMD8<Float>(repeating: pa[r0])
        c00.addProduct(av, b0); c01.addProduct(av, b1)
        av = SIMD8<Float>(repeating: pa[r1])
        c10.addProduct(av, b0); c11.addProduct(av, b1)
        av = SIMD8<Float>(repeating: pa[r2])
        c20.addProduct(av, b0); c21.addProduct(av, b1)
        av = SIMD8<Float>(repeating: pa[r3])
        c30.addProduct(av, b0); c31.addProduct(av, b1)
        av = SIMD8<Float>(repeating: pa[r4])
        c40.addProduct(av, b0); c41.addProduct(av, b1)
        av = SIMD8<Float>(repeating: pa[r5])
        c50.addProduct(av, b0); c51.addProduct(av, b1)
        pa += step
        pb += 64
    }
    gemmStoreRow(c, c00, c01, alpha, beta)
    gemmStoreRow(c + ldc, c10, c11, alpha, beta)
    gemmStoreRow(c + 2 * ldc, c20, c21, alpha, beta)
    gemmStoreRow(c + 3 * ldc, c30, c31, alpha, beta)
    gemmStoreRow(c + 4 * ldc, c40, c41, alpha, beta)
    gemmStoreRow(c + 5 * ldc, c50, c51, alpha, beta)
}

/// The kernel on a packed A micro-panel, compiled on its own: a separate function gets its own
/// register allocation (inlined into the driver, LLVM spilled accumulators), and a call per
/// 6x16xKC tile costs nothing measurable.
@inline(never)
func gemmKernelPacked(kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                      c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float) {
    gemmKernel6x16(kc: kc, a: a, rowsA: .packed, b: b, c: c, ldc: ldc, alpha: alpha, beta: beta)
}

/// The kernel on A read in place (row offsets and k step in `rowsA`); see `gemmKernelPacked`.
@inline(never)
func gemmKernelStrided(kc: Int, a: UnsafePointer<Float>, rowsA: GEMMARows, b: UnsafePointer<Float>,
                       c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float) {
    gemmKernel6x16(kc: kc, a: a, rowsA: rowsA, b: b, c: c, ldc: ldc, alpha: alpha, beta: beta)
}

/// Half-width kernel for a last micro-panel with at most 8 real columns (e.g. attention's
/// S = 20 = 16 + 4): computes `alpha * acc + beta * C` for the 6x8 tile from the first 8 lanes
/// of a packed 16-wide B panel, halving the wasted FMAs. Same per-element FMA chain as the 6x16
/// kernel, so results do not depend on which kernel covered an element.
@inline(never)
func gemmKernel6x8(kc: Int, a: UnsafePointer<Float>, rowsA: GEMMARows, b: UnsafePointer<Float>,
                   c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float) {
    var c0 = SIMD8<Float>(), c1 = SIMD8<Float>(), c2 = SIMD8<Float>()
    var c3 = SIMD8<Float>(), c4 = SIMD8<Float>(), c5 = SIMD8<Float>()
    // A moving B pointer, as in `gemmKernel6x16` (keeps the accumulators in registers).
    var pb = UnsafeRawPointer(b)
    let (r0, r1, r2, r3, r4, r5) = (rowsA.r0, rowsA.r1, rowsA.r2, rowsA.r3, rowsA.r4, rowsA.r5)
    let step = rowsA.step
    var pa = a
    for _ in 0..<kc {
        let b0 = pb.loadUnaligned(as: SIMD8<Float>.self)
        c0.addProduct(SIMD8<Float>(repeating: pa[r0]), b0)
        c1.addProduct(SIMD8<Float>(repeating: pa[r1]), b0)
        c2.addProduct(SIMD8<Float>(repeating: pa[r2]), b0)
        c3.addProduct(SIMD8<Float>(repeating: pa[r3]), b0)
        c4.addProduct(SIMD8<Float>(repeating: pa[r4]), b0)
        c5.addProduct(SIMD8<Float>(repeating: pa[r5]), b0)
        pa += step
        pb += 64
    }
    gemmStoreRow8(c, c0, alpha, beta)
    gemmStoreRow8(c + ldc, c1, alpha, beta)
    gemmStoreRow8(c + 2 * ldc, c2, alpha, beta)
    gemmStoreRow8(c + 3 * ldc, c3, alpha, beta)
    gemmStoreRow8(c + 4 * ldc, c4, alpha, beta)
    gemmStoreRow8(c + 5 * ldc, c5, alpha, beta)
}

/// Stores one 8-wide row: `alpha * acc + beta * C`, with beta == 0 not reading C.
@inline(__always)
func gemmStoreRow8(_ c: UnsafeMutablePointer<Float>, _ v: SIMD8<Float>, _ alpha: Float, _ beta: Float) {
    let raw = UnsafeMutableRawPointer(c)
    if beta == 0 {
        raw.storeBytes(of: alpha * v, as: SIMD8<Float>.self)
    } else {
        let old = raw.loadUnaligned(as: SIMD8<Float>.self)
        raw.storeBytes(of: alpha * v + beta * old, as: SIMD8<Float>.self)
    }
}

/// Stores one 16-wide row of a tile: `alpha * acc + beta * C`, with beta == 0 not reading C.
@inline(__always)
func gemmStoreRow(_ c: UnsafeMutablePointer<Float>, _ v0: SIMD8<Float>, _ v1: SIMD8<Float>,
                  _ alpha: Float, _ beta: Float) {
    let raw = UnsafeMutableRawPointer(c)
    if beta == 0 {
        raw.storeBytes(of: alpha * v0, as: SIMD8<Float>.self)
        raw.storeBytes(of: alpha * v1, toByteOffset: 32, as: SIMD8<Float>.self)
    } else {
        let o0 = raw.loadUnaligned(as: SIMD8<Float>.self)
        let o1 = raw.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
        raw.storeBytes(of: alpha * v0 + beta * o0, as: SIMD8<Float>.self)
        raw.storeBytes(of: alpha * v1 + beta * o1, toByteOffset: 32, as: SIMD8<Float>.self)
    }
}

/// Edge tile: runs the full kernel into a scratch 6x16 tile (alpha 1, beta 0, i.e. the raw
/// accumulators) and applies `alpha * acc + beta * C` element by element to the `rows x cols`
/// part that exists. Same per-element arithmetic as the full tile, so results match bitwise.
@inline(__always)
func gemmKernelEdge(packed: Bool, kc: Int, a: UnsafePointer<Float>, rowsA: GEMMARows, b: UnsafePointer<Float>,
                    c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, cols: Int,
                    alpha: Float, beta: Float, scratch: UnsafeMutablePointer<Float>) {
    if cols <= 8 {
        gemmKernel6x8(kc: kc, a: a, rowsA: rowsA, b: b, c: scratch, ldc: 16, alpha: 1, beta: 0)
    } else if packed {
        gemmKernelPacked(kc: kc, a: a, b: b, c: scratch, ldc: 16, alpha: 1, beta: 0)
    } else {
        gemmKernelStrided(kc: kc, a: a, rowsA: rowsA, b: b, c: scratch, ldc: 16, alpha: 1, beta: 0)
    }
    for r in 0..<rows {
        let src = scratch + r * 16
        let dst = c + r * ldc
        if beta == 0 {
            for j in 0..<cols { dst[j] = alpha * src[j] }
        } else {
            for j in 0..<cols { dst[j] = alpha * src[j] + beta * dst[j] }
        }
    }
}
