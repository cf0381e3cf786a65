import Engine
import Foundation
import XCTest

/// The vectorised exp and the row helpers built on it, against Double-precision references.
final class VectorMathTests: XCTestCase {
    func testSimdExpMatchesExpWithinOneAndAHalfUlp() {
        var worst: Double = 0
        var x: Float = -87.3
        while x < 88.3 {
            let v = SIMD8<Float>(x, x.nextUp, x.nextDown, x + 1e-3, x + 2e-3, x + 3e-3, x + 4e-3, x + 5e-3)
            let e = simdExp(v)
            for l in 0..<8 {
                let exact = Foundation.exp(Double(v[l]))
                worst = max(worst, abs(Double(e[l]) - exact) / exact)
            }
            x += 0.0123
        }
        XCTAssertLessThan(worst, 1.5e-7, "largest relative error over [-87.3, 88.3]")
    }

    func testSimdExpEdges() {
        let e = simdExp(SIMD8<Float>(-.infinity, -100, -87.4, 0, 1, 89, .infinity, .nan))
        XCTAssertEqual(e[0], 0, "a masked score (-inf) weighs exactly 0")
        XCTAssertEqual(e[1], 0)
        XCTAssertEqual(e[2], 0, "below ln(2^-126): 0, not a denormal")
        XCTAssertEqual(e[3], 1)
        XCTAssertEqual(e[4], Float(M_E), accuracy: 3e-7)
        XCTAssertEqual(e[5], .infinity)
        XCTAssertEqual(e[6], .infinity)
        XCTAssertTrue(e[7].isNaN)
    }

    /// The 16-lane exp is the 8-lane one lane by lane, bit for bit (edges included).
    func testSixteenLaneExpEqualsEightLaneExp() {
        var x: Float = -90
        while x < 90 {
            let v = SIMD16<Float>((0..<16).map { x + Float($0) * 0.0071 })
            let wide = simdExp(v)
            let (low, high) = (simdExp(v.lowHalf), simdExp(v.highHalf))
            for l in 0..<8 {
                XCTAssertEqual(wide[l].bitPattern, low[l].bitPattern, "x = \(v[l])")
                XCTAssertEqual(wide[l + 8].bitPattern, high[l].bitPattern, "x = \(v[l + 8])")
            }
            x += 0.113
        }
        let edges = SIMD16<Float>(-.infinity, -100, -87.4, 0, 1, 89, .infinity, .nan, 0, 0, 0, 0, 0, 0, 0, 0)
        XCTAssertEqual(Array(0..<8).map { simdExp(edges)[$0].bitPattern }, Array(0..<8).map { simdExp(edges.lowHalf)[$0].bitPattern })
    }

    /// Every row length from 0 to 37 (full vectors, tails, both) against scalar Double loops.
    func testRowHelpersMatchScalarLoopsForEveryTailLength() {
        var rng = RandomGenerator(seed: 7)
        for n in 0...37 {
            let x = (0..<n).map { _ in rng.nextFloat() * 20 - 10 }
            let refMax = x.max() ?? -.infinity
            let refSum = x.reduce(0.0) { $0 + Double($1) }
            let refExp = x.map { Foundation.exp(Double($0) - Double(refMax)) }
            x.withUnsafeBufferPointer { p in
                let base = p.baseAddress ?? UnsafePointer(bitPattern: 64)!
                let (mx, total) = rowMaxAndSum(base, count: n)
                XCTAssertEqual(mx, refMax, "max, n = \(n)")
                XCTAssertEqual(Double(total), refSum, accuracy: 1e-4, "sum, n = \(n)")
                XCTAssertEqual(Double(expShiftedSum(base, count: n, shift: refMax)), refExp.reduce(0, +), accuracy: 1e-5 * Double(max(1, n)), "exp sum, n = \(n)")
            }
            var w = x
            let s = w.withUnsafeMutableBufferPointer { expShiftedInPlace($0.baseAddress ?? UnsafeMutablePointer(bitPattern: 64)!, count: n, shift: refMax) }
            XCTAssertEqual(Double(s), refExp.reduce(0, +), accuracy: 1e-5 * Double(max(1, n)), "in-place sum, n = \(n)")
            for j in 0..<n { XCTAssertEqual(Double(w[j]), refExp[j], accuracy: 2e-7 * max(1, refExp[j]), "element \(j), n = \(n)") }
        }
    }
}
