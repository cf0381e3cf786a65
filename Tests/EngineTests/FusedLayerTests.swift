import Engine
import XCTest

/// The fused training ops of FusedLayers.swift (and softmax's fused dropout): each against its
/// composed twin bit for bit (tolerance 0: same arithmetic in the same order, so a training run
/// does not change), against finite differences, and with gradients that add to ones already
/// there (the first rule to write a gradient stores it instead of adding to zeros; a later one
/// must add).
final class FusedLayerTests: XCTestCase {
    func testLinearIsMatmulPlusBiasBitForBit() {
        let x = randn([2, 5, 7], seed: 1), w = randn([9, 7], seed: 2), b = randn([9], seed: 3)
        assertSameAsComposed([x, w, b], tolerance: 0, fused: { linear(x, weight: w, bias: b) },
                             composed: { matmul(x, w, transposeB: true) + b })
        assertSameAsComposed([x, w], tolerance: 0, fused: { linear(x, weight: w, bias: nil) },
                             composed: { matmul(x, w, transposeB: true) })
        assertGradients([x, w, b]) { linear(x, weight: w, bias: b) }
    }

    func testBiasReLUDropoutIsTheThreeStepsBitForBit() {
        let h = randn([3, 4, 24], seed: 4), b = randn([24], seed: 5, std: 0.5)
        for p: Float in [0, 0.3] {
            assertSameAsComposed([h, b], tolerance: 0, fused: { biasReLUDropout(h, bias: b, p: p, seed: 11) },
                                 composed: { p == 0 ? relu(h + b) : dropout(relu(h + b), p: p, seed: 11) })
        }
        assertSameAsComposed([h], tolerance: 0, fused: { biasReLUDropout(h, bias: nil, p: 0.2, seed: 3) },
                             composed: { dropout(relu(h), p: 0.2, seed: 3) })
        // Finite differences away from ReLU's kink (|h + b| ≥ 0.1); the mask is fixed by the seed.
        let away = Tensor(shape: [4, 6], values: (0..<24).map { Float($0 % 5) * 0.3 - 0.65 })
        let zero = Tensor.zeros([6])
        assertGradients([away, zero]) { biasReLUDropout(away, bias: zero, p: 0.25, seed: 7) }
    }

    func testResidualDropoutIsAddAfterDropoutBitForBit() {
        let x = randn([2, 3, 8], seed: 6), f = randn([2, 3, 8], seed: 7)
        for p: Float in [0, 0.4] {
            assertSameAsComposed([x, f], tolerance: 0, fused: { residualDropout(x, f, p: p, seed: 9) },
                                 composed: { p == 0 ? x + f : x + dropout(f, p: p, seed: 9) })
        }
        // The stream also feeds the sublayer (as in a transformer layer): its gradient is handed
        // on by the residual's rule, then the sublayer's rule adds to it.
        assertSameAsComposed([x], tolerance: 0, fused: { residualDropout(x, tanh(x) * 2, p: 0.3, seed: 2) },
                             composed: { x + dropout(tanh(x) * 2, p: 0.3, seed: 2) })
        assertGradients([x, f]) { residualDropout(x, f, p: 0.3, seed: 4) }
        assertGradients([x]) { residualDropout(x, x * x, p: 0.3, seed: 4) }
    }

    func testSoftmaxWithDropoutIsDropoutOfSoftmaxBitForBit() {
        let x = randn([2, 3, 4, 5], seed: 8)
        // A padding mask [B, 1, 1, S] with a fully masked row in batch 1, and a causal one.
        let pad = Tensor(shape: [2, 1, 1, 5], values: [0, 0, 0, -.infinity, -.infinity] + [Float](repeating: -.infinity, count: 5))
        let causal = Tensor(shape: [4, 5], values: (0..<20).map { $0 % 5 > $0 / 5 ? -.infinity : 0 })
        for mask in [nil, pad, causal] {
            assertSameAsComposed([x], tolerance: 0, fused: { softmax(x, scale: 0.5, mask: mask, dropout: 0.3, seed: 12) },
                                 composed: { dropout(softmax(x, scale: 0.5, mask: mask), p: 0.3, seed: 12) })
        }
        assertGradients([x]) { softmax(x, scale: 0.7, mask: causal, dropout: 0.2, seed: 5) }
    }

    /// Rows split between threads: each chunk starts its own walk over the broadcast mask.
    func testSoftmaxForwardIsTheSameOnOneAndTwoThreads() {
        let x = randn([4, 4, 33, 40], seed: 13)
        let pad = Tensor(shape: [4, 1, 1, 40], values: (0..<160).map { $0 % 40 > 30 + $0 / 40 ? -.infinity : 0 })
        let saved = Threads.count
        defer { Threads.count = saved }
        var outputs: [[UInt32]] = []
        for threads in [1, 2] {
            Threads.count = threads
            outputs.append(Graph.noGrad { softmax(x, scale: 0.3, mask: pad, dropout: 0.1, seed: 1) }.values.map(\.bitPattern))
        }
        XCTAssertEqual(outputs[0], outputs[1])
        // Each row still sums to 1 / (1 - p) times its kept share: spot-check one full row.
        let y = Graph.noGrad { softmax(x, scale: 0.3, mask: pad) }.values
        XCTAssertEqual(y[(2 * 4 * 33 + 5) * 40 ..< (2 * 4 * 33 + 6) * 40].reduce(0, +), 1, accuracy: 1e-5)
    }

    /// Ops whose backward stores into a gradient that does not exist yet must add into one that
    /// does: two backward passes without `zeroGrad` give twice the gradient of one.
    func testGradientsAddToExistingOnes() {
        let x = randn([2, 3, 8], seed: 14), w = randn([8, 8], seed: 15), b = randn([8], seed: 16)
        let g = randn([8], seed: 17) + 1, mask = Tensor(shape: [1, 1, 8], values: [0, 0, 0, 0, 0, 0, -.infinity, 0])
        let cases: [(String, () -> Tensor)] = [
            ("matmul", { matmul(x, w) }), ("linear", { linear(x, weight: w, bias: b) }),
            ("permuted", { x.permuted([2, 0, 1]) }), ("reshaped", { x.reshaped([6, 8]) }),
            ("dropout", { dropout(x, p: 0.3, seed: 1) }), ("relu", { relu(x) }),
            ("layerNorm", { layerNorm(x, gamma: g, beta: b) }), ("softmax", { softmax(x, mask: mask, dropout: 0.2, seed: 2) }),
            ("biasReLUDropout", { biasReLUDropout(x, bias: b, p: 0.2, seed: 3) }),
            ("residualDropout", { residualDropout(x, x * 3, p: 0.2, seed: 4) }),
            ("add", { x + b }),
        ]
        for (name, f) in cases {
            let inputs = [x, w, b, g]
            for t in inputs { t.requiresGrad = true; t.zeroGrad() }
            let weights = randn(f().shape, seed: 18)
            (f() * weights).sum().backward()
            let once = inputs.map { $0.grad?.values ?? [] }
            (f() * weights).sum().backward()
            for (i, t) in inputs.enumerated() {
                let twice = t.grad?.values ?? []
                XCTAssertEqual(twice.count, once[i].count, "\(name), input \(i)")
                for (a, b) in zip(twice, once[i]) where abs(a - 2 * b) > 1e-5 * max(1, abs(b)) {
                    XCTFail("\(name), input \(i): \(a) after two passes, \(b) after one"); break
                }
            }
        }
    }
}
