import Engine
import XCTest

/// `PackedLinear` (the decoding kernels' linear layer: weights re-laid in 16-column panels,
/// chains vertical) against `linearRows` (the dot-product tiles it replaces): bitwise equal for
/// every epilogue, with and without bias, for row counts that hit every row tile (3, 2, 1) and
/// widths with scalar tails (inputs not a multiple of 8, outputs not a multiple of 16).
final class PackedLinearTests: XCTestCase {
    func randomTensor(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        return .randomUniform(shape, bound: 1.5, rng: &rng)
    }

    func bits(_ rows: Rows) -> [UInt32] { rows.tensor().values.map(\.bitPattern) }

    func testEqualsLinearRowsBitwise() {
        for (inputs, outputs) in [(128, 128), (16, 40), (13, 7), (24, 512), (37, 33)] {
            for m in [1, 2, 3, 4, 5, 7, 11] {
                let weight = randomTensor([outputs, inputs], seed: UInt64(inputs * 100 + outputs))
                let x = Rows(copying: randomTensor([m, inputs], seed: UInt64(m)), width: inputs)
                for bias in [nil, randomTensor([outputs], seed: 9)] {
                    let packed = PackedLinear(weight: weight, bias: bias)
                    for epilogue in [RowsEpilogue.store, .relu, .accumulate] {
                        let start = randomTensor([m, outputs], seed: 5)
                        let (plain, fast) = (Rows(copying: start, width: outputs), Rows(copying: start, width: outputs))
                        linearRows(x, weight: weight, bias: bias, into: plain, epilogue)
                        packed.apply(x, into: fast, epilogue)
                        XCTAssertEqual(bits(fast), bits(plain), "\(m) rows, \(inputs) -> \(outputs), bias \(bias != nil), \(epilogue)")
                    }
                }
            }
        }
    }

    /// Column blocks carry the same values as `apply`, block by block, and cover every column once.
    func testColumnBlocksEqualApply() {
        let (inputs, outputs, m) = (20, 70, 5)
        let weight = randomTensor([outputs, inputs], seed: 3)
        let bias = randomTensor([outputs], seed: 4)
        let x = Rows(copying: randomTensor([m, inputs], seed: 6), width: inputs)
        let packed = PackedLinear(weight: weight, bias: bias)
        let whole = Rows(capacity: m, width: outputs)
        packed.apply(x, into: whole)
        let expected = whole.tensor().values
        var seen = [Float](repeating: .nan, count: m * outputs)
        var blocks: [Range<Int>] = []
        packed.forEachColumnBlock(x, blockColumns: 32, scratch: Rows(capacity: 1, width: 32)) { columns, values in
            blocks.append(columns)
            for r in 0..<m { for (i, c) in columns.enumerated() { seen[r * outputs + c] = values[r * 32 + i] } }
        }
        XCTAssertEqual(blocks, [0..<32, 32..<64, 64..<70])
        XCTAssertEqual(seen.map(\.bitPattern), expected.map(\.bitPattern))
    }

    /// Big enough to split over threads: the same bits with 1 and 2 threads.
    func testThreadSplitDoesNotChangeResults() {
        let (inputs, outputs, m) = (128, 1000, 9)
        let packed = PackedLinear(weight: randomTensor([outputs, inputs], seed: 1), bias: randomTensor([outputs], seed: 2))
        let x = Rows(copying: randomTensor([m, inputs], seed: 3), width: inputs)
        let saved = Threads.count
        defer { Threads.count = saved }
        var results: [[UInt32]] = []
        for threads in [1, 2] {
            Threads.count = threads
            let out = Rows(capacity: m, width: outputs)
            packed.apply(x, into: out)
            results.append(bits(out))
        }
        XCTAssertEqual(results[0], results[1])
    }
}
