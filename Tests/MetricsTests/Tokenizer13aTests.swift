import Foundation
import Metrics
import XCTest

/// The 13a tokenizer against sacreBLEU's own output on tricky strings and on every fixture line.
final class Tokenizer13aTests: XCTestCase {
    func testTrickyStringsMatchSacreBLEU() throws {
        let golden = try Golden.load()
        XCTAssertGreaterThan(golden.tokenizer.count, 40)
        for c in golden.tokenizer {
            // Compare code points: Swift's String == would accept canonically equivalent output.
            XCTAssertEqual(Array(Tokenizer13a.tokenize(c.input).unicodeScalars),
                           Array(c.output.unicodeScalars), "input \(c.input.debugDescription)")
        }
    }

    func testFixtureHypothesesMatchSacreBLEU() throws {
        let golden = try Golden.load()
        var checked = 0
        for (name, set) in golden.sets {
            guard let expected = set.tokenizedHyp else { continue }
            let hyps = try Golden.corpus(set).hyps
            XCTAssertEqual(hyps.count, expected.count, name)
            for (h, e) in zip(hyps, expected) {
                // sacreBLEU's BLEU strips trailing whitespace before tokenizing; so does make_golden.py.
                var trimmed = h
                while let last = trimmed.unicodeScalars.last, last == " " || last == "\t" {
                    trimmed.unicodeScalars.removeLast()
                }
                XCTAssertEqual(Array(Tokenizer13a.tokenize(trimmed).unicodeScalars),
                               Array(e.unicodeScalars), "\(name): \(h.debugDescription)")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 200)
    }

    func testNumbersKeepInnerSeparatorsAndSplitOuterOnes() {
        // Properties of mteval-v13a stated in its documentation, independent of the golden file.
        XCTAssertEqual(Tokenizer13a.tokenize("It costs 1,000.50 dollars."), "It costs 1,000.50 dollars .")
        XCTAssertEqual(Tokenizer13a.tokenize("(peut-être)"), "( peut-être )")
        XCTAssertEqual(Tokenizer13a.tokenize("pages 3-4"), "pages 3 - 4")
    }

    func testCanonicallyEquivalentInputsStayDistinct() {
        // Python keeps "é" (U+00E9) and "e" + U+0301 apart; so must we.
        let pre = Tokenizer13a.tokenize("café")
        let decomposed = Tokenizer13a.tokenize("cafe\u{301}")
        XCTAssertEqual(pre.unicodeScalars.count, 4)
        XCTAssertEqual(decomposed.unicodeScalars.count, 5)
    }
}
