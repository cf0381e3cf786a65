import Engine
import XCTest

/// Each fused kernel against the same maths built from primitive ops.
final class FusedTwinTests: XCTestCase {
    func testSoftmaxMatchesComposed() {
        let x = randn([2, 3, 5], seed: 1)
        let mask = Tensor(shape: [1, 3, 5], values: (0..<15).map { $0 % 4 == 3 ? -1e9 : 0 })
        assertSameAsComposed([x], fused: { softmax(x, scale: 0.5, mask: mask) }, composed: {
            let e = exp(x * 0.5 + mask - 3)  // any constant shift is exact maths; 3 keeps exp small
            return e / e.sum(axes: [-1], keepDims: true)
        })
    }

    /// Widths 8, 13 and 40: one full 8-lane vector, a vector plus a tail, and enough columns for
    /// dgamma/dbeta to be split between two threads.
    func testLayerNormMatchesComposed() {
        for d in [8, 13, 40] {
            let x = randn([4, d], seed: 2, std: 2), g = randn([d], seed: 3), b = randn([d], seed: 4)
            assertSameAsComposed([x, g, b], tolerance: 2e-5, fused: { layerNorm(x, gamma: g, beta: b) }, composed: {
                let c = x - x.mean(axes: [-1], keepDims: true)
                let v = (c * c).mean(axes: [-1], keepDims: true)
                return c * pow(v + 1e-5, -0.5) * g + b
            })
        }
    }

    func testCrossEntropyMatchesComposed() {
        let z = randn([6, 5], seed: 5)
        let targets: [Int32] = [1, 0, 4, 2, 0, 3]
        let eps: Float = 0.1
        // One-hot smoothed targets q and a validity weight per row (padding id 0 ignored).
        var q = [Float](repeating: eps / 5, count: 30)
        var valid = [Float](repeating: 0, count: 6)
        for (i, t) in targets.enumerated() where t != 0 { q[i * 5 + Int(t)] += 1 - eps; valid[i] = 1 }
        let qt = Tensor(shape: [6, 5], values: q), vt = Tensor(shape: [6, 1], values: valid)
        assertSameAsComposed([z], fused: {
            crossEntropy(logits: z, targets: targets, ignoreIndex: 0, labelSmoothing: eps).loss
        }, composed: {
            let lse = log(exp(z).sum(axes: [-1], keepDims: true))
            let logp = z - lse
            return -(logp * qt * vt).sum() * (1 / valid.reduce(0, +))
        })
    }

    func testProjectedCrossEntropyMatchesMatmulThenCrossEntropy() {
        // Chunks of 2 rows over 7 rows: several chunks, a ragged last one, padding rows in
        // both a full and the last chunk; with and without a bias.
        let h = randn([7, 4], seed: 6), w = randn([9, 4], seed: 7, std: 0.5), b = randn([9], seed: 8)
        let targets: [Int32] = [3, 0, 8, 1, 5, 2, 0]
        for withBias in [true, false] {
            let inputs = withBias ? [h, w, b] : [h, w]
            assertSameAsComposed(inputs, fused: {
                projectedCrossEntropy(hidden: h, weight: w, bias: withBias ? b : nil, targets: targets,
                                      ignoreIndex: 0, labelSmoothing: 0.1, chunkRows: 2).loss
            }, composed: {
                let z = matmul(h, w, transposeB: true)
                return crossEntropy(logits: withBias ? z + b : z, targets: targets, ignoreIndex: 0, labelSmoothing: 0.1).loss
            })
        }
    }

    func testProjectedCrossEntropyStatisticsMatchCrossEntropy() {
        let h = randn([2, 3, 4], seed: 9), w = randn([6, 4], seed: 10)
        let targets: [Int32] = [1, 5, 0, 2, 0, 0]
        let fused = projectedCrossEntropy(hidden: h, weight: w, targets: targets, labelSmoothing: 0.2, chunkRows: 4)
        let plain = crossEntropy(logits: matmul(h, w, transposeB: true).reshaped([6, 6]), targets: targets, labelSmoothing: 0.2)
        XCTAssertEqual(fused.tokens, 3)
        XCTAssertEqual(fused.tokens, plain.tokens)
        XCTAssertEqual(fused.nllSum, plain.nllSum, accuracy: 1e-5)
        // Under noGrad nothing is recorded and the value is the same.
        let quiet = Graph.noGrad { projectedCrossEntropy(hidden: h, weight: w, targets: targets, labelSmoothing: 0.2) }
        XCTAssertEqual(quiet.loss.item, fused.loss.item, accuracy: 1e-6)
    }

    func testCrossEntropyReportsPlainNLL() {
        let z = Tensor(shape: [2, 2], values: [0, 0, 1, 1])
        let r = crossEntropy(logits: z, targets: [1, 0], ignoreIndex: 0, labelSmoothing: 0.2)
        XCTAssertEqual(r.tokens, 1)
        XCTAssertEqual(r.nllSum, Double(logf(2)), accuracy: 1e-6)
    }
}
