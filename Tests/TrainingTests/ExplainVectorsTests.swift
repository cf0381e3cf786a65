import Engine
import Foundation
import Model
import Pages
import Text
import Training
import XCTest

/// The vectors `--explain-json` and the attention explorer show are the ones the model used:
/// from the recorded q and k the softmax gives the recorded weights (with the recorded mask),
/// Σ w·v gives the recorded heads' outputs, and W_O·merged + b_O the recorded output. The
/// explorer's size budget drops detail in the documented order and says so.
final class ExplainVectorsTests: XCTestCase {
    func makeModel() throws -> (Transformer, TokenizerPair) {
        let corpus = ParallelCorpus(pairs: [SentencePair(source: "the red cat sleeps on the big old mat", target: "le chat rouge dort sur le grand vieux tapis"),
                                            SentencePair(source: "a big dog", target: "un grand chien")])
        let tokenizers = try TokenizerPair.learn(spec: TokenizerSpec(kind: .word, minFrequency: 1), corpus: corpus)
        let config = ModelConfig(sourceVocabSize: tokenizers.source.vocabulary.count, targetVocabSize: tokenizers.target.vocabulary.count,
                                 modelDim: 16, heads: 2, encoderLayers: 2, decoderLayers: 2, feedForwardDim: 32, maxLength: 32)
        let model = Transformer(config, seed: 5)
        // Non-zero output biases, so the check of W_O·merged + b_O covers the bias.
        var g = SystemRandomNumberGenerator()
        for (_, a) in model.attentionNames { if let b = a.output.bias { for i in 0..<b.count { b.data[i] = Float.random(in: -0.5...0.5, using: &g) } } }
        return (model, tokenizers)
    }

    func testVectorsReproduceTheWeightsTheHeadsAndTheOutput() throws {
        let (model, tokenizers) = try makeModel()
        let output = tokenizers.target.encode("le chat rouge dort")
        let e = try explain(model: model, tokenizers: tokenizers, source: "the red cat sleeps", output: output, finished: true, focus: nil)
        let attentions = Dictionary(uniqueKeysWithValues: model.attentionNames.map { ($0.name, $0.attention) })
        XCTAssertEqual(e.maps.map(\.layer), [0, 1, 0, 0, 1, 1])
        for m in e.maps {
            let v = try XCTUnwrap(m.vectors, m.name)
            let (h, k) = (v.queries.count, v.queries[0][0].count)
            XCTAssertEqual(h, 2)
            XCTAssertEqual(k, 8)
            if m.kind == "decoder masked self-attention" {
                let visible = try XCTUnwrap(m.visible)
                for t in visible.indices { XCTAssertEqual(visible[t], visible[t].indices.map { $0 <= t }, "\(m.name): the causal mask") }
            } else {
                XCTAssertNil(m.visible, "\(m.name): nothing is masked in one sentence")
            }
            for hh in 0..<h {
                for t in m.queryTokens.indices {
                    let scores = m.keyTokens.indices.map { s -> Float in
                        guard m.visible?[t][s] ?? true else { return -.infinity }
                        return zip(v.queries[hh][t], v.keys[hh][s]).reduce(0) { $0 + $1.0 * $1.1 } / Float(k).squareRoot()
                    }
                    let top = scores.max()!
                    let ex = scores.map { expf($0 - top) }
                    let z = ex.reduce(0, +)
                    for s in ex.indices { XCTAssertEqual(ex[s] / z, m.weights[hh][t][s], accuracy: 1e-5, "\(m.name) head \(hh) row \(t)") }
                    for c in 0..<k {
                        let sum = m.keyTokens.indices.reduce(Float(0)) { $0 + m.weights[hh][t][$1] * v.values[hh][$1][c] }
                        XCTAssertEqual(v.merged[t][hh * k + c], sum, accuracy: 1e-5, "\(m.name): merged = Σ w·v")
                    }
                }
            }
            let wo = try XCTUnwrap(attentions[m.name]).output
            let d = h * k
            for t in m.queryTokens.indices {
                for o in 0..<d {
                    var y = wo.bias?.data[o] ?? 0
                    for i in 0..<d { y += wo.weight.data[o * d + i] * v.merged[t][i] }
                    XCTAssertEqual(v.output[t][o], y, accuracy: 1e-4, "\(m.name): output = W_O·merged + b_O")
                }
            }
        }
        for s in e.steps {
            XCTAssertEqual(s.top.count, 5)
            XCTAssertEqual(s.top.map(\.probability), s.top.map(\.probability).sorted(by: >), "most probable first")
            XCTAssertTrue(s.top.contains { $0.token == s.token } || s.probability <= s.top.last!.probability)
        }
        let doc = ExplainDocument(model: ExplainModelInfo(config: model.config, checkpoint: "x.safetensors", step: 3, labelSmoothing: 0.1),
                                  sentences: [e])
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: doc.encoded()) as? [String: Any])
        XCTAssertEqual(json["version"] as? Int, 2)
        XCTAssertEqual((json["sentences"] as? [Any])?.count, 1)
    }

    /// The explorer's data for one sentence at a budget: each attention's level, and the note.
    /// `budget` is for the sentence's data: the page's fixed part comes on top.
    func levels(_ doc: ExplainDocument, _ model: Transformer, budget: Int) throws -> (levels: [String: String], note: String?, bytes: Int) {
        let overhead = ExplorerBuilder().pageOverhead(model: model)
        let text = ExplorerBuilder(budgetBytes: budget + overhead).data(document: doc, model: model).text
        let data = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let sentence = try XCTUnwrap((data["sentences"] as? [[String: Any]])?.first)
        let attn = try XCTUnwrap(sentence["attn"] as? [[String: Any]])
        let bytes = try JSONSerialization.data(withJSONObject: sentence).count
        return (Dictionary(uniqueKeysWithValues: attn.map { ($0["name"] as! String, $0["level"] as! String) }), sentence["note"] as? String, bytes)
    }

    func testTheExplorerBudgetDropsDetailInOrderAndSaysSo() throws {
        let (model, tokenizers) = try makeModel()
        let e = try explain(model: model, tokenizers: tokenizers, source: "the red cat sleeps on the big old mat", output: tokenizers.target.encode("le chat rouge dort sur le grand vieux tapis"),
                            finished: true, focus: nil)
        let doc = ExplainDocument(model: ExplainModelInfo(config: model.config, checkpoint: "x.safetensors", step: nil, labelSmoothing: nil), sentences: [e])
        let full = try levels(doc, model, budget: 10_000_000)
        XCTAssertEqual(Set(full.levels.values), ["full"])
        XCTAssertNil(full.note)
        // Half the size: the last cross-attention keeps everything, the least important lose detail.
        let half = try levels(doc, model, budget: full.bytes / 2)
        XCTAssertEqual(half.levels["decoder.layers.1.cross"], "full")
        XCTAssertNotEqual(half.levels["encoder.layers.0.self"], "full", "the first encoder layer goes first")
        XCTAssertLessThanOrEqual(half.bytes, full.bytes / 2 + 2000, "the budget holds (JSONSerialization reformats numbers slightly)")
        XCTAssertTrue(half.note?.contains("q, k and v are stored only for") ?? false, "\(half.note ?? "no note")")
        // Nothing fits: the last cross-attention keeps its mean, the rest is gone, and the page says so.
        let tiny = try levels(doc, model, budget: 1)
        XCTAssertEqual(tiny.levels["decoder.layers.1.cross"], "mean")
        XCTAssertEqual(Set(tiny.levels.filter { $0.key != "decoder.layers.1.cross" }.values), ["none"])
        XCTAssertTrue(tiny.note?.contains("not stored") ?? false, "\(tiny.note ?? "no note")")
    }

    /// The size bound with the default model's shape (d_model 128, 4 heads, 3+3 layers), for a
    /// sentence of n tokens translated into n tokens: a 30-token sentence keeps everything under
    /// 2 MB, a 200-token one drops detail and stays under 2 MB too.
    func testSentencesOfTheDefaultModelStayUnderTheBudget() throws {
        let words = (0..<240).map { "w\($0)" }
        let corpus = ParallelCorpus(pairs: [SentencePair(source: words.joined(separator: " "), target: words.joined(separator: " "))])
        let tokenizers = try TokenizerPair.learn(spec: TokenizerSpec(kind: .word, minFrequency: 1), corpus: corpus)
        let config = ModelConfig(sourceVocabSize: tokenizers.source.vocabulary.count, targetVocabSize: tokenizers.target.vocabulary.count)
        XCTAssertEqual([config.modelDim, config.heads, config.encoderLayers, config.decoderLayers], [128, 4, 3, 3], "train's default shape")
        let model = Transformer(config, seed: 2)
        for n in [10, 30, 200] {
            let text = words.prefix(n).joined(separator: " ")
            let e = try explain(model: model, tokenizers: tokenizers, source: text, output: tokenizers.target.encode(text), finished: false, focus: nil)
            XCTAssertEqual(e.sourceTokens.count, n)
            let doc = ExplainDocument(model: ExplainModelInfo(config: config, checkpoint: "x.safetensors", step: nil, labelSmoothing: 0.1), sentences: [e])
            let page = ExplorerBuilder().page(document: doc, model: model)
            let (levels, note, bytes) = try self.levels(doc, model, budget: 2_000_000 - ExplorerBuilder().pageOverhead(model: model))
            print(String(format: "explorer, default model shape, %d tokens in and %d out: page %.2f MB (sentence data %.2f MB)%@",
                         n, n, Double(page.utf8.count) / 1e6, Double(bytes) / 1e6, note == nil ? "" : "; " + note!))
            XCTAssertLessThanOrEqual(page.utf8.count, 2_000_000, "the whole page, script and W_O pictures included")
            XCTAssertLessThanOrEqual(bytes, 2_000_000)
            if n <= 30 {
                XCTAssertEqual(Set(levels.values), ["full"], "\(n) tokens: everything fits")
            } else {
                XCTAssertNotNil(note, "a long sentence says what it left out")
                XCTAssertNotEqual(levels["decoder.layers.2.cross"], "none")
            }
        }
    }
}
