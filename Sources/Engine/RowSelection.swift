import Foundation

// Shape legend: R rows (decoding hypotheses), V columns (the target vocabulary), K kept per row.
//
// What a search needs from a row of logits, folded in one block of columns at a time, so that a
// vocabulary projection (`PackedLinear.forEachColumnBlock`) never holds all [R, V] values: the
// argmax (greedy), the log-sum-exp (to turn logits into log-probabilities) and the best K
// columns (beam search). Each has a plain scalar twin in `RowSelectionTests`. The state lives in
// raw buffers reused from step to step (`reset`): a search allocates it once.

/// Running argmax of each row over column blocks: the lowest column among the largest values
/// (`>`, so NaN never wins and a row of −∞ gives column 0), as a scan of the whole row would
/// return. 16 lanes per row, each keeping its first best; the lanes are merged at the end.
public final class RowArgmax {
    private var best: UnsafeMutablePointer<SIMD16<Float>>
    private var index: UnsafeMutablePointer<SIMD16<Int32>>
    private var capacity = 0

    /// For `rows` rows, nothing seen yet.
    public init(rows: Int) {
        (best, index) = (.allocate(capacity: 1), .allocate(capacity: 1))
        reset(rows: rows)
    }

    deinit { best.deallocate(); index.deallocate() }

    /// Forgets everything and makes room for `rows` rows.
    public func reset(rows: Int) {
        if rows > capacity {
            best.deallocate(); index.deallocate()
            (best, index, capacity) = (.allocate(capacity: rows), .allocate(capacity: rows), rows)
        }
        best.update(repeating: SIMD16(repeating: -.infinity), count: rows)
        index.update(repeating: SIMD16(), count: rows)
    }

    /// Folds in row `r`'s values of `columns` (`values[0]` is column `columns.lowerBound`),
    /// leaving out column `excluded` if given.
    @inline(__always)
    public func fold(row r: Int, _ values: UnsafePointer<Float>, columns: Range<Int>, excluding excluded: Int? = nil) {
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
        var top = b[0]
        for l in 1..<16 where b[l] > top { top = b[l] }
        // −∞ when nothing beat −∞: then every lane still holds column 0.
        var out = Int32.max
        for l in 0..<16 where b[l] == top { out = min(out, ix[l]) }
        return out
    }
}

/// For beam search, each row's log-sum-exp (log p_j = z_j − logSumExp) and its best `keep`
/// columns, both folded over column blocks in one pass over each run of 128 values.
///
/// Best columns: larger value first, equal values in column order, values not above −∞ (or
/// NaN) never kept: what offering every column in order to a sorted list of `keep` (stable,
/// entering only above the last kept value) leaves. A run whose maximum does not beat the
/// row's K-th value is skipped whole; in the others, 16-value chunks are scanned only when
/// their maximum does.
///
/// Log-sum-exp: online over the runs. A run with a new maximum M rescales the sum by
/// e^(M_old − M) (in double); each run adds Σ e^(z − M) (`simdExp`, 16 float lanes, the lane sums
/// added in double), except a run whose maximum is below M − 30: its at most 128 terms are each
/// below e^−30 ≈ 1e-13 of the largest and cannot move a float sum (the result is within ~1e-7
/// relative of the exact value either way). Since most of a vocabulary sits far below a trained
/// model's top logits, most runs cost one maximum. A row whose maximum is not finite gives that
/// maximum (−∞ for a row of −∞).
public final class RowLogSumExpTopK {
    /// K.
    public let keep: Int
    private var maxima: UnsafeMutablePointer<Float>   // [R]
    private var sums: UnsafeMutablePointer<Double>    // [R]
    private var values: UnsafeMutablePointer<Float>   // [R, K]
    private var columns: UnsafeMutablePointer<Int32>  // [R, K]
    private var filled: UnsafeMutablePointer<Int>     // [R]
    private var capacity = 0

    /// For `rows` rows keeping `keep` columns each.
    public init(rows: Int, keep: Int) {
        self.keep = max(1, keep)
        (maxima, sums) = (.allocate(capacity: 1), .allocate(capacity: 1))
        (values, columns, filled) = (.allocate(capacity: 1), .allocate(capacity: 1), .allocate(capacity: 1))
        reset(rows: rows)
    }

    deinit { maxima.deallocate(); sums.deallocate(); values.deallocate(); columns.deallocate(); filled.deallocate() }

    /// Forgets everything and makes room for `rows` rows.
    public func reset(rows: Int) {
        if rows > capacity {
            maxima.deallocate(); sums.deallocate(); values.deallocate(); columns.deallocate(); filled.deallocate()
            (maxima, sums) = (.allocate(capacity: rows), .allocate(capacity: rows))
            (values, columns, filled) = (.allocate(capacity: rows * keep), .allocate(capacity: rows * keep), .allocate(capacity: rows))
            capacity = rows
        }
        maxima.update(repeating: -.infinity, count: rows)
        sums.update(repeating: 0, count: rows)
        filled.update(repeating: 0, count: rows)
    }

    /// Row `r`'s value that a new column must beat to be kept (−∞ while fewer than K are kept).
    @inline(__always) private func threshold(_ r: Int) -> Float {
        filled[r] == keep ? values[r * keep + keep - 1] : -.infinity
    }

    /// Offers column `column` with `value` to row `r`'s best columns.
    @inline(__always) public func offer(row r: Int, column: Int32, value: Float) {
        guard value > threshold(r) else { return }
        let (v, c) = (values + r * keep, columns + r * keep)
        var i = filled[r]
        if i == keep { i -= 1 } else { filled[r] += 1 }
        // Shift the kept values below `value` down by one (the last falls off), stable for ties.
        while i > 0 && !(v[i - 1] >= value) {
            v[i] = v[i - 1]
            c[i] = c[i - 1]
            i -= 1
        }
        v[i] = value
        c[i] = column
    }

    /// Folds in row `r`'s values of `columns` (`block[0]` is column `columns.lowerBound`), in
    /// column order: all of them into the log-sum-exp, and, when `select` is true, all but
    /// column `excluded` into the best columns.
    @inline(__always)
    public func fold(row r: Int, _ block: UnsafePointer<Float>, columns range: Range<Int>, select: Bool = true,
                     excluding excluded: Int? = nil) {
        let n = range.count
        var c = 0
        while c < n {
            let run = min(128, n - c)
            let runMax = maximum(block + c, count: run)
            if select && runMax > threshold(r) {
                var j = c
                while j < c + run {
                    let chunk = min(16, c + run - j)
                    if maximum(block + j, count: chunk) > threshold(r) {
                        for l in j..<(j + chunk) where block[l] > threshold(r) {
                            let column = range.lowerBound + l
                            if column != excluded { offer(row: r, column: Int32(column), value: block[l]) }
                        }
                    }
                    j += chunk
                }
            }
            var m = maxima[r]
            if runMax > m {
                if m > -.infinity { sums[r] *= Foundation.exp(Double(m) - Double(runMax)) }
                m = runMax
                maxima[r] = m
            }
            // m not finite: −∞ (nothing yet) or +∞ (the result is +∞).
            if m.isFinite && runMax >= m - 30 {
                var s = SIMD16<Float>()
                let shift = SIMD16<Float>(repeating: m)
                var j = c
                while j < c + run {
                    // Missing tail lanes are −∞ and add e^−∞ = 0.
                    s += simdExp((j + 16 <= c + run ? load16(block + j) : partial16(block + j, count: c + run - j)) - shift)
                    j += 16
                }
                sums[r] += Double(s.sum())
            }
            c += run
        }
    }

    /// Row `r`'s log-sum-exp so far.
    public func logSumExp(row r: Int) -> Double {
        let m = maxima[r]
        return m.isFinite ? Double(m) + Foundation.log(sums[r]) : Double(m)
    }

    /// Row `r`'s kept columns and values, best first.
    public func best(row r: Int) -> [(column: Int32, value: Float)] {
        (0..<filled[r]).map { (columns[r * keep + $0], values[r * keep + $0]) }
    }
}

/// The largest of `count` values at `p` (−∞ for none; NaN never counts), 16 lanes at a time.
/// (Written with `replace(with:where:)`: LLVM turns that into `vmaxps`, where a mask consumed
/// any other way became a scalar loop over the lanes.)
@inline(__always)
func maximum(_ p: UnsafePointer<Float>, count: Int) -> Float {
    var m = SIMD16<Float>(repeating: -.infinity)
    var j = 0
    while j < count {
        let v = j + 16 <= count ? load16(p + j) : partial16(p + j, count: count - j)
        m.replace(with: v, where: v .> m)
        j += 16
    }
    var m8 = m.lowHalf
    m8.replace(with: m.highHalf, where: m.highHalf .> m8)
    var m4 = m8.lowHalf
    m4.replace(with: m8.highHalf, where: m8.highHalf .> m4)
    return max(max(m4[0], m4[1]), max(m4[2], m4[3]))
}

/// The first `count` (< 16) values at `p`, −∞ in the other lanes.
@inline(__always)
func partial16(_ p: UnsafePointer<Float>, count: Int) -> SIMD16<Float> {
    var v = SIMD16<Float>(repeating: -.infinity)
    for l in 0..<count { v[l] = p[l] }
    return v
}
