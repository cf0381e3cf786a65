import Engine
import Foundation

/// Settings of Adam and its learning-rate schedule.
public struct OptimizerConfig: Codable, Equatable, Sendable {
    /// Peak learning rate reached at the end of warm-up, e.g. 0.001.
    public var learningRate: Double = 1e-3
    /// Linear warm-up steps, e.g. 4000; afterwards the rate decays as 1/√step.
    public var warmupSteps: Int = 4000
    /// Adam β₁, e.g. 0.9.
    public var beta1: Double = 0.9
    /// Adam β₂, e.g. 0.98 (Vaswani et al.).
    public var beta2: Double = 0.98
    /// Adam ε, e.g. 1e-9.
    public var epsilon: Double = 1e-9
    /// Clip the global gradient norm to this, e.g. 1.0; 0 turns clipping off.
    public var clipNorm: Double = 1.0
    /// Lower the rate linearly to zero over this last fraction of the run, e.g. 0.2 (the last
    /// fifth of `--minutes` or `--steps`); nil or 0 = off. Why: a run with a known budget ends
    /// best with its rate annealed to zero (warm-up, stable, decay: Hägele et al. 2024), which
    /// the 1/√step tail never reaches.
    public var cooldown: Double?

    /// The defaults above.
    public init() {}

    /// The defaults with another peak rate and warm-up.
    public init(learningRate: Double, warmupSteps: Int) {
        self.learningRate = learningRate
        self.warmupSteps = warmupSteps
    }

    /// Learning rate at `step` (1-based): linear warm-up to the peak, then inverse square root;
    /// times `cooldownFactor(progress:)` when `progress` (the share of the run done, 0...1) is
    /// given.
    public func rate(at step: Int, progress: Double = 0) -> Double {
        let s = Double(max(1, step)), w = Double(max(1, warmupSteps))
        return learningRate * min(s / w, (w / s).squareRoot()) * cooldownFactor(progress: progress)
    }

    /// 1 until the last `cooldown` share of the run, then falling linearly to 0 at its end
    /// (progress 1); always 1 when `cooldown` is nil or 0.
    public func cooldownFactor(progress: Double) -> Double {
        guard let c = cooldown, c > 0 else { return 1 }
        return min(1, max(0, (1 - progress) / c))
    }
}

/// Adam (Kingma & Ba) over named parameters, with bias correction and global-norm clipping.
///
/// The moment buffers are named like the parameters (`adam.m.<name>`, `adam.v.<name>`) so they
/// go into the checkpoint and `--resume` continues exactly.
public final class Adam {
    /// β₁, β₂, ε, the schedule and clipping.
    public let config: OptimizerConfig
    /// The parameters it updates, with their dotted names.
    public let parameters: [(name: String, tensor: Tensor)]
    /// First moments, one per parameter.
    public private(set) var m: [Tensor]
    /// Second moments, one per parameter.
    public private(set) var v: [Tensor]
    /// Updates applied so far (the bias-correction step).
    public var step: Int = 0

    /// An optimizer for `parameters` with zero moments.
    public init(_ parameters: [(name: String, tensor: Tensor)], config: OptimizerConfig) {
        self.parameters = parameters
        self.config = config
        m = parameters.map { Tensor.zeros($0.tensor.shape) }
        v = parameters.map { Tensor.zeros($0.tensor.shape) }
    }

    /// The global L2 norm of all gradients (NaN or ∞ if any gradient is).
    public func gradientNorm() -> Double {
        var total = 0.0
        for (_, p) in parameters {
            guard let g = p.grad else { continue }
            var s: Float = 0
            for i in 0..<g.count { s += g.data[i] * g.data[i] }
            total += Double(s)
        }
        return total.squareRoot()
    }

    /// Applies one update with learning rate `lr`, scaling gradients by `gradScale` first (the
    /// clipping factor), then clears the gradients.
    public func update(lr: Double, gradScale: Double = 1) {
        step += 1
        let (b1, b2) = (Float(config.beta1), Float(config.beta2))
        let c1 = Float(1 - pow(config.beta1, Double(step))), c2 = Float(1 - pow(config.beta2, Double(step)))
        let (alpha, eps, scale) = (Float(lr) / c1, Float(config.epsilon), Float(gradScale))
        adamUpdate(parameters.map(\.tensor), m: m, v: v,
                   AdamStep(beta1: b1, beta2: b2, alpha: alpha, secondCorrection: c2, epsilon: eps, gradientScale: scale))
        for (_, p) in parameters { p.zeroGrad() }
    }

    /// Drops all gradients without updating (a skipped step).
    public func discardGradients() { for (_, p) in parameters { p.zeroGrad() } }

    /// Moment buffers with their checkpoint names.
    public var state: [(name: String, tensor: Tensor)] {
        parameters.indices.flatMap { i in [("adam.m." + parameters[i].name, m[i]), ("adam.v." + parameters[i].name, v[i])] }
    }
}
