import Foundation
import Pages
import XCTest

/// The pages' JSON: rounding that keeps the stated digits, valid JSON for every value (parsed
/// back by Foundation), and strings that cannot end the `<script>` element they sit in.
final class PageJSONTests: XCTestCase {
    func text(_ x: Double, _ r: Rounding) -> String { PageJSON.number(x, r).text }

    func testSignificantDigits() {
        XCTAssertEqual(text(0.0123456, .significant(4)), "0.01235")
        XCTAssertEqual(text(-1.23456, .significant(4)), "-1.235")
        XCTAssertEqual(text(123456, .significant(4)), "123500")
        XCTAssertEqual(text(9.99996, .significant(4)), "10")
        XCTAssertEqual(text(2.5, .significant(4)), "2.5")
        XCTAssertEqual(text(0, .significant(4)), "0")
        XCTAssertEqual(text(-0.0, .significant(4)), "0")
        XCTAssertEqual(text(.infinity, .significant(4)), "null")
        XCTAssertEqual(Double(text(1.234567e-17, .significant(4)))!, 1.235e-17, accuracy: 1e-21)
    }

    func testDecimals() {
        XCTAssertEqual(text(0.012345, .decimals(4)), "0.0123")
        XCTAssertEqual(text(0.00004, .decimals(4)), "0")
        XCTAssertEqual(text(-0.00006, .decimals(4)), "-0.0001")
        XCTAssertEqual(text(1, .decimals(4)), "1")
        XCTAssertEqual(text(0.5, .decimals(4)), "0.5")
    }

    /// Random values of every magnitude: the text parses back within the rounding's bound.
    func testRoundTripWithinTheRoundingBound() throws {
        var g = SystemRandomNumberGenerator()
        var values: [Float] = []
        for _ in 0..<5000 {
            let e = Float.random(in: -12...8, using: &g)
            values.append((Bool.random(using: &g) ? 1 : -1) * powf(10, e))
        }
        let parsed = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(PageJSON.floats(values, .significant(4)).text.utf8)) as? [Double])
        for (x, y) in zip(values, parsed) {
            XCTAssertEqual(y, Double(x), accuracy: abs(Double(x)) * 5.001e-4, "\(x) -> \(y)")
        }
        let weights = (0..<3000).map { _ in Float.random(in: 0...1, using: &g) }
        let w = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(PageJSON.floats(weights, .decimals(4)).text.utf8)) as? [Double])
        for (x, y) in zip(weights, w) { XCTAssertEqual(y, Double(x), accuracy: 5.001e-5) }
    }

    func testStringsAreSafeInsideAScriptElement() throws {
        let nasty = "</script><!-- \"quoted\" \\ tab\t newline\n ▁mot & < > \u{1}"
        let json = PageJSON.fields(["s": .string(nasty), "n": nil, "a": .strings(["x", "y"])]).text
        XCTAssertFalse(json.contains("<"), json)
        XCTAssertFalse(json.contains("\"n\""), "nil values are left out: \(json)")
        let back = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        XCTAssertEqual(back["s"] as? String, nasty)
        XCTAssertEqual(back["a"] as? [String], ["x", "y"])
    }
}
