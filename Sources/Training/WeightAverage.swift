import Checkpoint
import Engine

/// An exponential moving average of the weights (Polyak averaging; Marian's
/// `--exponential-smoothing`, fairseq's `--ema`): after every update,
/// `average = d · average + (1 − d) · weights`.
///
/// Why: with a decaying learning rate the weights still jitter from batch to batch; their
/// average over the last few hundred updates translates better than the last update alone, and
/// costs one pass over the parameters per step. The decay warms up as `min(decay, (1+t)/(10+t))`
/// so early in a short run the average spans roughly the last tenth of training instead of
/// dragging in the random initialisation.
/// The cap `decay` = d takes over only from update (10d − 1)/(1 − d): 8,990 for 0.999, 17,990
/// for 0.9995. Before that every decay gives the same average, so decays above 0.999 change
/// nothing in the first ~9,000 updates (about 35 minutes of the preset on two cores).
///
/// Validation and checkpoints see the average: `swapped { … }` puts it into the model for the
/// duration of a closure. A checkpoint then holds the average under the model's own names (what
/// `translate` and `inspect` read) and the raw training weights as `raw.<name>`, so `--resume`
/// continues from exactly where training was.
public final class WeightAverage {
    /// The cap on the per-step decay, e.g. 0.999 (an average over about the last 1,000 updates).
    public let decay: Double
    /// The model's parameters, whose values are averaged.
    public let parameters: [(name: String, tensor: Tensor)]
    /// The averaged values, one tensor per parameter.
    public private(set) var average: [Tensor]

    /// Starts the average at the current weights.
    public init(_ parameters: [(name: String, tensor: Tensor)], decay: Double) {
        self.parameters = parameters
        self.decay = decay
        average = parameters.map { Tensor(shape: $0.tensor.shape, values: $0.tensor.values) }
    }

    /// The decay applied after update number `step` (1-based).
    public func decay(at step: Int) -> Double {
        min(decay, Double(1 + step) / Double(10 + step))
    }

    /// Folds the current weights into the average after update number `step`.
    public func update(step: Int) {
        movingAverage(average, toward: parameters.map(\.tensor), decay: Float(decay(at: step)))
    }

    /// Runs `body` with the averaged weights in the model, the raw ones parked in `average`,
    /// and swaps back afterwards (also when `body` throws).
    public func swapped<R>(_ body: () throws -> R) rethrows -> R {
        exchange()
        defer { exchange() }
        return try body()
    }

    private func exchange() {
        for (i, (_, p)) in parameters.enumerated() {
            let (a, w) = (average[i].data, p.data)
            for j in 0..<p.count { let t = a[j]; a[j] = w[j]; w[j] = t }
        }
    }

    /// Inside `swapped`: the raw training weights with their checkpoint names (`raw.<name>`).
    public var rawState: [(name: String, tensor: Tensor)] {
        parameters.indices.map { ("raw." + parameters[$0].name, average[$0]) }
    }

    /// Resumes from a checkpoint whose model tensors hold the average (already loaded into the
    /// model) and whose `raw.*` tensors hold the training weights: the average becomes what the
    /// model holds now, and the model gets the raw weights back. A checkpoint without `raw.*`
    /// (written without averaging) simply starts a fresh average at its weights.
    public func restore(from file: SafeTensorsFile, path: String) throws {
        let byName = file.tensors(withPrefix: "raw.")
        guard !byName.isEmpty else { return }
        for (i, (name, p)) in parameters.enumerated() {
            guard let t = byName["raw." + name], t.shape == p.shape else {
                throw TrainingError("\(path): the raw weights 'raw.\(name)' are missing or mis-shaped, so an averaged run cannot resume exactly; start a new run in another output folder",
                                    setting: .output)
            }
            average[i].data.update(from: p.data, count: p.count)
            t.values.withUnsafeBufferPointer { p.data.update(from: $0.baseAddress!, count: p.count) }
        }
    }
}
