import Foundation
import XCTest

/// `translate --explain` in the terminal and as SVG: it fits the terminal's width ($COLUMNS, 80
/// when piped), every --explain-* flag turns it on, layers count from 0 everywhere, the
/// probabilities say why a sure token stays near 1 − ε, and the SVG names queries and keys,
/// has a legend and hatches masked cells.
final class ExplainOutputTests: XCTestCase {
    let sentence = "the red cat sees my old house and a big dog"

    func translate(_ args: [String], columns: String? = nil) throws -> CLI.Result {
        let dir = try Scratch.directory(self)
        var env: [String: String] = [:]
        if let columns { env["COLUMNS"] = columns }
        return try CLI.run("translate", ["--checkpoint", try Fixture.trainedRun().path] + args, in: dir, environment: env)
    }

    func testTheViewFitsTheTerminalWidth() throws {
        for (columns, width) in [("60", 60), ("132", 132), (nil, 80)] {
            let r = try translate(["--explain", "--quiet", sentence], columns: columns)
            XCTAssertEqual(r.status, 0, "\(r)")
            let long = r.stdout.split(separator: "\n").filter { $0.count > width }
            XCTAssertEqual(long, [], "COLUMNS=\(columns ?? "unset"): lines wider than \(width)")
            XCTAssertTrue(r.stdout.contains("A closer look at one query"), "\(r)")
            if width == 60 { XCTAssertTrue(r.stdout.contains("(key columns 0–"), "a wide map is split into blocks of columns: \(r.stdout)") }
        }
    }

    func testEveryExplainFlagTurnsTheViewOnAndLayersCountFromZero() throws {
        let layer = try translate(["--quiet", "--explain-layer", "decoder.layers.0.self", "--explain-head", "1", sentence])
        XCTAssertEqual(layer.status, 0, "\(layer)")
        XCTAssertTrue(layer.stdout.contains("A closer look at one query: decoder.layers.0.self, head 1"), "\(layer)")
        let all = try translate(["--quiet", "--explain-all", sentence])
        XCTAssertEqual(all.status, 0, "\(all)")
        XCTAssertTrue(all.stdout.contains("Encoder self-attention encoder.layers.0.self (layer 0 of 0–0)"), "\(all)")
        XCTAssertTrue(all.stdout.contains("Cross-attention decoder.layers.0.cross (layer 0 of 0–0)"), "\(all)")
        XCTAssertFalse(all.stdout.contains("layer 1 of"), "one numbering: from 0")
        // The model was trained with label smoothing 0.1: the table says what that does.
        XCTAssertTrue(all.stdout.contains("label smoothing ε = 0.1"), "\(all)")
        let bad = try translate(["--quiet", "--explain-layer", "decoder.layers.1.cross", sentence])
        assertFails(bad, status: 1, mentions: ["no attention named 'decoder.layers.1.cross'", "decoder.layers.0.cross", "count from 0"])
    }

    func testSeveralSentencesGoToTheFilesNotTheTerminal() throws {
        let dir = try Scratch.directory(self)
        let r = try translate(["--explain", "a dog", "the cat"])
        assertFails(r, status: 1, mentions: ["show one sentence", "--explain-html take several"])
        let json = dir.appendingPathComponent("e.json").path, html = dir.appendingPathComponent("e.html").path
        let ok = try translate(["--quiet", "--explain-json", json, "--explain-html", html, "a dog", "the cat", ""])
        XCTAssertEqual(ok.status, 0, "\(ok)")
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        XCTAssertEqual(doc?["version"] as? Int, 2)
        XCTAssertEqual((doc?["sentences"] as? [Any])?.count, 3, "an empty line is explained too (nothing to attend to but no crash)")
        XCTAssertEqual(ok.stdout, "", "files only: nothing on stdout")
        XCTAssertTrue(ok.stderr.contains("wrote the attention explorer to"), "\(ok)")
        let page = try String(contentsOfFile: html, encoding: .utf8)
        XCTAssertTrue(page.hasPrefix("<!DOCTYPE html>") && page.contains("id=\"page-data\""))
    }

    func testTheSVGNamesQueriesAndKeysAndHatchesMaskedCells() throws {
        let dir = try Scratch.directory(self)
        let svg = dir.appendingPathComponent("a.svg").path
        let r = try translate(["--quiet", "--explain-svg", svg, sentence])
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertEqual(r.stdout, "", "--explain-svg alone draws, it does not print the view")
        let text = try String(contentsOfFile: svg, encoding: .utf8)
        for fragment in ["queries (rows): decoder positions; row i predicts token i+1", "keys and values (columns): source tokens, from the encoder output",
                         "fill=\"url(#masked)\"", "<pattern id=\"masked\"", "masked: −∞ before the softmax", "attention weight (after the softmax)"] {
            XCTAssertTrue(text.contains(fragment), "the SVG lacks \(fragment)")
        }
        XCTAssertEqual(text.components(separatedBy: "<text").count, text.components(separatedBy: "</text>").count, "every text element closed")
    }
}
