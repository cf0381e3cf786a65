import Engine
import XCTest

/// Checks `sgemm` / `sgemmBatched` against a naive triple loop accumulated in Double.
///
/// Tolerance: |got - want| <= 1e-5 * sqrt(k) * (sum_p |alpha * a_ip * b_pj| + |beta * c_ij|) + 1e-30.
/// Float rounding in a k-term dot product grows like sqrt(k) * eps(~6e-8) * the magnitude of the
/// terms for random-sign data; 1e-5 leaves ~100x headroom over that while a wrong index,
/// a missing k block or a bad edge tile gives errors of order 1.
final class GEMMTests: XCTestCase {
    /// Deterministic pseudo-random values in [-1, 1) (no Foundation randomness: reproducible).
    struct LCG {
        var state: UInt64
        mutating func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int32(truncatingIfNeeded: state >> 32)) / Float(1 << 31)
        }
        mutating func fill(_ n: Int) -> [Float] { (0..<n).map { _ in next() } }
    }

    /// One GEMM case, with stored layouts derived from the transpose flags and padding.
    struct Case {
        var m: Int, n: Int, k: Int
        var transA = false, transB = false
        var pad = 0
        var alpha: Float = 1, beta: Float = 0
        var lda: Int { (transA ? m : k) + pad }
        var ldb: Int { (transB ? k : n) + pad }
        var ldc: Int { n + pad }
        var aCount: Int { max(1, (transA ? k : m) * lda) }
        var bCount: Int { max(1, (transB ? n : k) * ldb) }
        var cCount: Int { max(1, m * ldc) }
    }

    /// Reference: returns (value, error bound) for every stored element of C (padding included:
    /// it must be left untouched).
    func reference(_ t: Case, _ a: [Float], _ b: [Float], _ c0: [Float]) -> [(Double, Double)] {
        var out = c0.map { (Double($0), 0.0) }
        for i in 0..<t.m {
            for j in 0..<t.n {
                var sum = 0.0, mag = 0.0
                for p in 0..<t.k {
                    let av = Double(t.transA ? a[p * t.lda + i] : a[i * t.lda + p])
                    let bv = Double(t.transB ? b[j * t.ldb + p] : b[p * t.ldb + j])
                    sum += av * bv
                    mag += abs(av * bv)
                }
                let old = t.beta == 0 ? 0 : Double(c0[i * t.ldc + j])
                let value = Double(t.alpha) * sum + Double(t.beta) * old
                let bound = 1e-5 * Double(max(1, t.k)).squareRoot()
                    * (abs(Double(t.alpha)) * mag + abs(Double(t.beta) * old)) + 1e-30
                out[i * t.ldc + j] = (value, bound)
            }
        }
        return out
    }

    func run(_ t: Case, seed: UInt64, file: StaticString = #filePath, line: UInt = #line) {
        var rng = LCG(state: seed)
        let a = rng.fill(t.aCount), b = rng.fill(t.bCount)
        // beta == 0 must not read C: fill the matrix part with NaN, keep padding finite.
        var c = rng.fill(t.cCount)
        if t.beta == 0 {
            for i in 0..<t.m { for j in 0..<t.n { c[i * t.ldc + j] = .nan } }
        }
        let want = reference(t, a, b, c)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    sgemm(transA: t.transA, transB: t.transB, m: t.m, n: t.n, k: t.k,
                          alpha: t.alpha, a: pa.baseAddress!, lda: t.lda, b: pb.baseAddress!,
                          ldb: t.ldb, beta: t.beta, c: pc.baseAddress!, ldc: t.ldc)
                }
            }
        }
        for idx in 0..<c.count {
            let (v, tol) = want[idx]
            let got = Double(c[idx])
            if !(abs(got - v) <= tol) {
                XCTFail("\(t) element \(idx): got \(got), want \(v) ± \(tol)", file: file, line: line)
                return
            }
        }
    }

    func testAwkwardShapesAllTransposes() {
        let sizes = [1, 7, 33, 65, 130]
        var seed: UInt64 = 1
        for m in sizes {
            for n in sizes {
                for k in [1, 7, 33, 130] {
                    // All four transpose combos on a subset keeps the Double reference fast.
                    for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                        if m * n * k > 40_000 && (ta != tb) { continue }
                        seed += 1
                        run(Case(m: m, n: n, k: k, transA: ta, transB: tb), seed: seed)
                    }
                }
            }
        }
    }

    func testFewRowsAllTransposes() {
        // m < 6 takes the unpacked few-rows path (decoding); k around multiples of 8 checks
        // the dot-product tails, n around 16 and 64 the column-block tails.
        var seed: UInt64 = 500
        for m in 1...5 {
            for n in [1, 3, 17, 64, 65, 130] {
                for k in [1, 8, 9, 300] {
                    for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                        seed += 1
                        run(Case(m: m, n: n, k: k, transA: ta, transB: tb, pad: m % 2,
                                 alpha: 1.5, beta: m == 3 ? 0.5 : 0), seed: seed)
                    }
                }
            }
        }
    }

    func testDeepKCrossesBlocks() {
        // k > 256 exercises the beta = 1 accumulation between packed k blocks.
        run(Case(m: 13, n: 37, k: 600, transA: false, transB: true, alpha: 1, beta: 0), seed: 7)
        run(Case(m: 65, n: 33, k: 513, transA: true, transB: false, alpha: 0.5, beta: 1), seed: 8)
    }

    func testLeadingDimensionsLargerThanMinimum() {
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            run(Case(m: 33, n: 65, k: 7, transA: ta, transB: tb, pad: 5), seed: 11)
            run(Case(m: 7, n: 17, k: 130, transA: ta, transB: tb, pad: 3, alpha: 2, beta: 1), seed: 12)
        }
    }

    func testAlphaBetaVariations() {
        for (alpha, beta) in [(Float(1), Float(0)), (1, 1), (-0.5, 0), (2, -1.5), (0.25, 0.75)] {
            run(Case(m: 33, n: 33, k: 33, transA: false, transB: true, pad: 2,
                     alpha: alpha, beta: beta), seed: 21)
        }
    }

    func testZeroKScalesC() {
        // k == 0: C = beta * C; beta == 0 must clear NaN garbage.
        run(Case(m: 7, n: 33, k: 0, pad: 1, alpha: 1, beta: 0), seed: 31)
        run(Case(m: 7, n: 33, k: 0, pad: 1, alpha: 1, beta: 1), seed: 32)
        run(Case(m: 7, n: 33, k: 0, pad: 1, alpha: 3, beta: -2), seed: 33)
    }

    func testAlphaZeroIgnoresNaNInputs() {
        let a = [Float](repeating: .nan, count: 12), b = [Float](repeating: .nan, count: 12)
        var c: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
        sgemm(transA: false, transB: false, m: 3, n: 3, k: 4, alpha: 0, a: a, lda: 4, b: b, ldb: 3,
              beta: 2, c: &c, ldc: 3)
        XCTAssertEqual(c, [2, 4, 6, 8, 10, 12, 14, 16, 18])
    }

    /// Batched products against per-item `sgemm` calls, each already checked above.
    func checkBatched(batch: Int, m: Int, n: Int, k: Int, transA: Bool, transB: Bool,
                      shareB: Bool, beta: Float, seed: UInt64) {
        var rng = LCG(state: seed)
        let strideA = m * k + 3, strideB = shareB ? 0 : k * n + 5, strideC = m * n + 2
        let a = rng.fill(batch * strideA), b = rng.fill(max(1, batch * strideB + k * n))
        let c0 = rng.fill(batch * strideC)
        let lda = transA ? m : k, ldb = transB ? k : n
        var batched = c0, single = c0
        sgemmBatched(batch: batch, transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5,
                     a: a, lda: lda, strideA: strideA, b: b, ldb: ldb, strideB: strideB,
                     beta: beta, c: &batched, ldc: n, strideC: strideC)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                single.withUnsafeMutableBufferPointer { pc in
                    for i in 0..<batch {
                        sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5,
                              a: pa.baseAddress! + i * strideA, lda: lda,
                              b: pb.baseAddress! + i * strideB, ldb: ldb, beta: beta,
                              c: pc.baseAddress! + i * strideC, ldc: n)
                    }
                }
            }
        }
        XCTAssertEqual(batched, single, "batch \(batch) \(m)x\(n)x\(k) shareB \(shareB)")
        // And one item against the Double reference, so a shared bug cannot hide.
        let last = batch - 1
        var refC = Array(c0[(last * strideC)..<(last * strideC + m * n)])
        let refA = Array(a[(last * strideA)..<(last * strideA + m * k)])
        let refB = Array(b[(last * strideB)..<(last * strideB + k * n)])
        let t = Case(m: m, n: n, k: k, transA: transA, transB: transB, alpha: 0.5, beta: beta)
        let want = reference(t, refA, refB, refC)
        refC = Array(batched[(last * strideC)..<(last * strideC + m * n)])
        for (got, (v, tol)) in zip(refC, want) where !(abs(Double(got) - v) <= tol) {
            XCTFail("batched item \(last): got \(got), want \(v) ± \(tol)")
            return
        }
    }

    func testBatchedNormalAndSharedStrides() {
        for (ta, tb) in [(false, false), (false, true), (true, false)] {
            checkBatched(batch: 37, m: 20, n: 20, k: 16, transA: ta, transB: tb,
                         shareB: false, beta: 0, seed: 41)
            checkBatched(batch: 9, m: 7, n: 33, k: 65, transA: ta, transB: tb,
                         shareB: true, beta: 1, seed: 42)
        }
        // Few large items: the per-item multithreaded path.
        checkBatched(batch: 2, m: 130, n: 130, k: 65, transA: false, transB: true,
                     shareB: false, beta: 0, seed: 43)
    }

    /// Runs `body` with 1 and with 2 threads and demands identical bits.
    func assertThreadInvariant(_ label: String, _ body: () -> [Float]) {
        let saved = Threads.count
        defer { Threads.count = saved }
        Threads.count = 1
        let one = body()
        Threads.count = 2
        let two = body()
        XCTAssertEqual(one.map(\.bitPattern), two.map(\.bitPattern), label)
    }

    func testOneAndTwoThreadsBitwiseEqual() {
        // (30, 120, 700) splits over N into 64-column strips, which read A unpacked while the
        // 1-thread run packs it: the two paths must agree bit for bit.
        // (1030, 100, 64) is tall enough to be cut into several strips per thread.
        for (m, n, k) in [(301, 97, 300), (50, 517, 270), (30, 120, 700), (1030, 100, 64)] {
            var rng = LCG(state: UInt64(m * n + k))
            let a = rng.fill(m * k), b = rng.fill(k * n), c0 = rng.fill(m * n)
            assertThreadInvariant("\(m)x\(n)x\(k)") {
                var c = c0
                sgemm(transA: false, transB: true, m: m, n: n, k: k, alpha: 1.5, a: a, lda: k,
                      b: b, ldb: k, beta: 0.5, c: &c, ldc: n)
                return c
            }
        }
        // Few-rows path (m < 6), split over columns, both B layouts.
        for (m, n, k) in [(1, 3001, 300), (4, 2050, 259)] {
            var rng = LCG(state: UInt64(m + n))
            let a = rng.fill(m * k), b = rng.fill(k * n)
            for tb in [false, true] {
                assertThreadInvariant("\(m)x\(n)x\(k) transB \(tb)") {
                    var c = [Float](repeating: .nan, count: m * n)
                    sgemm(transA: false, transB: tb, m: m, n: n, k: k, alpha: 1, a: a, lda: k,
                          b: b, ldb: tb ? k : n, beta: 0, c: &c, ldc: n)
                    return c
                }
            }
        }
        var rng = LCG(state: 99)
        let a = rng.fill(64 * 20 * 32), b = rng.fill(64 * 20 * 32)
        assertThreadInvariant("batched") {
            var c = [Float](repeating: .nan, count: 64 * 20 * 20)
            sgemmBatched(batch: 64, transA: false, transB: true, m: 20, n: 20, k: 32, alpha: 1,
                         a: a, lda: 32, strideA: 640, b: b, ldb: 32, strideB: 640, beta: 0,
                         c: &c, ldc: 20, strideC: 400)
            return c
        }
    }

    /// The 6x32 kernel (`GEMMBlocking.widePairs`, AVX-512) against the 6x16 kernel it pairs up:
    /// every element is the same k-ordered FMA chain, so C must be the same bits, on packed and
    /// in-place A, every transpose, full and edge tiles (n = 97 leaves a pair, a single panel
    /// and a ragged one; n = 48 an odd panel count), beta 0 over NaN and beta 0.5.
    func testWidePairKernelBitwiseEqualsTheSixteenColumnKernel() {
        let saved = GEMMBlocking.widePairs
        defer { GEMMBlocking.widePairs = saved }
        for (m, n, k) in [(301, 97, 300), (13, 48, 40), (50, 517, 270), (30, 64, 700), (7, 33, 5)] {
            var rng = LCG(state: UInt64(m * 31 + n * 7 + k))
            let a = rng.fill(m * k), b = rng.fill(k * n), c0 = rng.fill(m * n)
            for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
                for beta: Float in [0, 0.5] {
                    func run() -> [Float] {
                        var c = beta == 0 ? [Float](repeating: .nan, count: m * n) : c0
                        sgemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1.5, a: a, lda: ta ? m : k,
                              b: b, ldb: tb ? k : n, beta: beta, c: &c, ldc: n)
                        return c
                    }
                    GEMMBlocking.widePairs = false
                    let narrow = run()
                    GEMMBlocking.widePairs = true
                    let wide = run()
                    XCTAssertEqual(wide.map(\.bitPattern), narrow.map(\.bitPattern), "\(m)x\(n)x\(k) \(ta) \(tb) beta \(beta)")
                    XCTAssertFalse(wide.contains { $0.isNaN }, "\(m)x\(n)x\(k)")
                }
            }
        }
    }
}
