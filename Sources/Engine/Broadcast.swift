/// Shape arithmetic for NumPy-style broadcasting: shapes are aligned at their last dimension and
/// a dimension of 1 (or a missing leading one) stretches to match.
public enum Shapes {
    /// The broadcast shape of `a` and `b`, or `nil` if they are incompatible.
    public static func broadcast(_ a: [Int], _ b: [Int]) -> [Int]? {
        let n = max(a.count, b.count)
        var out = [Int](repeating: 1, count: n)
        for i in 0..<n {
            let da = i < n - a.count ? 1 : a[i - (n - a.count)]
            let db = i < n - b.count ? 1 : b[i - (n - b.count)]
            if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else { return nil }
        }
        return out
    }

    /// Row-major strides of `small` expressed on `big`'s axes: 0 where `small` is stretched.
    /// Row-major strides of `shape` (e.g. [2, 3, 4] -> [12, 4, 1]).
    public static func strides(_ shape: [Int]) -> [Int] {
        var out = [Int](repeating: 1, count: shape.count)
        var s = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) { out[i] = s; s *= shape[i] }
        return out
    }

    static func alignedStrides(_ small: [Int], to big: [Int]) -> [Int] {
        var strides = [Int](repeating: 0, count: big.count)
        var s = 1
        for i in stride(from: small.count - 1, through: 0, by: -1) {
            let bigAxis = i + big.count - small.count
            strides[bigAxis] = small[i] == 1 && big[bigAxis] != 1 ? 0 : s
            s *= small[i]
        }
        return strides
    }
}

/// Visits `big` one innermost row at a time and gives, for each row, the offset of that row in
/// `big` and the matching offsets (and inner strides, 0 or 1) in `a` and `b`, which broadcast
/// to `big`. One closure call per row keeps general broadcasting cheap enough; the common
/// same-shape case never comes here.
@inline(__always)
func forEachBroadcastRow(big: [Int], a: [Int], b: [Int], rows: Range<Int>? = nil,
                         _ body: (_ row: Int, _ aOffset: Int, _ aStride: Int, _ bOffset: Int, _ bStride: Int) -> Void) {
    forEachRow(shape: big, stridesA: Shapes.alignedStrides(a, to: big), stridesB: Shapes.alignedStrides(b, to: big),
               rows: rows, body)
}

/// Visits a row-major `shape` one innermost row at a time; for each row gives its flat offset and
/// the offsets of the same index in two other layouts described by per-axis strides (broadcast
/// strides with zeros, or the permuted strides of a transpose), plus their innermost strides.
/// `rows` (default: all) visits only those rows, so parallel chunks can each walk their own.
@inline(__always)
func forEachRow(shape: [Int], stridesA sa: [Int], stridesB sb: [Int], rows only: Range<Int>? = nil,
                _ body: (_ row: Int, _ aOffset: Int, _ aStride: Int, _ bOffset: Int, _ bStride: Int) -> Void) {
    let rank = shape.count
    if rank == 0 { body(0, 0, 0, 0, 0); return }
    let n = shape[rank - 1]
    let rows = shape.dropLast().reduce(1, *)
    if n == 0 || rows == 0 { return }
    let visit = only ?? 0..<rows
    if visit.isEmpty { return }
    // The odometer's start: the outer index of row `visit.lowerBound`, and its offsets.
    var index = [Int](repeating: 0, count: rank)
    var ao = 0, bo = 0
    var rest = visit.lowerBound
    for axis in stride(from: rank - 2, through: 0, by: -1) {
        index[axis] = rest % shape[axis]
        rest /= shape[axis]
        ao += index[axis] * sa[axis]; bo += index[axis] * sb[axis]
    }
    for r in visit {
        body(r * n, ao, sa[rank - 1], bo, sb[rank - 1])
        // Odometer increment over the outer axes, updating offsets incrementally.
        var axis = rank - 2
        while axis >= 0 {
            index[axis] += 1
            ao += sa[axis]; bo += sb[axis]
            if index[axis] < shape[axis] { break }
            ao -= sa[axis] * shape[axis]; bo -= sb[axis] * shape[axis]
            index[axis] = 0
            axis -= 1
        }
    }
}
