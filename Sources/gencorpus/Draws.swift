import Random

// The draws the sentence templates make, on the project's one seeded generator. The corpus must
// be byte-identical on every machine and every run (`gencorpus --check data` proves it), so
// nothing here uses the standard library's `random(in:using:)`, whose algorithm may change.
extension SplitMix64 {
    /// A uniform integer in `0..<bound` (unbiased; 0 for a bound of 0 or 1).
    mutating func below(_ bound: Int) -> Int { next(below: bound) }

    /// `true` with probability `p`.
    mutating func chance(_ p: Double) -> Bool {
        Double(next() >> 11) * 0x1.0p-53 < p
    }

    /// A uniformly chosen element; `nil` only for an empty array.
    mutating func pick<T>(_ items: [T]) -> T? {
        items.isEmpty ? nil : items[below(items.count)]
    }

    /// An index chosen with probability proportional to `weights[i]`.
    mutating func weightedIndex(_ weights: [Int]) -> Int {
        let total = weights.reduce(0, +)
        var r = below(total)
        for (i, w) in weights.enumerated() {
            if r < w { return i }
            r -= w
        }
        return weights.count - 1
    }
}
