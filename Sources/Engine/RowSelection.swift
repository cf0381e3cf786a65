import Foundation

// Shape legend: R rows (decoding hypotheses), V columns (the target vocabulary), K kept per row.
//
// What a search needs from a row of logits, folded in one block of columns at a time, so that a
// vocabulary projection (`PackedLinear.forEachColumnBlock`) never holds all [R, V] values: the
// argmax (greedy), the log-sum-exp (to turn logits into log-probabilities) and the best K
// columns (beam search). Each has a plain scalar twin in `RowSelectionTests`.

/// Running argmax of each row over column blocks: the lowest column among the largest values
/// (`>`, so NaN never wins and a row of −∞ gives column 0), as a scan of the whole row would
/// return. 16 lanes per row, each keeping its first best; the lanes are merged at the end.
public struct RowArgmax {
    private var best: [SIMD16<Float>]
    private var index: [SIMD16<Int32>]

    /// For `rows` rows, nothing seen yet.
    public init(rows: Int) {
        best = Array(repeating: SIMD16(repeating: -.infinity), count: rows)
        index = Array(repeating: SIMD16(), count: rows)
    }

    /// Folds in row `r`'s values of `columns` (`values[0]` is column `columns.lowerBound`),
    /// leaving out column `excluded` if given.
    public mutating func fold(row r: Int, _ values: UnsafePointer<Float>, columns: Range<Int>, excluding excluded: Int? = nil) {
        let lanes = SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        var (b, ix) = (best[r], index[r])
        var c = 0
        let n = columns.count
        while c < n {
            var v = c + 16 <= n ? load16(values + c) : partial16(values + c, count: n - c)
            let first = columns.lowerBound + c
            if let excluded, excluded >= first && excluded < first + 16 { v[excluded - first] = -.infinity }
            let better = v .> b
            b.replace(with: v, where: better)
            ix.replace(with: lanes &+ Int32(first), where: better)
            c += 16
        }
        (best[r], index[r]) = (b, ix)
    }

    /// Row `r`'s argmax so far.
    public func result(row r: Int) -> Int32 {
        let (b, ix) = (best[r], index[r])
        let top = b.max()  // −∞ when nothing beat −∞: then every lane still holds column 0
        var out = Int32.max
        for l in 0..<16 where b[l] == top { out = min(out, ix[l]) }
        return out
    }
}

/// Running log Σ_j e^(z_j) of each row over column blocks, for log-probabilities
/// log p_j = z_j − logSumExp. Online: a block with a new maximum M rescales the sum by e^(M_old − M)
/// (once per block, in double), and each value adds e^(z − M) (`simdExp`, 8 float lanes, lane
/// sums added in double). A row whose maximum is not finite gives that maximum (−∞ for a row of −∞).
public struct RowLogSumExp {
    private var maxima: [Float]
    private var sums: [Double]

    /// For `rows` rows, nothing seen yet.
    public init(rows: Int) {
        maxima = Array(repeating: -.infinity, count: rows)
        sums = Array(repeating: 0, count: rows)
    }

    /// Folds in row `r`'s values of one block of `count` columns.
    public mutating func fold(row r: Int, _ values: UnsafePointer<Float>, count: Int) {
        if count <= 0 { return }
        var lanes = SIMD8<Float>(repeating: -.infinity)
        var j = 0
        while j < count {
            let v = loadLanes(values, j, count: count, fill: -.infinity)
            lanes.replace(with: v, where: v .> lanes)
            j += 8
        }
        let blockMax = lanes.max()
        var m = maxima[r]
        if blockMax > m {
            if m > -.infinity { sums[r] *= Foundation.exp(Double(m) - Double(blockMax)) }
            m = blockMax
            maxima[r] = m
        }
        if !m.isFinite { return }  // −∞ (nothing yet) or +∞ (the result is +∞)
        sums[r] += Double(expShiftedSum(values, count: count, shift: m))
    }

    /// Row `r`'s log-sum-exp so far.
    public func result(row r: Int) -> Double {
        let m = maxima[r]
        return m.isFinite ? Double(m) + Foundation.log(sums[r]) : Double(m)
    }
}

/// The best `keep` columns of each row over column blocks, best first: larger value first, equal
/// values in column order, values that are not above −∞ (or NaN) never kept. This is what offering
/// every column in order to a sorted list of `keep` (stable, entering only above the last kept
/// value) leaves. A 16-lane comparison with the row's current threshold skips most blocks' lanes.
public struct RowTopK {
    /// K.
    public let keep: Int
    private var values: [Float]     // [R, K]
    private var columns: [Int32]    // [R, K]
    private var filled: [Int]       // [R]

    /// For `rows` rows keeping `keep` columns each.
    public init(rows: Int, keep: Int) {
        self.keep = max(1, keep)
        values = Array(repeating: -.infinity, count: rows * self.keep)
        columns = Array(repeating: 0, count: rows * self.keep)
        filled = Array(repeating: 0, count: rows)
    }

    /// Row `r`'s value that a new column must beat to be kept (−∞ while fewer than K are kept).
    @inline(__always) private func threshold(_ r: Int) -> Float {
        filled[r] == keep ? values[r * keep + keep - 1] : -.infinity
    }

    /// Offers column `column` with `value` to row `r`.
    @inline(__always) public mutating func offer(row r: Int, column: Int32, value: Float) {
        guard value > threshold(r) else { return }
        let base = r * keep
        var i = filled[r]
        if i == keep { i -= 1 } else { filled[r] += 1 }
        // Shift the kept values below `value` down by one (the last falls off), stable for ties.
        while i > 0 && !(values[base + i - 1] >= value) {
            values[base + i] = values[base + i - 1]
            columns[base + i] = columns[base + i - 1]
            i -= 1
        }
        values[base + i] = value
        columns[base + i] = column
    }

    /// Folds in row `r`'s values of `columns` in column order, leaving out column `excluded`.
    public mutating func fold(row r: Int, _ block: UnsafePointer<Float>, columns range: Range<Int>, excluding excluded: Int? = nil) {
        let n = range.count
        var c = 0
        while c < n {
            let v = c + 16 <= n ? load16(block + c) : partial16(block + c, count: n - c)
            if any(v .> SIMD16(repeating: threshold(r))) {
                for l in 0..<min(16, n - c) {
                    let column = range.lowerBound + c + l
                    if column != excluded { offer(row: r, column: Int32(column), value: v[l]) }
                }
            }
            c += 16
        }
    }

    /// Row `r`'s kept columns and values, best first.
    public func result(row r: Int) -> [(column: Int32, value: Float)] {
        (0..<filled[r]).map { (columns[r * keep + $0], values[r * keep + $0]) }
    }
}

/// The first `count` (< 16) values at `p`, −∞ in the other lanes.
@inline(__always)
func partial16(_ p: UnsafePointer<Float>, count: Int) -> SIMD16<Float> {
    var v = SIMD16<Float>(repeating: -.infinity)
    for l in 0..<count { v[l] = p[l] }
    return v
}
