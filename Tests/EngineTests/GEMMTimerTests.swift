import Engine
import XCTest

/// `GEMMTimer` counts time and calls inside `sgemm` / `sgemmBatched` only while enabled, and
/// `matmul` (which the model uses) goes through those entry points.
final class GEMMTimerTests: XCTestCase {
    override func tearDown() {
        GEMMTimer.isEnabled = false
        GEMMTimer.reset()
    }

    /// Runs one plain product, one batched product and one tensor `matmul`.
    private func multiply() {
        let (m, n, k) = (48, 40, 32)
        let a = [Float](repeating: 0.5, count: 2 * m * k)
        let b = [Float](repeating: -0.25, count: 2 * k * n)
        var c = [Float](repeating: 0, count: 2 * m * n)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    sgemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: pa.baseAddress!, lda: k,
                          b: pb.baseAddress!, ldb: n, beta: 0, c: pc.baseAddress!, ldc: n)
                    sgemmBatched(batch: 2, transA: false, transB: false, m: m, n: n, k: k, alpha: 1,
                                 a: pa.baseAddress!, lda: k, strideA: m * k, b: pb.baseAddress!, ldb: n, strideB: k * n,
                                 beta: 0, c: pc.baseAddress!, ldc: n, strideC: m * n)
                }
            }
        }
        XCTAssertEqual(c[0], Float(k) * 0.5 * -0.25)  // the products really ran
        _ = matmul(Tensor(shape: [m, k], values: Array(a.prefix(m * k))), Tensor(shape: [k, n], values: Array(b.prefix(k * n))))
    }

    func testOffCountsNothing() {
        GEMMTimer.isEnabled = false
        GEMMTimer.reset()
        multiply()
        XCTAssertEqual(GEMMTimer.nanoseconds, 0)
        XCTAssertEqual(GEMMTimer.calls, 0)
    }

    func testOnAccumulatesEveryCall() {
        GEMMTimer.reset()
        GEMMTimer.isEnabled = true
        multiply()
        GEMMTimer.isEnabled = false
        XCTAssertGreaterThan(GEMMTimer.nanoseconds, 0)
        XCTAssertEqual(GEMMTimer.calls, 3, "sgemm, sgemmBatched and matmul: one timed call each")
        // By shape: the plain product and matmul's are the same shape, the batched one its own.
        let plain = GEMMShape(batch: 1, m: 48, n: 40, k: 32, transA: false, transB: false)
        let batched = GEMMShape(batch: 2, m: 48, n: 40, k: 32, transA: false, transB: false)
        XCTAssertEqual(Set(GEMMTimer.byShape.keys), [plain, batched])
        XCTAssertEqual(GEMMTimer.byShape[plain]?.calls, 2)
        XCTAssertEqual(GEMMTimer.byShape[batched]?.calls, 1)
        XCTAssertEqual(GEMMTimer.byShape.values.reduce(0) { $0 + $1.nanoseconds }, GEMMTimer.nanoseconds)
        XCTAssertEqual(batched.flops, 2 * 2 * 48 * 40 * 32)
        XCTAssertEqual(batched.description, "2x[48,32]·[32,40]")
        XCTAssertEqual(GEMMShape(batch: 1, m: 4, n: 5, k: 6, transA: true, transB: true).description, "[4,6]ᵀ·[6,5]ᵀ")
        // Off again: further products leave the totals alone; reset clears them.
        let (ns, calls) = (GEMMTimer.nanoseconds, GEMMTimer.calls)
        multiply()
        XCTAssertEqual(GEMMTimer.nanoseconds, ns)
        XCTAssertEqual(GEMMTimer.calls, calls)
        GEMMTimer.reset()
        XCTAssertEqual(GEMMTimer.nanoseconds, 0)
        XCTAssertEqual(GEMMTimer.calls, 0)
        XCTAssertTrue(GEMMTimer.byShape.isEmpty)
    }
}
