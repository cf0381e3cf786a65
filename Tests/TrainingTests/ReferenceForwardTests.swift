import Checkpoint
import Engine
import Foundation
import Model
import Text
import Training
import XCTest

/// The Swift model against `scripts/reference_forward.py`, an independent NumPy forward pass
/// written from docs/CHECKPOINT.md: equal logits mean the checkpoint spec is complete and exact.
///
/// Every parameter is randomised (norm gains and all biases included, which a fresh model
/// leaves at 1 and 0) so no part of the spec is exercised only at a neutral value.
final class ReferenceForwardTests: XCTestCase {
    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let script = repoRoot.appendingPathComponent("scripts/reference_forward.py").path

    // Source and target vocabularies of different sizes, so a V_s/V_t mix-up changes shapes.
    static let sources = ["the cat sleeps", "the dog runs", "a cat runs"]
    static let targets = ["le chat dort", "le chien court", "un chat court", "un oiseau chante"]

    // A batch of two with padding on both sides: row 1 has a shorter source and target, so the
    // source key mask, the target key mask and the causal mask all matter.
    static let batchSources: [[Int32]] = [[5, 6, 7, 8], [9, 10]]
    static let batchTargets: [[Int32]] = [[2, 5, 6, 7, 12], [2, 8, 9]]

    private var tempDir: URL!

    override func setUpWithError() throws {
        try requirePython()
        tempDir = FileManager.default.temporaryDirectory.appendingPathComponent("refwd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tempDir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let tempDir { try? FileManager.default.removeItem(at: tempDir) }
    }

    // MARK: - Tests

    func testUntiedModelMatchesReference() throws {
        let (model, path) = try makeCheckpoint(tied: false, epsilon: 1e-3)
        try assertMatchesReference(model, path, Self.batchSources, Self.batchTargets)
    }

    func testTiedModelMatchesReference() throws {
        let (model, path) = try makeCheckpoint(tied: true, epsilon: 1e-5)
        XCTAssertNil(model.parameters().first { $0.name == "output.weight" }, "a tied model must not save output.weight")
        try assertMatchesReference(model, path, Self.batchSources, Self.batchTargets)
    }

    /// One matrix for source tokens, target tokens and the output (three-way tying): the file
    /// holds encoder.embedding.weight only, and the reference reads it for the decoder too.
    func testSharedEmbeddingModelMatchesReference() throws {
        let (model, path) = try makeCheckpoint(tied: true, epsilon: 1e-5, shared: true)
        XCTAssertNil(model.parameters().first { $0.name == "decoder.embedding.weight" })
        try assertMatchesReference(model, path, Self.batchSources, Self.batchTargets)
    }

    /// Each sentence alone (no padding at all) gives the logits of its row of the padded batch:
    /// the masks make padding invisible, in Swift and in the reference alike.
    func testPaddingDoesNotChangeRealPositions() throws {
        let (model, path) = try makeCheckpoint(tied: false, epsilon: 1e-5)
        let batch = swiftLogits(model, Self.batchSources, Self.batchTargets)  // [B][T][V]
        for (b, (src, tgt)) in zip(Self.batchSources, Self.batchTargets).enumerated() {
            let alone = try referenceLogits(path, [src], [tgt])
            XCTAssertEqual(alone.count, 1)
            XCTAssertEqual(alone[0].count, tgt.count, "one row of logits per target-input position")
            for t in 0..<tgt.count {
                XCTAssertLessThan(maxAbsDiff(alone[0][t], batch[b][t]), 1e-4, "sentence \(b), position \(t)")
            }
        }
    }

    /// An empty source (all padding) masks every key: the spec says those attention rows get
    /// zero weights (no NaN), and both sides must agree on what follows from that.
    func testFullyMaskedSourceRowMatchesReference() throws {
        let (model, path) = try makeCheckpoint(tied: false, epsilon: 1e-5)
        let sources: [[Int32]] = [[5, 6, 7], []]
        let targets: [[Int32]] = [[2, 5, 6], [2, 9]]
        let swift = swiftLogits(model, sources, targets)
        XCTAssertTrue(swift.joined().joined().allSatisfy(\.isFinite), "a fully masked row must not give NaN")
        try assertMatchesReference(model, path, sources, targets)
    }

    /// The reference checks the integrity record as the doc defines it, so a flipped byte in a
    /// tensor is refused with that tensor's name (and the unmodified file is accepted above).
    func testReferenceRejectsDamagedTensor() throws {
        let (model, path) = try makeCheckpoint(tied: false, epsilon: 1e-5)
        let file = try SafeTensors.read(from: URL(fileURLWithPath: path), verify: true)
        let header = try SafeTensors.readHeader(from: URL(fileURLWithPath: path))
        let victim = try XCTUnwrap(header.tensors.first { $0.name == "decoder.layers.1.cross.value.weight" })
        XCTAssertEqual(file.tensors.count, model.parameters().count * 3, "parameters plus adam.m and adam.v")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[header.dataStart + victim.dataOffsets.lowerBound + 5] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: path))
        let result = try runReference([path, "--source", "5,6", "--target-input", "2,5"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("decoder.layers.1.cross.value.weight"), result.stderr)
    }

    // MARK: - Helpers

    private func requirePython() throws {
        let check: (status: Int32, stdout: String, stderr: String)
        do {
            check = try run(["python3", "-c", "import numpy, safetensors"])
        } catch {
            throw XCTSkip("python3 cannot be started (\(error)); install Python 3 with numpy and safetensors")
        }
        if check.status != 0 { throw XCTSkip("python3 lacks numpy or safetensors: pip install numpy safetensors") }
    }

    /// A random model whose vocabularies match word tokenizers learned on the toy sentences,
    /// written with `makeCheckpoint` (Adam moments included, which the reference must ignore).
    /// With `shared`, one word vocabulary for both languages and one embedding matrix
    /// (`shareEmbeddings`; three-way tying when `tied`).
    private func makeCheckpoint(tied: Bool, epsilon: Float, shared: Bool = false) throws -> (Transformer, String) {
        let spec = TokenizerSpec(kind: .word, minFrequency: 1, shared: shared)
        let one = shared ? try spec.learn(from: Self.sources + Self.targets) : nil
        let tokenizers = TokenizerPair(spec: spec, source: try one ?? spec.learn(from: Self.sources),
                                       target: try one ?? spec.learn(from: Self.targets))
        let (vs, vt) = (tokenizers.source.vocabulary.count, tokenizers.target.vocabulary.count)
        if !shared { XCTAssertNotEqual(vs, vt, "the test wants different source and target vocabulary sizes") }
        var config = ModelConfig(sourceVocabSize: vs, targetVocabSize: vt, modelDim: 16, heads: 2,
                                 encoderLayers: 2, decoderLayers: 2, feedForwardDim: 24, dropout: 0.3,
                                 maxLength: 12, tieOutputEmbedding: tied)
        config.layerNormEpsilon = epsilon
        config.shareEmbeddings = shared
        let model = Transformer(config, seed: tied ? 7 : 11)
        var rng = RandomGenerator(seed: tied ? 70 : 110)
        for (name, tensor) in model.parameters() {
            let (base, spread): (Float, Float) = name.hasSuffix("norm.weight") ? (1, 0.3)
                : name.hasSuffix(".bias") ? (0, 0.2) : (0, 0)
            if spread == 0 { continue }  // weights and embeddings keep their random initialisation
            let noise = Tensor.randomUniform(tensor.shape, bound: spread, rng: &rng)
            for i in 0..<tensor.count { tensor.data[i] = base + noise.data[i] }
        }
        let optimizer = Adam(model.parameters(), config: OptimizerConfig())
        let file = Training.makeCheckpoint(model: model, optimizer: optimizer, tokenizers: tokenizers,
                                           trainConfig: nil, state: nil)
        let url = tempDir.appendingPathComponent((shared ? "shared-" : "") + (tied ? "tied.safetensors" : "untied.safetensors"))
        try SafeTensors.write(file, to: url)
        // Compare against the model rebuilt from the file, so the Swift side also goes through it.
        let loaded = try loadCheckpoint(url.path).model
        return (loaded, url.path)
    }

    /// Swift logits as [B][T][V] for sentences padded with 0 to equal length.
    private func swiftLogits(_ model: Transformer, _ sources: [[Int32]], _ targets: [[Int32]]) -> [[[Float]]] {
        let (src, s) = padBatch(sources)
        let (tgt, t) = padBatch(targets)
        let b = sources.count, v = model.config.targetVocabSize
        let z = Graph.noGrad {
            model(source: src, sourceLength: s, targetInput: tgt, targetLength: t, batch: b,
                  ForwardContext(training: false, seed: 99))
        }
        XCTAssertEqual(z.shape, [b * t, v])
        let flat = z.values
        return (0..<b).map { i in (0..<t).map { j in Array(flat[((i * t + j) * v)..<((i * t + j + 1) * v)]) } }
    }

    private func assertMatchesReference(_ model: Transformer, _ path: String, _ sources: [[Int32]], _ targets: [[Int32]],
                                        file: StaticString = #filePath, line: UInt = #line) throws {
        let swift = swiftLogits(model, sources, targets)
        let reference = try referenceLogits(path, sources, targets)
        XCTAssertEqual(reference.count, swift.count, "batch size", file: file, line: line)
        var worst: Float = 0
        for (rb, sb) in zip(reference, swift) {
            XCTAssertEqual(rb.count, sb.count, "target positions", file: file, line: line)
            for (rt, st) in zip(rb, sb) {
                XCTAssertEqual(rt.count, model.config.targetVocabSize, "vocabulary", file: file, line: line)
                worst = max(worst, maxAbsDiff(rt, st))
            }
        }
        XCTAssertLessThan(worst, 1e-4, "max |Swift − reference| over all logits", file: file, line: line)
        print("ReferenceForwardTests: max |Swift − reference| = \(worst) over \(swift.count)×\(swift.first?.count ?? 0) positions")
        // Guard against a vacuous pass: the logits must actually vary.
        let all = swift.joined().joined()
        XCTAssertGreaterThan((all.max() ?? 0) - (all.min() ?? 0), 0.5, file: file, line: line)
    }

    /// Runs the reference on a batch (sentences joined by ';') and parses [B][T][V].
    private func referenceLogits(_ path: String, _ sources: [[Int32]], _ targets: [[Int32]]) throws -> [[[Float]]] {
        func arg(_ rows: [[Int32]]) -> String { rows.map { $0.map(String.init).joined(separator: ",") }.joined(separator: ";") }
        let result = try runReference([path, "--source", arg(sources), "--target-input", arg(targets)])
        guard result.status == 0 else {
            XCTFail("reference_forward.py failed (\(result.status)): \(result.stderr)")
            return []
        }
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        func floats(_ row: Any) -> [Float] { (row as? [Double] ?? []).map(Float.init) }
        if sources.count == 1, let rows = json as? [Any] { return [rows.map(floats)] }  // [T, V]
        let batch = try XCTUnwrap(json as? [[Any]], "expected [B, T, V] JSON")
        return batch.map { $0.map(floats) }
    }

    private func runReference(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try run(["python3", Self.script] + args)
    }

    private func run(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        let (out, err) = (Pipe(), Pipe())
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Read before waiting so a large output cannot fill the pipe and deadlock.
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    private func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float {
        guard a.count == b.count else { return .infinity }
        return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }
}
