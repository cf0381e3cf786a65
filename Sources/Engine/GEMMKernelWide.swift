#if canImport(Glibc)
import Glibc
#endif

/// The AVX-512 twin of `gemmKernel6x16`: one 6x32 tile of C from a packed A micro-panel and two
/// adjacent 16-column B micro-panels, in twelve `SIMD16<Float>` (zmm) accumulators.
///
/// On a CPU with 512-bit vectors the 6x16 kernel's `SIMD8` accumulators use half of each
/// register and reach at most half the FMA throughput (60-75 GFLOP/s on one core of the Xeon of
/// docs/PERFORMANCE.md, against ~130 for 16-lane code). This kernel reads the same packed
/// panels (B panel q and q+1 are `kc * 16` floats apart), so packing does not change, and it
/// computes every element of C as the same k-ordered FMA chain followed by `alpha * acc + beta
/// * c`: results are bitwise equal to the 6x16 kernel's (GEMMTests ties the two).
///
/// On a CPU without 512-bit vectors (AVX2), `SIMD16` takes two registers and 24 accumulators
/// would spill, so `GEMMBlocking.widePairs` is only on where the CPU reports `avx512f`.
@inline(__always)
func gemmKernel6x32(kc: Int, a: UnsafePointer<Float>, rowsA: GEMMARows, b: UnsafePointer<Float>,
                    c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float) {
    var c00 = SIMD16<Float>(), c01 = SIMD16<Float>()
    var c10 = SIMD16<Float>(), c11 = SIMD16<Float>()
    var c20 = SIMD16<Float>(), c21 = SIMD16<Float>()
    var c30 = SIMD16<Float>(), c31 = SIMD16<Float>()
    var c40 = SIMD16<Float>(), c41 = SIMD16<Float>()
    var c50 = SIMD16<Float>(), c51 = SIMD16<Float>()
    // Moving pointers, as in `gemmKernel6x16` (keeps the accumulators in registers).
    var p0 = UnsafeRawPointer(b)
    var p1 = UnsafeRawPointer(b + kc * GEMMBlocking.nr)
    let (r0, r1, r2, r3, r4, r5) = (rowsA.r0, rowsA.r1, rowsA.r2, rowsA.r3, rowsA.r4, rowsA.r5)
    let step = rowsA.step
    var pa = a
    for _ in 0..<kc {
        let b0 = p0.loadUnaligned(as: SIMD16<Float>.self)
        let b1 = p1.loadUnaligned(as: SIMD16<Float>.self)
        var av = SIMD16<Float>(repeating: pa[r0])
        c00.addProduct(av, b0); c01.addProduct(av, b1)
        av = SIMD16<Float>(repeating: pa[r1])
        c10.addProduct(av, b0); c11.addProduct(av, b1)
        av = SIMD16<Float>(repeating: pa[r2])
        c20.addProduct(av, b0); c21.addProduct(av, b1)
        av = SIMD16<Float>(repeating: pa[r3])
        c30.addProduct(av, b0); c31.addProduct(av, b1)
        av = SIMD16<Float>(repeating: pa[r4])
        c40.addProduct(av, b0); c41.addProduct(av, b1)
        av = SIMD16<Float>(repeating: pa[r5])
        c50.addProduct(av, b0); c51.addProduct(av, b1)
        pa += step
        p0 += 64
        p1 += 64
    }
    gemmStoreRow32(c, c00, c01, alpha, beta)
    gemmStoreRow32(c + ldc, c10, c11, alpha, beta)
    gemmStoreRow32(c + 2 * ldc, c20, c21, alpha, beta)
    gemmStoreRow32(c + 3 * ldc, c30, c31, alpha, beta)
    gemmStoreRow32(c + 4 * ldc, c40, c41, alpha, beta)
    gemmStoreRow32(c + 5 * ldc, c50, c51, alpha, beta)
}

/// `gemmKernel6x32` on packed A panels, compiled on its own (see `gemmKernelPacked`).
@inline(never)
func gemmKernelPackedWide(kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                          c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float) {
    gemmKernel6x32(kc: kc, a: a, rowsA: .packed, b: b, c: c, ldc: ldc, alpha: alpha, beta: beta)
}

/// `gemmKernel6x32` on A read in place (see `gemmKernelStrided`).
@inline(never)
func gemmKernelStridedWide(kc: Int, a: UnsafePointer<Float>, rowsA: GEMMARows, b: UnsafePointer<Float>,
                           c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float) {
    gemmKernel6x32(kc: kc, a: a, rowsA: rowsA, b: b, c: c, ldc: ldc, alpha: alpha, beta: beta)
}

/// Stores one 32-wide row of a tile: `alpha * acc + beta * C`, with beta == 0 not reading C.
@inline(__always)
func gemmStoreRow32(_ c: UnsafeMutablePointer<Float>, _ v0: SIMD16<Float>, _ v1: SIMD16<Float>,
                    _ alpha: Float, _ beta: Float) {
    let raw = UnsafeMutableRawPointer(c)
    if beta == 0 {
        raw.storeBytes(of: alpha * v0, as: SIMD16<Float>.self)
        raw.storeBytes(of: alpha * v1, toByteOffset: 64, as: SIMD16<Float>.self)
    } else {
        let o0 = raw.loadUnaligned(as: SIMD16<Float>.self)
        let o1 = raw.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
        raw.storeBytes(of: alpha * v0 + beta * o0, as: SIMD16<Float>.self)
        raw.storeBytes(of: alpha * v1 + beta * o1, toByteOffset: 64, as: SIMD16<Float>.self)
    }
}

/// Whether this CPU has 512-bit vectors (`avx512f` in /proc/cpuinfo's flags): where the wide
/// kernel pays. False where the file is missing (not Linux) or unreadable.
func cpuHasAVX512() -> Bool {
    #if arch(x86_64) && canImport(Glibc)
    guard let file = fopen("/proc/cpuinfo", "r") else { return false }
    defer { fclose(file) }
    var line: UnsafeMutablePointer<CChar>?
    var capacity = 0
    defer { free(line) }
    while getline(&line, &capacity, file) > 0 {
        guard let text = line.map({ String(cString: $0) }), text.hasPrefix("flags") else { continue }
        return text.split(separator: " ").contains("avx512f")
    }
    return false
    #else
    return false
    #endif
}
