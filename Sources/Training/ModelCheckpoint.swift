import Checkpoint
import Engine
import Foundation
import Model
import Text

/// A failure of training or translation that the user can act on; the message says what and how.
public struct TrainingError: Error, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
}

/// The metadata keys a model checkpoint carries beside its tensors (all JSON strings).
public enum CheckpointKeys {
    public static let modelConfig = "model_config"
    public static let tokenizers = "tokenizers"
    public static let trainingState = "training_state"
    public static let trainConfig = "train_config"
}

/// A model rebuilt from a checkpoint file, with everything saved beside it.
public struct LoadedCheckpoint {
    public let url: URL
    public let model: Transformer
    public let tokenizers: TokenizerPair
    public let state: TrainingState?
    public let trainConfig: TrainConfig?
    public let file: SafeTensorsFile
}

private func json<T: Encodable>(_ value: T) -> String {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys]
    return String(decoding: (try? e.encode(value)) ?? Data("null".utf8), as: UTF8.self)
}

private func decode<T: Decodable>(_ type: T.Type, _ key: String, in file: SafeTensorsFile, url: URL) throws -> T {
    guard let text = file.metadata[key] else {
        throw TrainingError("\(url.path): the checkpoint has no '\(key)' metadata, so it was not written by `train`; retrain or pick another file")
    }
    do { return try JSONDecoder().decode(T.self, from: Data(text.utf8)) } catch {
        throw TrainingError("\(url.path): the '\(key)' metadata is not valid (\(error)); the file may come from another version of this tool")
    }
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

/// Reads and verifies a checkpoint file (or the best/latest one in a folder) and rebuilds the
/// model from it alone. Errors name the file and what is wrong: damage, a missing tokenizer,
/// a missing or mis-shaped tensor.
public func loadCheckpoint(_ path: String) throws -> LoadedCheckpoint {
    let url = try CheckpointDirectory.resolve(path)
    let file = try SafeTensors.read(from: url, verify: true)
    let config = try decode(ModelConfig.self, CheckpointKeys.modelConfig, in: file, url: url)
    guard config.problems.isEmpty else {
        throw TrainingError("\(url.path): model_config is unusable: \(config.problems.joined(separator: "; "))")
    }
    let tokenizers = try decode(TokenizerPair.self, CheckpointKeys.tokenizers, in: file, url: url)
    guard tokenizers.source.vocabulary.count == config.sourceVocabSize, tokenizers.target.vocabulary.count == config.targetVocabSize else {
        throw TrainingError("\(url.path): the tokenizers' vocabularies (\(tokenizers.source.vocabulary.count)/\(tokenizers.target.vocabulary.count)) do not match the model (\(config.sourceVocabSize)/\(config.targetVocabSize)); the file is inconsistent")
    }
    let state = file.metadata[CheckpointKeys.trainingState] == nil ? nil : try decode(TrainingState.self, CheckpointKeys.trainingState, in: file, url: url)
    let trainConfig = file.metadata[CheckpointKeys.trainConfig] == nil ? nil : try decode(TrainConfig.self, CheckpointKeys.trainConfig, in: file, url: url)
    let model = Transformer(config, seed: 0)
    var byName: [String: Int] = [:]
    for (i, t) in file.tensors.enumerated() { byName[t.name] = i }
    do {
        try model.load { name in byName[name].map { (file.tensors[$0].shape, file.tensors[$0].values) } }
    } catch {
        throw TrainingError("\(url.path): \(error); the file does not match its own model_config")
    }
    return LoadedCheckpoint(url: url, model: model, tokenizers: tokenizers, state: state, trainConfig: trainConfig, file: file)
}

extension Adam {
    /// Restores the moment buffers saved by `makeCheckpoint`.
    public func restore(from file: SafeTensorsFile, path: String) throws {
        var byName: [String: NamedTensor] = [:]
        for t in file.tensors where t.name.hasPrefix("adam.") { byName[t.name] = t }
        for (name, tensor) in state {
            guard let t = byName[name] else {
                throw TrainingError("\(path): optimizer state '\(name)' is missing, so training cannot resume exactly; start a new run with another --out")
            }
            guard t.shape == tensor.shape else {
                throw TrainingError("\(path): optimizer state '\(name)' has shape \(t.shape), expected \(tensor.shape)")
            }
            t.values.withUnsafeBufferPointer { tensor.data.update(from: $0.baseAddress!, count: tensor.count) }
        }
    }
}
