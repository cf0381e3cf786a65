import Engine
import Training
import XCTest

final class WeightAverageTests: XCTestCase {
    /// The average follows `a ← d_t·a + (1−d_t)·w` with `d_t = min(decay, (1+t)/(10+t))`,
    /// checked against a Double recurrence over weights that change every step.
    func testAverageFollowsWarmedUpDecay() {
        let w = Tensor(shape: [3], values: [1, -2, 0.5])
        let avg = WeightAverage([("w", w)], decay: 0.9)
        var expected: [Double] = [1, -2, 0.5]
        for t in 1...40 {
            for j in 0..<3 { w.data[j] = Float(sin(Double(t * 3 + j))) }
            avg.update(step: t)
            let d = min(0.9, Double(1 + t) / Double(10 + t))
            for j in 0..<3 { expected[j] = d * expected[j] + (1 - d) * Double(w.data[j]) }
        }
        XCTAssertEqual(avg.decay(at: 1), 2.0 / 11.0, accuracy: 1e-12)
        XCTAssertEqual(avg.decay(at: 1000), 0.9)
        for j in 0..<3 { XCTAssertEqual(Double(avg.average[0].data[j]), expected[j], accuracy: 1e-5) }
    }

    /// The cap d takes over from update (10d − 1)/(1 − d) on, as the `--ema` help and
    /// docs/RESULTS.md say: 8,990 for 0.999 and 17,990 for 0.9995. Before that both decays are
    /// the warm-up's, so a 0.9995 run and a 0.999 run hold the same average up to update 8,990.
    func testDecayCapTakesOverAtStatedUpdate() {
        let w = Tensor(shape: [1], values: [0])
        for (cap, from) in [(0.999, 8_990), (0.9995, 17_990)] {
            let avg = WeightAverage([("w", w)], decay: cap)
            XCTAssertLessThan(avg.decay(at: from - 1), cap)
            XCTAssertEqual(avg.decay(at: from), cap)
        }
        let low = WeightAverage([("w", w)], decay: 0.999), high = WeightAverage([("w", w)], decay: 0.9995)
        XCTAssertEqual(low.decay(at: 8_989), high.decay(at: 8_989))
        XCTAssertLessThan(low.decay(at: 8_991), high.decay(at: 8_991))
    }

    /// `swapped` shows the average inside the closure and gives the raw weights back after it,
    /// also when the closure throws.
    func testSwappedRestoresRawWeights() {
        let w = Tensor(shape: [2], values: [4, 8])
        let avg = WeightAverage([("w", w)], decay: 0.5)
        w.data[0] = 0; w.data[1] = 0
        avg.update(step: 100)  // average = 0.5·[4, 8] + 0.5·[0, 0]
        let inside = avg.swapped { w.values }
        XCTAssertEqual(inside, [2, 4])
        XCTAssertEqual(w.values, [0, 0])
        struct Boom: Error {}
        XCTAssertThrowsError(try avg.swapped { () throws -> Void in
            XCTAssertEqual(avg.rawState[0].tensor.values, [0, 0])
            XCTAssertEqual(avg.rawState[0].name, "raw.w")
            throw Boom()
        })
        XCTAssertEqual(w.values, [0, 0])
        XCTAssertEqual(avg.average[0].values, [2, 4])
    }
}
