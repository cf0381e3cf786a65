import Engine
import Model
import Text
import Training
import XCTest

/// The numbers `translate --explain` shows must be the model's own: rows of attention sum to
/// one, the causal mask hides the future, the close-up's output is the weighted sum of values,
/// and the softmax of the close-up's masked scores gives its weights.
final class ExplainTests: XCTestCase {
    func makeModel() throws -> (Transformer, TokenizerPair) {
        let corpus = ParallelCorpus(pairs: [SentencePair(source: "the red cat sleeps", target: "le chat rouge dort"),
                                            SentencePair(source: "a big dog", target: "un grand chien")])
        let tokenizers = try TokenizerPair.learn(spec: TokenizerSpec(kind: .word, minFrequency: 1), corpus: corpus)
        let config = ModelConfig(sourceVocabSize: tokenizers.source.vocabulary.count, targetVocabSize: tokenizers.target.vocabulary.count,
                                 modelDim: 16, heads: 2, encoderLayers: 2, decoderLayers: 2, feedForwardDim: 32, maxLength: 32)
        return (Transformer(config, seed: 3), tokenizers)
    }

    func testMapsAndCloseUpAreConsistent() throws {
        let (model, tokenizers) = try makeModel()
        let output = tokenizers.target.encode("le chat rouge")
        let e = try explain(model: model, tokenizers: tokenizers, source: "the red cat sleeps", output: output, finished: true,
                            focus: ExplainFocus(map: "decoder.layers.1.self", head: 1, position: 1))
        XCTAssertEqual(e.maps.map(\.name), ["encoder.layers.0.self", "encoder.layers.1.self", "decoder.layers.0.self",
                                           "decoder.layers.0.cross", "decoder.layers.1.self", "decoder.layers.1.cross"])
        XCTAssertEqual(e.steps.count, output.count + 1, "one step per output token plus </s>")
        XCTAssertEqual(e.decoderInputTokens.count, output.count + 1)
        for m in e.maps {
            XCTAssertEqual(m.weights.count, 2)
            for head in m.weights {
                XCTAssertEqual(head.count, m.queryTokens.count)
                for (t, row) in head.enumerated() {
                    XCTAssertEqual(row.count, m.keyTokens.count)
                    XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-5, "\(m.name) row \(t)")
                    if m.kind == "decoder masked self-attention" {
                        for s in (t + 1)..<max(t + 1, row.count) { XCTAssertEqual(row[s], 0, "\(m.name) sees the future") }
                    }
                }
            }
        }
        let d = try XCTUnwrap(e.detail)
        XCTAssertEqual(d.maskedScores[2], -.infinity, "position 1 may not see position 2")
        XCTAssertEqual(d.maskedScores[0], d.scores[0])
        // softmax(masked scores) == weights, and Σ w·v == output.
        let mx = d.maskedScores.max()!
        let ex = d.maskedScores.map { expf($0 - mx) }
        let z = ex.reduce(0, +)
        for s in ex.indices { XCTAssertEqual(ex[s] / z, d.weights[s], accuracy: 1e-5) }
        for c in 0..<d.headDim {
            let sum = d.values.indices.reduce(Float(0)) { $0 + d.weights[$1] * d.values[$1][c] }
            XCTAssertEqual(d.output[c], sum, accuracy: 1e-5)
        }
        // q·k/√d_k from the recorded vectors equals the recorded score.
        let qk = zip(d.query, d.keys[0]).reduce(Float(0)) { $0 + $1.0 * $1.1 } / Float(d.headDim).squareRoot()
        XCTAssertEqual(qk, d.scores[0], accuracy: 1e-4)
        let p = e.steps[0]
        XCTAssertTrue(p.probability > 0 && p.probability <= 1)
        XCTAssertTrue(p.alternatives.allSatisfy { $0.probability <= p.probability || $0.token != p.token })
    }

    func testUnknownMapIsAClearError() throws {
        let (model, tokenizers) = try makeModel()
        XCTAssertThrowsError(try explain(model: model, tokenizers: tokenizers, source: "a big dog", output: [], finished: true,
                                         focus: ExplainFocus(map: "decoder.layers.9.cross", head: 0, position: 0))) {
            XCTAssertTrue("\($0)".contains("decoder.layers.0.cross"), "lists the valid names: \($0)")
        }
    }
}
