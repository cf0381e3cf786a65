import Foundation
import Pages
import XCTest

/// The training report's data, read from run folders of every vintage: a resumed run drops
/// what its stopped session logged past the checkpoint, a damaged line is skipped and counted,
/// an old run (no markers, samples or attention log) gets notes instead of an error, and a
/// folder that is not a run is refused with a message that says what is missing.
final class TrainingReportTests: XCTestCase {
    func folder(_ name: String = #function) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pages-\(name.filter(\.isLetter))-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// The JSON embedded in a page.
    func pageData(_ html: String) throws -> [String: Any] {
        let open = #"<script type="application/json" id="page-data">"#
        let start = try XCTUnwrap(html.range(of: open)).upperBound
        let end = try XCTUnwrap(html.range(of: "</script>", range: start..<html.endIndex)).lowerBound
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(html[start..<end].utf8)) as? [String: Any])
    }

    func write(_ lines: [String], to dir: URL, _ name: String = "metrics.jsonl") throws {
        try (lines.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    func train(_ step: Int, loss: Double = 3) -> String {
        #"{"kind":"train","step":\#(step),"loss":\#(loss),"lr":0.001,"tokens_per_s":1000,"grad_norm":0.5,"train_seconds":\#(step),"skipped":0}"#
    }

    func valid(_ step: Int, bleu: Double) -> String {
        #"{"kind":"valid","step":\#(step),"loss":2,"perplexity":7.4,"bleu":\#(bleu),"chrf":30,"exact_match":0,"train_seconds":\#(step),"samples":[{"source":"a <b>","reference":"r","hypothesis":"h"}]}"#
    }

    func testAResumedRunDropsWhatTheStoppedSessionLoggedPastItsCheckpoint() throws {
        let dir = try folder()
        try write([#"{"kind":"start","step":0,"time":"2026-01-01T00:00:00Z","config":{"optimizer":{"clipNorm":1},"seed":1,"lowercase":false}}"#,
                   train(1), train(2), valid(2, bleu: 5), train(3), train(4), valid(4, bleu: 9), train(5),
                   #"{"kind":"skip","step":5,"reason":"loss nan is not finite","skipped":1}"#,
                   #"{"kind":"resume","step":2,"time":"2026-01-01T01:00:00Z","checkpoint":"run/step-00000002.safetensors"}"#,
                   train(3, loss: 2), train(4, loss: 2), valid(4, bleu: 7)], to: dir)
        let data = try pageData(try TrainingReport.html(folder: dir))
        let train = try XCTUnwrap(data["train"] as? [String: Any])
        XCTAssertEqual(train["step"] as? [Int], [1, 2, 3, 4])
        XCTAssertEqual((train["loss"] as? [Double])?.suffix(2), [2, 2], "the redone steps, not the lost ones")
        let valid = try XCTUnwrap(data["valid"] as? [[String: Any]])
        XCTAssertEqual(valid.map { $0["step"] as? Int }, [2, 4])
        XCTAssertEqual(valid.last?["bleu"] as? Double, 7)
        XCTAssertEqual(data["best"] as? Int, 4, "without checkpoints.json the best is the highest BLEU logged")
        let events = try XCTUnwrap(data["events"] as? [[String: Any]])
        XCTAssertEqual(events.map { $0["kind"] as? String }, ["start", "resume"], "the skip at step 5 was lost with its session")
        let notes = try XCTUnwrap(data["notes"] as? [String])
        XCTAssertTrue(notes.contains { $0.contains("resume at step 2") }, "\(notes)")
        // The settings keep booleans and numbers apart.
        let config = try XCTUnwrap(data["trainConfig"] as? [String: Any])
        XCTAssertEqual((config["optimizer"] as? [String: Any])?["clipNorm"] as? Int, 1)
        XCTAssertEqual(config["lowercase"] as? Bool, false)
        XCTAssertEqual(((valid[0]["samples"] as? [[String]])?.first)?.first, "a <b>", "sample text survives, escaped in the page")
    }

    func testAnOldRunGetsNotesAndDamagedLinesAreCounted() throws {
        let dir = try folder()
        try write([#"{"kind":"train","step":1,"loss":5,"lr":0.001,"tokens_per_s":900,"train_seconds":1}"#,
                   #"{"kind":"valid","step":2,"loss":4,"perplexity":54,"bleu":1,"chrf":10,"exact_match":0}"#,
                   #"{"kind":"train","step":3,"lo"#], to: dir)
        let data = try pageData(try TrainingReport.html(folder: dir))
        let notes = try XCTUnwrap(data["notes"] as? [String])
        XCTAssertTrue(notes.contains { $0.contains("1 unreadable line") }, "\(notes)")
        XCTAssertTrue(notes.contains { $0.contains("older train") && $0.contains("start or resume markers") }, "\(notes)")
        XCTAssertTrue(notes.contains { $0.contains("attention.jsonl") }, "\(notes)")
        XCTAssertTrue(notes.contains { $0.contains("gradient norms") }, "\(notes)")
        XCTAssertEqual((data["attention"] as? [Any])?.count, 0)
        XCTAssertEqual((data["train"] as? [String: Any])?["step"] as? [Int], [1])
    }

    func testAttentionLogKeepsTheLastRecordPerStepAndTruncates() throws {
        let dir = try folder()
        func record(_ step: Int, _ w: Float) -> AttentionSnapshot {
            AttentionSnapshot(step: step, index: 3, source: "a b", reference: "x y", translation: "x", sourceTokens: ["▁a", "▁b"],
                              decoderInputTokens: ["<s>", "▁x"], outputTokens: ["▁x", "</s>"], layers: [[[w, 1 - w], [0.5, 0.5]]])
        }
        for r in [record(2, 0.1), record(4, 0.2), record(4, 0.3), record(6, 0.4)] { try r.append(to: dir) }
        let read = try XCTUnwrap(AttentionSnapshot.read(folder: dir))
        XCTAssertEqual(read.records.map(\.step), [2, 4, 6])
        XCTAssertEqual(read.records[1].layers[0][0][0], 0.3, "a step logged twice keeps the later record")
        XCTAssertEqual(read.records[0], record(2, 0.1))
        try AttentionSnapshot.truncate(folder: dir, after: 4)
        XCTAssertEqual(AttentionSnapshot.read(folder: dir)?.records.map(\.step), [2, 4])
        // The report carries the records to the page.
        try write([train(2)], to: dir)
        let data = try pageData(try TrainingReport.html(folder: dir))
        XCTAssertEqual((data["attention"] as? [[String: Any]])?.map { $0["step"] as? Int }, [2, 4])
    }

    func testWhatIsNotARunFolderIsRefusedClearly() throws {
        let dir = try folder()
        XCTAssertThrowsError(try TrainingReport.write(folder: dir)) {
            XCTAssertTrue("\($0)".contains("not a training folder"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("report.html").path))
        XCTAssertThrowsError(try TrainingReport.write(folder: dir.appendingPathComponent("missing"))) {
            XCTAssertTrue("\($0)".contains("is not a folder"), "\($0)")
        }
        try write([train(1)], to: dir)
        let url = try TrainingReport.write(folder: dir)
        let html = try String(contentsOf: url, encoding: .utf8)
        XCTAssertTrue(html.contains("Content-Security-Policy"), "the page forbids every request")
        let text = html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "")  // a namespace name, not a request
        XCTAssertFalse(text.contains("http://") || text.contains("https://"), "no link out of the page")
    }
}
