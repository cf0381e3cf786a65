import Engine

/// Where a new model's weights come from: drawn from a seeded generator (a model about to be
/// trained) or left unset because a checkpoint loader (Training's `loadCheckpoint`) is about to
/// overwrite every one of them. Drawing ~12M random numbers (Box–Muller for the embeddings) only
/// to throw them away was a quarter of `translate`'s start-up time.
public struct WeightInitializer {
    private var rng: RandomGenerator?

    /// Random weights whose every value is fixed by `seed`.
    public static func random(seed: UInt64) -> WeightInitializer { WeightInitializer(rng: RandomGenerator(seed: seed)) }

    /// Allocated but unset (arbitrary values): only for a model a checkpoint loader fills next.
    public static var unset: WeightInitializer { WeightInitializer(rng: nil) }

    /// Values uniform in [-bound, bound) (a trainable leaf), or unset.
    mutating func uniform(_ shape: [Int], bound: Float) -> Tensor {
        guard rng != nil else { return Self.unsetParameter(shape) }
        return .randomUniform(shape, bound: bound, rng: &rng!, requiresGrad: true)
    }

    /// Values normal with standard deviation `std` (a trainable leaf), or unset.
    mutating func normal(_ shape: [Int], std: Float) -> Tensor {
        guard rng != nil else { return Self.unsetParameter(shape) }
        return .randomNormal(shape, std: std, rng: &rng!, requiresGrad: true)
    }

    private static func unsetParameter(_ shape: [Int]) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        t.requiresGrad = true
        return t
    }
}
