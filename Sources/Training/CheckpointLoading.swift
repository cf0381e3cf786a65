import Checkpoint
import Engine
import Foundation
import Model
import Text

/// Reads and verifies a checkpoint file (or the best/latest one in a folder) and rebuilds the
/// model from it alone. Errors name the file and what is wrong: damage, a missing tokenizer,
/// a missing or mis-shaped tensor.
///
/// Every tensor's CRC32 is checked, including the optimizer state a translation never uses (a
/// damaged file is reported, not half-trusted). The model's tensors are read straight into the
/// model, which is created without drawing random weights; the others are only checksummed,
/// streaming through a small buffer, unless `optimizerState` asks to keep them (`train
/// --resume`). Tensors are read on `Threads.count` threads. This keeps `translate` start-up
/// near the cost of reading the file once.
///
/// `rawWeights` loads the raw training weights (`raw.<name>`) an averaged run saves beside the
/// average, instead of the average; a file without them throws an error saying so.
public func loadCheckpoint(_ path: String, optimizerState: Bool = true, rawWeights: Bool = false) throws -> LoadedCheckpoint {
    let url = try CheckpointDirectory.resolve(path)
    let reader = try TensorReader(url: url, verify: true)
    let metadata = reader.header.metadata
    let config = try decode(ModelConfig.self, CheckpointKeys.modelConfig, in: metadata, url: url).withTextTokens()
    guard config.problems.isEmpty else {
        throw TrainingError("\(url.path): model_config is unusable: \(config.problems.joined(separator: "; "))")
    }
    let tokenizers = try decode(TokenizerPair.self, CheckpointKeys.tokenizers, in: metadata, url: url)
    guard tokenizers.source.vocabulary.count == config.sourceVocabSize, tokenizers.target.vocabulary.count == config.targetVocabSize else {
        throw TrainingError("\(url.path): the tokenizers' vocabularies (\(tokenizers.source.vocabulary.count)/\(tokenizers.target.vocabulary.count)) do not match the model (\(config.sourceVocabSize)/\(config.targetVocabSize)); the file is inconsistent")
    }
    let state = metadata[CheckpointKeys.trainingState] == nil ? nil : try decode(TrainingState.self, CheckpointKeys.trainingState, in: metadata, url: url)
    let trainConfig = metadata[CheckpointKeys.trainConfig] == nil ? nil : try decode(TrainConfig.self, CheckpointKeys.trainConfig, in: metadata, url: url)

    let model = Transformer(config, weights: .unset)
    var byName: [String: TensorEntry] = [:]
    for e in reader.header.tensors where byName[e.name] == nil { byName[e.name] = e }
    // Match every parameter before reading anything, so a missing or mis-shaped tensor is
    // named without first reading 100+ MB.
    var jobs: [LoadJob] = []
    var parameterNames = Set<String>()
    if rawWeights && !byName.keys.contains(where: { $0.hasPrefix("raw.") }) {
        throw TrainingError("\(url.path) holds no raw weights (raw.* tensors): its run did not average the weights, so the weights it holds are the raw ones",
                            setting: .rawWeights)
    }
    for (stored, t) in model.parameters() {
        let name = rawWeights ? "raw." + stored : stored
        guard let e = byName[name] else {
            throw TrainingError("\(url.path): tensor '\(name)' is missing (expected shape \(t.shape)); the file does not match its own model_config")
        }
        guard e.shape == t.shape else {
            throw TrainingError("\(url.path): tensor '\(name)' has shape \(e.shape), the model config needs \(t.shape); the file does not match its own model_config")
        }
        jobs.append(LoadJob(entry: e, destination: t.storage))
        parameterNames.insert(name)
    }
    let hasRawWeights = byName.keys.contains { $0.hasPrefix("raw.") }
    let others = reader.header.tensors.filter { !parameterNames.contains($0.name) }
    if !optimizerState { jobs += others.map { LoadJob(entry: $0, destination: nil) } }
    try runLoadJobs(jobs, reader: reader)

    var kept: [NamedTensor] = []
    var damaged: [String] = []
    if optimizerState {
        for e in others {
            var ok = true
            let values = try [Float](unsafeUninitializedCapacity: e.elementCount) { buf, n in
                ok = try reader.read(e, into: UnsafeMutableBufferPointer(rebasing: buf[0..<e.elementCount]))
                n = e.elementCount
            }
            if !ok { damaged.append(e.name) }
            kept.append(NamedTensor(name: e.name, shape: e.shape, values: values))
        }
    }
    if !damaged.isEmpty { throw SafeTensors.damagedError(path: url.path, tensors: damaged) }
    let file = SafeTensorsFile(tensors: kept, metadata: metadata, integrity: reader.verifies ? .verified : .noChecksums)
    return LoadedCheckpoint(url: url, model: model, tokenizers: tokenizers, state: state, trainConfig: trainConfig, file: file,
                            hasRawWeights: hasRawWeights)
}

/// One tensor to read into `destination` (a model parameter's values), or only to checksum (nil).
private struct LoadJob: Sendable {
    let entry: TensorEntry
    let destination: Storage?
}

/// Runs `jobs` over the kernel threads, largest first so the last one to finish is small;
/// throws the first failure in file order, or the damage of every tensor whose CRC failed.
private func runLoadJobs(_ jobs: [LoadJob], reader: TensorReader) throws {
    let order = jobs.sorted { $0.entry.elementCount > $1.entry.elementCount }
    let outcomes = parallelMap(order.count) { i -> LoadOutcome in
        let job = order[i]
        do {
            if let d = job.destination {
                return LoadOutcome(damaged: !(try reader.read(job.entry, into: UnsafeMutableBufferPointer(start: d.pointer, count: job.entry.elementCount))))
            }
            return LoadOutcome(damaged: !(try reader.check(job.entry)))
        } catch {
            return LoadOutcome(error: error)
        }
    }
    let results = (0..<order.count).map { (order[$0].entry, outcomes[$0]) }.sorted { $0.0.dataOffsets.lowerBound < $1.0.dataOffsets.lowerBound }
    if let failure = results.first(where: { $0.1.error != nil }) { throw failure.1.error! }
    let damaged = results.filter(\.1.damaged).map(\.0.name)
    if !damaged.isEmpty { throw SafeTensors.damagedError(path: reader.filePath, tensors: damaged) }
}

private struct LoadOutcome: Sendable {
    var damaged = false
    var error: (any Error)?
}

private func decode<T: Decodable>(_ type: T.Type, _ key: String, in metadata: [String: String], url: URL) throws -> T {
    guard let text = metadata[key] else {
        throw TrainingError("\(url.path): the checkpoint has no '\(key)' metadata, so it was not written by `train`; retrain or pick another file")
    }
    do { return try JSONDecoder().decode(T.self, from: Data(text.utf8)) } catch {
        throw TrainingError("\(url.path): the '\(key)' metadata is not valid (\(error)); the file may come from another version of this tool")
    }
}
