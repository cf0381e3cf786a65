import Engine
import Foundation
import Model
import XCTest

/// `shareEmbeddings`: one matrix for source tokens, target tokens and (tied) the output.
final class SharedEmbeddingTests: XCTestCase {
    func config(shared: Bool, tied: Bool = true) -> ModelConfig {
        var c = ModelConfig(sourceVocabSize: 9, targetVocabSize: 9, modelDim: 8, heads: 2, encoderLayers: 1,
                            decoderLayers: 1, feedForwardDim: 12, dropout: 0, maxLength: 16, tieOutputEmbedding: tied)
        c.shareEmbeddings = shared
        return c
    }

    func testOneTensorUnderTheEncodersName() {
        let shared = Transformer(config(shared: true), seed: 1)
        let names = shared.parameters().map(\.name)
        XCTAssertTrue(shared.sourceEmbedding === shared.targetEmbedding)
        XCTAssertEqual(names.first, "encoder.embedding.weight")
        XCTAssertFalse(names.contains("decoder.embedding.weight"))
        XCTAssertEqual(Transformer(config(shared: false), seed: 1).parameterCount - shared.parameterCount, 9 * 8)
    }

    /// The shared matrix's gradient is the sum of what the encoder's lookup, the decoder's lookup
    /// and the tied output projection give an unshared model holding the same values twice.
    func testGradientIsTheSumOfBothSides() {
        let shared = Transformer(config(shared: true), seed: 2)
        let twin = Transformer(config(shared: false), seed: 2)
        for ((_, a), (_, b)) in zip(shared.parameters(), twin.parameters().filter { $0.name != "decoder.embedding.weight" }) {
            b.data.update(from: a.data, count: a.count)
        }
        twin.targetEmbedding.data.update(from: shared.sourceEmbedding.data, count: shared.sourceEmbedding.count)
        let batch = TokenBatch(size: 2, source: [4, 5, 6, 0, 7, 8, 4, 5], sourceLength: 4, targetInput: [2, 6, 4, 2, 5, 0],
                               targetOutput: [6, 4, 3, 5, 3, 0], targetLength: 3)
        for model in [shared, twin] {
            model.loss(batch, labelSmoothing: 0.1, ForwardContext(training: false)).loss.backward()
        }
        let (source, target) = (twin.sourceEmbedding.grad?.values ?? [], twin.targetEmbedding.grad?.values ?? [])
        XCTAssertTrue(source.contains { $0 != 0 } && target.contains { $0 != 0 },
                      "both sides must contribute for the test to mean anything")
        let got = shared.sourceEmbedding.grad?.values ?? []
        XCTAssertEqual(got.count, source.count)
        for (g, (a, b)) in zip(got, zip(source, target)) { XCTAssertEqual(g, a + b, accuracy: 1e-6) }
    }

    func testConfigKeyIsWrittenOnlyWhenTrue() throws {
        let plain = String(decoding: try JSONEncoder().encode(config(shared: false)), as: UTF8.self)
        XCTAssertFalse(plain.contains("shareEmbeddings"), "files without shared embeddings read as before")
        let decoded = try JSONDecoder().decode(ModelConfig.self, from: Data(plain.utf8))
        XCTAssertFalse(decoded.shareEmbeddings)
        let shared = try JSONEncoder().encode(config(shared: true))
        XCTAssertTrue(try JSONDecoder().decode(ModelConfig.self, from: shared).shareEmbeddings)
    }

    func testUnequalVocabulariesAreAProblem() {
        var c = config(shared: true)
        c.targetVocabSize = 7
        XCTAssertTrue(c.problems.contains { $0.contains("shared embeddings need one vocabulary") })
        XCTAssertTrue(config(shared: true).problems.isEmpty)
    }
}
