import Model
import Text
import Training
import XCTest

/// The special tokens are defined once, in Text; the model gets its padding id through
/// `ModelConfig.padding`, and everything Training builds a model from carries Text's.
final class SpecialTokenTests: XCTestCase {
    func testTheModelPadsWithTextsPadToken() throws {
        XCTAssertEqual(TrainConfig().model.padding, SpecialTokens.pad)
        var other = ModelConfig(sourceVocabSize: 9, targetVocabSize: 9, padding: 7)
        XCTAssertEqual(other.withTextTokens().padding, SpecialTokens.pad)
        // A model built without Training (tests, benchmarks) uses the same id by default.
        other = ModelConfig(sourceVocabSize: 9, targetVocabSize: 9)
        XCTAssertEqual(other.padding, SpecialTokens.pad)
        XCTAssertEqual(SpecialTokens.strings[Int(SpecialTokens.pad)], "<pad>")
        XCTAssertEqual(Vocabulary(tokens: ["a"]).id("</s>"), SpecialTokens.end)
    }

    /// The padding id decides what the masks hide: with another id, the same batch is masked
    /// differently (the model reads it from its config, not from a constant of its own).
    func testTheMasksFollowTheConfiguredPadding() {
        let source: [Int32] = [4, 5, 0, 6, 7, 8]
        var config = ModelConfig(sourceVocabSize: 9, targetVocabSize: 9, modelDim: 8, heads: 2, encoderLayers: 1,
                                 decoderLayers: 1, feedForwardDim: 8, dropout: 0, maxLength: 8)
        XCTAssertEqual(Transformer(config, seed: 1).encodeRows(source, batch: 2, length: 3).hidden,
                       [false, false, true, false, false, false])
        config.padding = 8
        XCTAssertEqual(Transformer(config, seed: 1).encodeRows(source, batch: 2, length: 3).hidden,
                       [false, false, false, false, false, true])
    }
}
