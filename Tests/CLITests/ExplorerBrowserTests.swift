import Foundation
import XCTest

/// The attention explorer (`translate --explain-html`) in a real browser: it loads from file://
/// with no console error and no network request, arrow keys step through the translation, and
/// the numbers it shows are the model's, checked against `--explain-json` of the same sentences:
/// the softmax row shown equals the JSON's weights and sums to 1, masked keys are exactly the
/// JSON's hidden ones, each score is q·k/√d_k of the JSON's vectors, each w·v row is the JSON's
/// weight times value, the output shown is the sum of the w·v rows shown and equals the head's
/// output in the JSON, and the top-k tokens and probabilities are the JSON's.
final class ExplorerBrowserTests: XCTestCase {
    /// The part of the `--explain-json` schema (version 2) the checks need.
    struct ExplainJSON: Decodable {
        let version: Int
        let model: Model
        let sentences: [Sentence]
        struct Model: Decodable { let heads: Int; let headDim: Int }
        struct Sentence: Decodable { let steps: [Step]; let maps: [Map]; let decoderInputTokens: [String] }
        struct Step: Decodable { let token: String; let top: [Alternative] }
        struct Alternative: Decodable { let token: String; let probability: Double }
        struct Map: Decodable { let name: String; let weights: [[[Double]]]; let visible: [[Bool]]?; let vectors: Vectors? }
        struct Vectors: Decodable { let queries, keys, values: [[[Double]]]; let merged, output: [[Double]] }
    }

    /// Everything the page shows about the current query, read from the DOM.
    static let snapshot = """
    (() => {
      const rows = [...document.querySelectorAll('#closeup tr.key')].map(r => ({
        s: r.dataset.s === undefined ? -1 : +r.dataset.s, w: +r.dataset.w,
        score: r.dataset.score === undefined ? null : +r.dataset.score, masked: r.dataset.masked === '1',
        wv: JSON.parse(r.dataset.wv), shown: r.dataset.s === undefined ? '' : r.children[4].textContent}));
      const sum = document.querySelector('#closeup tr.sum');
      const concat = document.querySelector('#merge [data-concat]'), o = document.querySelector('#merge [data-o]');
      const cells = [...document.querySelectorAll('#map svg.heatmap rect.cell')];
      return {state: JSON.parse(document.body.dataset.state), rows, out: sum ? JSON.parse(sum.dataset.out) : null,
              top: [...document.querySelectorAll('#nextToken li.cand')].map(li => [li.dataset.token, +li.dataset.p]),
              concat: concat ? JSON.parse(concat.dataset.concat) : null, o: o ? JSON.parse(o.dataset.o) : null,
              cells: cells.length, hatched: cells.filter(c => (c.getAttribute('fill') || '').startsWith('url(')).length,
              titles: [...document.querySelectorAll('#map .axis-title')].map(t => t.textContent),
              legend: document.querySelectorAll('#map svg.legend').length,
              stepText: document.getElementById('stepText').textContent, where: document.getElementById('where').textContent};
    })()
    """

    func testExplorerStepsThroughATranslationShowingTheModelsNumbers() throws {
        _ = try Browser.tools()
        let dir = try Scratch.directory(self)
        let data = try Scratch.write(Fixture.tsv(), to: dir, "train.tsv")
        let run = dir.appendingPathComponent("run")
        // Two layers and two heads, so choosing a layer and a head means something.
        let trained = try CLI.run("train", Fixture.trainFlags(data: data, out: run.path, steps: 4, validEvery: 4) + ["--layers", "2"], in: dir)
        XCTAssertEqual(trained.status, 0, "\(trained)")
        let page = dir.appendingPathComponent("explorer.html"), json = dir.appendingPathComponent("explain.json")
        let sentences = ["the red cat sees my old house", "a dog"]
        let r = try CLI.run("translate", ["--checkpoint", run.path, "--explain-html", page.path, "--explain-json", json.path] + sentences, in: dir)
        XCTAssertEqual(r.status, 0, "\(r)")
        let doc = try JSONDecoder().decode(ExplainJSON.self, from: Data(contentsOf: json))
        XCTAssertEqual(doc.version, 2)
        XCTAssertGreaterThanOrEqual(doc.sentences[0].steps.count, 3, "the test steps through at least 3 tokens: \(doc.sentences[0].steps.map(\.token))")

        let snap: [String: Any] = ["eval": Self.snapshot]
        let actions: [[String: Any]] = [
            snap,                                                             // 0: cross-attention, last layer, step 0
            ["key": "ArrowRight"], ["key": "ArrowRight"], snap,               // 1: step 2
            ["key": "d"], ["key": "0"], snap,                                 // 2: decoder self-attention, head 0: masked keys
            ["key": "ArrowLeft"], snap,                                       // 3: step 1
            ["key": "e"], ["key": "ArrowDown"], ["key": "ArrowDown"], snap,   // 4: encoder, source row 2
            ["key": "c"], ["key": "l"], ["key": "1"], ["key": "End"], snap,   // 5: cross layer 0 (L wraps), head 1, last step
            ["eval": "(() => { const s = document.getElementById('sentence'); s.value = '1'; s.dispatchEvent(new Event('change')); return 1; })()"],
            ["key": "ArrowRight"], snap,                                      // 7: the second sentence, step 1
        ]
        let report = try Browser.run(page, actions: actions, in: dir)
        Browser.assertClean(report, page: page)
        let shots = report.results.compactMap { $0 as? [String: Any] }
        XCTAssertEqual(shots.count, 7)
        guard shots.count == 7 else { return }
        let states = shots.map { $0["state"] as? [String: Any] ?? [:] }
        let expected: [(String, Int, Int, Int)] = [("cross", 1, 0, 0), ("cross", 1, 2, 2), ("dec", 1, 2, 2), ("dec", 1, 1, 1),
                                                   ("enc", 1, 1, 2), ("cross", 0, doc.sentences[0].steps.count - 1, doc.sentences[0].steps.count - 1),
                                                   ("cross", 0, 1, 1)]
        for (i, (kind, layer, step, row)) in expected.enumerated() {
            XCTAssertEqual(states[i]["kind"] as? String, kind, "snapshot \(i): \(states[i])")
            XCTAssertEqual(states[i]["layer"] as? Int, layer, "snapshot \(i): \(states[i])")
            XCTAssertEqual(states[i]["step"] as? Int, step, "snapshot \(i): \(states[i])")
            XCTAssertEqual(states[i]["row"] as? Int, row, "snapshot \(i): \(states[i])")
        }
        XCTAssertEqual(states[2]["head"] as? Int, 0)
        XCTAssertEqual(states[5]["head"] as? Int, 1)
        XCTAssertEqual(states[6]["sentence"] as? Int, 1)
        for (i, shot) in shots.enumerated() { check(shot, doc, label: "snapshot \(i)") }
        // The decoder's masked self-attention hides later positions, drawn hatched.
        XCTAssertGreaterThan(shots[2]["hatched"] as? Int ?? 0, 0, "no hatched cells in the decoder self-attention map")
        let decoderSelf = doc.sentences[0].maps.first { $0.name == states[2]["name"] as? String }
        let rows = doc.sentences[0].decoderInputTokens.count
        XCTAssertEqual(shots[2]["hatched"] as? Int, decoderSelf?.visible?.joined().filter { !$0 }.count, "exactly the masked cells are hatched")
        XCTAssertEqual(shots[2]["hatched"] as? Int, rows * (rows - 1) / 2, "the causal mask hides the cells above the diagonal")
        XCTAssertEqual(shots[2]["cells"] as? Int, rows * rows)
        XCTAssertEqual(shots[0]["hatched"] as? Int, 0, "cross-attention masks nothing in one sentence")
        XCTAssertTrue((shots[1]["where"] as? String ?? "").contains("query from the decoder"))
        XCTAssertTrue((shots[1]["where"] as? String ?? "").contains("keys and values from the encoder output"))
        let titles = shots[1]["titles"] as? [String] ?? []
        XCTAssertTrue(titles.contains { $0.contains("row i predicts token i+1") }, "\(titles)")
        XCTAssertTrue(titles.contains { $0.contains("keys and values") }, "\(titles)")
        XCTAssertEqual(shots[1]["legend"] as? Int, 1)
    }

    /// The numbers of one snapshot against the JSON.
    func check(_ shot: [String: Any], _ doc: ExplainJSON, label: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let state = shot["state"] as? [String: Any], let si = state["sentence"] as? Int, let name = state["name"] as? String,
              let h = state["head"] as? Int, let t = state["row"] as? Int, let step = state["step"] as? Int else {
            return XCTFail("\(label): no state in \(shot)", file: file, line: line)
        }
        let sentence = doc.sentences[si]
        guard let map = sentence.maps.first(where: { $0.name == name }), let vec = map.vectors else {
            return XCTFail("\(label): \(name) missing from the JSON", file: file, line: line)
        }
        let rows = shot["rows"] as? [[String: Any]] ?? []
        let k = doc.model.headDim
        let weights = map.weights[h][t], q = vec.queries[h][t]
        XCTAssertEqual(rows.count, weights.count, "\(label): one row per key", file: file, line: line)
        XCTAssertEqual(weights.reduce(0, +), 1, accuracy: 1e-5, "\(label): the JSON's softmax row", file: file, line: line)
        var shownSum = [Double](repeating: 0, count: k), bound = [Double](repeating: 1e-6, count: k), total = 0.0
        for row in rows {
            guard let s = row["s"] as? Int, let w = row["w"] as? Double, let wv = row["wv"] as? [Double] else { continue }
            total += w
            // Weights are stored to 4 decimals.
            XCTAssertEqual(w, weights[s], accuracy: 5e-5 + 1e-7, "\(label): weight of key \(s)", file: file, line: line)
            let hidden = map.visible.map { !$0[t][s] } ?? false
            XCTAssertEqual(row["masked"] as? Bool, hidden, "\(label): mask of key \(s)", file: file, line: line)
            if hidden { XCTAssertEqual(w, 0, "\(label): a masked key has weight 0", file: file, line: line) }
            if let shownText = row["shown"] as? String, let pct = Double(shownText.dropLast()) {
                XCTAssertEqual(pct, weights[s] * 100, accuracy: 0.051, "\(label): the percentage written", file: file, line: line)
            }
            // q·k/√d_k from the JSON's vectors; q and k are stored to 4 significant digits.
            let key = vec.keys[h][s]
            let score = zip(q, key).reduce(0) { $0 + $1.0 * $1.1 } / Double(k).squareRoot()
            let tol = zip(q, key).reduce(0) { $0 + abs($1.0 * $1.1) } * 1.1e-3 / Double(k).squareRoot() + 1e-6
            XCTAssertEqual(row["score"] as? Double ?? .nan, score, accuracy: tol, "\(label): score of key \(s)", file: file, line: line)
            let v = vec.values[h][s]
            XCTAssertEqual(wv.count, k, file: file, line: line)
            for c in 0..<min(k, wv.count) {
                let err = 5e-5 * abs(v[c]) + weights[s] * 5e-4 * abs(v[c]) + 1e-7
                XCTAssertEqual(wv[c], weights[s] * v[c], accuracy: err, "\(label): w·v of key \(s)[\(c)]", file: file, line: line)
                shownSum[c] += wv[c]
                bound[c] += err
            }
        }
        XCTAssertEqual(total, 1, accuracy: 5e-5 * Double(rows.count) + 1e-6, "\(label): the softmax shown sums to 1", file: file, line: line)
        let out = shot["out"] as? [Double] ?? []
        XCTAssertEqual(out.count, k, "\(label): the output vector", file: file, line: line)
        for c in 0..<min(k, out.count) {
            XCTAssertEqual(out[c], shownSum[c], accuracy: 1e-9 * (1 + abs(out[c])), "\(label): output = Σ of the w·v rows shown, [\(c)]", file: file, line: line)
            XCTAssertEqual(out[c], vec.merged[t][h * k + c], accuracy: bound[c] + 2e-6, "\(label): the head's output in the JSON, [\(c)]", file: file, line: line)
        }
        // The heads side by side, and the output after W_O.
        let concat = shot["concat"] as? [Double] ?? [], o = shot["o"] as? [Double] ?? []
        XCTAssertEqual(concat.count, vec.merged[t].count, file: file, line: line)
        for (c, x) in concat.enumerated() {
            XCTAssertEqual(x, vec.merged[t][c], accuracy: 1e-3 * (1 + abs(vec.merged[t][c])), "\(label): concatenation [\(c)]", file: file, line: line)
        }
        XCTAssertEqual(o.count, vec.output[t].count, file: file, line: line)
        for (c, x) in o.enumerated() {
            XCTAssertEqual(x, vec.output[t][c], accuracy: 5e-4 * abs(vec.output[t][c]) + 1e-7, "\(label): output after W_O [\(c)]", file: file, line: line)
        }
        // The next token's top-k at this step.
        let top = shot["top"] as? [[Any]] ?? []
        let expected = sentence.steps[step].top
        XCTAssertEqual(top.map { $0.first as? String ?? "" }, expected.map(\.token), "\(label): top-k tokens", file: file, line: line)
        for (shown, want) in zip(top, expected) {
            XCTAssertEqual(shown.last as? Double ?? .nan, want.probability, accuracy: 5e-4 * want.probability + 1e-9, "\(label): p(\(want.token))", file: file, line: line)
        }
    }
}
