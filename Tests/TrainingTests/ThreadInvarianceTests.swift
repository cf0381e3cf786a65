import Engine
import Foundation
import Training
import XCTest

final class ThreadInvarianceTests: XCTestCase {
    /// Ten updates with 1, 2, 3, 4 and 8 threads give the same weights and validation loss to the
    /// last bit: every kernel splits work over rows, columns or batches, never over a reduction.
    /// The shapes are big enough that matmuls, softmax, layer norm and the fused output loss
    /// really do split (batches of ~100 sentences, d_model 64, d_ff 256); 3 threads cut the work
    /// unevenly, and 8 are more than this machine's cores (a user's default on a bigger one).
    func testOneToEightThreadsTrainBitwiseIdentically() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir); Threads.count = Threads.available }
        let data = dir.appendingPathComponent("toy.tsv")
        try writeToyCorpus(to: data, pairs: 600, seed: 4)
        var runs: [LoadedCheckpoint] = []
        let counts = [1, 2, 3, 4, 8]
        for threads in counts {
            var c = tinyTrainConfig(data: data, out: dir.appendingPathComponent("t\(threads)"), steps: 10)
            (c.model.modelDim, c.model.heads, c.model.feedForwardDim) = (64, 4, 256)
            c.model.dropout = 0.1
            c.batchTokens = 2048
            c.threads = threads
            try Trainer(config: c, resume: false, log: { _ in }).run(progress: { _ in })
            runs.append(try loadCheckpoint(c.out))
        }
        let one = runs[0]
        XCTAssertEqual(one.state?.step, 10)
        for (threads, other) in zip(counts.dropFirst(), runs.dropFirst()) {
            XCTAssertEqual(one.state?.history.last?.loss.bitPattern, other.state?.history.last?.loss.bitPattern,
                           "validation loss differs between 1 and \(threads) threads")
            for ((name, x), (_, y)) in zip(one.model.parameters(), other.model.parameters()) {
                XCTAssertEqual(x.values.map(\.bitPattern), y.values.map(\.bitPattern), "\(name) differs between 1 and \(threads) threads")
            }
        }
    }
}
