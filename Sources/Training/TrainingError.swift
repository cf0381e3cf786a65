/// A failure of training or translation that the user can act on: the message says what went
/// wrong and what to do, in the library's terms. It names no command-line flag: `setting` says
/// which setting would fix it, and a front end (the `train` and `translate` tools) adds how to
/// change that setting there.
public struct TrainingError: Error, CustomStringConvertible {
    /// A setting a user can change to get past the error.
    public enum Setting: String, Sendable {
        /// The run's output folder (`TrainConfig.out`).
        case output
        /// Whether to continue the run saved in the output folder.
        case resume
        /// The training corpus (`TrainConfig.data`, or `source` and `target`).
        case trainingData
        /// The peak learning rate and its warm-up (`OptimizerConfig`).
        case learningRate
        /// The attention looked at closely (`ExplainFocus.map`).
        case explainMap
        /// The head looked at closely (`ExplainFocus.head`).
        case explainHead
        /// The query position looked at closely (`ExplainFocus.position`).
        case explainPosition
        /// Which weights of a checkpoint to translate with (the average or the raw ones).
        case rawWeights
        /// The validation set (`TrainConfig.valid`, `validSource`/`validTarget`, `validHoldOut`).
        case validation
    }

    /// What went wrong and what to do, e.g. "checkpoints/run already holds checkpoints: continue
    /// the run, or choose another output folder".
    public let description: String
    /// The setting that would fix it, if one does.
    public let setting: Setting?

    /// An error with its message and, if one would fix it, the setting to change.
    public init(_ message: String, setting: Setting? = nil) {
        description = message
        self.setting = setting
    }
}
