import Foundation
import Metrics
import XCTest

/// Corpus and sentence BLEU against sacreBLEU 2.6.0's recorded scores and statistics.
final class BLEUGoldenTests: XCTestCase {
    func testGoldenFileIsFromTheMatchedVersion() throws {
        XCTAssertEqual(try Golden.load().sacrebleuVersion, sacreBLEUVersion)
    }

    func testCorpusBLEUMatchesEveryVariant() throws {
        let golden = try Golden.load()
        var checked = 0
        for (setName, set) in golden.sets.sorted(by: { $0.key < $1.key }) {
            let (hyps, refs) = try Golden.corpus(set)
            for (variant, expected) in set.bleu {
                guard let config = bleuVariants[variant] else {
                    XCTFail("no Swift config for BLEU variant \(variant)"); continue
                }
                let what = "\(setName)/\(variant)"
                let got = try BLEU.corpus(hypotheses: hyps, references: refs, config: config)
                XCTAssertEqual(got.score, expected.score, accuracy: 1e-9, what)
                XCTAssertEqual(got.bp, expected.bp, accuracy: 1e-12, what)
                XCTAssertEqual(got.ratio, expected.ratio, accuracy: 1e-12, what)
                XCTAssertEqual(got.hypLen, expected.hypLen, what)
                XCTAssertEqual(got.refLen, expected.refLen, what)
                // sacreBLEU reports add-k counts after adding k to orders >= 2; ours are the raw counts.
                let k = variant == "addk" ? 1.0 : 0.0
                let expCounts = expected.counts.enumerated().map { $0.offset == 0 ? $0.element : $0.element - k }
                let expTotals = expected.totals.enumerated().map { $0.offset == 0 ? $0.element : $0.element - k }
                // The early "no match" return in sacreBLEU skips add-k, so compare only when it applied.
                if variant != "addk" || expected.counts.contains(where: { $0 != 0 }) {
                    XCTAssertEqual(got.counts.map(Double.init), expCounts, what)
                    XCTAssertEqual(got.totals.map(Double.init), expTotals, what)
                }
                XCTAssertEqual(got.precisions.count, expected.precisions.count, what)
                for (p, e) in zip(got.precisions, expected.precisions) {
                    XCTAssertEqual(p, e, accuracy: 1e-9, what)
                }
                XCTAssertEqual(got.description, expected.line, what)
                XCTAssertEqual(BLEU.signature(nrefs: refs.count, config: config), expected.signature, what)
                checked += 1
            }
        }
        XCTAssertEqual(checked, golden.sets.count * bleuVariants.count)
    }

    func testSentenceBLEUMatchesEverySegment() throws {
        let golden = try Golden.load()
        var checked = 0
        for (setName, set) in golden.sets {
            let (hyps, refs) = try Golden.corpus(set)
            XCTAssertEqual(set.sentenceBleu.count, hyps.count, setName)
            for (i, expected) in set.sentenceBleu.enumerated() {
                let got = try BLEU.sentence(hypothesis: hyps[i], references: refs.map { $0[i] })
                let what = "\(setName) line \(i + 1)"
                XCTAssertEqual(got.score, expected.score, accuracy: 1e-9, what)
                XCTAssertEqual(got.counts, expected.counts, what)
                XCTAssertEqual(got.totals, expected.totals, what)
                XCTAssertEqual(got.hypLen, expected.hypLen, what)
                XCTAssertEqual(got.refLen, expected.refLen, what)
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 300)
    }

    func testSanityScoresOfTheSpecialSets() throws {
        let golden = try Golden.load()
        func score(_ name: String) throws -> BLEUScore {
            let set = try XCTUnwrap(golden.sets[name])
            let (hyps, refs) = try Golden.corpus(set)
            return try BLEU.corpus(hypotheses: hyps, references: refs)
        }
        XCTAssertEqual(try score("identical").score, 100, accuracy: 1e-9)
        XCTAssertLessThan(try score("wrong").score, 2)
        let short = try score("short")
        XCTAssertLessThan(short.bp, 0.5)
        XCTAssertEqual(short.precisions[0], 100, accuracy: 1e-9)
    }
}
