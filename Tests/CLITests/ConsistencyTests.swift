import Foundation
import XCTest

/// Issue 16, rows 1–3: every flag does something or is refused with a reason, `--tsv` reads as
/// `train` reads, one vocabulary across the tools (aliases, `-h`, `--version`, `-` for the
/// standard streams). Each refusal is checked for its message, its exit status and for leaving
/// the files as they were.
final class ConsistencyTests: XCTestCase {
    private func translate(_ args: [String], in dir: URL? = nil, stdin: String? = nil) throws -> CLI.Result {
        let run = try Fixture.trainedRun()
        return try CLI.run("translate", ["--checkpoint", run.path, "--threads", "1", "--quiet"] + args,
                           in: dir ?? run.deletingLastPathComponent(), stdin: stdin)
    }

    /// A usage error: exit 2, the message, the hint, nothing on stdout, the folder unchanged.
    private func refused(_ tool: String, _ args: [String], in dir: URL, mentions: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let before = Scratch.snapshot(dir)
        let r = try CLI.run(tool, args, in: dir)
        assertFails(r, status: 2, mentions: mentions + ["run '\(tool) --help'"], file: file, line: line)
        XCTAssertEqual(r.stdout, "", "\(r)", file: file, line: line)
        XCTAssertEqual(Scratch.snapshot(dir), before, "a refused command changed files", file: file, line: line)
    }

    // Row 1: `translate --tsv file.csv` was translated whole and scored "BLEU = 0.00".
    func testTSVWithoutTabsIsRefusedWithTheLineAndTheFix() throws {
        let dir = try Scratch.directory(self)
        let csv = try Scratch.write("the red cat,le chat rouge\nmy dog,mon chien\n", to: dir, "pairs.csv")
        let before = Scratch.snapshot(dir)
        let r = try translate(["--tsv", csv, "--output", dir.appendingPathComponent("hyp.txt").path], in: dir)
        assertFails(r, status: 1, mentions: ["pairs.csv:1:", "only one column", "tab character"])
        XCTAssertFalse(r.stderr.contains("BLEU"), "\(r)")
        XCTAssertEqual(Scratch.snapshot(dir), before, "no output file for a refused corpus")
        // Blank lines and pairs with an empty side are skipped as train skips them, and said so.
        let gaps = try Scratch.write("the red cat\tle chat rouge\n\nmy dog\t\n", to: dir, "gaps.tsv")
        let ok = try translate(["--tsv", gaps], in: dir)
        XCTAssertEqual(ok.status, 0, "\(ok)")
        XCTAssertEqual(ok.stdout.split(separator: "\n", omittingEmptySubsequences: false).count, 2, "one line per pair kept: \(ok)")
        XCTAssertTrue(ok.stderr.contains("skipped 1 with an empty side") && ok.stderr.contains("one line per pair kept"), "\(ok)")
    }

    // Row 2: flags that did nothing.
    func testFlagsThatWouldDoNothingAreRefused() throws {
        let dir = try Scratch.directory(self)
        let input = try Scratch.write("a cat\n", to: dir, "in.txt")
        let ck = try Fixture.trainedRun().path
        try refused("translate", ["--checkpoint", ck, "--input", input, "the red cat"], in: dir, mentions: ["not both", "'the red cat' would be ignored"])
        try refused("translate", ["--checkpoint", ck, "--length-penalty", "0.5", "a cat"], in: dir, mentions: ["--length-penalty", "add --beam"])
        try refused("translate", ["--checkpoint", ck, "--seed", "3", "a cat"], in: dir, mentions: ["--seed", "add --sample"])
        try refused("translate", ["--checkpoint", ck, "--sample", "--beam", "4", "a cat"], in: dir, mentions: ["--beam would do nothing"])
        try refused("translate", ["--checkpoint", ck, "--pieces", "--beam", "4", "a cat"], in: dir, mentions: ["--beam does nothing with --pieces"])
        try refused("translate", ["--checkpoint", ck, "--score", "a cat"], in: dir, mentions: ["--score needs the references"])
        try refused("translate", ["--checkpoint", ck, "--explain", "--n-best", "2", "--beam", "2", "a cat"], in: dir, mentions: ["drop --n-best"])
        try refused("translate", ["--checkpoint", ck, "--explain", "--int8", "a cat"], in: dir, mentions: ["--int8 does nothing with --explain"])
        try refused("translate", ["--checkpoint", ck, "--pieces", "--int8", "a cat"], in: dir, mentions: ["--int8 does nothing with --pieces"])
        let data = try Scratch.write(Fixture.tsv(), to: dir, "train.tsv")
        let base = ["--data", data, "--out", dir.appendingPathComponent("out").path, "--steps", "2"]
        try refused("train", base + ["--valid", data, "--valid-source", data, "--valid-target", data], in: dir, mentions: ["either --valid or --valid-source"])
        try refused("train", base + ["--valid", data, "--valid-size", "30"], in: dir, mentions: ["--valid-size", "would do nothing"])
        try refused("train", base + ["--tokenizer", "word", "--merges", "100"], in: dir, mentions: ["--merges applies to --tokenizer bpe"])
        try refused("train", base + ["--tokenizer", "bpe", "--max-vocab", "100"], in: dir, mentions: ["--max-vocab applies to --tokenizer word"])
        try refused("train", base + ["--layers", "2", "--encoder-layers", "1", "--decoder-layers", "1"], in: dir, mentions: ["--layers would do nothing"])
        try refused("inspect", [ck, "--out", "x.safetensors"], in: dir, mentions: ["--out applies to --average only"])
    }

    func testExplainWritesToOutputAndFilesOnlyModeWritesTheTranslations() throws {
        let dir = try Scratch.directory(self)
        let view = dir.appendingPathComponent("view.txt").path
        let r = try translate(["--explain", "--output", view, "the red cat"], in: dir)
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertEqual(r.stdout, "", "the view went to --output: \(r)")
        XCTAssertTrue(try String(contentsOfFile: view, encoding: .utf8).contains("A closer look at one query"))
        let svg = dir.appendingPathComponent("a.svg").path, hyp = dir.appendingPathComponent("hyp.txt").path
        let files = try translate(["--explain-svg", svg, "--output", hyp, "the red cat"], in: dir)
        XCTAssertEqual(files.status, 0, "\(files)")
        let plain = try translate(["the red cat"], in: dir)
        XCTAssertEqual(try String(contentsOfFile: hyp, encoding: .utf8), plain.stdout, "--output gets the translations")
    }

    func testResumeRefusesTheSettingsItCannotChangeAndNamesThem() throws {
        let dir = try Scratch.directory(self)
        let run = try Fixture.copyOfRun(in: dir)
        try refused("train", ["--out", run.path, "--resume", "--steps", "8", "--model-dim", "32", "--lr", "0.01", "--threads", "1"], in: run,
                    mentions: ["--resume continues the run", "--model-dim (the run has 16, given 32)", "--lr (the run has 0.001, given 0.01)",
                               "--ff-dim (the run has 64, given 128)", "start a new run with another --out"])
        // The same values as the run's, or only stopping and saving flags: accepted.
        let data = try Fixture.trainedRun().deletingLastPathComponent().appendingPathComponent("train.tsv").path
        let same = try CLI.run("train", Fixture.trainFlags(data: data, out: run.path, steps: 6) + ["--resume"], in: dir)
        XCTAssertEqual(same.status, 0, "\(same)")
        let more = try CLI.run("train", ["--out", run.path, "--resume", "--steps", "7", "--keep", "2", "--threads", "1", "--quiet"], in: dir)
        XCTAssertEqual(more.status, 0, "\(more)")
        XCTAssertTrue(more.stdout.contains("at step 7"), "\(more)")
        // Without a stopping flag, the run's own limit: already reached, so it stops at once.
        let again = try CLI.run("train", ["--out", run.path, "--resume", "--threads", "1", "--quiet"], in: dir)
        XCTAssertEqual(again.status, 0, "\(again)")
        XCTAssertTrue(again.stdout.contains("reached --steps at step 7"), "\(again)")
    }

    // Row 3: one vocabulary.
    func testAliasesHelpAndVersion() throws {
        let dir = try Scratch.directory(self)
        for tool in ["train", "translate", "inspect"] {
            let h = try CLI.run(tool, ["-h"], in: dir), help = try CLI.run(tool, ["--help"], in: dir)
            XCTAssertEqual(h.status, 0, "\(h)")
            XCTAssertEqual(h.stdout, help.stdout, "\(tool): -h is --help")
            let v = try CLI.run(tool, ["--version"], in: dir)
            XCTAssertEqual(v.status, 0, "\(v)")
            XCTAssertTrue(v.stdout.hasPrefix("\(tool) 0.") && v.stdout.split(separator: "\n").count == 1, "\(v)")
        }
        let versions = try ["train", "translate", "inspect"].map { try CLI.run($0, ["--version"], in: dir).stdout.split(separator: " ").last }
        XCTAssertEqual(Set(versions).count, 1, "one version string for all tools: \(versions)")
        // train --output and translate --out name the same thing as the other tool's word.
        let data = try Scratch.write(Fixture.tsv(), to: dir, "train.tsv")
        var flags = Fixture.trainFlags(data: data, out: "unused", steps: 2)
        flags[flags.firstIndex(of: "--out")!] = "--output"
        flags[flags.firstIndex(of: "unused")!] = dir.appendingPathComponent("run").path
        XCTAssertEqual(try CLI.run("train", flags, in: dir).status, 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("run/best.safetensors").path))
        let out = dir.appendingPathComponent("hyp.txt").path
        XCTAssertEqual(try translate(["--out", out, "a cat"], in: dir).status, 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out))
        // inspect --checkpoint PATH, as translate names it.
        let ck = try Fixture.trainedRun().path
        XCTAssertEqual(try CLI.run("inspect", ["--checkpoint", ck], in: dir).stdout, try CLI.run("inspect", [ck], in: dir).stdout)
    }

    /// `--output /dev/null` once turned /dev/null into a regular file (a temporary file renamed
    /// over it). Anything but a regular file is written through: a symbolic link stands in for
    /// the device here, so a regression cannot break the machine's /dev/null.
    func testOutputWritesThroughWhatIsNotARegularFile() throws {
        let dir = try Scratch.directory(self)
        let target = dir.appendingPathComponent("target.txt"), link = dir.appendingPathComponent("link.txt")
        try Data("old\n".utf8).write(to: target)
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        let r = try translate(["--output", link.path, "a cat"], in: dir)
        XCTAssertEqual(r.status, 0, "\(r)")
        let attributes = try FileManager.default.attributesOfItem(atPath: link.path)
        XCTAssertEqual(attributes[.type] as? FileAttributeType, .typeSymbolicLink, "the link was replaced by a file")
        XCTAssertEqual(try String(contentsOf: target, encoding: .utf8), try translate(["a cat"], in: dir).stdout, "written through the link")
    }

    func testMaxLengthRatioAndItsDeprecatedName() throws {
        let dir = try Scratch.directory(self)
        let sentences = ["the big red dog sees my small cat and the old house", "a cat"]
        let new = try translate(["--max-length-ratio", "0.1"] + sentences, in: dir)
        let old = try translate(["--max-length", "0.1"] + sentences, in: dir)
        XCTAssertEqual(new.status, 0, "\(new)")
        XCTAssertEqual(old.status, 0, "\(old)")
        XCTAssertEqual(new.stdout, old.stdout, "the old name still works")
        XCTAssertTrue(old.stderr.contains("--max-length is deprecated: use --max-length-ratio"), "\(old)")
        XCTAssertFalse(new.stderr.contains("deprecated"), "\(new)")
    }

    func testDashMeansTheStandardStreams() throws {
        let dir = try Scratch.directory(self)
        let fromArgs = try translate(["the red cat", "a dog"], in: dir)
        let dash = try translate(["--input", "-", "--output", "-"], in: dir, stdin: "the red cat\na dog\n")
        XCTAssertEqual(dash.status, 0, "\(dash)")
        XCTAssertEqual(dash.stdout, fromArgs.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("-").path), "no file called '-'")
        let tsv = try translate(["--tsv", "-"], in: dir, stdin: "the red cat\tle chat rouge\na dog\tun chien\n")
        XCTAssertEqual(tsv.stdout, fromArgs.stdout, "\(tsv)")
        XCTAssertTrue(tsv.stderr.contains("BLEU"), "\(tsv)")
        let json = try translate(["--explain-json", "-", "the red cat"], in: dir)
        XCTAssertNotNil(try? JSONSerialization.jsonObject(with: Data(json.stdout.utf8)), "--explain-json - prints the JSON: \(json.stdout.prefix(200))")
        let ck = try Fixture.trainedRun().path
        try refused("translate", ["--checkpoint", ck, "--input", "-", "--reference", "-"], in: dir, mentions: ["both read standard input"])
        try refused("train", ["--data", "-", "--out", "run", "--steps", "2"], in: dir, mentions: ["--data - (standard input) is not possible", "--resume"])
        try refused("inspect", ["-"], in: dir, mentions: ["cannot be read from standard input"])
        // --config - reads the settings from standard input.
        let data = try Scratch.write(Fixture.tsv(), to: dir, "train.tsv")
        let config = #"{"data": "\#(data)", "tokenizer": "word", "min-frequency": 1, "model-dim": 16, "heads": 2, "layers": 1, "steps": 2, "valid-size": 20, "bleu-sentences": 2, "ema": 0}"#
        let r = try CLI.run("train", ["--config", "-", "--out", dir.appendingPathComponent("cfg").path, "--threads", "1", "--quiet"], in: dir, stdin: config)
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertTrue(r.stdout.contains("reached --steps at step 2"), "\(r)")
    }
}
