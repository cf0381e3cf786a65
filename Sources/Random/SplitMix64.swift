/// SplitMix64 (Steele, Lea & Flood 2014; constants from Vigna's reference C code): a tiny,
/// fast 64-bit generator whose whole state is one counter, so a run can be reproduced from its
/// seed on any platform and toolchain. Not cryptographic.
///
/// The project's one seeded generator: the batcher's shuffles (Text), the corpus generator
/// (gencorpus), and the seeding and counter-based hashing of the engine's xoshiro256** stream
/// (Engine's `RandomGenerator`, `hashRandom`, dropout masks) all draw from it.
///
/// Shuffling uses our own Fisher–Yates and bounded draws rather than the standard library's
/// `shuffle(using:)`, whose algorithm is not guaranteed to stay the same across Swift versions.
public struct SplitMix64: RandomNumberGenerator, Codable, Sendable, Equatable {
    /// The counter; the n-th output is a bijective mix of `seed + n * golden-ratio`.
    public var state: UInt64

    /// A generator whose whole stream is fixed by `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 uniformly distributed bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `0..<bound` (bound > 0), by Lemire's multiply-shift with rejection,
    /// so there is no modulo bias.
    public mutating func next(below bound: Int) -> Int {
        guard bound > 1 else { return 0 }
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    /// Shuffles `array` in place (Fisher–Yates), deterministically for a given state.
    public mutating func shuffle<T>(_ array: inout [T]) {
        var i = array.count - 1
        while i > 0 {
            let j = next(below: i + 1)
            if i != j { array.swapAt(i, j) }
            i -= 1
        }
    }
}
