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

    /// The command line beats the config file also where flags overlap: configs/tatoeba.json
    /// says "layers": 3, and `--encoder-layers 4 --decoder-layers 2` on top of it is 4+2 (it
    /// was refused as if --layers had been typed), while a saved 4+2 run's config.json under
    /// `--layers 1` is 1+1.
    func testDepthFlagsOnTheCommandLineOverrideTheConfigFilesDepth() throws {
        let dir = try Scratch.directory(self)
        let data = try Scratch.write(Fixture.tsv(), to: dir, "train.tsv")
        func depth(config json: String, _ extra: [String], run: String) throws -> (encoder: Int?, decoder: Int?) {
            let config = try Scratch.write(json, to: dir, run + ".json")
            let out = dir.appendingPathComponent(run)
            var flags = Fixture.trainFlags(data: data, out: out.path, steps: 1, validEvery: 1)
            let i = try XCTUnwrap(flags.firstIndex(of: "--layers"))
            flags.removeSubrange(i...(i + 1))
            let r = try CLI.run("train", ["--config", config] + flags + extra, in: dir)
            XCTAssertEqual(r.status, 0, "\(r)")
            let saved = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("config.json"))) as? [String: Any]
            let layers = saved?["layers"] as? Int
            return ((saved?["encoder-layers"] as? Int) ?? layers, (saved?["decoder-layers"] as? Int) ?? layers)
        }
        let sides = try depth(config: #"{"layers": 3}"#, ["--encoder-layers", "2", "--decoder-layers", "1"], run: "sides")
        XCTAssertEqual(sides.encoder, 2)
        XCTAssertEqual(sides.decoder, 1)
        let both = try depth(config: #"{"encoder-layers": 2, "decoder-layers": 3}"#, ["--layers", "1"], run: "both")
        XCTAssertEqual(both.encoder, 1)
        XCTAssertEqual(both.decoder, 1)
        let mixed = try depth(config: #"{"layers": 2}"#, ["--decoder-layers", "1"], run: "mixed")
        XCTAssertEqual(mixed.encoder, 2, "the file's --layers still sets the side the command line leaves alone")
        XCTAssertEqual(mixed.decoder, 1)
    }

    /// Likewise the corpus: a config file's --data gives way to --source/--target on the
    /// command line (and the reverse); both ways in one place stay refused.
    func testCorpusOnTheCommandLineOverridesTheConfigFilesCorpus() throws {
        let dir = try Scratch.directory(self)
        let lines = Fixture.tsv().split(separator: "\n").map { $0.split(separator: "\t", maxSplits: 1) }
        let source = try Scratch.write(lines.map { $0[0] }.joined(separator: "\n") + "\n", to: dir, "c.en")
        let target = try Scratch.write(lines.map { $0[1] }.joined(separator: "\n") + "\n", to: dir, "c.fr")
        let config = try Scratch.write(#"{"data": "absent.tsv"}"#, to: dir, "c.json")
        let out = dir.appendingPathComponent("pair")
        var flags = Fixture.trainFlags(data: "", out: out.path, steps: 1, validEvery: 1)
        flags.removeSubrange(0..<2)  // --data
        let r = try CLI.run("train", ["--config", config, "--source", source, "--target", target] + flags, in: dir)
        XCTAssertEqual(r.status, 0, "\(r)")
        let saved = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("config.json"))) as? [String: Any])
        XCTAssertEqual(saved["source"] as? String, source)
        XCTAssertNil(saved["data"])
        let both = try Scratch.write(#"{"data": "absent.tsv", "source": "a.en", "target": "a.fr"}"#, to: dir, "both.json")
        assertFails(try CLI.run("train", ["--config", both] + flags, in: dir), status: 2, mentions: ["either --data or --source/--target"])
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
