import Foundation
import XCTest

/// `translate` on awkward input: every input line gets exactly one output line, in order.
final class TranslateInputTests: XCTestCase {
    private func translate(_ args: [String], stdin: String? = nil) throws -> CLI.Result {
        let run = try Fixture.trainedRun()
        return try CLI.run("translate", ["--checkpoint", run.path, "--threads", "1", "--quiet"] + args,
                           in: run.deletingLastPathComponent(), stdin: stdin)
    }

    func testEmptyLinesGiveEmptyLinesInOrder() throws {
        let r = try translate([], stdin: "the red cat\n\nmy old dog\n   \n\na car\n")
        XCTAssertEqual(r.status, 0, "\(r)")
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        XCTAssertEqual(lines.count, 6, "\(r)")
        XCTAssertEqual(lines[1], "", "\(r)")
        XCTAssertEqual(lines[4], "", "\(r)")
        XCTAssertFalse(lines[0].isEmpty || lines[2].isEmpty || lines[5].isEmpty, "\(r)")
        // The same with beam search, which decodes differently.
        let b = try translate(["--beam", "2"], stdin: "the red cat\n\nmy old dog\n")
        XCTAssertEqual(b.status, 0, "\(b)")
        XCTAssertEqual(b.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(\.isEmpty), [false, true, false], "\(b)")
    }

    /// `--int8` decodes with int8 weights: one line per input line, in order, greedy and beam.
    /// (Agreement with float32 is `Int8DecodingTests`' job: the fixture model is barely trained.)
    func testInt8GivesALinePerSentence() throws {
        let input = "the red cat\n\nmy old dog\na big car\nthe small house\nmy red dog\n"
        for beam in [[], ["--beam", "3"]] {
            let (f32, i8) = (try translate(beam, stdin: input), try translate(beam + ["--int8"], stdin: input))
            XCTAssertEqual(i8.status, 0, "\(i8)")
            let (a, b) = (f32.stdout.split(separator: "\n", omittingEmptySubsequences: false), i8.stdout.split(separator: "\n", omittingEmptySubsequences: false))
            XCTAssertEqual(b.map(\.isEmpty), a.map(\.isEmpty), "\(i8)")
        }
    }

    func testUnknownWordsAndUnseenCharacters() throws {
        let r = try translate(["the zyzzyva sees", "漢字 ☃ 🚀 Ωμέγα", "\u{0301}\u{200B}", "the red cat"])
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertEqual(r.stdout.split(separator: "\n", omittingEmptySubsequences: false).count, 5, "one line per sentence: \(r)")
        // Only the sentences the model mostly cannot read are warned about (RowTests tests the warning).
        XCTAssertTrue(r.stderr.contains("sentence 2 is mostly unknown"), "\(r)")
        XCTAssertFalse(r.stderr.contains("sentence 1 ") || r.stderr.contains("sentence 4 "), "\(r)")
    }

    func testSentenceLongerThanTheModelIsTruncatedWithANote() throws {
        // The fixture model's --max-length is 32 tokens.
        let long = Array(repeating: "the big red dog sees my small cat", count: 20).joined(separator: " ")
        let run = try Fixture.trainedRun()
        let r = try CLI.run("translate", ["--checkpoint", run.path, "--threads", "1", long, "a cat"], in: run.deletingLastPathComponent())
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertEqual(r.stdout.split(separator: "\n").count, 2, "\(r)")
        XCTAssertTrue(r.stderr.contains("sentence 1 has 160 tokens"), "\(r)")
        XCTAssertTrue(r.stderr.contains("first 32"), "\(r)")
    }

    func testCRLFInputFile() throws {
        let dir = try Scratch.directory(self)
        let input = try Scratch.write("\u{FEFF}the red cat\r\n\r\na dog\r\n", to: dir, "in.txt")
        let r = try translate(["--input", input])
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertEqual(r.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(\.isEmpty), [false, true, false], "\(r)")
        XCTAssertFalse(r.stdout.contains("\r"), "\(r)")
    }

    /// Standard input, a file and a pipe are read by the same line reader: the same lines.
    func testStandardInputAndPipesReadLikeFiles() throws {
        let dir = try Scratch.directory(self)
        let text = "\u{FEFF}the red cat\r\n\r\na dog\r\n"
        let input = try Scratch.write(text, to: dir, "in.txt")
        let fromFile = try translate(["--input", input])
        let fromStdin = try translate([], stdin: text)
        let fromPipe = try translate(["--input", "/dev/stdin"], stdin: text)
        XCTAssertEqual(fromFile.status, 0, "\(fromFile)")
        XCTAssertEqual(fromStdin.stdout, fromFile.stdout, "\(fromStdin)")
        XCTAssertEqual(fromPipe.stdout, fromFile.stdout, "\(fromPipe)")
    }

    func testUnreadableInputFiles() throws {
        let dir = try Scratch.directory(self)
        assertFails(try translate(["--input", dir.appendingPathComponent("none.txt").path]), status: 1, mentions: ["none.txt", "file not found"])
        let bad = try Scratch.write([0x61, 0x0A, 0xFF, 0xFE, 0x0A], to: dir, "bad.txt")
        assertFails(try translate(["--input", bad]), status: 1, mentions: ["bad.txt:2:", "not valid utf-8"])
        let refs = try Scratch.write("one\n", to: dir, "ref.txt")
        assertFails(try translate(["--reference", refs, "a", "b"]), status: 1, mentions: ["ref.txt has 1 lines", "2 sentences"])
    }
}
