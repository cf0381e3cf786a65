import Foundation
import Metrics
import XCTest

/// Behaviour not covered by the golden numbers: errors, invariants, configs and speed.
final class MetricsBehaviourTests: XCTestCase {
    func testMismatchedReferenceStreamThrowsInsteadOfTruncating() {
        XCTAssertThrowsError(try BLEU.corpus(hypotheses: ["a", "b"], references: [["a"]])) { error in
            XCTAssertEqual(error as? MetricsError, .referenceCountMismatch(stream: 0, lines: 1, hypotheses: 2))
            XCTAssertTrue("\(error)".contains("one line per hypothesis"))
        }
        XCTAssertThrowsError(try CHRF.corpus(hypotheses: ["a"], references: []))
        XCTAssertThrowsError(try BLEU.sentence(hypothesis: "a", references: []))
        XCTAssertThrowsError(try BLEU.corpus(hypotheses: ["a"], references: [["a"]],
                                             config: BLEUConfig(maxNgramOrder: 0)))
        XCTAssertThrowsError(try CHRF.corpus(hypotheses: ["a"], references: [["a"]],
                                             config: CHRFConfig(charOrder: -1)))
    }

    func testEmptyInputsGiveZeroWithoutCrashing() throws {
        XCTAssertEqual(try BLEU.corpus(hypotheses: [], references: [[]]).score, 0)
        XCTAssertEqual(try BLEU.corpus(hypotheses: [""], references: [[""]]).score, 0)
        XCTAssertEqual(try CHRF.corpus(hypotheses: [""], references: [[""]]).score, 0)
        XCTAssertEqual(try CHRF.sentence(hypothesis: "x", references: [""], config: CHRFConfig(beta: 0)).score, 0)
    }

    func testRepeatingTheCorpusScalesCountsAndKeepsScores() throws {
        // Corpus metrics sum statistics: k copies give k-times the counts and the same score.
        // Also times 2000 segments (printed, not asserted: timing belongs in `make bench`).
        let golden = try Golden.load()
        let (hyps, refs) = try Golden.corpus(try XCTUnwrap(golden.sets["fr"]))
        let k = 2000 / hyps.count + 1
        let bigHyps = Array(repeating: hyps, count: k).flatMap { $0 }
        let bigRefs = refs.map { Array(repeating: $0, count: k).flatMap { $0 } }
        let one = try BLEU.corpus(hypotheses: hyps, references: refs)
        var start = Date()
        let many = try BLEU.corpus(hypotheses: bigHyps, references: bigRefs)
        let bleuTime = Date().timeIntervalSince(start)
        XCTAssertEqual(many.counts, one.counts.map { $0 * k })
        XCTAssertEqual(many.totals, one.totals.map { $0 * k })
        XCTAssertEqual(many.score, one.score, accuracy: 1e-9)
        let chrfOne = try CHRF.corpus(hypotheses: hyps, references: refs, config: .chrFPlusPlus)
        start = Date()
        let chrfMany = try CHRF.corpus(hypotheses: bigHyps, references: bigRefs, config: .chrFPlusPlus)
        let chrfTime = Date().timeIntervalSince(start)
        XCTAssertEqual(chrfMany.matchCounts, chrfOne.matchCounts.map { $0 * k })
        XCTAssertEqual(chrfMany.score, chrfOne.score, accuracy: 1e-9)
        print(String(format: "Metrics: %d segments: BLEU %.1f ms, chrF++ %.1f ms",
                     bigHyps.count, bleuTime * 1000, chrfTime * 1000))
    }

    func testCanonicallyEquivalentSpellingsDoNotMatch() throws {
        // sacreBLEU compares code points: "é" and "e\u{301}" are different words and characters.
        let bleu = try BLEU.sentence(hypothesis: "cafe\u{301}", references: ["café"])
        XCTAssertEqual(bleu.counts[0], 0)
        let chrf = try CHRF.sentence(hypothesis: "cafe\u{301}", references: ["café"])
        XCTAssertEqual(chrf.matchCounts[0], 3)
        XCTAssertEqual(chrf.hypCounts[0], 5)
    }

    func testMultipleReferencesClipAgainstTheBestOne() throws {
        let single = try BLEU.corpus(hypotheses: ["the cat sat on the mat"], references: [["a cat sat on a mat"]])
        let multi = try BLEU.corpus(hypotheses: ["the cat sat on the mat"],
                                    references: [["a cat sat on a mat"], ["the cat sat on the mat"]])
        XCTAssertLessThan(single.score, 100)
        XCTAssertEqual(multi.score, 100, accuracy: 1e-9)
        XCTAssertTrue(BLEU.signature(nrefs: 2).hasPrefix("nrefs:2|"))
    }

    func testConfigsDecodeFromPartialJSON() throws {
        let bleu = try JSONDecoder().decode(BLEUConfig.self, from: Data(#"{"smoothing":"add-k"}"#.utf8))
        XCTAssertEqual(bleu, BLEUConfig(smoothing: .addK))
        let chrf = try JSONDecoder().decode(CHRFConfig.self, from: Data(#"{"wordOrder":2}"#.utf8))
        XCTAssertEqual(chrf, .chrFPlusPlus)
        let roundTrip = try JSONDecoder().decode(BLEUConfig.self, from: JSONEncoder().encode(BLEUConfig.sentence))
        XCTAssertEqual(roundTrip, .sentence)
    }
}
