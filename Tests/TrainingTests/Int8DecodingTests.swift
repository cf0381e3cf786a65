import Engine
import Model
import Text
import Training
import XCTest

/// Decoding with int8 weights (`InferencePrecision.int8`) against float32 on a model trained in
/// the test (the reverse task of `ReverseTaskTests`, shorter): the searches run the same code
/// with the other kernels, so on a model that has learnt its task the outputs should agree on
/// nearly every sentence, greedy and beam.
final class Int8DecodingTests: XCTestCase {
    func testInt8AgreesWithFloat32OnTrainedModel() {
        var rng = RandomGenerator(seed: 1)
        func sample() -> [Int32] { (0..<(3 + Int(rng.next() % 4))).map { _ in Int32(4 + rng.next() % 8) } }
        let config = ModelConfig(sourceVocabSize: 12, targetVocabSize: 12, modelDim: 32, heads: 4, encoderLayers: 2,
                                 decoderLayers: 2, feedForwardDim: 64, dropout: 0, maxLength: 16)
        let model = Transformer(config, seed: 2)
        var opt = OptimizerConfig()
        opt.learningRate = 3e-3
        opt.warmupSteps = 50
        let adam = Adam(model.parameters(), config: opt)
        for step in 1...300 {
            let sources = (0..<32).map { _ in sample() }
            let (src, s) = padBatch(sources)
            let (tin, t) = padBatch(sources.map { [SpecialTokens.begin] + $0.reversed() })
            let (tout, _) = padBatch(sources.map { $0.reversed() + [SpecialTokens.end] })
            let logits = model(source: src, sourceLength: s, targetInput: tin, targetLength: t, batch: 32, ForwardContext(training: true))
            crossEntropy(logits: logits, targets: tout, ignoreIndex: SpecialTokens.pad).loss.backward()
            adam.update(lr: opt.rate(at: step))
        }
        let tests = (0..<200).map { _ in sample() }
        let (f32, i8) = (model.inferenceWeights(.float32), model.inferenceWeights(.int8))
        XCTAssertEqual(i8.precision, .int8)
        func share(_ a: [[Int32]], _ b: [[Int32]]) -> Double { Double(zip(a, b).filter { $0 == $1 }.count) / Double(a.count) }

        let greedy = (translateGreedy(model, tests, weights: f32), translateGreedy(model, tests, weights: i8))
        let reversed = share(greedy.1, tests.map { $0.reversed() })
        XCTAssertGreaterThanOrEqual(reversed, 0.9, "int8 greedy reverses \(reversed) of unseen sequences")
        XCTAssertGreaterThanOrEqual(share(greedy.0, greedy.1), 0.9, "int8 greedy equals float32 on \(share(greedy.0, greedy.1))")

        let beam: [[[Int32]]] = [f32, i8].map { weights in
            translateBeam(model, tests, beam: 4, weights: weights).map { hypotheses -> [Int32] in hypotheses.first?.tokens ?? [] }
        }
        XCTAssertGreaterThanOrEqual(share(beam[0], beam[1]), 0.9, "int8 beam 4 equals float32 on \(share(beam[0], beam[1]))")
    }
}
