import Engine
import Model
import Text
import Training
import XCTest

/// `forceLength` (used by `bench` to time a fixed 20-token decode): exactly the length limit,
/// and the same tokens as normal decoding up to where that stopped.
final class ForcedLengthTests: XCTestCase {
    /// A tiny random model whose `</s>` logit is raised, so normal decoding often stops early
    /// and the forced path has something to ignore.
    func model(seed: UInt64) -> Transformer {
        let m = Transformer(ModelConfig(sourceVocabSize: 15, targetVocabSize: 12, modelDim: 16, heads: 2, encoderLayers: 1,
                                        decoderLayers: 2, feedForwardDim: 32, dropout: 0.1, maxLength: 24), seed: seed)
        m.output!.bias!.data[Int(SpecialTokens.end)] += 1.5
        return m
    }

    func sources(seed: UInt64) -> [[Int32]] {
        var x = seed
        return (0..<8).map { _ in
            x = x &* 6364136223846793005 &+ 1442695040888963407
            return (0..<(1 + Int((x >> 33) % 7))).map { i in Int32(4 + Int((x >> UInt64(8 + i * 3)) % 11)) }
        }
    }

    func testForcedGreedyHasExactLengthAndMatchesNormalGreedy() {
        var stoppedEarly = 0
        for seed in UInt64(1)...4 {
            let m = model(seed: seed)
            let src = sources(seed: seed)
            let limit: (Int) -> Int = { $0 + 6 }
            let normal = m.greedyDecode(src, maxLength: limit)
            let forced = m.greedyDecode(src, maxLength: limit, forceLength: true)
            for i in src.indices {
                XCTAssertEqual(forced[i].count, limit(src[i].count), "seed \(seed) sentence \(i)")
                XCTAssertFalse(forced[i].contains(SpecialTokens.end), "seed \(seed) sentence \(i)")
                XCTAssertEqual(Array(forced[i].prefix(normal[i].count)), normal[i], "seed \(seed) sentence \(i)")
                if normal[i].count < limit(src[i].count) { stoppedEarly += 1 }
            }
            // The uncached reference path forces the same way.
            XCTAssertEqual(m.greedyDecodeUncached(src, maxLength: limit, forceLength: true), forced, "seed \(seed)")
        }
        XCTAssertGreaterThan(stoppedEarly, 0, "no sentence ended before its limit: the test would not exercise forcing")
    }

    func testForcedLengthIsCappedByTheModel() {
        let m = model(seed: 9)
        let out = m.greedyDecode([[5, 6]], maxLength: { _ in 100 }, forceLength: true)
        XCTAssertEqual(out[0].count, m.config.maxLength - 1)
    }

    func testForcedBeamHasExactLengthAndBeamOneEqualsForcedGreedy() {
        for seed in UInt64(1)...3 {
            let m = model(seed: seed + 10)
            let src = sources(seed: seed + 10)
            let limit: (Int) -> Int = { $0 + 5 }
            let beams = beamSearch(m, sources: src, beam: 5, maxLength: limit, nBest: 5, forceLength: true)
            for i in src.indices {
                XCTAssertEqual(beams[i].count, 5, "seed \(seed) sentence \(i): every beam runs to the limit")
                for h in beams[i] {
                    XCTAssertEqual(h.tokens.count, limit(src[i].count), "seed \(seed) sentence \(i)")
                    XCTAssertFalse(h.tokens.contains(SpecialTokens.end))
                }
            }
            let one = beamSearch(m, sources: src, beam: 1, maxLength: limit, forceLength: true)
            XCTAssertEqual(one.map { $0[0].tokens }, m.greedyDecode(src, maxLength: limit, forceLength: true), "seed \(seed)")
        }
    }
}
