import Engine
import Foundation
import XCTest

/// The block-folded row reductions the searches use (`RowArgmax`, `RowLogSumExpTopK`)
/// against plain scans of whole rows: rows with ties, −∞, NaN, an excluded column, and blocks of
/// several sizes (whole 16-lane chunks and tails).
final class RowSelectionTests: XCTestCase {
    /// A row of `n` logits drawn from few distinct values (many ties), with some −∞ and a NaN.
    func row(_ n: Int, seed: UInt64) -> [Float] {
        var rng = RandomGenerator(seed: seed)
        return (0..<n).map { j in
            let u = Float(rng.next() % 1000) / 1000
            if j % 37 == 5 { return -.infinity }
            if j == 11 { return .nan }
            return (u * 8).rounded() / 2 - 2  // 17 distinct values in [-2, 2]
        }
    }

    /// Feeds `values` to `fold` in blocks of `block` columns.
    func blocks(_ values: [Float], _ block: Int, _ fold: (Range<Int>, UnsafePointer<Float>) -> Void) {
        values.withUnsafeBufferPointer { p in
            var c = 0
            while c < values.count {
                let range = c..<min(values.count, c + block)
                fold(range, p.baseAddress! + c)
                c += block
            }
        }
    }

    func testArgmaxEqualsAScan() {
        for (n, block) in [(1000, 512), (1000, 16), (37, 32), (5, 16)] {
            for seed in UInt64(1)...6 {
                let values = row(n, seed: seed)
                for excluded in [nil, 3, n - 1] as [Int?] {
                    var expected: Int32 = 0
                    var bestValue = -Float.infinity
                    for j in 0..<n where j != excluded && values[j] > bestValue { bestValue = values[j]; expected = Int32(j) }
                    let argmax = RowArgmax(rows: 2)
                    blocks(values, block) { range, p in argmax.fold(row: 1, p, columns: range, excluding: excluded) }
                    XCTAssertEqual(argmax.result(row: 1), expected, "n \(n), block \(block), seed \(seed), excluded \(String(describing: excluded))")
                }
            }
        }
        let none = RowArgmax(rows: 1)
        blocks([-.infinity, .nan, -.infinity], 16) { range, p in none.fold(row: 0, p, columns: range) }
        XCTAssertEqual(none.result(row: 0), 0, "a row with nothing above −∞ gives column 0, as the scan")
    }

    func testLogSumExpEqualsDoublePrecisionSum() {
        for (n, block) in [(4000, 512), (1000, 16), (37, 32), (300, 128)] {
            var rng = RandomGenerator(seed: UInt64(n))
            // Increasing then decreasing blocks, so the running maximum moves between blocks; a
            // few values far below the rest (the runs the sum may skip).
            let values = (0..<n).map { j -> Float in
                j % 97 == 3 ? -60 : Float(rng.next() % 10_000) / 1000 - 5 + (j < n / 2 ? Float(j) / Float(n) * 12 : 0)
            }
            let mx = Double(values.max()!)
            let exact = mx + log(values.reduce(0.0) { $0 + exp(Double($1) - mx) })
            for select in [true, false] {
                let lse = RowLogSumExpTopK(rows: 1, keep: 3)
                blocks(values, block) { range, p in lse.fold(row: 0, p, columns: range, select: select) }
                XCTAssertEqual(lse.logSumExp(row: 0), exact, accuracy: 2e-6 * abs(exact) + 1e-6, "n \(n), block \(block)")
            }
        }
        let empty = RowLogSumExpTopK(rows: 1, keep: 2)
        blocks([-.infinity, -.infinity], 16) { range, p in empty.fold(row: 0, p, columns: range) }
        XCTAssertEqual(empty.logSumExp(row: 0), -.infinity)
        XCTAssertTrue(empty.best(row: 0).isEmpty)
    }

    /// The kept columns are those a stable sorted list of K, offered every column in order,
    /// keeps: larger first, ties by column, nothing at −∞ or NaN.
    func testTopKEqualsAStableSortOfTheRow() {
        for (n, block, keep) in [(1000, 512, 10), (1000, 16, 3), (37, 32, 40), (300, 64, 1), (4000, 512, 10)] {
            for seed in UInt64(1)...4 {
                let values = row(n, seed: seed)
                for excluded in [nil, 7] as [Int?] {
                    let expected = values.enumerated()
                        .filter { $0.element > -.infinity && $0.offset != excluded }
                        .sorted { $0.element != $1.element ? $0.element > $1.element : $0.offset < $1.offset }
                        .prefix(keep).map { Int32($0.offset) }
                    let top = RowLogSumExpTopK(rows: 3, keep: keep)
                    blocks(values, block) { range, p in top.fold(row: 2, p, columns: range, excluding: excluded) }
                    XCTAssertEqual(top.best(row: 2).map(\.column), Array(expected),
                                   "n \(n), block \(block), keep \(keep), seed \(seed), excluded \(String(describing: excluded))")
                    XCTAssertTrue(top.best(row: 0).isEmpty, "other rows untouched")
                }
            }
        }
    }
}
