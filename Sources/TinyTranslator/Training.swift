import Training

/// Why a training run stopped and where it stands, as `train` reports it.
public struct TrainingOutcome: Sendable {
    /// Why it stopped: a limit, patience, a signal, or non-finite values.
    public let reason: StopReason
    /// The run's final state: step, time, validation history, best BLEU.
    public let state: TrainingState
}

/// Trains a model as the `train` tool does: reads the corpus in `config`, learns the tokenizers,
/// trains with Adam on token-budget batches, validates and saves checkpoints in `config.out`
/// until a stopping limit of `config` (steps, epochs, minutes, patience) or a stop signal
/// (`StopSignal.install()`). With `resume`, continues the run saved in `config.out` exactly
/// where it stopped. `log` gets setup, validation and checkpoint lines; `progress` a status line
/// about once a second.
///
///     var config = TrainConfig()
///     config.data = "data/train.tsv"
///     config.out = "checkpoints/mine"
///     config.steps = 1000
///     let outcome = try train(config)
public func train(_ config: TrainConfig, resume: Bool = false, log: @escaping (String) -> Void = { print($0) },
                  progress: @escaping (String) -> Void = { _ in }) throws -> TrainingOutcome {
    let trainer = try Trainer(config: config, resume: resume, log: log)
    let reason = try trainer.run(progress: progress)
    return TrainingOutcome(reason: reason, state: trainer.state)
}

/// The settings of the run saved in `folder` (its latest checkpoint's `train_config`), or nil
/// when it holds no step checkpoint: what `train(_:resume: true)` continues with.
public func savedRunConfig(in folder: String) throws -> TrainConfig? {
    try Training.savedRunConfig(in: folder)
}
