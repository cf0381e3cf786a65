import Checkpoint
import Foundation
import XCTest

/// End-to-end checks of the `inspect` executable: the tests write checkpoints with the public
/// Checkpoint API, run the built binary found next to the test bundle, and check its output.
/// Skipped when the binary has not been built (e.g. `swift test` of another filter only).
final class InspectToolTests: XCTestCase {
    private struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        var exitedNormally: Bool
    }

    private func inspectBinary() throws -> URL {
        let candidates = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
            + Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        for dir in candidates {
            let u = dir.appendingPathComponent("inspect")
            if FileManager.default.isExecutableFile(atPath: u.path) { return u }
        }
        throw XCTSkip("the inspect executable is not built next to the tests (looked in \(candidates.map(\.path)))")
    }

    private func run(_ args: [String]) throws -> Run {
        let p = Process()
        p.executableURL = try inspectBinary()
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Read before waiting: a full pipe would otherwise block the child forever.
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                   stderr: String(decoding: e, as: UTF8.self), exitedNormally: p.terminationReason == .exit)
    }

    private func json(_ s: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(s.utf8)) as? [String: Any], "not a JSON object: \(s.prefix(200))")
    }

    private func metadataString(_ object: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    /// A checkpoint shaped like `train`'s: a few model tensors, Adam moments and the metadata keys.
    private func writeCheckpoint(_ url: URL, scale: Float = 1, extra: [NamedTensor] = []) throws -> [NamedTensor] {
        let vocab = ["<pad>", "<unk>", "<s>", "</s>", "▁a", "▁b"]
        let model: [NamedTensor] = [
            NamedTensor(name: "encoder.embedding.weight", shape: [6, 2], values: (1...12).map { Float($0) * scale }),
            NamedTensor(name: "encoder.layers.0.self.query.weight", shape: [2, 2], values: [0.5, -0.5, 0.25, -0.25]),
            NamedTensor(name: "encoder.layers.0.self.query.bias", shape: [2], values: [0, 0]),
            NamedTensor(name: "decoder.embedding.weight", shape: [6, 2], values: (1...12).map { -Float($0) }),
            NamedTensor(name: "output.weight", shape: [6, 2], values: [Float](repeating: 0.125, count: 12)),
        ]
        let adam = model.flatMap { t in
            ["m", "v"].map { NamedTensor(name: "adam.\($0).\(t.name)", shape: t.shape, values: [Float](repeating: 1e-3, count: t.values.count)) }
        }
        let history: [[String: Any]] = [
            ["step": 10, "epoch": 1, "trainSeconds": 1.0, "tokensSeen": 100, "loss": 5.0, "perplexity": 148.4, "bleu": 2.0, "chrf": 10.0, "exactMatch": 0.0, "sentences": 5],
            ["step": 20, "epoch": 1, "trainSeconds": 2.0, "tokensSeen": 200, "loss": 4.0, "perplexity": 54.6, "bleu": 7.5, "chrf": 20.0, "exactMatch": 20.0, "sentences": 5],
            ["step": 30, "epoch": 2, "trainSeconds": 3.0, "tokensSeen": 300, "loss": 3.5, "perplexity": 33.1, "bleu": 6.0, "chrf": 25.0, "exactMatch": 0.0, "sentences": 5],
        ]
        let metadata = [
            "model_config": try metadataString(["modelDim": 2, "heads": 1, "encoderLayers": 1, "decoderLayers": 1, "feedForwardDim": 8,
                                                "dropout": 0.1, "maxLength": 32, "tieOutputEmbedding": false, "layerNormEpsilon": 1e-5,
                                                "sourceVocabSize": 6, "targetVocabSize": 6]),
            "tokenizers": try metadataString(["spec": ["kind": "word", "shared": true, "lowercase": false, "merges": 0, "minFrequency": 1, "maxVocabularySize": 100],
                                              "source": ["kind": "word", "model": ["vocabulary": ["tokens": vocab]]]]),
            "training_state": try metadataString(["step": 30, "position": ["epoch": 1, "batch": 3], "tokensSeen": 300, "trainSeconds": 3.0,
                                                  "skippedSteps": 0, "history": history, "bestBLEU": 7.5, "bestStep": 20, "validationsWithoutImprovement": 1]),
            "train_config": try metadataString(["data": "data/train.tsv", "batchTokens": 512, "steps": 30, "seed": 1,
                                                "optimizer": ["learningRate": 0.001, "warmupSteps": 10]]),
        ]
        try SafeTensors.write(SafeTensorsFile(tensors: model + adam + extra, metadata: metadata), to: url)
        return model
    }

    func testJSONSummaryReportsStatsGroupsAndBestValidation() throws {
        let dir = try makeTempDir(self)
        let url = dir.appendingPathComponent("ck.safetensors")
        let model = try writeCheckpoint(url)
        let r = try run([url.path, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let j = try json(r.stdout)

        let params = try XCTUnwrap(j["parameters"] as? [[String: Any]])
        XCTAssertEqual(params.map { $0["name"] as? String }, model.map(\.name), "model parameters only, in file order")
        let emb = params[0]
        // Values 1...12: mean 6.5, population variance (12²−1)/12, L2² = Σk² = 650.
        XCTAssertEqual(emb["mean"] as? Double ?? .nan, 6.5, accuracy: 1e-5)
        XCTAssertEqual(emb["std"] as? Double ?? .nan, (143.0 / 12).squareRoot(), accuracy: 1e-4)
        XCTAssertEqual(emb["min"] as? Double, 1)
        XCTAssertEqual(emb["max"] as? Double, 12)
        XCTAssertEqual(emb["l2"] as? Double ?? .nan, 650.0.squareRoot(), accuracy: 1e-4)
        XCTAssertEqual(emb["count"] as? Int, 12)

        let optimizer = try XCTUnwrap(j["optimizer"] as? [String: Any])
        XCTAssertEqual(optimizer["tensors"] as? Int, 2 * model.count)
        XCTAssertEqual(optimizer["values"] as? Int, 2 * model.reduce(0) { $0 + $1.values.count })

        let modules = try XCTUnwrap(j["modules"] as? [[String: Any]])
        XCTAssertEqual(modules.map { $0["module"] as? String }, ["encoder.embedding", "encoder.layers.0", "decoder.embedding", "output"])
        XCTAssertEqual(modules[1]["parameters"] as? Int, 6)
        XCTAssertEqual((j["totals"] as? [String: Any])?["parameters"] as? Int, model.reduce(0) { $0 + $1.values.count })

        let tokenizer = try XCTUnwrap(j["tokenizer"] as? [String: Any])
        XCTAssertEqual(tokenizer["sourceVocabulary"] as? Int, 6)
        XCTAssertEqual(tokenizer["targetVocabulary"] as? Int, 6, "a shared tokenizer serves both sides")

        let validation = try XCTUnwrap(j["validation"] as? [String: Any])
        let bleu = try XCTUnwrap(validation["bleu"] as? [String: Any])
        XCTAssertEqual(bleu["best"] as? Double, 7.5)
        XCTAssertEqual(bleu["bestStep"] as? Int, 20)
        XCTAssertEqual(bleu["last"] as? Double, 6.0)
        let loss = try XCTUnwrap(validation["loss"] as? [String: Any])
        XCTAssertEqual(loss["best"] as? Double, 3.5, "lower loss is better")
        XCTAssertEqual(loss["bestStep"] as? Int, 30)
        XCTAssertEqual((j["file"] as? [String: Any])?["integrity"] as? String, "verified")
    }

    func testTextSummaryHasEverySectionAndAChart() throws {
        let dir = try makeTempDir(self)
        _ = try writeCheckpoint(dir.appendingPathComponent("best.safetensors"))
        let r = try run([dir.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        for heading in ["Model configuration", "Tokenizer", "Training state", "Parameters:", "Totals per module", "Validation history", "Run configuration"] {
            XCTAssertTrue(r.stdout.contains(heading), "missing section \(heading)")
        }
        XCTAssertTrue(r.stdout.contains("best.safetensors"), "a folder resolves to its best checkpoint")
        XCTAssertTrue(r.stdout.contains("█"), "the history chart is drawn with block characters")
        XCTAssertFalse(r.stdout.contains("adam.m.output.weight"), "optimizer tensors are summarised unless --all")
        XCTAssertTrue(try run([dir.path, "--all"]).stdout.contains("adam.m.output.weight"))
    }

    func testVerifyPassesIntactFileAndNamesTheDamagedTensor() throws {
        let dir = try makeTempDir(self)
        let url = dir.appendingPathComponent("ck.safetensors")
        _ = try writeCheckpoint(url)
        let ok = try run(["--verify", url.path])
        XCTAssertEqual(ok.status, 0, ok.stdout + ok.stderr)
        XCTAssertTrue(ok.stdout.hasPrefix("OK: 15 tensors, checksums match"), ok.stdout)

        // Flip one bit inside the data of "decoder.embedding.weight".
        let header = try SafeTensors.readHeader(from: url)
        let entry = try XCTUnwrap(header.tensors.first { $0.name == "decoder.embedding.weight" })
        var bytes = try Data(contentsOf: url)
        bytes[header.dataStart + entry.dataOffsets.lowerBound + 5] ^= 0x04
        try bytes.write(to: url)
        let bad = try run(["--verify", url.path])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stdout.contains("FAILED"), bad.stdout)
        XCTAssertTrue(bad.stdout.contains("\"decoder.embedding.weight\""), bad.stdout)
        let summary = try run([url.path])
        XCTAssertEqual(summary.status, 1, "the default summary refuses a damaged file")
        XCTAssertEqual(summary.stderr.split(separator: "\n").count, 1, summary.stderr)
    }

    func testVerifyRequiresModelMetadata() throws {
        let dir = try makeTempDir(self)
        let url = dir.appendingPathComponent("bare.safetensors")
        try SafeTensors.write(SafeTensorsFile(tensors: [NamedTensor(name: "w", shape: [2], values: [1, 2])]), to: url)
        let r = try run(["--verify", url.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stdout.contains("model_config"), r.stdout)
        XCTAssertTrue(r.stdout.contains("tokenizers"), r.stdout)
    }

    func testBadInputsGiveOneLineErrorsAndUsageErrorsExit2() throws {
        let dir = try makeTempDir(self)
        let text = dir.appendingPathComponent("notes.safetensors")
        try Data("just some text, not tensors\n".utf8).write(to: text)
        let truncated = dir.appendingPathComponent("cut.safetensors")
        let full = dir.appendingPathComponent("full.safetensors")
        _ = try writeCheckpoint(full)
        try Data(try Data(contentsOf: full).prefix(300)).write(to: truncated)
        for path in [text.path, truncated.path, dir.appendingPathComponent("missing").path] {
            for extra in [[], ["--verify"], ["--json"], ["--tensor", "x"]] {
                let r = try run([path] + extra)
                XCTAssertTrue(r.exitedNormally, "crashed on \(path) \(extra)")
                XCTAssertEqual(r.status, 1, "\(path) \(extra)")
                XCTAssertTrue((r.stdout + r.stderr).contains(path), "the message names the file: \(r.stdout) \(r.stderr)")
            }
        }
        XCTAssertEqual(try run([full.path, "--frobnicate"]).status, 2)
        XCTAssertEqual(try run([]).status, 2)
        XCTAssertEqual(try run([full.path, "--tensor", "x", "--limit", "-1"]).status, 2)
    }

    func testDiffMeasuresRelativeChangeAndUnsharedTensors() throws {
        let dir = try makeTempDir(self)
        let a = dir.appendingPathComponent("a.safetensors"), b = dir.appendingPathComponent("b.safetensors")
        _ = try writeCheckpoint(a)
        _ = try writeCheckpoint(b, scale: 1.25, extra: [NamedTensor(name: "decoder.extra.bias", shape: [3], values: [1, 2, 3])])
        let r = try run([a.path, "--diff", b.path, "--json"])
        XCTAssertEqual(r.status, 1, "the files differ: diff's exit status 1. \(r.stderr)")
        let j = try json(r.stdout)
        let rows = try XCTUnwrap(j["tensors"] as? [[String: Any]])
        let emb = try XCTUnwrap(rows.first { $0["name"] as? String == "encoder.embedding.weight" })
        XCTAssertEqual(emb["relativeChange"] as? Double ?? .nan, 0.25, accuracy: 1e-6, "‖1.25a − a‖/‖a‖")
        XCTAssertEqual(emb["maxAbsDiff"] as? Double ?? .nan, 3, accuracy: 1e-6, "12 × 0.25")
        let same = try XCTUnwrap(rows.first { $0["name"] as? String == "output.weight" })
        XCTAssertEqual(same["relativeChange"] as? Double, 0)
        XCTAssertEqual(j["onlyInB"] as? [String], ["decoder.extra.bias"])
        XCTAssertEqual(j["onlyInA"] as? [String], [])
        XCTAssertFalse(rows.contains { ($0["name"] as? String)?.hasPrefix("adam.") == true }, "optimizer state only with --all")
        XCTAssertEqual(j["identical"] as? Bool, false)
        let itself = try run([a.path, "--diff", a.path, "--json"])
        XCTAssertEqual(itself.status, 0, itself.stderr)
        XCTAssertEqual(try json(itself.stdout)["identical"] as? Bool, true)
    }

    func testTensorPrintsValuesAndSuggestsCloseNames() throws {
        let dir = try makeTempDir(self)
        let url = dir.appendingPathComponent("ck.safetensors")
        _ = try writeCheckpoint(url)
        let full = try json(try run([url.path, "--tensor", "encoder.layers.0.self.query.weight", "--limit", "0", "--json"]).stdout)
        XCTAssertEqual(full["values"] as? [Double], [0.5, -0.5, 0.25, -0.25])
        XCTAssertEqual(full["shape"] as? [Int], [2, 2])
        XCTAssertEqual(full["truncated"] as? Bool, false)
        let cut = try json(try run([url.path, "--tensor", "encoder.embedding.weight", "--limit", "5", "--json"]).stdout)
        XCTAssertEqual((cut["values"] as? [Double])?.count, 5)
        XCTAssertEqual(cut["truncated"] as? Bool, true)

        let typo = try run([url.path, "--tensor", "encoder.layer.0.self.query.weight"])
        XCTAssertEqual(typo.status, 1)
        XCTAssertTrue(typo.stderr.contains("did you mean \"encoder.layers.0.self.query.weight\""), typo.stderr)
    }
}
