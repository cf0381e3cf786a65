import Checkpoint
import Engine
import Foundation
import Model
import Text

/// The metadata keys a model checkpoint carries beside its tensors (all JSON strings).
public enum CheckpointKeys {
    /// The `ModelConfig`: everything needed to rebuild the model from the tensors.
    public static let modelConfig = "model_config"
    /// The source and target tokenizers (`TokenizerPair`).
    public static let tokenizers = "tokenizers"
    /// Where the run stood (`TrainingState`), in checkpoints written by training.
    public static let trainingState = "training_state"
    /// The run's settings (`TrainConfig`), in checkpoints written by training.
    public static let trainConfig = "train_config"
}

/// A model rebuilt from a checkpoint file, with everything saved beside it.
public struct LoadedCheckpoint {
    /// The file read (a folder resolves to its best or latest checkpoint).
    public let url: URL
    /// The model, its weights read from the file.
    public let model: Transformer
    /// The source and target tokenizers the model was trained with.
    public let tokenizers: TokenizerPair
    /// Where the run stood, for checkpoints written by training.
    public let state: TrainingState?
    /// The run's settings, for checkpoints written by training.
    public let trainConfig: TrainConfig?
    /// The file's metadata and its tensors that are not model parameters (Adam's moments, for
    /// `Adam.restore`); without `optimizerState` no tensors (the model's are in `model`).
    public let file: SafeTensorsFile
    /// Whether the file holds the raw training weights (`raw.*`) beside an average of them.
    public var hasRawWeights = false
}

private func json<T: Encodable>(_ value: T) -> String {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys]
    return String(decoding: (try? e.encode(value)) ?? Data("null".utf8), as: UTF8.self)
}

/// Packs the model (and optionally the optimizer) into one safetensors file: model tensors by
/// name, then `adam.m.*` / `adam.v.*`, any `extra` tensors (the raw weights `raw.*` of an averaged
/// run), and the configuration, tokenizers and state as metadata.
public func makeCheckpoint(model: Transformer, optimizer: Adam?, tokenizers: TokenizerPair,
                           trainConfig: TrainConfig?, state: TrainingState?,
                           extra: [(name: String, tensor: Tensor)] = []) -> SafeTensorsFile {
    var tensors = model.parameters().map { NamedTensor(name: $0.name, shape: $0.tensor.shape, values: $0.tensor.values) }
    if let optimizer {
        tensors += optimizer.state.map { NamedTensor(name: $0.name, shape: $0.tensor.shape, values: $0.tensor.values) }
    }
    tensors += extra.map { NamedTensor(name: $0.name, shape: $0.tensor.shape, values: $0.tensor.values) }
    var metadata = [CheckpointKeys.modelConfig: json(model.config), CheckpointKeys.tokenizers: json(tokenizers)]
    if let trainConfig { metadata[CheckpointKeys.trainConfig] = json(trainConfig) }
    if let state { metadata[CheckpointKeys.trainingState] = json(state) }
    return SafeTensorsFile(tensors: tensors, metadata: metadata)
}

extension SafeTensorsFile {
    /// The tensors whose names start with `prefix` (e.g. "adam.", "raw."), by name: the training
    /// state that rides along with the model in a checkpoint.
    func tensors(withPrefix prefix: String) -> [String: NamedTensor] {
        var byName: [String: NamedTensor] = [:]
        for t in tensors where t.name.hasPrefix(prefix) { byName[t.name] = t }
        return byName
    }
}

extension Adam {
    /// Restores the moment buffers saved by `makeCheckpoint`.
    public func restore(from file: SafeTensorsFile, path: String) throws {
        let byName = file.tensors(withPrefix: "adam.")
        for (name, tensor) in state {
            guard let t = byName[name] else {
                throw TrainingError("\(path): optimizer state '\(name)' is missing, so training cannot resume exactly; start a new run in another output folder",
                                    setting: .output)
            }
            guard t.shape == tensor.shape else {
                throw TrainingError("\(path): optimizer state '\(name)' has shape \(t.shape), expected \(tensor.shape)")
            }
            t.values.withUnsafeBufferPointer { tensor.data.update(from: $0.baseAddress!, count: tensor.count) }
        }
    }
}
