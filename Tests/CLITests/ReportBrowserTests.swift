import Foundation
import XCTest

/// The training report (`report.html`, written by `train` at every validation and by
/// `inspect --html`) in a real browser: no console error, no request, every chart drawn with its
/// series, the skipped update, the resume point and the best validation marked, values on hover,
/// and the attention slider moving through the validations, by script and by arrow keys. An old
/// run folder (no attention log, no markers, no samples) still gets a report, with notes.
final class ReportBrowserTests: XCTestCase {
    static let snapshot = """
    (() => {
      const charts = [...document.querySelectorAll('svg.linechart')];
      const slider = document.getElementById('slider');
      return {charts: charts.length, series: charts.map(c => c.querySelectorAll('path.series').length),
              resume: document.querySelectorAll('.marker-resume').length, skip: document.querySelectorAll('.marker-skip').length,
              star: document.querySelectorAll('.best-star').length, notes: document.querySelectorAll('.note-old').length,
              sliderMax: +slider.max, sliderDisabled: slider.disabled, attention: document.body.dataset.attention || null,
              cells: document.querySelectorAll('#attMap svg.heatmap rect.cell').length,
              samples: document.querySelectorAll('table.samples tr').length, summary: document.getElementById('summary').textContent};
    })()
    """

    /// Hovers the middle of the first chart and returns the tooltip's text.
    static let hover = """
    (() => {
      const hit = document.querySelector('svg.linechart rect[fill=transparent]'), box = hit.getBoundingClientRect();
      hit.dispatchEvent(new MouseEvent('mousemove', {clientX: box.left + box.width / 2, clientY: box.top + box.height / 2, bubbles: true}));
      return document.getElementById('tip').textContent;
    })()
    """

    func testTrainWritesAReportWithChartsMarkersAndAnAttentionSlider() throws {
        _ = try Browser.tools()
        let dir = try Scratch.directory(self)
        let data = try Scratch.write(Fixture.tsv(), to: dir, "train.tsv")
        let run = dir.appendingPathComponent("run")
        // One NaN update at step 3 (skipped), then a resumed second session.
        let first = try CLI.run("train", Fixture.trainFlags(data: data, out: run.path, steps: 4, validEvery: 2), in: dir,
                                environment: ["TINY_TRANSLATOR_INJECT_NAN": "3"])
        XCTAssertEqual(first.status, 0, "\(first)")
        let second = try CLI.run("train", ["--out", run.path, "--resume", "--steps", "6", "--threads", "1", "--quiet"], in: dir)
        XCTAssertEqual(second.status, 0, "\(second)")
        let page = run.appendingPathComponent("report.html")
        XCTAssertTrue(FileManager.default.fileExists(atPath: page.path), "train wrote no report.html")
        let log = try String(contentsOf: run.appendingPathComponent("attention.jsonl"), encoding: .utf8)
        XCTAssertEqual(log.split(separator: "\n").count, 3, "one attention record per validation (steps 2, 4, 6): \(log)")

        let actions: [[String: Any]] = [
            ["eval": Self.snapshot], ["eval": Self.hover],
            ["eval": "(() => { const s = document.getElementById('slider'); s.value = 0; s.dispatchEvent(new Event('input')); s.focus(); return 1; })()"],
            ["eval": Self.snapshot],
            ["key": "ArrowRight"], ["eval": Self.snapshot],
        ]
        let report = try Browser.run(page, actions: actions, in: dir)
        Browser.assertClean(report, page: page)
        let shots = report.results.compactMap { $0 as? [String: Any] }
        XCTAssertEqual(shots.count, 3)
        guard shots.count == 3 else { return }
        let s = shots[0]
        XCTAssertEqual(s["charts"] as? Int, 5, "loss, scores, learning rate, tokens/s, gradient norm")
        XCTAssertEqual(s["series"] as? [Int], [3, 2, 1, 1, 1], "series drawn per chart (the scores chart has no raw-weights BLEU without --ema)")
        XCTAssertGreaterThan(s["resume"] as? Int ?? 0, 0, "the resume point is marked")
        XCTAssertGreaterThan(s["skip"] as? Int ?? 0, 0, "the skipped update is marked")
        XCTAssertEqual(s["star"] as? Int, 1, "the best validation is starred")
        XCTAssertEqual(s["notes"] as? Int, 0, "a new run needs no notes")
        XCTAssertEqual(s["sliderMax"] as? Int, 2)
        XCTAssertGreaterThan(s["samples"] as? Int ?? 0, 1)
        let tip = report.results[1] as? String ?? ""
        XCTAssertTrue(tip.contains("training (smoothed):") && tip.contains("(step "), "hover shows values: \(tip)")
        func attention(_ shot: [String: Any]) -> [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data((shot["attention"] as? String ?? "{}").utf8))) as? [String: Any] ?? [:]
        }
        XCTAssertEqual(attention(shots[0])["index"] as? Int, 2, "the slider starts at the latest validation")
        XCTAssertEqual(attention(shots[1])["index"] as? Int, 0)
        XCTAssertEqual(attention(shots[1])["step"] as? Int, 2)
        XCTAssertEqual(attention(shots[2])["index"] as? Int, 1, "the arrow key moved the slider")
        XCTAssertEqual(attention(shots[2])["step"] as? Int, 4)
        for shot in shots {
            let a = attention(shot)
            XCTAssertEqual(shot["cells"] as? Int, (a["rows"] as? Int ?? -1) * (a["cols"] as? Int ?? -1), "one cell per row and source token")
        }
    }

    func testAnOldRunFolderStillGetsAReportWithNotes() throws {
        _ = try Browser.tools()
        let dir = try Scratch.directory(self)
        let run = try Fixture.copyOfRun(in: dir)
        // Make it look like a run from before the report: no attention log, no report, and
        // metrics.jsonl without markers, samples or skip counts.
        for name in ["attention.jsonl", "report.html"] { try? FileManager.default.removeItem(at: run.appendingPathComponent(name)) }
        let metricsURL = run.appendingPathComponent("metrics.jsonl")
        let old = try String(contentsOf: metricsURL, encoding: .utf8).split(separator: "\n").compactMap { line -> String? in
            guard var o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  ["train", "valid"].contains(o["kind"] as? String ?? "") else { return nil }
            for key in ["samples", "best", "skipped"] { o[key] = nil }
            return String(decoding: try JSONSerialization.data(withJSONObject: o), as: UTF8.self)
        }
        XCTAssertFalse(old.isEmpty)
        try (old.joined(separator: "\n") + "\n").write(to: metricsURL, atomically: true, encoding: .utf8)
        let r = try CLI.run("inspect", ["--html", run.path], in: dir)
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertTrue(r.stdout.contains("report.html"), "\(r)")
        let page = run.appendingPathComponent("report.html")
        let report = try Browser.run(page, actions: [["eval": Self.snapshot]], in: dir)
        Browser.assertClean(report, page: page)
        let s = report.results.first as? [String: Any] ?? [:]
        XCTAssertEqual(s["charts"] as? Int, 5)
        XCTAssertGreaterThanOrEqual(s["notes"] as? Int ?? 0, 2, "notes say the attention log and the markers are missing")
        XCTAssertEqual(s["sliderDisabled"] as? Bool, true)
        XCTAssertEqual(s["star"] as? Int, 1)
    }
}
