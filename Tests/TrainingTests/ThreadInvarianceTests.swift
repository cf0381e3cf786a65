import Engine
import Foundation
import Training
import XCTest

final class ThreadInvarianceTests: XCTestCase {
    /// Ten updates with 1 and with 2 threads give the same weights and validation loss to the last
    /// bit: every kernel splits work over rows, columns or batches, never over a reduction.
    /// The shapes are big enough that matmuls, softmax, layer norm and the fused output loss
    /// really do split (batches of ~100 sentences, d_model 64, d_ff 256).
    func testOneAndTwoThreadsTrainBitwiseIdentically() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir); Threads.count = 2 }
        let data = dir.appendingPathComponent("toy.tsv")
        try writeToyCorpus(to: data, pairs: 600, seed: 4)
        var runs: [LoadedCheckpoint] = []
        for threads in [1, 2] {
            var c = tinyTrainConfig(data: data, out: dir.appendingPathComponent("t\(threads)"), steps: 10)
            (c.model.modelDim, c.model.heads, c.model.feedForwardDim) = (64, 4, 256)
            c.model.dropout = 0.1
            c.batchTokens = 2048
            c.threads = threads
            try Trainer(config: c, resume: false, log: { _ in }).run(progress: { _ in })
            runs.append(try loadCheckpoint(c.out))
        }
        let (one, two) = (runs[0], runs[1])
        XCTAssertEqual(one.state?.step, 10)
        XCTAssertEqual(one.state?.history.last?.loss.bitPattern, two.state?.history.last?.loss.bitPattern, "validation loss differs")
        for ((name, x), (_, y)) in zip(one.model.parameters(), two.model.parameters()) {
            XCTAssertEqual(x.values.map(\.bitPattern), y.values.map(\.bitPattern), "\(name) differs between 1 and 2 threads")
        }
    }
}
