import Checkpoint
import Engine
import Model
import Text
import Training

// The library's vocabulary: the types its functions take and return, named here so that
// `import TinyTranslator` is all a user needs.

/// Everything a training run needs: data, tokenizer, model size, optimisation, stopping limits.
public typealias TrainConfig = Training.TrainConfig
/// How text becomes token ids: `.bpe` subwords or `.word`s (`TrainConfig.tokenizer.kind`).
public typealias TokenizerKind = TokenizerSpec.Kind
/// Where a run stands: step, time, validation history, best BLEU.
public typealias TrainingState = Training.TrainingState
/// One validation of a run: loss, perplexity, BLEU, chrF, exact match.
public typealias ValidationRecord = Training.ValidationRecord
/// Why training stopped.
public typealias StopReason = Training.StopReason
/// Turns Ctrl-C / SIGTERM into a request to save and stop (`StopSignal.install()`).
public typealias StopSignal = Training.StopSignal
/// What attention did for one sentence (`Translator.explain`); Codable.
public typealias Explanation = Training.Explanation
/// What `translate --explain-json` writes: a schema version, the model, one explanation per sentence.
public typealias ExplainDocument = Training.ExplainDocument
/// The model's shape and the label smoothing it was trained with, as an explanation records them.
public typealias ExplainModelInfo = Training.ExplainModelInfo
/// Which attention, head and query position to look at closely.
public typealias ExplainFocus = Training.ExplainFocus
/// A failure of training or translation; `setting` says which setting would fix it.
public typealias TrainingError = Training.TrainingError
/// How translation holds a model's weights: `.float32` or `.int8` (`Translator(checkpoint:precision:)`).
public typealias InferencePrecision = Model.InferencePrecision
/// A checkpoint that cannot be read, written or found; `kind` and `setting` classify it.
public typealias CheckpointError = Checkpoint.CheckpointError
/// The metadata keys of a checkpoint (JSON strings beside the tensors).
public typealias CheckpointKeys = Training.CheckpointKeys

/// Threads the kernels use for translating and training: every core by default
/// (`availableCores`). Set it before translating or training, not during.
public var kernelThreads: Int {
    get { Threads.count }
    set { Threads.count = newValue }
}

/// The cores this process may use, e.g. 2.
public let availableCores = Threads.available
