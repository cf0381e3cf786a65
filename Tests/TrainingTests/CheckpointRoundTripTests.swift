import Checkpoint
import Engine
import Foundation
import Model
import Text
import Training
import XCTest

final class CheckpointRoundTripTests: XCTestCase {
    func testModelCheckpointRoundTripIsBitwise() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = ParallelCorpus(pairs: [SentencePair(source: "the red cat", target: "le chat rouge"),
                                            SentencePair(source: "l'homme n'est pas là", target: "« déjà vu » ?")])
        let (tokenizers, config) = try wordTokenizersAndTinyConfig(corpus)
        let model = Transformer(config, seed: 5)
        let adam = Adam(model.parameters(), config: OptimizerConfig())
        for (_, p) in adam.parameters { p.gradPointer().pointee = .nan }  // odd values survive too
        adam.update(lr: 0.1)
        var state = TrainingState()
        state.step = 1
        let url = dir.appendingPathComponent("m.safetensors")
        try SafeTensors.write(makeCheckpoint(model: model, optimizer: adam, tokenizers: tokenizers, trainConfig: TrainConfig(), state: state), to: url)

        let loaded = try loadCheckpoint(url.path)
        XCTAssertEqual(loaded.model.config, config)
        XCTAssertEqual(loaded.state, state)
        for ((n1, a), (n2, b)) in zip(model.parameters(), loaded.model.parameters()) {
            XCTAssertEqual(n1, n2)
            XCTAssertEqual(a.values.map(\.bitPattern), b.values.map(\.bitPattern), n1)
        }
        let restored = Adam(loaded.model.parameters(), config: OptimizerConfig())
        try restored.restore(from: loaded.file, path: url.path)
        for ((_, a), (_, b)) in zip(adam.state, restored.state) {
            XCTAssertEqual(a.values.map(\.bitPattern), b.values.map(\.bitPattern))
        }
        let sentence = "l'homme n'est pas là"
        XCTAssertEqual(loaded.tokenizers.source.encode(sentence), tokenizers.source.encode(sentence))
    }

    func testMissingTensorAndTokenizerAreNamed() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = ParallelCorpus(pairs: [SentencePair(source: "a b", target: "c d")])
        let (tokenizers, config) = try wordTokenizersAndTinyConfig(corpus)
        var file = makeCheckpoint(model: Transformer(config, seed: 1), optimizer: nil, tokenizers: tokenizers, trainConfig: nil, state: nil)
        file.tensors.removeAll { $0.name == "decoder.layers.0.cross.key.weight" }
        let url = dir.appendingPathComponent("a.safetensors")
        try SafeTensors.write(file, to: url)
        XCTAssertThrowsError(try loadCheckpoint(url.path)) { XCTAssertTrue("\($0)".contains("decoder.layers.0.cross.key.weight")) }

        file.metadata[CheckpointKeys.tokenizers] = nil
        try SafeTensors.write(file, to: url)
        XCTAssertThrowsError(try loadCheckpoint(url.path)) { XCTAssertTrue("\($0)".contains("tokenizers")) }
    }

    /// What `translate` loads (`optimizerState: false`): the same model, no tensors kept, and
    /// damage in the optimizer state it does not use is still reported, naming the tensor.
    func testLoadingWithoutOptimizerStateStillVerifiesIt() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = ParallelCorpus(pairs: [SentencePair(source: "a b c", target: "d e f")])
        let (tokenizers, config) = try wordTokenizersAndTinyConfig(corpus)
        let model = Transformer(config, seed: 3)
        let adam = Adam(model.parameters(), config: OptimizerConfig())
        let url = dir.appendingPathComponent("m.safetensors")
        try SafeTensors.write(makeCheckpoint(model: model, optimizer: adam, tokenizers: tokenizers, trainConfig: nil, state: nil), to: url)

        let loaded = try loadCheckpoint(url.path, optimizerState: false)
        XCTAssertTrue(loaded.file.tensors.isEmpty)
        XCTAssertEqual(loaded.file.integrity, .verified)
        for ((n, a), (_, b)) in zip(model.parameters(), loaded.model.parameters()) {
            XCTAssertEqual(a.values.map(\.bitPattern), b.values.map(\.bitPattern), n)
        }
        XCTAssertEqual(try loadCheckpoint(url.path).file.tensors.map(\.name), adam.state.map(\.name), "resume keeps exactly the optimizer state")

        let header = try SafeTensors.readHeader(from: url)
        let moment = try XCTUnwrap(header.tensors.first { $0.name.hasPrefix("adam.") })
        var bytes = [UInt8](try Data(contentsOf: url))
        bytes[header.dataStart + moment.dataOffsets.lowerBound] ^= 0x10
        try Data(bytes).write(to: url)
        XCTAssertThrowsError(try loadCheckpoint(url.path, optimizerState: false)) { error in
            XCTAssertTrue("\(error)".contains(moment.name) && "\(error)".contains("CRC32"), "\(error)")
        }
    }
}

/// Word tokenizers learned from `corpus` and the smallest model config that fits them
/// (d_model 8, 2 heads, 1+1 layers): the set-up every checkpoint test here starts from.
private func wordTokenizersAndTinyConfig(_ corpus: ParallelCorpus) throws -> (TokenizerPair, ModelConfig) {
    let tokenizers = try TokenizerPair.learn(spec: TokenizerSpec(kind: .word, minFrequency: 1), corpus: corpus)
    let config = ModelConfig(sourceVocabSize: tokenizers.source.vocabulary.count, targetVocabSize: tokenizers.target.vocabulary.count,
                             modelDim: 8, heads: 2, encoderLayers: 1, decoderLayers: 1, feedForwardDim: 16, maxLength: 16)
    return (tokenizers, config)
}
