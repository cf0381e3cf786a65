import Engine
import Foundation
import Model
import Training
import XCTest

/// `stepDecode` (the repetition guard and sampling) against the searches it must agree with,
/// and `scoreReferences` against the full model's teacher-forced log-probabilities.
final class StepDecodingTests: XCTestCase {
    private let helpers = Helpers()

    /// BeamSearchTests' tiny model, sources and teacher-forced log-probability.
    struct Helpers {
        func tinyModel(seed: UInt64, dim: Int = 16, vocab: Int = 12) -> Transformer {
            Transformer(ModelConfig(sourceVocabSize: 15, targetVocabSize: vocab, modelDim: dim, heads: 2, encoderLayers: 1,
                                    decoderLayers: 2, feedForwardDim: 2 * dim, dropout: 0.1, maxLength: 24), seed: seed)
        }

        func sources(_ n: Int, seed: UInt64) -> [[Int32]] {
            var x = seed
            return (0..<n).map { _ in
                x = x &* 6364136223846793005 &+ 1442695040888963407
                let length = 1 + Int((x >> 33) % 7)
                return (0..<length).map { i in Int32(4 + Int((x >> UInt64(8 + i * 3)) % 11)) }
            }
        }

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
    }

    func testWithoutARuleItIsGreedyDecoding() {
        for seed in UInt64(1)...4 {
            let model = helpers.tinyModel(seed: seed)
            let src = helpers.sources(9, seed: seed)
            let stepwise = stepDecode(model, src, rule: StepRule(), streams: src.indices.map(UInt64.init), maxLength: { $0 + 6 })
            XCTAssertEqual(stepwise.map(\.tokens), model.greedyDecode(src, maxLength: { $0 + 6 }), "seed \(seed)")
            for (s, out) in zip(src, stepwise) where out.tokens.count < s.count + 6 {
                XCTAssertEqual(out.logProb, helpers.logProb(model, source: s, tokens: out.tokens), accuracy: 1e-3, "the log-probability it reports")
            }
        }
    }

    func testBannedTokensAndRepeatedNgrams() {
        XCTAssertEqual(bannedTokens(after: [5, 6, 7, 5], n: 2), [6], "after 5 came 6 once: 6 may not follow 5 again")
        XCTAssertEqual(bannedTokens(after: [5, 6, 7, 5, 6], n: 3), [7])
        XCTAssertEqual(bannedTokens(after: [5, 6, 7], n: 1), [5, 6, 7])
        XCTAssertEqual(bannedTokens(after: [5, 6, 7], n: 0), [])
        XCTAssertEqual(bannedTokens(after: [5], n: 3), [], "too short to repeat a trigram")
        XCTAssertTrue(hasRepeatedNgram([4, 5, 4, 5], n: 2))
        XCTAssertFalse(hasRepeatedNgram([4, 5, 5, 4], n: 2))
        XCTAssertTrue(hasRepeatedNgram([4, 5, 4], n: 1))
        XCTAssertFalse(hasRepeatedNgram([4, 5, 6], n: 1))
    }

    /// The untrained tiny model loops; with the guard no n-gram repeats, greedy or sampled, and
    /// until the guard first bans a token the output is the unguarded one.
    func testTheGuardRemovesEveryRepeat() {
        let model = helpers.tinyModel(seed: 2, vocab: 7)
        let src = helpers.sources(20, seed: 5)
        let plain = model.greedyDecode(src, maxLength: { $0 + 12 })
        XCTAssertTrue(plain.contains { hasRepeatedNgram($0, n: 2) }, "the test needs a model that loops")
        for temperature in [nil, 1.0] as [Double?] {
            for n in [1, 2, 3] {
                let out = stepDecode(model, src, rule: StepRule(noRepeatNgram: n, temperature: temperature, seed: 9),
                                     streams: src.indices.map(UInt64.init), maxLength: { $0 + 12 })
                for o in out { XCTAssertFalse(hasRepeatedNgram(o.tokens, n: n), "n \(n), T \(String(describing: temperature)): \(o.tokens)") }
            }
        }
        let beams = beamSearch(model, sources: src, beam: 3, maxLength: { $0 + 12 }, noRepeatNgram: 2)
        for hyps in beams { for h in hyps { XCTAssertFalse(hasRepeatedNgram(h.tokens, n: 2), "beam: \(h.tokens)") } }
    }

    func testSamplesDependOnTheSeedAndStreamOnly() {
        let model = helpers.tinyModel(seed: 3)
        let src = helpers.sources(8, seed: 1)
        let rule = StepRule(temperature: 1.5, seed: 4)
        let together = stepDecode(model, src, rule: rule, streams: src.indices.map(UInt64.init), maxLength: { $0 + 6 })
        let alone = src.indices.map { stepDecode(model, [src[$0]], rule: rule, streams: [UInt64($0)], maxLength: { $0 + 6 })[0] }
        XCTAssertEqual(together.map(\.tokens), alone.map(\.tokens), "a sentence samples the same alone or in a batch")
        let other = stepDecode(model, src, rule: StepRule(temperature: 1.5, seed: 5), streams: src.indices.map(UInt64.init), maxLength: { $0 + 6 })
        XCTAssertNotEqual(together.map(\.tokens), other.map(\.tokens), "another seed draws other samples")
        for (s, o) in zip(src, together) where o.tokens.count < s.count + 6 {
            XCTAssertEqual(o.logProb, helpers.logProb(model, source: s, tokens: o.tokens), accuracy: 1e-3, "a sample's untempered log-probability")
        }
    }

    func testScoresAreTheTeacherForcedLogProbabilities() {
        let model = helpers.tinyModel(seed: 6)
        let src = helpers.sources(7, seed: 2)
        let refs = helpers.sources(7, seed: 8).map { $0.map { min($0, 11) } }
        let scores = scoreReferences(model, sources: src, targets: refs, batchSentences: 3)
        for (i, s) in scores.enumerated() {
            XCTAssertEqual(s.count, refs[i].count + 1, "one per token and one for </s>")
            XCTAssertEqual(s.reduce(0, +), helpers.logProb(model, source: src[i], tokens: refs[i]), accuracy: 1e-3)
        }
    }
}
