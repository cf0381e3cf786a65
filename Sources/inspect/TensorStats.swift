import Checkpoint

/// Summary statistics of one tensor's values, the numbers a person checks first when a model
/// misbehaves: a collapsed std, an exploding norm, or any NaN/Inf.
///
/// Mean, std (population), min, max and L2 norm are over the finite values only, so one NaN
/// does not hide what the rest of the tensor looks like; `nan` and `inf` count the others.
struct TensorStats {
    var name: String
    var shape: [Int]
    var count: Int
    var mean: Double
    var std: Double
    var min: Double
    var max: Double
    var l2: Double
    var nan: Int
    var inf: Int

    init(_ t: NamedTensor) {
        name = t.name
        shape = t.shape
        count = t.values.count
        (mean, std, min, max, l2, nan, inf) = (0, 0, 0, 0, 0, 0, 0)
        t.values.withUnsafeBufferPointer { compute($0) }
    }

    private mutating func compute(_ v: UnsafeBufferPointer<Float>) {
        guard let base = v.baseAddress, !v.isEmpty else { (mean, std, min, max) = (.nan, .nan, .nan, .nan); return }
        var (sum, lo, hi) = Self.sumMinMax(base, v.count)
        var finite = v.count
        if sum.isFinite {
            mean = sum / Double(finite)
            // Two passes: squared deviations from the mean, not Σx² − n·mean², which cancels
            // catastrophically for tensors like layer-norm gains (all ≈ 1, std ≈ 1e-5).
            let dev = Self.squaredDeviations(base, v.count, mean: Float(mean))
            std = (dev / Double(finite)).squareRoot()
            l2 = (dev + Double(finite) * mean * mean).squareRoot()
            (min, max) = (Double(lo), Double(hi))
            return
        }
        // Some value is NaN or Inf (rare): a scalar pass over the finite values only.
        (sum, lo, hi, finite) = (0, .infinity, -.infinity, 0)
        for x in v {
            if x.isNaN { nan += 1; continue }
            if x.isInfinite { inf += 1; continue }
            sum += Double(x)
            lo = Swift.min(lo, x)
            hi = Swift.max(hi, x)
            finite += 1
        }
        guard finite > 0 else { (mean, std, min, max) = (.nan, .nan, .nan, .nan); return }
        mean = sum / Double(finite)
        var dev = 0.0, sq = 0.0
        for x in v where x.isFinite {
            let d = Double(x) - mean
            dev += d * d
            sq += Double(x) * Double(x)
        }
        std = (dev / Double(finite)).squareRoot()
        l2 = sq.squareRoot()
        (min, max) = (Double(lo), Double(hi))
    }

    /// Elements per Float partial sum before it is added to a Double: short enough that float
    /// rounding stays ~1e-6 relative, long enough that the loop runs at SIMD speed.
    private static let block = 512

    /// Sum, min and max with 8-wide SIMD, so a 50 MB checkpoint takes milliseconds.
    private static func sumMinMax(_ base: UnsafePointer<Float>, _ n: Int) -> (Double, Float, Float) {
        let raw = UnsafeRawPointer(base)
        var sum = 0.0
        var lo = SIMD8<Float>(repeating: base[0]), hi = lo
        var i = 0
        while i + 8 <= n {
            let end = Swift.min(n - (n - i) % 8, i + block)
            var s = SIMD8<Float>()
            while i < end {
                let x = raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
                s += x
                lo = pointwiseMin(lo, x)
                hi = pointwiseMax(hi, x)
                i += 8
            }
            sum += Double(s.sum())
        }
        var l = lo.min(), h = hi.max()
        while i < n {
            sum += Double(base[i])
            l = Swift.min(l, base[i])
            h = Swift.max(h, base[i])
            i += 1
        }
        return (sum, l, h)
    }

    /// Σ(x − mean)² with 8-wide SIMD.
    private static func squaredDeviations(_ base: UnsafePointer<Float>, _ n: Int, mean: Float) -> Double {
        let raw = UnsafeRawPointer(base)
        let m = SIMD8<Float>(repeating: mean)
        var total = 0.0
        var i = 0
        while i + 8 <= n {
            let end = Swift.min(n - (n - i) % 8, i + block)
            var q = SIMD8<Float>()
            while i < end {
                let d = raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self) - m
                q.addProduct(d, d)
                i += 8
            }
            total += Double(q.sum())
        }
        while i < n {
            let d = Double(base[i]) - Double(mean)
            total += d * d
            i += 1
        }
        return total
    }
}

/// Parameter totals for one part of the model, e.g. "encoder.layers.0" or "decoder.embedding".
struct ModuleTotal {
    var module: String
    var tensors = 0
    var values = 0
    var sumSq = 0.0

    /// The module a parameter belongs to: its name without the last component, cut to three
    /// components for layers ("encoder.layers.0") and two otherwise ("decoder.embedding").
    static func module(of name: String) -> String {
        var parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if parts.count > 1 { parts.removeLast() }
        let keep = parts.count > 1 && parts[1] == "layers" ? 3 : 2
        return parts.prefix(keep).joined(separator: ".")
    }

    /// Totals per module in first-seen order (the file's order: encoder, decoder, output).
    static func group(_ stats: [TensorStats]) -> [ModuleTotal] {
        var order: [String] = []
        var byName: [String: ModuleTotal] = [:]
        for s in stats {
            let m = module(of: s.name)
            if byName[m] == nil { order.append(m) }
            var total = byName[m] ?? ModuleTotal(module: m)
            total.tensors += 1
            total.values += s.count
            total.sumSq += s.l2 * s.l2
            byName[m] = total
        }
        return order.compactMap { byName[$0] }
    }
}

/// Optimizer tensors are saved as `adam.m.<param>` / `adam.v.<param>` beside the model's.
/// Training state that is not part of the model: Adam's moments and, in a run with `--ema`,
/// the raw (not averaged) weights training continues from.
func isOptimizerState(_ name: String) -> Bool { name.hasPrefix("adam.") || name.hasPrefix("raw.") }
