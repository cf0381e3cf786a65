import Checkpoint
import Foundation
import XCTest

/// Issue 16, row 9: `train` writes the run's settings to `config.json` in the `--config` format;
/// `train --config RUN/config.json --out OTHER` trains the same run again; `inspect
/// --train-config` turns any checkpoint's train_config into that format.
final class RunConfigTests: XCTestCase {
    private func validationLosses(_ run: URL) throws -> [Double] {
        let text = try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        return text.split(separator: "\n").compactMap { line -> Double? in
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], o["kind"] as? String == "valid" else { return nil }
            return o["loss"] as? Double
        }
    }

    func testConfigJSONRepeatsTheRun() throws {
        let dir = try Scratch.directory(self)
        let data = try Scratch.write(Fixture.tsv(), to: dir, "train.tsv")
        let first = dir.appendingPathComponent("first"), again = dir.appendingPathComponent("again")
        var flags = Fixture.trainFlags(data: data, out: first.path, steps: 6, validEvery: 2)
        flags += ["--seed", "5", "--dropout", "0.2", "--label-smoothing", "0.05"]
        XCTAssertEqual(try CLI.run("train", flags, in: dir).status, 0)
        let configURL = first.appendingPathComponent("config.json")
        let config = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: configURL)) as? [String: Any])
        XCTAssertEqual(config["model-dim"] as? Int, 16)
        XCTAssertEqual(config["seed"] as? Int, 5)
        XCTAssertEqual(config["dropout"] as? Double, 0.2, "floats in their short form")
        XCTAssertEqual(config["label-smoothing"] as? Double, 0.05)
        XCTAssertEqual(config["steps"] as? Int, 6)
        XCTAssertEqual(config["tokenizer"] as? String, "word")
        XCTAssertNil(config["out"], "where the run goes is not part of it")
        XCTAssertTrue(config.keys.allSatisfy { !$0.contains(where: \.isUppercase) }, "flag names, not camelCase: \(config.keys.sorted())")

        let r = try CLI.run("train", ["--config", configURL.path, "--out", again.path, "--threads", "2", "--quiet"], in: dir)
        XCTAssertEqual(r.status, 0, "\(r)")
        let losses = try validationLosses(first)
        XCTAssertEqual(losses.count, 3, "validations at steps 2, 4, 6")
        XCTAssertEqual(try validationLosses(again), losses, "the same run: the same validation losses")
        let (a, b) = (try SafeTensors.read(from: first.appendingPathComponent("best.safetensors")),
                      try SafeTensors.read(from: again.appendingPathComponent("best.safetensors")))
        for (x, y) in zip(a.tensors, b.tensors) { XCTAssertTrue(x.isBitwiseEqual(to: y), "\(x.name) differs") }
        XCTAssertEqual(try Data(contentsOf: again.appendingPathComponent("config.json")), try Data(contentsOf: configURL), "the repeat's config.json is the same")

        // inspect --train-config: the checkpoint's train_config in the same format.
        let printed = try CLI.run("inspect", [first.path, "--train-config"], in: dir)
        XCTAssertEqual(printed.status, 0, "\(printed)")
        XCTAssertEqual(printed.stdout, try String(contentsOf: configURL, encoding: .utf8))
    }

    func testConfigFilesNameTheBadSetting() throws {
        let dir = try Scratch.directory(self)
        let bad = try Scratch.write(#"{"modelDim": 64, "steps": 2}"#, to: dir, "old.json")
        let r = try CLI.run("train", ["--config", bad, "--data", "x.tsv"], in: dir)
        assertFails(r, status: 2, mentions: ["old.json: unknown setting 'modelDim'", "flag names"])
        let wrongType = try Scratch.write(#"{"lowercase": "yes", "steps": 2}"#, to: dir, "type.json")
        assertFails(try CLI.run("train", ["--config", wrongType, "--data", "x.tsv"], in: dir), status: 2, mentions: ["'lowercase' must be true or false"])
    }
}
