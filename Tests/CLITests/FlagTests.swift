import Foundation
import XCTest

/// Command-line mistakes: one line naming the problem, the `--help` hint, exit status 2.
final class FlagTests: XCTestCase {
    private func usage(_ tool: String, _ args: [String], mentions: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let dir = try Scratch.directory(self)
        let r = try CLI.run(tool, args, in: dir)
        assertFails(r, status: 2, mentions: mentions + ["run '\(tool) --help'"], file: file, line: line)
        let lines = r.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, "expected the error and the hint, one line each: \(r)", file: file, line: line)
        XCTAssertTrue(r.stdout.isEmpty, "\(r)", file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path), "a usage error created --out", file: file, line: line)
    }

    private let base = ["--data", "x.tsv", "--out", "out", "--steps", "5"]

    func testUnknownFlagSuggestsTheClosestOne() throws {
        try usage("train", base + ["--model-dimm", "16"], mentions: ["unknown flag --model-dimm", "did you mean --model-dim"])
        try usage("translate", ["--checkpoint", "x", "--beem", "2"], mentions: ["unknown flag --beem", "--beam"])
        try usage("inspect", ["x", "--verfy"], mentions: ["unknown flag --verfy", "--verify"])
        try usage("train", base + ["-v"], mentions: ["unknown option '-v'"])
    }

    func testMissingValues() throws {
        try usage("train", base + ["--model-dim"], mentions: ["--model-dim needs a value"])
        try usage("train", ["--data", "--out", "out", "--steps", "5"], mentions: ["--data needs a value"])
        try usage("translate", ["--checkpoint"], mentions: ["--checkpoint needs a value"])
        try usage("translate", ["hello"], mentions: ["--checkpoint path is required"])
        try usage("inspect", [], mentions: ["give the checkpoint to inspect"])
    }

    func testNonsensicalValues() throws {
        try usage("train", base + ["--model-dim", "30", "--heads", "4"], mentions: ["not divisible by --heads 4"])
        try usage("train", base + ["--model-dim", "0"], mentions: ["--model-dim must be at least 1, got 0"])
        try usage("train", base + ["--layers", "-1"], mentions: ["--layers must be at least 0, got -1"])
        try usage("train", base + ["--batch-tokens", "0"], mentions: ["--batch-tokens must be at least"])
        try usage("train", base + ["--steps", "many"], mentions: ["--steps expects a whole number, got 'many'"])
        try usage("train", base + ["--lr", "nan"], mentions: ["--lr expects a number"])
        try usage("train", base + ["--dropout", "1.5"], mentions: ["--dropout must be between"])
        try usage("train", base + ["--tokenizer", "chars"], mentions: ["--tokenizer must be 'word' or 'bpe'"])
        try usage("train", ["--data", "x.tsv", "--out", "out"], mentions: ["say when to stop"])
        try usage("translate", ["--checkpoint", "x", "--beam", "0"], mentions: ["--beam must be at least 1"])
        try usage("translate", ["--checkpoint", "x", "--n-best", "3"], mentions: ["--beam 3"])
        try usage("inspect", ["x", "--limit", "-2", "--tensor", "t"], mentions: ["--limit must be at least 0"])
    }

    func testBatchBudgetSmallerThanOneSentence() throws {
        let dir = try Scratch.directory(self)
        let data = try Scratch.write(Fixture.tsv(), to: dir, "train.tsv")
        var flags = Fixture.trainFlags(data: data, out: dir.appendingPathComponent("out").path)
        flags += ["--batch-tokens", "8"]
        let r = try CLI.run("train", flags, in: dir)
        assertFails(r, status: 1, mentions: ["batch budget smaller than one sentence", "raise the token budget"])
    }
}
