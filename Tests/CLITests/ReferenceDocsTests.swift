import Foundation
import XCTest

/// Issue 16, rows 10 and 11: the reference cannot drift from the tools (docs/CLI.md holds each
/// tool's `--help` as the tool prints it, and covers the features users could not find), and the
/// README's translation examples are held-out sentences shown with their correct translation.
final class ReferenceDocsTests: XCTestCase {
    private func read(_ path: String) throws -> String {
        try String(contentsOf: CLI.packageRoot.appendingPathComponent(path), encoding: .utf8)
    }

    func testCLIReferenceHoldsEachToolsHelp() throws {
        let doc = try read("docs/CLI.md")
        let dir = try Scratch.directory(self)
        for tool in ["train", "translate", "inspect"] {
            let help = try CLI.run(tool, ["--help"], in: dir, environment: ["COLUMNS": ""]).stdout
            let block = "<!-- begin: \(tool) --help -->\n```text\n\(help)```\n<!-- end: \(tool) --help -->"
            XCTAssertTrue(doc.contains(block), "docs/CLI.md's \(tool) --help block is out of date: run `make cli-docs`")
        }
    }

    func testCLIReferenceCoversWhatUsersLookedFor() throws {
        let doc = try read("docs/CLI.md")
        for topic in ["### The prompt", ":explain SENTENCE", ":quit", "--explain-svg", "--n-best", "### --diff", "### --verify", "### --json",
                      "### --tensor", "### --average", "### --train-config", "--score", "--sample", "--temperature", "--no-repeat-ngram",
                      "--raw-weights", "--max-length-ratio", "Exit statuses", "### --resume", "config.json", "`-` is a standard stream"] {
            XCTAssertTrue(doc.contains(topic), "docs/CLI.md does not cover \(topic)")
        }
        let readme = try read("README.md"), guide = try read("docs/GUIDE.md")
        XCTAssertTrue(readme.contains("docs/CLI.md"), "the README points at the reference")
        XCTAssertTrue(guide.contains("CLI.md"), "the GUIDE points at the reference")
    }

    /// The README's examples sit between markers; each is `translate --checkpoint
    /// checkpoints/demo "SENTENCE" …` followed by the output shown. Every sentence must be a
    /// held-out sentence of data/test.tsv and the output shown its reference: what the demo
    /// model (`make demo`) translates them to.
    func testReadmeExamplesAreHeldOutSentencesWithTheirTranslations() throws {
        let readme = try read("README.md")
        let start = try XCTUnwrap(readme.range(of: "<!-- examples: held-out sentences of data/test.tsv -->"), "the README marks its examples")
        let end = try XCTUnwrap(readme.range(of: "<!-- end of examples -->", range: start.upperBound..<readme.endIndex))
        let lines = readme[start.upperBound..<end.lowerBound].split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let test = Dictionary(try read("data/test.tsv").split(separator: "\n").map { line -> (String, String) in
            let cols = line.split(separator: "\t", omittingEmptySubsequences: false)
            return (String(cols[0]), String(cols[1]))
        }, uniquingKeysWith: { a, _ in a })
        var checked = 0
        var i = 0
        while i < lines.count {
            defer { i += 1 }
            guard lines[i].contains("translate --checkpoint checkpoints/demo") else { continue }
            let sentences = lines[i].components(separatedBy: "\"").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
            XCTAssertFalse(sentences.isEmpty, "no quoted sentence in \(lines[i])")
            for (k, sentence) in sentences.enumerated() {
                let reference = try XCTUnwrap(test[sentence], "\"\(sentence)\" is not a sentence of data/test.tsv")
                XCTAssertEqual(i + 1 + k < lines.count ? lines[i + 1 + k] : nil, reference, "the README shows another translation of \"\(sentence)\"")
                checked += 1
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 3, "the README shows at least three examples")
    }
}
