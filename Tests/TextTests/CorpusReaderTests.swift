import Foundation
import Text
import XCTest

final class CorpusReaderTests: XCTestCase {
    var dir: TempDir!

    override func setUpWithError() throws { dir = try TempDir() }
    override func tearDown() { dir = nil }

    func testTSVReadsPairsAndIgnoresExtraColumns() throws {
        let path = try dir.write("a.tsv", "Hello.\tBonjour.\tCC-BY 2.0 (France) Attribution: tatoeba.org #1\nCats\tChats\n")
        let c = try ParallelCorpus.readTSV(path: path)
        XCTAssertEqual(c.pairs, [SentencePair(source: "Hello.", target: "Bonjour."), SentencePair(source: "Cats", target: "Chats")])
        XCTAssertEqual(c.stats.pairsKept, 2)
        XCTAssertEqual(c.stats.skipped, 0)
    }

    func testCRLFAndBOMAreTransparent() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("été\tsummer\r\nhiver\twinter\r\n".utf8)
        let c = try ParallelCorpus.readTSV(path: dir.write("crlf.tsv", bytes: bytes))
        XCTAssertEqual(c.pairs, [SentencePair(source: "été", target: "summer"), SentencePair(source: "hiver", target: "winter")])
    }

    func testLastLineWithoutNewlineIsRead() throws {
        let c = try ParallelCorpus.readTSV(path: dir.write("n.tsv", "a\tb\nc\td"))
        XCTAssertEqual(c.pairs.last, SentencePair(source: "c", target: "d"))
    }

    func testMissingFile() {
        let path = dir.url.appendingPathComponent("nope.tsv").path
        assertThrows(.fileNotFound(path: path)) { try ParallelCorpus.readTSV(path: path) }
    }

    func testEmptyFile() throws {
        let path = try dir.write("empty.tsv", "")
        assertThrows(.emptyFile(path: path)) { try ParallelCorpus.readTSV(path: path) }
        let blank = try dir.write("blank.tsv", bytes: [0xEF, 0xBB, 0xBF, 0x0A, 0x20, 0x0D, 0x0A])
        assertThrows(.emptyFile(path: blank)) { try ParallelCorpus.readTSV(path: blank) }
    }

    func testOneColumnLineNamesTheLine() throws {
        let path = try dir.write("one.tsv", "a\tb\nno tab here\nc\td\n")
        assertThrows(.missingColumn(path: path, line: 2)) { try ParallelCorpus.readTSV(path: path) }
        let message = TextError.missingColumn(path: path, line: 2).description
        XCTAssertTrue(message.contains("one.tsv:2"), message)
        XCTAssertTrue(message.contains("tab"), message)
    }

    func testEmptySidesAreSkippedAndCounted() throws {
        let path = try dir.write("e.tsv", "a\tb\n\tonly target\nonly source\t\n  \t x\n\nc\td\n")
        let c = try ParallelCorpus.readTSV(path: path)
        XCTAssertEqual(c.pairs.count, 2)
        XCTAssertEqual(c.stats.skippedEmptySide, 3)
        XCTAssertEqual(c.stats.skippedBlank, 1)
        XCTAssertEqual(c.stats.linesRead, 6)
    }

    func testAllEmptySidesIsAnError() throws {
        let path = try dir.write("e.tsv", "\tx\ny\t\n")
        XCTAssertThrowsError(try ParallelCorpus.readTSV(path: path)) { error in
            guard case TextError.noUsablePairs(let p, let summary) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(p, path)
            XCTAssertTrue(summary.contains("2 with an empty side"), summary)
        }
    }

    func testInvalidUTF8NamesTheLine() throws {
        let bytes = Array("ok\tfine\nok\tfine\n".utf8) + [0x62, 0x61, 0x64, 0x09, 0xC3, 0x28, 0x0A] + Array("x\ty\n".utf8)
        let path = try dir.write("bad.tsv", bytes: bytes)
        assertThrows(.invalidUTF8(path: path, line: 3)) { try ParallelCorpus.readTSV(path: path) }
    }

    func testVeryLongLinesAreSkippedWithoutBufferingThem() throws {
        // 3 MB line: longer than the reader's 1 MiB chunk, so it must be discarded across refills.
        let long = String(repeating: "x", count: 3_000_000) + "\ty"
        let medium = String(repeating: "é", count: 40) + "\tz"  // 40 characters but 80 bytes
        let path = try dir.write("long.tsv", "a\tb\n\(long)\n\(medium)\nc\td\n")
        let c = try ParallelCorpus.readTSV(path: path, config: CorpusReaderConfig(maxCharacters: 50))
        XCTAssertEqual(c.pairs.map(\.source), ["a", String(repeating: "é", count: 40), "c"])
        XCTAssertEqual(c.stats.skippedTooLong, 1)
        let strict = try ParallelCorpus.readTSV(path: path, config: CorpusReaderConfig(maxCharacters: 10))
        XCTAssertEqual(strict.pairs.map(\.source), ["a", "c"])
        XCTAssertEqual(strict.stats.skippedTooLong, 2)
    }

    func testMosesPairReadsLineAligned() throws {
        let en = try dir.write("train.en", "Hello .\r\nThe cat\n\nBye\n")
        let fr = try dir.write("train.fr", bytes: [0xEF, 0xBB, 0xBF] + Array("Bonjour .\nLe chat\nVide\nAu revoir".utf8))
        let c = try ParallelCorpus.readMoses(sourcePath: en, targetPath: fr)
        XCTAssertEqual(c.pairs, [SentencePair(source: "Hello .", target: "Bonjour ."),
                                 SentencePair(source: "The cat", target: "Le chat"),
                                 SentencePair(source: "Bye", target: "Au revoir")])
        XCTAssertEqual(c.stats.skippedEmptySide, 1)
    }

    func testMosesLineCountMismatchNamesBothCounts() throws {
        let en = try dir.write("m.en", "a\nb\nc\n")
        let fr = try dir.write("m.fr", "x\ny\nz\nw\nv\n")
        assertThrows(.lineCountMismatch(sourcePath: en, sourceLines: 3, targetPath: fr, targetLines: 5)) {
            try ParallelCorpus.readMoses(sourcePath: en, targetPath: fr)
        }
        let message = TextError.lineCountMismatch(sourcePath: en, sourceLines: 3, targetPath: fr, targetLines: 5).description
        XCTAssertTrue(message.contains("3 lines") && message.contains("5 lines"), message)
    }

    func testMosesMissingEmptyAndInvalid() throws {
        let en = try dir.write("ok.en", "a\n")
        let missing = dir.url.appendingPathComponent("missing.fr").path
        assertThrows(.fileNotFound(path: missing)) { try ParallelCorpus.readMoses(sourcePath: en, targetPath: missing) }
        let empty = try dir.write("empty.fr", "")
        assertThrows(.emptyFile(path: empty)) { try ParallelCorpus.readMoses(sourcePath: en, targetPath: empty) }
        let bad = try dir.write("bad.fr", bytes: [0xFF, 0x0A])
        assertThrows(.invalidUTF8(path: bad, line: 1)) { try ParallelCorpus.readMoses(sourcePath: en, targetPath: bad) }
    }
}
