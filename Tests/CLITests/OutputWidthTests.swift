import Foundation
import XCTest

/// Issue 16, rows 4 and 8: output fits the terminal. Every tool's `--help` fits 80 columns when
/// piped (and `COLUMNS` when set); `inspect`'s default summary is compact and fits, with the
/// full table behind `--all`; `inspect --diff` exits as diff does and folds long name lists.
final class OutputWidthTests: XCTestCase {
    private func widest(_ text: String) -> (Int, String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let w = lines.max { $0.count < $1.count } ?? ""
        return (w.count, w)
    }

    func testNoHelpLineIsWiderThan80Columns() throws {
        let dir = try Scratch.directory(self)
        for tool in ["train", "translate", "inspect", "gencorpus", "bench"] {
            let r = try CLI.run(tool, ["--help"], in: dir, environment: ["COLUMNS": ""])
            XCTAssertEqual(r.status, 0, "\(r)")
            XCTAssertGreaterThan(r.stdout.split(separator: "\n").count, 5, "\(tool) printed its help: \(r)")
            let (width, line) = widest(r.stdout)
            XCTAssertLessThanOrEqual(width, 80, "\(tool) --help has a line of \(width) columns: \(line)")
        }
        for tool in ["train", "translate", "inspect"] {
            let narrow = try CLI.run(tool, ["--help"], in: dir, environment: ["COLUMNS": "60"])
            let (width, line) = widest(narrow.stdout)
            XCTAssertLessThanOrEqual(width, 60, "\(tool) --help ignores COLUMNS=60: \(line)")
        }
    }

    func testInspectSummaryIsCompactAndAllShowsEveryTensor() throws {
        let dir = try Scratch.directory(self)
        let run = try Fixture.trainedRun().path
        let r = try CLI.run("inspect", [run], in: dir, environment: ["COLUMNS": ""])
        XCTAssertEqual(r.status, 0, "\(r)")
        let (width, line) = widest(r.stdout)
        XCTAssertLessThanOrEqual(width, 80, "summary line of \(width) columns: \(line)")
        XCTAssertLessThan(r.stdout.split(separator: "\n").count, 65, "the summary is compact: \(r.stdout)")
        XCTAssertFalse(r.stdout.contains("encoder.layers.0.self.query.weight"), "per-tensor rows only with --all")
        XCTAssertTrue(r.stdout.contains("Totals per module") && r.stdout.contains("--all"), "\(r)")
        let all = try CLI.run("inspect", [run, "--all"], in: dir)
        XCTAssertTrue(all.stdout.contains("encoder.layers.0.self.query.weight") && all.stdout.contains("adam.m.output.weight"), "\(all)")
        XCTAssertTrue(all.stdout.contains("loss"), "\(all)")
        // The JSON is unchanged by the compact text.
        let json = try CLI.run("inspect", [run, "--json"], in: dir)
        XCTAssertNotNil(try? JSONSerialization.jsonObject(with: Data(json.stdout.utf8)))
    }

    func testDiffExitsLikeDiffAndFoldsLongLists() throws {
        let dir = try Scratch.directory(self)
        let run = try Fixture.trainedRun()
        let a = run.appendingPathComponent("step-00000004.safetensors").path, b = run.appendingPathComponent("step-00000005.safetensors").path
        let same = try CLI.run("inspect", [a, "--diff", a], in: dir)
        XCTAssertEqual(same.status, 0, "the same file: \(same)")
        let different = try CLI.run("inspect", [a, "--diff", b], in: dir)
        XCTAssertEqual(different.status, 1, "two steps differ: \(different)")
        XCTAssertTrue(different.stdout.contains("Summary:"), "\(different)")
        let missing = try CLI.run("inspect", [a, "--diff", dir.appendingPathComponent("none.safetensors").path], in: dir)
        assertFails(missing, status: 2, mentions: ["none.safetensors", "no such file"])
        let usage = try CLI.run("inspect", [a, "--diff"], in: dir)
        XCTAssertEqual(usage.status, 2, "\(usage)")
        // A run with weight averaging holds raw.* and adam.* tensors the fixture run lacks.
        let data = try Scratch.write(Fixture.tsv(), to: dir, "train.tsv")
        var flags = Fixture.trainFlags(data: data, out: dir.appendingPathComponent("ema").path, steps: 2)
        flags[flags.firstIndex(of: "--ema")! + 1] = "0.9"
        XCTAssertEqual(try CLI.run("train", flags, in: dir).status, 0)
        let folded = try CLI.run("inspect", [dir.appendingPathComponent("ema").path, "--diff", a], in: dir, environment: ["COLUMNS": ""])
        XCTAssertEqual(folded.status, 1, "\(folded)")
        let (width, line) = widest(folded.stdout)
        XCTAssertLessThanOrEqual(width, 80, "a line of \(width) columns: \(line)")
        XCTAssertTrue(folded.stdout.contains("only in A (50): raw.* (50)"), "the raw weights read as one group: \(folded.stdout)")
        let all = try CLI.run("inspect", [dir.appendingPathComponent("ema").path, "--diff", a, "--all"], in: dir)
        XCTAssertTrue(all.stdout.contains("raw.decoder.norm.bias"), "--all lists every name: \(all)")
    }
}
