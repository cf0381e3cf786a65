import Engine
import Foundation
import Model
import Training
import XCTest

final class BeamSearchTests: XCTestCase {
    func tinyModel(seed: UInt64, dim: Int = 16, vocab: Int = 12) -> Transformer {
        Transformer(ModelConfig(sourceVocabSize: 15, targetVocabSize: vocab, modelDim: dim, heads: 2, encoderLayers: 1,
                                decoderLayers: 2, feedForwardDim: 2 * dim, dropout: 0.1, maxLength: 24), seed: seed)
    }

    /// Pseudo-random source sentences of 1-7 tokens (ids 4..<15; 0-3 are special).
    func sources(_ n: Int, seed: UInt64) -> [[Int32]] {
        var x = seed
        return (0..<n).map { _ in
            x = x &* 6364136223846793005 &+ 1442695040888963407
            let length = 1 + Int((x >> 33) % 7)
            return (0..<length).map { i in Int32(4 + Int((x >> UInt64(8 + i * 3)) % 11)) }
        }
    }

    /// log P(tokens, </s> | source) under the full (uncached) model, by teacher forcing.
    func logProb(_ model: Transformer, source: [Int32], tokens: [Int32]) -> Double {
        let input: [Int32] = [2] + tokens
        let z = Graph.noGrad {
            model(source: source, sourceLength: source.count, targetInput: input, targetLength: input.count, batch: 1,
                  ForwardContext(training: false)).values
        }
        let v = model.config.targetVocabSize
        var total = 0.0
        for (t, next) in (tokens + [3]).enumerated() {
            let row = z[t * v..<(t + 1) * v].map(Double.init)
            let mx = row.max()!
            total += row[Int(next)] - (mx + log(row.map { exp($0 - mx) }.reduce(0, +)))
        }
        return total
    }

    func testCachedGreedyEqualsUncachedGreedy() {
        for seed in UInt64(1)...4 {
            let model = tinyModel(seed: seed)
            let src = sources(9, seed: seed)
            XCTAssertEqual(model.greedyDecode(src, maxLength: { $0 + 6 }), model.greedyDecodeUncached(src, maxLength: { $0 + 6 }), "seed \(seed)")
        }
    }

    func testBeamOneEqualsGreedy() {
        for seed in UInt64(1)...4 {
            let model = tinyModel(seed: seed)
            let src = sources(9, seed: seed + 100)
            let greedy = model.greedyDecode(src, maxLength: { $0 + 6 })
            for alpha in [0.0, 1.0] {
                let beam = beamSearch(model, sources: src, beam: 1, lengthPenalty: alpha, maxLength: { $0 + 6 })
                XCTAssertEqual(beam.map { $0[0].tokens }, greedy, "seed \(seed) alpha \(alpha)")
            }
        }
    }

    func testBatchedEqualsOneByOne() {
        // Big enough (32 rows x 400 logits x depth 64) that the kernels run on several threads.
        let model = tinyModel(seed: 7, dim: 64, vocab: 400)
        let src = sources(8, seed: 7)
        let greedy = model.greedyDecode(src, maxLength: { $0 + 8 })
        XCTAssertEqual(greedy, src.map { model.greedyDecode([$0], maxLength: { $0 + 8 })[0] })
        let together = beamSearch(model, sources: src, beam: 4, maxLength: { $0 + 8 }, nBest: 4)
        for (i, s) in src.enumerated() {
            let alone = beamSearch(model, sources: [s], beam: 4, maxLength: { $0 + 8 }, nBest: 4)[0]
            XCTAssertEqual(together[i].map(\.tokens), alone.map(\.tokens), "sentence \(i)")
            XCTAssertEqual(together[i].map(\.score), alone.map(\.score), "sentence \(i)")
        }
        // translateBeam sorts by length and batches; the order of the results is the input's.
        let translated = translateBeam(model, src, beam: 4, nBest: 4, batchSentences: 3, maxLength: { $0 + 8 })
        XCTAssertEqual(translated.map { $0.map(\.tokens) }, together.map { $0.map(\.tokens) })
    }

    func testBeamScoresAtLeastAsHighAsGreedy() {
        for seed in UInt64(1)...4 {
            let model = tinyModel(seed: seed + 20)
            let src = sources(6, seed: seed + 200)
            let greedy = model.greedyDecode(src, maxLength: { $0 + 6 })
            let beam = beamSearch(model, sources: src, beam: 4, lengthPenalty: 0, maxLength: { $0 + 6 })
            for i in src.indices {
                let best = beam[i][0]
                // The reported score is the model's log-probability of the hypothesis and </s>.
                XCTAssertEqual(best.score, logProb(model, source: src[i], tokens: best.tokens), accuracy: 1e-3)
                XCTAssertGreaterThanOrEqual(best.score, logProb(model, source: src[i], tokens: greedy[i]) - 1e-4,
                                            "seed \(seed) sentence \(i): beam \(best.tokens) vs greedy \(greedy[i])")
            }
        }
    }

    func testNBestIsSortedAndDistinct() {
        let model = tinyModel(seed: 5)
        let src = sources(5, seed: 5)
        for alpha in [0.0, 0.6, 1.0] {
            let results = beamSearch(model, sources: src, beam: 5, lengthPenalty: alpha, maxLength: { $0 + 6 }, nBest: 3)
            XCTAssertEqual(results.count, src.count)
            for (i, hyps) in results.enumerated() {
                XCTAssertEqual(hyps.count, 3, "sentence \(i)")
                XCTAssertEqual(hyps.map(\.score), hyps.map(\.score).sorted(by: >), "sentence \(i) alpha \(alpha)")
                XCTAssertEqual(Set(hyps.map(\.tokens)).count, hyps.count, "sentence \(i): duplicate hypotheses")
                for h in hyps {
                    XCTAssertLessThanOrEqual(h.tokens.count, src[i].count + 6)
                    XCTAssertFalse(h.tokens.contains(3), "</s> ends a hypothesis and is not part of it")
                    let raw = logProb(model, source: src[i], tokens: h.tokens)
                    XCTAssertEqual(h.score, raw / pow(Double(h.tokens.count + 1), alpha), accuracy: 1e-3)
                }
            }
        }
    }

    func testLengthPenalty() {
        XCTAssertEqual(lengthNormalizedScore(logProb: -6, tokens: 2, lengthPenalty: 1), -2)
        XCTAssertEqual(lengthNormalizedScore(logProb: -6, tokens: 2, lengthPenalty: 0), -6)
        XCTAssertEqual(lengthNormalizedScore(logProb: -6, tokens: 3, lengthPenalty: 0.5), -3)
    }

    func testEmptyAndZeroLengthInputs() {
        let model = tinyModel(seed: 9)
        XCTAssertTrue(beamSearch(model, sources: [], beam: 3, maxLength: { $0 }).isEmpty)
        let r = beamSearch(model, sources: [[], [5, 6]], beam: 3, maxLength: { _ in 0 }, nBest: 2)
        XCTAssertEqual(r.map { $0.map(\.tokens) }, [[[]], [[]]], "a zero length limit finishes at once")
        XCTAssertEqual(model.greedyDecode([[], [5]], maxLength: { _ in 0 }), [[], []])
    }
}
