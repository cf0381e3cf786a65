import Engine
import XCTest

/// Batched products whose item count does not divide into the thread chunks (found by
/// decoding a validation batch of 10 sentences: batch · heads = 40 items, 8 chunks of 5).
final class BatchedMatmulEdgeTests: XCTestCase {
    func testBatchCountsThatDoNotDivideIntoChunks() {
        let saved = Threads.count
        defer { Threads.count = saved }
        Threads.count = 2
        for batch in [1, 3, 5, 9, 10, 11, 17, 40, 41] {
            // Big enough per item to take the parallel path, small enough to be quick.
            let (m, n, k) = (64, 64, 64)
            let a = randn([batch, m, k], seed: UInt64(batch)), b = randn([batch, n, k], seed: UInt64(batch + 100))
            let c = matmul(a, b, transposeB: true)
            for i in Swift.stride(from: 0, to: batch, by: max(1, batch / 3)) {
                for r in [0, m - 1] {
                    for col in [0, n - 1] {
                        var s: Float = 0
                        for p in 0..<k { s += a.data[(i * m + r) * k + p] * b.data[(i * n + col) * k + p] }
                        XCTAssertEqual(c.data[(i * m + r) * n + col], s, accuracy: 1e-3, "batch \(batch) item \(i)")
                    }
                }
            }
        }
    }
}
