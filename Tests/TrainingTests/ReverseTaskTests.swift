import Engine
import Model
import Text
import Training
import XCTest

/// The classic sanity check: learn to reverse short sequences (every output token must attend
/// to a different source position), to 100% on unseen sequences within seconds.
final class ReverseTaskTests: XCTestCase {
    func testLearnsToReverseSequences() {
        var rng = RandomGenerator(seed: 1)
        func sample() -> [Int32] { (0..<(3 + Int(rng.next() % 4))).map { _ in Int32(4 + rng.next() % 8) } }
        let config = ModelConfig(sourceVocabSize: 12, targetVocabSize: 12, modelDim: 32, heads: 4, encoderLayers: 2,
                                 decoderLayers: 2, feedForwardDim: 64, dropout: 0, maxLength: 16)
        let model = Transformer(config, seed: 2)
        var opt = OptimizerConfig()
        opt.learningRate = 3e-3
        opt.warmupSteps = 50
        let adam = Adam(model.parameters(), config: opt)
        for step in 1...400 {
            let sources = (0..<32).map { _ in sample() }
            let (src, s) = padBatch(sources)
            let (tin, t) = padBatch(sources.map { [SpecialTokens.begin] + $0.reversed() })
            let (tout, _) = padBatch(sources.map { $0.reversed() + [SpecialTokens.end] })
            let logits = model(source: src, sourceLength: s, targetInput: tin, targetLength: t, batch: 32, ForwardContext(training: true))
            crossEntropy(logits: logits, targets: tout, ignoreIndex: SpecialTokens.pad).loss.backward()
            adam.update(lr: opt.rate(at: step))
        }
        let tests = (0..<100).map { _ in sample() }
        let outputs = translateGreedy(model, tests)
        let correct = zip(tests, outputs).filter { Array($0.reversed()) == $1 }.count
        XCTAssertEqual(correct, 100, "reversed \(correct)/100 unseen sequences")
    }
}
