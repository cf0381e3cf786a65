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

/// Tile and cache-block sizes, tuned for Zen 1 (32 KiB L1d, 512 KiB L2, 8 MiB L3 per CCX).
public enum GEMMBlocking {
    /// Rows of C per micro-tile.
    public static let mr = 6
    /// Columns of C per micro-tile (two SIMD8 vectors).
    public static let nr = 16
    /// Depth of one packed block: a 16 x 256 B micro-panel (16 KiB) stays in L1.
    public static let kc = 256
    /// Rows of A per packed block: 144 x 256 floats = 144 KiB, well inside L2.
    public static let mc = 144
    /// Columns of B per packed block: 256 x 2048 floats = 2 MiB, inside L3.
    public static let nc = 2048
}

/// Computes the 6x16 product of packed panels `a` (kc x 6, k-major) and `b` (kc x 16, k-major)
/// and stores `alpha * acc + beta * C` into the full tile at `c` (beta == 0: C is not read).
@inline(__always)
func gemmKernel6x16(kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                    c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float) {
    var c00 = SIMD8<Float>(), c01 = SIMD8<Float>()
    var c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
    var c20 = SIMD8<Float>(), c21 = SIMD8<Float>()
    var c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
    var c40 = SIMD8<Float>(), c41 = SIMD8<Float>()
    var c50 = SIMD8<Float>(), c51 = SIMD8<Float>()
    let rb = UnsafeRawPointer(b)
    var pa = a
    var off = 0
    for _ in 0..<kc {
        let b0 = rb.loadUnaligned(fromByteOffset: off, as: SIMD8<Float>.self)
        let b1 = rb.loadUnaligned(fromByteOffset: off + 32, as: SIMD8<Float>.self)
        var av = SIMD8<Float>(repeating: pa[0])
        c00.addProduct(av, b0); c01.addProduct(av, b1)
        av = SIMD8<Float>(repeating: pa[1])
        c10.addProduct(av, b0); c11.addProduct(av, b1)
        av = SIMD8<Float>(repeating: pa[2])
        c20.addProduct(av, b0); c21.addProduct(av, b1)
        av = SIMD8<Float>(repeating: pa[3])
        c30.addProduct(av, b0); c31.addProduct(av, b1)
        av = SIMD8<Float>(repeating: pa[4])
        c40.addProduct(av, b0); c41.addProduct(av, b1)
        av = SIMD8<Float>(repeating: pa[5])
        c50.addProduct(av, b0); c51.addProduct(av, b1)
        pa += 6
        off += 64
    }
    gemmStoreRow(c, c00, c01, alpha, beta)
    gemmStoreRow(c + ldc, c10, c11, alpha, beta)
    gemmStoreRow(c + 2 * ldc, c20, c21, alpha, beta)
    gemmStoreRow(c + 3 * ldc, c30, c31, alpha, beta)
    gemmStoreRow(c + 4 * ldc, c40, c41, alpha, beta)
    gemmStoreRow(c + 5 * ldc, c50, c51, alpha, beta)
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
func gemmKernelEdge(kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                    c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, cols: Int,
                    alpha: Float, beta: Float, scratch: UnsafeMutablePointer<Float>) {
    gemmKernel6x16(kc: kc, a: a, b: b, c: scratch, ldc: 16, alpha: 1, beta: 0)
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
