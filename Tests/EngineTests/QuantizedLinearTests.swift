import Engine
import XCTest

/// `QuantizedLinear` (int8 weights in 16-column panels, u8-offset inputs, int32 sums) against
/// its plain-loop twin `quantizedLinearReference` (signed products one at a time): bitwise
/// equal for every epilogue, with and without bias, for row counts that hit every tile (3 rows
/// by 2 panels, 3 by 1, single rows) and widths with tails (inputs not a multiple of 4 or 64,
/// outputs not a multiple of 16, odd panel counts); and the quantisation error against float32
/// within the bound its scales imply.
final class QuantizedLinearTests: XCTestCase {
    func randomTensor(_ shape: [Int], seed: UInt64, bound: Float = 1.5) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        return .randomUniform(shape, bound: bound, rng: &rng)
    }

    func bits(_ rows: Rows) -> [UInt32] { rows.tensor().values.map(\.bitPattern) }

    func testKernelEqualsScalarTwinBitwise() {
        for (inputs, outputs) in [(128, 128), (13, 7), (70, 33), (5, 48), (130, 50), (1, 16), (66, 17)] {
            for m in [1, 2, 3, 4, 5, 6, 7, 11] {
                let weight = randomTensor([outputs, inputs], seed: UInt64(inputs * 100 + outputs))
                let x = Rows(copying: randomTensor([m, inputs], seed: UInt64(m)), width: inputs)
                for bias in [nil, randomTensor([outputs], seed: 9)] {
                    let layer = QuantizedLinear(weight: weight, bias: bias)
                    for epilogue in [RowsEpilogue.store, .relu, .accumulate] {
                        let start = randomTensor([m, outputs], seed: 5)
                        let (plain, fast) = (Rows(copying: start, width: outputs), Rows(copying: start, width: outputs))
                        quantizedLinearReference(x, layer, into: plain, epilogue)
                        layer.apply(x, into: fast, epilogue)
                        XCTAssertEqual(bits(fast), bits(plain), "\(m) rows, \(inputs) -> \(outputs), bias \(bias != nil), \(epilogue)")
                    }
                }
            }
        }
    }

    /// The int32 sums are exact: with weights and inputs that are already multiples of their
    /// scales (integers -127…127 scaled), the layer gives the float32 products exactly.
    func testExactOnRepresentableValues() {
        let (inputs, outputs, m) = (37, 21, 4)
        var rng = RandomGenerator(seed: 7)
        func ints(_ n: Int) -> [Float] { (0..<n).map { _ in Float(Int(rng.next() % 255) - 127) } }
        var w = ints(outputs * inputs), x = ints(m * inputs)
        for o in 0..<outputs { w[o * inputs] = 127 }  // each row's max is 127: scale 1
        for r in 0..<m { x[r * inputs] = -127 }
        let layer = QuantizedLinear(weight: Tensor(shape: [outputs, inputs], values: w), bias: nil)
        let out = Rows(capacity: m, width: outputs)
        layer.apply(Rows(copying: Tensor(shape: [m, inputs], values: x), width: inputs), into: out)
        for r in 0..<m {
            for o in 0..<outputs {
                var exact = 0
                for k in 0..<inputs { exact += Int(x[r * inputs + k]) * Int(w[o * inputs + k]) }
                XCTAssertEqual(out.tensor().values[r * outputs + o], Float(exact), "row \(r), output \(o)")
            }
        }
    }

    /// |x·w − x̂·ŵ| ≤ (sˣ/2)·Σ|w| + (sᵂ/2)·Σ|x̂| per output (x̂, ŵ the dequantised values, each
    /// off by at most half a step), plus float rounding; and the error is not zero.
    func testErrorWithinQuantisationBound() {
        let (inputs, outputs, m) = (96, 40, 5)
        let weight = randomTensor([outputs, inputs], seed: 11, bound: 0.3)
        let bias = randomTensor([outputs], seed: 12)
        let xt = randomTensor([m, inputs], seed: 13, bound: 4)
        let x = Rows(copying: xt, width: inputs)
        let (exact, int8) = (Rows(capacity: m, width: outputs), Rows(capacity: m, width: outputs))
        PackedLinear(weight: weight, bias: bias).apply(x, into: exact)
        QuantizedLinear(weight: weight, bias: bias).apply(x, into: int8)
        let (w, xv, e, q) = (weight.values, xt.values, exact.tensor().values, int8.tensor().values)
        var largest: Float = 0
        for r in 0..<m {
            let row = xv[(r * inputs)..<((r + 1) * inputs)]
            let sx = row.map(\.magnitude).max()! / 127
            for o in 0..<outputs {
                let wr = w[(o * inputs)..<((o + 1) * inputs)]
                let sw = wr.map(\.magnitude).max()! / 127
                let sumW = wr.reduce(0) { $0 + $1.magnitude }
                let sumX = row.reduce(0) { $0 + $1.magnitude } + Float(inputs) * sx / 2
                let bound = sx / 2 * sumW + sw / 2 * sumX
                let error = abs(e[r * outputs + o] - q[r * outputs + o])
                XCTAssertLessThanOrEqual(error, bound * 1.001 + 1e-5, "row \(r), output \(o)")
                largest = max(largest, error)
            }
        }
        XCTAssertGreaterThan(largest, 0, "int8 outputs equal float32's exactly: not quantised?")
    }

    /// A row of zeros gives the bias; a row holding a NaN gives NaN, not a crash.
    func testZeroAndNonFiniteRows() {
        let (inputs, outputs) = (10, 18)
        let bias = randomTensor([outputs], seed: 2)
        let layer = QuantizedLinear(weight: randomTensor([outputs, inputs], seed: 1), bias: bias)
        var values = [Float](repeating: 0, count: 2 * inputs)
        values[inputs + 3] = .nan
        let out = Rows(capacity: 2, width: outputs)
        layer.apply(Rows(copying: Tensor(shape: [2, inputs], values: values), width: inputs), into: out)
        let v = out.tensor().values
        XCTAssertEqual(Array(v[0..<outputs]), bias.values)
        XCTAssertTrue(v[outputs...].allSatisfy(\.isNaN))
    }

    /// Column blocks carry the same values as `apply`, block by block, and cover every column once.
    func testColumnBlocksEqualApply() {
        let (inputs, outputs, m) = (22, 70, 5)
        let layer = QuantizedLinear(weight: randomTensor([outputs, inputs], seed: 3), bias: randomTensor([outputs], seed: 4))
        let x = Rows(copying: randomTensor([m, inputs], seed: 6), width: inputs)
        let whole = Rows(capacity: m, width: outputs)
        layer.apply(x, into: whole)
        var seen = [Float](repeating: .nan, count: m * outputs)
        var blocks: [Range<Int>] = []
        layer.forEachColumnBlock(x, blockColumns: 32, scratch: Rows(capacity: 1, width: 32)) { columns, values in
            blocks.append(columns)
            for r in 0..<m { for (i, c) in columns.enumerated() { seen[r * outputs + c] = values[r * 32 + i] } }
        }
        XCTAssertEqual(blocks, [0..<32, 32..<64, 64..<70])
        XCTAssertEqual(seen.map(\.bitPattern), whole.tensor().values.map(\.bitPattern))
    }

    /// Big enough to split over threads: the same bits with 1 and 2 threads.
    func testThreadSplitDoesNotChangeResults() {
        let (inputs, outputs, m) = (128, 1000, 9)
        let layer = QuantizedLinear(weight: randomTensor([outputs, inputs], seed: 1), bias: randomTensor([outputs], seed: 2))
        let x = Rows(copying: randomTensor([m, inputs], seed: 3), width: inputs)
        let saved = Threads.count
        defer { Threads.count = saved }
        var results: [[UInt32]] = []
        for threads in [1, 2] {
            Threads.count = threads
            let out = Rows(capacity: m, width: outputs)
            layer.apply(x, into: out)
            results.append(bits(out))
        }
        XCTAssertEqual(results[0], results[1])
    }
}
