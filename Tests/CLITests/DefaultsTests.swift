import Checkpoint
import Foundation
import XCTest

/// `train`'s defaults are the settings measured best on a real corpus (docs/RESULTS.md): separate
/// BPE per language, a tied output projection, a short warm-up to a peak rate of 0.003, weight
/// averaging. Each can be turned off on the command line, and the checkpoint records what was used.
final class DefaultsTests: XCTestCase {
    private struct Recorded {
        let config: [String: Any]
        let tensorNames: Set<String>
        var tokenizer: [String: Any] { config["tokenizer"] as? [String: Any] ?? [:] }
        var model: [String: Any] { config["model"] as? [String: Any] ?? [:] }
        var optimizer: [String: Any] { config["optimizer"] as? [String: Any] ?? [:] }
    }

    private func trainAndRead(_ extra: [String]) throws -> Recorded {
        let dir = try Scratch.directory(self)
        let data = try Scratch.write(Fixture.tsv(), to: dir, "train.tsv")
        let out = dir.appendingPathComponent("out")
        let r = try CLI.run("train", Fixture.trainFlags(data: data, out: out.path, steps: 2, realCorpusDefaults: true) + extra, in: dir)
        XCTAssertEqual(r.status, 0, "\(r)")
        let file = try SafeTensors.read(from: out.appendingPathComponent("best.safetensors"))
        let json = try XCTUnwrap(file.metadata["train_config"], "no train_config in the checkpoint")
        let config = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        return Recorded(config: config, tensorNames: Set(file.tensors.map(\.name)))
    }

    func testDefaultsAreTheRealCorpusSettings() throws {
        let run = try trainAndRead([])
        XCTAssertEqual(run.tokenizer["shared"] as? Bool, false, "\(run.config)")
        XCTAssertEqual(run.model["tieOutputEmbedding"] as? Bool, true, "\(run.config)")
        XCTAssertEqual(run.config["emaDecay"] as? Double, 0.999, "\(run.config)")
        XCTAssertEqual(run.optimizer["learningRate"] as? Double, 0.003, "\(run.config)")
        XCTAssertEqual(run.optimizer["warmupSteps"] as? Int, 1000, "\(run.config)")
        XCTAssertFalse(run.tensorNames.contains("output.weight"), "a tied model has no separate output projection")
        XCTAssertTrue(run.tensorNames.contains { $0.hasPrefix("raw.") }, "with averaging the raw weights are saved too")
    }

    func testEachDefaultCanBeTurnedOff() throws {
        let run = try trainAndRead(["--no-separate-vocab", "--no-tie-output", "--ema", "0", "--lr", "0.001", "--warmup", "4000"])
        XCTAssertEqual(run.tokenizer["shared"] as? Bool, true, "\(run.config)")
        XCTAssertEqual(run.model["tieOutputEmbedding"] as? Bool, false, "\(run.config)")
        XCTAssertEqual(run.config["emaDecay"] as? Double ?? 0, 0, "\(run.config)")
        XCTAssertEqual(run.optimizer["warmupSteps"] as? Int, 4000, "\(run.config)")
        XCTAssertTrue(run.tensorNames.contains("output.weight"), "an untied model has its own output projection")
        XCTAssertFalse(run.tensorNames.contains { $0.hasPrefix("raw.") }, "no averaging, so no raw copy")
    }
}
