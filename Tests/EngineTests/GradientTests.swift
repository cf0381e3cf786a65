import Engine
import XCTest

/// Every op's backward against central finite differences, on tiny shapes.
/// Tolerance (see GradientCheck.run): |analytic − numeric| ≤ 1e-3 + 1e-2·max(|analytic|, |numeric|).
final class GradientTests: XCTestCase {
    func testAddSubMulDivSameShape() {
        let a = randn([3, 4], seed: 1), b = randn([3, 4], seed: 2) + 3  // keep b away from 0 for div
        assertGradients([a, b]) { a + b }
        assertGradients([a, b]) { a - b }
        assertGradients([a, b]) { a * b }
        assertGradients([a, b]) { a / b }
    }

    func testBroadcastingBinaryOps() {
        let a = randn([2, 3, 4], seed: 3)
        let bias = randn([4], seed: 4), col = randn([2, 3, 1], seed: 5) + 3, mid = randn([1, 3, 1], seed: 6)
        assertGradients([a, bias]) { a + bias }
        assertGradients([a, col]) { a / col }
        assertGradients([a, mid]) { a * mid }
        assertGradients([mid, a]) { mid - a }
    }

    func testScalarOps() {
        let a = randn([5], seed: 7)
        assertGradients([a]) { a * 2.5 + 1 }
        assertGradients([a]) { -a - 0.5 }
    }

    func testUseTwiceAccumulates() {
        let a = randn([4], seed: 8)
        assertGradients([a]) { a * a + a }
    }

    func testUnaryFunctions() {
        let a = randn([6], seed: 9)
        let pos = exp(randn([6], seed: 10, std: 0.3))
        assertGradients([a]) { exp(a) }
        assertGradients([pos]) { log(pos) }
        assertGradients([pos]) { sqrt(pos) }
        assertGradients([pos]) { pow(pos, -0.5) }
        assertGradients([a]) { tanh(a) }
        assertGradients([a]) { gelu(a) }
    }

    func testReLUAwayFromKink() {
        // Values at least 0.1 from zero so the ±h probe never crosses the kink.
        let a = Tensor(shape: [6], values: [-1.2, -0.3, 0.15, 0.4, 2, -0.11])
        assertGradients([a]) { relu(a) }
    }

    func testSumAndMeanOverAxes() {
        let a = randn([2, 3, 4], seed: 11)
        assertGradients([a]) { a.sum(axes: [1]) }
        assertGradients([a]) { a.sum(axes: [0, 2], keepDims: true) }
        assertGradients([a]) { a.mean(axes: [-1]) }
        assertGradients([a]) { a.mean() }
    }

    func testReshapePermuteTranspose() {
        let a = randn([2, 3, 4], seed: 12)
        assertGradients([a]) { a.reshaped([6, 4]) }
        assertGradients([a]) { a.permuted([2, 0, 1]) }
        assertGradients([a]) { a.reshaped([2, 3, 2, 2]).transposed(1, 2) }
    }

    func testSliceAndConcat() {
        let a = randn([3, 5], seed: 13), b = randn([3, 2], seed: 14)
        assertGradients([a]) { a.slice(axis: 1, 1..<4) }
        assertGradients([a]) { a.slice(axis: 0, 2..<3) }
        assertGradients([a, b]) { concat([a, b, a], axis: 1) }
    }

    func testMatmulAllTransposes() {
        for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
            let a = randn(ta ? [4, 3] : [3, 4], seed: 15), b = randn(tb ? [5, 4] : [4, 5], seed: 16)
            assertGradients([a, b]) { matmul(a, b, transposeA: ta, transposeB: tb) }
        }
    }

    func testMatmulBatchedAndFlattened() {
        let x = randn([2, 3, 4], seed: 17), w = randn([5, 4], seed: 18)
        assertGradients([x, w]) { matmul(x, w, transposeB: true) }  // [2, 3, 5], leading axes flattened
        let q = randn([2, 2, 3, 4], seed: 19), k = randn([2, 2, 5, 4], seed: 20)
        assertGradients([q, k]) { matmul(q, k, transposeB: true) }  // [2, 2, 3, 5]
        let p = randn([2, 3, 4], seed: 21), v = randn([3, 5], seed: 30)
        assertGradients([p, v]) { matmul(p, v, transposeA: true) }  // [2, 4, 5]: shared B, transposed A
    }

    func testEmbeddingScatterAdd() {
        let table = randn([5, 3], seed: 22)
        assertGradients([table]) { embedding(table, ids: [1, 4, 1, 0], shape: [2, 2]) }
    }

    func testDropoutIsLinearForAFixedSeed() {
        let a = randn([4, 8], seed: 23)
        assertGradients([a]) { dropout(a, p: 0.3, seed: 5) }
    }

    func testSoftmaxWithMask() {
        let x = randn([2, 3, 4], seed: 24)
        let mask = Tensor(shape: [2, 1, 4], values: [0, 0, 0, -.infinity, 0, -.infinity, 0, 0])
        assertGradients([x]) { softmax(x) }
        assertGradients([x]) { softmax(x, mask: mask) }
        assertGradients([x]) { softmax(x, scale: 0.7, mask: mask) }
    }

    func testLayerNorm() {
        let x = randn([3, 6], seed: 25), g = randn([6], seed: 26) + 1, b = randn([6], seed: 27)
        assertGradients([x, g, b]) { layerNorm(x, gamma: g, beta: b) }
    }

    func testCrossEntropyWithSmoothingAndPadding() {
        let z = randn([5, 7], seed: 28)
        assertGradients([z]) { crossEntropy(logits: z, targets: [3, 0, 6, 1, 0], ignoreIndex: 0, labelSmoothing: 0.1).loss }
        assertGradients([z]) { crossEntropy(logits: z, targets: [3, 2, 6, 1, 5], ignoreIndex: -1).loss }
    }

    func testProjectedCrossEntropy() {
        let h = randn([5, 3], seed: 30), w = randn([7, 3], seed: 31), b = randn([7], seed: 32)
        assertGradients([h, w, b]) {
            projectedCrossEntropy(hidden: h, weight: w, bias: b, targets: [3, 0, 6, 1, 0], ignoreIndex: 0,
                                  labelSmoothing: 0.1, chunkRows: 2).loss
        }
        assertGradients([h, w]) { projectedCrossEntropy(hidden: h, weight: w, targets: [3, 2, 6, 1, 5], ignoreIndex: -1).loss }
    }

    func testCheckerCatchesAWrongGradient() {
        // The checker itself must fail on a wrong rule: softmax's true gradient projected on
        // weights is nonzero, while a "plain sum" check would see zero for any rule.
        let x = randn([4], seed: 29)
        let r = GradientCheck.run(inputs: [x]) { softmax(x).detached() + x }  // detached hides a term
        XCTAssertFalse(r.passed)
    }
}
