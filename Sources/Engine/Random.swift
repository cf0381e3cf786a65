import Foundation
import Random

/// A small, fast, seedable pseudo-random generator (xoshiro256**, seeded through the shared
/// `SplitMix64` of the Random module).
///
/// Swift's `SystemRandomNumberGenerator` cannot be seeded; training must be reproducible from
/// one seed (initialisation, data order, dropout), so the engine carries its own.
public struct RandomGenerator: RandomNumberGenerator, Sendable {
    private var s0, s1, s2, s3: UInt64

    /// A generator whose whole stream is fixed by `seed` (e.g. 42).
    public init(seed: UInt64) {
        var x = SplitMix64(seed: seed)
        s0 = x.next(); s1 = x.next(); s2 = x.next(); s3 = x.next()
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    /// Uniform in [0, 1) with 24 random bits.
    public mutating func nextFloat() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// Standard normal sample (Box–Muller).
    public mutating func nextNormal() -> Float {
        let u1 = max(Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0), 1e-300)
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }

    /// The raw state, to save in a checkpoint and restore with `init(state:)`.
    public var state: [UInt64] { [s0, s1, s2, s3] }
    /// A generator continuing from a saved `state`.
    public init(state: [UInt64]) {
        precondition(state.count == 4, "RandomGenerator state has 4 words")
        s0 = state[0]; s1 = state[1]; s2 = state[2]; s3 = state[3]
    }
}

@inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

/// A counter-based hash: the `index`-th random word of stream `seed`. Dropout uses it so each
/// element's mask depends only on (seed, index), whatever the thread split.
@inline(__always) public func hashRandom(seed: UInt64, index: UInt64) -> UInt64 {
    var x = SplitMix64(seed: seed ^ (index &* 0xD1B5_4A32_D192_ED03))
    return x.next()
}

