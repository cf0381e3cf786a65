import Engine
import XCTest

final class AutodiffTests: XCTestCase {
    func testGradientsAccumulateAcrossBackwardCalls() {
        let w = Tensor(shape: [2], values: [1, 2], requiresGrad: true)
        (w * 3).sum().backward()
        (w * 3).sum().backward()
        XCTAssertEqual(w.grad?.values, [6, 6])
        w.zeroGrad()
        XCTAssertNil(w.grad)
    }

    func testNoGradRecordsNothing() {
        let w = Tensor(shape: [2], values: [1, 2], requiresGrad: true)
        let y = Graph.noGrad { (w * w).sum() }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertTrue(Graph.isRecording)
    }

    func testGraphIsFreedAfterBackward() {
        let w = randn([8, 8], seed: 1)
        w.requiresGrad = true
        weak var intermediate: Tensor?
        do {
            let h = relu(matmul(randn([4, 8], seed: 2), w))
            intermediate = h
            (h * h).mean().backward()
        }
        XCTAssertNil(intermediate, "an intermediate tensor outlived backward(): the graph leaks")
        XCTAssertNotNil(w.grad)
    }

    func testMemoryDoesNotGrowOver1000Steps() {
        var rng = RandomGenerator(seed: 3)
        let w1 = Tensor.randomNormal([16, 32], std: 0.1, rng: &rng, requiresGrad: true)
        let w2 = Tensor.randomNormal([32, 4], std: 0.1, rng: &rng, requiresGrad: true)
        let gamma = Tensor(shape: [32], repeating: 1, requiresGrad: true), beta = Tensor.zeros([32], requiresGrad: true)
        let x = Tensor.randomNormal([8, 16], std: 1, rng: &rng)
        func step(_ i: Int) {
            let h = dropout(gelu(layerNorm(matmul(x, w1), gamma: gamma, beta: beta)), p: 0.1, seed: UInt64(i))
            let logits = softmax(matmul(h, w2))
            crossEntropy(logits: logits, targets: [1, 2, 3, 0, 1, 2, 3, 1], labelSmoothing: 0.1).loss.backward()
            for p in [w1, w2, gamma, beta] { p.zeroGrad() }
        }
        for i in 0..<10 { step(i) }
        let baseline = Storage.liveBytes
        for i in 10..<1000 { step(i) }
        XCTAssertEqual(Storage.liveBytes, baseline, "live tensor bytes grew over 1,000 steps")
    }

    func testBroadcastShapes() {
        XCTAssertEqual(Shapes.broadcast([2, 1, 4], [3, 1]), [2, 3, 4])
        XCTAssertEqual(Shapes.broadcast([], [5]), [5])
        XCTAssertNil(Shapes.broadcast([2, 3], [4]))
    }

    func testDropoutDropsAboutPAndScales() {
        let a = Tensor(shape: [10_000], repeating: 1)
        let y = dropout(a, p: 0.25, seed: 9).values
        let kept = y.filter { $0 != 0 }
        XCTAssertEqual(Double(kept.count) / 10_000, 0.75, accuracy: 0.02)
        XCTAssertTrue(kept.allSatisfy { abs($0 - 1 / 0.75) < 1e-6 })
        XCTAssertEqual(dropout(a, p: 0.25, seed: 9).values, y, "same seed, same mask")
        XCTAssertNotEqual(dropout(a, p: 0.25, seed: 10).values, y)
    }

    func testFullyMaskedSoftmaxRowIsZeroNotNaN() {
        let x = Tensor(shape: [1, 3], values: [1, 2, 3])
        let mask = Tensor(shape: [1, 3], repeating: -.infinity)
        XCTAssertEqual(softmax(x, mask: mask).values, [0, 0, 0])
    }
}
