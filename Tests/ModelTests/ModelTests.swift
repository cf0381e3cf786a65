import Engine
import Model
import XCTest

final class ModelTests: XCTestCase {
    func tinyConfig(tied: Bool = false, dropout: Float = 0) -> ModelConfig {
        ModelConfig(sourceVocabSize: 9, targetVocabSize: 7, modelDim: 8, heads: 2, encoderLayers: 1,
                    decoderLayers: 1, feedForwardDim: 12, dropout: dropout, maxLength: 16, tieOutputEmbedding: tied)
    }

    func testPositionalEncodingFormula() {
        let pe = PositionalEncoding.table(length: 50, dim: 6)
        XCTAssertEqual(pe.shape, [50, 6])
        // pos 0: sin 0 = 0 on even dims, cos 0 = 1 on odd dims.
        XCTAssertEqual(Array(pe.values[0..<6]), [0, 1, 0, 1, 0, 1])
        // pos 7, dims 2 and 3: frequency 1/10000^(2/6).
        let angle = 7 / pow(10_000.0, 2.0 / 6.0)
        XCTAssertEqual(pe.values[7 * 6 + 2], Float(sin(angle)), accuracy: 1e-6)
        XCTAssertEqual(pe.values[7 * 6 + 3], Float(cos(angle)), accuracy: 1e-6)
    }

    func testMasks() {
        XCTAssertEqual(Masks.causal(3).values, [0, -.infinity, -.infinity, 0, 0, -.infinity, 0, 0, 0])
        XCTAssertEqual(Masks.padding([5, 0, 7, 0], batch: 2, length: 2, pad: 0).values, [0, -.infinity, 0, -.infinity])
        let m = Masks.causalPadding([2, 4, 0], batch: 1, length: 3, pad: 0).values
        XCTAssertEqual(m, [0, -.infinity, -.infinity, 0, 0, -.infinity, 0, 0, -.infinity])
    }

    func testPaddingDoesNotChangeRealPositions() {
        // The same sentence alone and padded beside a longer one must give the same logits at
        // its real positions: padding masks work on every attention.
        let model = Transformer(tinyConfig(), seed: 1)
        let ctx = ForwardContext(training: false)
        let alone = Graph.noGrad { model(source: [4, 5, 3], sourceLength: 3, targetInput: [2, 6], targetLength: 2, batch: 1, ctx) }
        let padded = Graph.noGrad {
            model(source: [4, 5, 3, 0, 0, 7, 8, 6, 5, 3], sourceLength: 5, targetInput: [2, 6, 0, 2, 4, 5], targetLength: 3, batch: 2, ctx)
        }
        let v = 7
        for j in 0..<(2 * v) { XCTAssertEqual(alone.values[j], padded.values[j], accuracy: 1e-5) }
    }

    func testCausalMaskHidesTheFuture() {
        let model = Transformer(tinyConfig(), seed: 2)
        let ctx = ForwardContext(training: false)
        let a = Graph.noGrad { model(source: [4, 5, 3], sourceLength: 3, targetInput: [2, 6, 4], targetLength: 3, batch: 1, ctx) }
        let b = Graph.noGrad { model(source: [4, 5, 3], sourceLength: 3, targetInput: [2, 6, 5], targetLength: 3, batch: 1, ctx) }
        XCTAssertEqual(Array(a.values[0..<14]), Array(b.values[0..<14]), "positions 0-1 must not see token 2")
        XCTAssertNotEqual(Array(a.values[14..<21]), Array(b.values[14..<21]))
    }

    func testParameterNamesAreOrderedAndUnique() {
        let model = Transformer(tinyConfig(), seed: 3)
        let names = model.parameters().map(\.name)
        XCTAssertEqual(Set(names).count, names.count)
        XCTAssertEqual(names.first, "encoder.embedding.weight")
        XCTAssertTrue(names.contains("decoder.layers.0.cross.query.weight"))
        XCTAssertEqual(names.last, "output.bias")
        XCTAssertFalse(Transformer(tinyConfig(tied: true), seed: 3).parameters().map(\.name).contains("output.weight"))
    }

    func testWholeModelGradientCheck() {
        // Every parameter of a tiny encoder-decoder (dropout on, fixed seed) against finite
        // differences of the label-smoothed loss.
        for tied in [false, true] {
            let model = Transformer(tinyConfig(tied: tied, dropout: 0.1), seed: 4)
            let params = model.parameters().map(\.tensor)
            let r = GradientCheck.run(inputs: params, step: 1e-2) {
                let logits = model(source: [4, 5, 3, 8, 6, 0], sourceLength: 3, targetInput: [2, 6, 4, 2, 5, 0],
                                   targetLength: 3, batch: 2, ForwardContext(training: true, seed: 11))
                return crossEntropy(logits: logits, targets: [6, 4, 3, 5, 3, 0], labelSmoothing: 0.1).loss
            }
            XCTAssertTrue(r.passed, "tied \(tied): \(r)")
        }
    }

    func testLossMatchesLogitsThenCrossEntropy() {
        // `loss` (projected cross-entropy, no logits held) against the logits path, tied and
        // untied, on value and on every parameter's gradient.
        for tied in [false, true] {
            let model = Transformer(tinyConfig(tied: tied, dropout: 0.1), seed: 5)
            let params = model.parameters().map(\.tensor)
            let (src, tin, tout): ([Int32], [Int32], [Int32]) = ([4, 5, 3, 8, 6, 0], [2, 6, 4, 2, 5, 0], [6, 4, 3, 5, 3, 0])
            func run(_ f: () -> Tensor) -> (Float, [[Float]]) {
                params.forEach { $0.zeroGrad() }
                let loss = f()
                loss.backward()
                return (loss.item, params.map { $0.grad?.values ?? [] })
            }
            let ctx = { ForwardContext(training: true, seed: 12) }
            let (a, ga) = run {
                model.loss(TokenBatch(size: 2, source: src, sourceLength: 3, targetInput: tin, targetOutput: tout, targetLength: 3),
                           labelSmoothing: 0.1, ctx()).loss
            }
            let (b, gb) = run {
                let logits = model(source: src, sourceLength: 3, targetInput: tin, targetLength: 3, batch: 2, ctx())
                return crossEntropy(logits: logits, targets: tout, labelSmoothing: 0.1).loss
            }
            XCTAssertEqual(a, b, accuracy: 1e-5 * max(1, abs(b)), "tied \(tied)")
            for (k, (x, y)) in zip(ga, gb).enumerated() {
                XCTAssertEqual(x.count, y.count, "tied \(tied), parameter \(k)")
                let worst = zip(x, y).map { abs($0 - $1) / max(1e-3, abs($1)) }.max() ?? 0
                XCTAssertLessThan(worst, 1e-3, "tied \(tied), parameter \(k)")
            }
        }
    }

    func testConfigProblems() {
        var c = tinyConfig()
        XCTAssertTrue(c.problems.isEmpty)
        c.modelDim = 10
        c.heads = 4
        XCTAssertTrue(c.problems.contains { $0.contains("not divisible") })
        c.heads = 0
        XCTAssertTrue(c.problems.contains { $0.contains("heads must be positive") })
    }
}
