import Foundation
import Metrics
import XCTest

/// Corpus and sentence chrF / chrF++ against sacreBLEU 2.6.0's recorded scores and statistics.
final class CHRFGoldenTests: XCTestCase {
    func testCorpusCHRFMatchesEveryVariant() throws {
        let golden = try Golden.load()
        var checked = 0
        for (setName, set) in golden.sets.sorted(by: { $0.key < $1.key }) {
            let (hyps, refs) = try Golden.corpus(set)
            for (variant, expected) in set.chrf {
                guard let config = chrfVariants[variant] else {
                    XCTFail("no Swift config for chrF variant \(variant)"); continue
                }
                let what = "\(setName)/\(variant)"
                let got = try CHRF.corpus(hypotheses: hyps, references: refs, config: config)
                XCTAssertEqual(got.score, expected.score, accuracy: 1e-9, what)
                XCTAssertEqual(got.hypCounts, expected.hyp, what)
                XCTAssertEqual(got.refCounts, expected.ref, what)
                XCTAssertEqual(got.matchCounts, expected.match, what)
                XCTAssertEqual(got.description, expected.line, what)
                XCTAssertEqual(CHRF.signature(nrefs: refs.count, config: config), expected.signature, what)
                checked += 1
            }
        }
        XCTAssertEqual(checked, golden.sets.count * chrfVariants.count)
    }

    func testSentenceCHRFMatchesEverySegment() throws {
        let golden = try Golden.load()
        var checked = 0
        for (setName, set) in golden.sets {
            let (hyps, refs) = try Golden.corpus(set)
            XCTAssertEqual(set.sentenceChrf.count, hyps.count, setName)
            for (i, expected) in set.sentenceChrf.enumerated() {
                let got = try CHRF.sentence(hypothesis: hyps[i], references: refs.map { $0[i] })
                XCTAssertEqual(got.score, expected, accuracy: 1e-9, "\(setName) line \(i + 1)")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 300)
    }

    func testChrFPlusPlusIsNamedWithTwoPluses() throws {
        let s = try CHRF.corpus(hypotheses: ["le chat"], references: [["le chat"]], config: .chrFPlusPlus)
        XCTAssertEqual(s.name, "chrF2++")
        XCTAssertEqual(s.hypCounts.count, 8)
        XCTAssertEqual(s.score, 100, accuracy: 1e-9)
    }
}
