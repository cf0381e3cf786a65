import Checkpoint
import Foundation
import XCTest

/// `train` on bad corpora: a one-line error naming the file (and line), exit status 1, no crash;
/// and the inputs that must simply work (CRLF, BOM, skipped lines with a count).
final class CorpusInputTests: XCTestCase {
    private func train(_ dir: URL, _ extra: [String]) throws -> CLI.Result {
        var flags = Fixture.trainFlags(data: "unused", out: dir.appendingPathComponent("out").path)
        flags.removeFirst(2)  // --data unused
        return try CLI.run("train", extra + flags, in: dir)
    }

    func testMissingFile() throws {
        let dir = try Scratch.directory(self)
        let r = try train(dir, ["--data", "nowhere.tsv"])
        assertFails(r, status: 1, mentions: ["nowhere.tsv", "file not found", "check the path"])
    }

    func testEmptyFile() throws {
        let dir = try Scratch.directory(self)
        let empty = try Scratch.write("", to: dir, "empty.tsv")
        assertFails(try train(dir, ["--data", empty]), status: 1, mentions: ["empty.tsv", "empty"])
        let blank = try Scratch.write("\u{FEFF}\n  \n\t\n", to: dir, "blank.tsv")
        assertFails(try train(dir, ["--data", blank]), status: 1, mentions: ["blank.tsv", "empty"])
    }

    func testMosesLineCountMismatch() throws {
        let dir = try Scratch.directory(self)
        let pairs = Fixture.pairs(50)
        let src = try Scratch.write(pairs.map { $0.0 + "\n" }.joined(), to: dir, "train.en")
        let tgt = try Scratch.write(pairs.dropLast(3).map { $0.1 + "\n" }.joined(), to: dir, "train.fr")
        let r = try train(dir, ["--source", src, "--target", tgt])
        assertFails(r, status: 1, mentions: ["train.en has 50 lines", "train.fr has 47 lines", "line-aligned"])
    }

    func testTSVLineWithOneColumn() throws {
        let dir = try Scratch.directory(self)
        var lines = Fixture.tsv(30).split(separator: "\n").map(String.init)
        lines[11] = "only a source sentence here"
        let path = try Scratch.write(lines.joined(separator: "\n") + "\n", to: dir, "one-column.tsv")
        assertFails(try train(dir, ["--data", path]), status: 1, mentions: ["one-column.tsv:12:", "only one column", "tab"])
    }

    func testEmptySidesAreSkippedWithACount() throws {
        let dir = try Scratch.directory(self)
        let text = Fixture.tsv(200) + "the cat\t\n\tle chat\n   \t  \n"
        let path = try Scratch.write(text, to: dir, "gaps.tsv")
        let r = try train(dir, ["--data", path])
        XCTAssertEqual(r.status, 0, "\(r)")
        // Two lines lack one side; the third is whitespace only, so it counts as blank.
        XCTAssertTrue(r.stdout.contains("200 pairs from 203 lines; skipped 2 with an empty side, 0 too long, 1 blank"), "\(r)")
    }

    func testAllSidesEmptyIsAnError() throws {
        let dir = try Scratch.directory(self)
        let path = try Scratch.write("the cat\t\n\tle chat\n a \t \n", to: dir, "hollow.tsv")
        assertFails(try train(dir, ["--data", path]), status: 1, mentions: ["hollow.tsv", "no usable sentence pairs", "3 with an empty side"])
    }

    func testInvalidUTF8NamesTheLine() throws {
        let dir = try Scratch.directory(self)
        var bytes = Array(Fixture.tsv(10).utf8)
        let lineStarts = [0] + bytes.indices.filter { bytes[$0] == 0x0A }.map { $0 + 1 }
        bytes.insert(contentsOf: [0xC3, 0x28, 0xFF], at: lineStarts[6] + 2)  // inside line 7
        let path = try Scratch.write(bytes, to: dir, "latin.tsv")
        assertFails(try train(dir, ["--data", path]), status: 1, mentions: ["latin.tsv:7:", "not valid UTF-8", "iconv"])
        // Moses files name their own line.
        let src = try Scratch.write([0x61, 0x0A, 0x62, 0xFE, 0x0A], to: dir, "bad.en")
        let tgt = try Scratch.write("a\nb\n", to: dir, "ok.fr")
        assertFails(try train(dir, ["--source", src, "--target", tgt]), status: 1, mentions: ["bad.en:2:", "UTF-8"])
    }

    func testVeryLongLinesAreSkippedWithACount() throws {
        let dir = try Scratch.directory(self)
        // A 4 MB line (no newline inside) and a long-but-valid pair: both skipped, never buffered whole.
        let huge = String(repeating: "word ", count: 800_000) + "\tmot\n"
        let long = String(repeating: "a ", count: 2_000) + "\tb\n"
        let path = try Scratch.write(Fixture.tsv(200) + huge + long, to: dir, "long.tsv")
        let r = try train(dir, ["--data", path])
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertTrue(r.stdout.contains("2 too long"), "\(r)")
    }

    func testCRLFAndByteOrderMarkAreHandled() throws {
        let dir = try Scratch.directory(self)
        let text = "\u{FEFF}" + Fixture.tsv(200).replacingOccurrences(of: "\n", with: "\r\n")
        let path = try Scratch.write(text, to: dir, "windows.tsv")
        let r = try train(dir, ["--data", path])
        XCTAssertEqual(r.status, 0, "\(r)")
        // Neither the BOM nor a carriage return may leak into the learned vocabulary.
        let file = try SafeTensors.read(from: URL(fileURLWithPath: dir.appendingPathComponent("out/best.safetensors").path))
        let json = try JSONSerialization.jsonObject(with: Data(try XCTUnwrap(file.metadata["tokenizers"]).utf8)) as? [String: Any]
        let source = (json?["source"] as? [String: Any])?["model"] as? [String: Any]
        let tokens = try XCTUnwrap((source?["vocabulary"] as? [String: Any])?["tokens"] as? [String])
        XCTAssertFalse(tokens.contains { $0.contains("\r") || $0.contains("\u{FEFF}") }, "a CR or the BOM reached the vocabulary: \(tokens)")
        XCTAssertTrue(tokens.contains("\u{2581}the"), "the file's first word lost its BOM-free spelling: \(tokens)")
    }
}
