import Checkpoint
import Foundation

/// A run's settings in the format of `train --config FILE` (the presets in configs/*.json): one
/// JSON object whose keys are `train`'s flag names without `--`. Every run folder gets one,
/// `config.json`, so `train --config RUN/config.json --out OTHER` trains the same run again; a
/// checkpoint's `train_config` converts to it too (`inspect --train-config`).
///
/// It holds what defines the run — data, tokenizer, model, optimisation, seed, stopping limits,
/// validation — and leaves out where and how fast it runs (`out`, `threads`), which do not
/// change the result.
extension TrainConfig {
    /// The settings as (flag name, JSON value) pairs in `train --help` order.
    public var configFileEntries: [(key: String, value: Any)] {
        var e: [(key: String, value: Any)] = []
        func add(_ key: String, _ value: Any?) { if let value { e.append((key, value)) } }
        // Float settings go through their shortest decimal form: 0.1, not 0.10000000149011612.
        func decimal(_ f: Float) -> Double { Double("\(f)") ?? Double(f) }
        add("data", data)
        add("source", source)
        add("target", target)
        add("valid", valid)
        add("valid-source", validSource)
        add("valid-target", validTarget)
        if valid == nil && validSource == nil { add("valid-size", validHoldOut) }
        add("tokenizer", tokenizer.kind.rawValue)
        if tokenizer.kind == .bpe { add("merges", tokenizer.merges) }
        add("min-frequency", tokenizer.minFrequency)
        if tokenizer.kind == .word { add("max-vocab", tokenizer.maxVocabularySize) }
        add("lowercase", tokenizer.lowercase)
        add("separate-vocab", !tokenizer.shared)
        add("model-dim", model.modelDim)
        add("heads", model.heads)
        if model.encoderLayers == model.decoderLayers {
            add("layers", model.encoderLayers)
        } else {
            add("encoder-layers", model.encoderLayers)
            add("decoder-layers", model.decoderLayers)
        }
        add("ff-dim", model.feedForwardDim)
        add("dropout", decimal(model.dropout))
        add("max-length", model.maxLength)
        add("share-embeddings", model.shareEmbeddings)
        add("tie-output", model.tieOutputEmbedding)
        add("lr", optimizer.learningRate)
        add("warmup", optimizer.warmupSteps)
        add("clip-norm", optimizer.clipNorm)
        add("cooldown", optimizer.cooldown)
        add("schedule-minutes", scheduleMinutes)
        add("label-smoothing", decimal(labelSmoothing))
        add("batch-tokens", batchTokens)
        add("ema", emaDecay ?? 0)
        add("seed", Int(clamping: seed))
        add("steps", steps)
        add("epochs", epochs)
        add("minutes", minutes)
        add("patience", patience)
        add("valid-every", validEvery)
        add("valid-every-minutes", validEveryMinutes)
        add("bleu-sentences", bleuSentences)
        add("keep", keep)
        return e
    }

    /// `configFileEntries` as a JSON object, one setting per line, in `train --help` order.
    public var configFileJSON: String {
        let lines = configFileEntries.map { entry -> String in
            let value = (try? JSONSerialization.data(withJSONObject: entry.value, options: [.fragmentsAllowed, .withoutEscapingSlashes]))
                .map { String(decoding: $0, as: UTF8.self) } ?? "null"
            return "  \"\(entry.key)\": \(value)"
        }
        return "{\n" + lines.joined(separator: ",\n") + "\n}\n"
    }
}

/// The settings of the run saved in `folder` (its latest step checkpoint's `train_config`), or
/// nil when the folder holds no step checkpoint. Reads only the file's header; a damaged header
/// throws the `CheckpointError` naming it.
public func savedRunConfig(in folder: String) throws -> TrainConfig? {
    let dir = URL(fileURLWithPath: folder)
    var latest: URL?
    let indexURL = dir.appendingPathComponent(CheckpointDirectory.indexFileName)
    if let data = FileManager.default.contents(atPath: indexURL.path),
       let index = try? JSONDecoder().decode(CheckpointIndex.self, from: data), let last = index.checkpoints.last {
        let u = dir.appendingPathComponent(last.file)
        if FileManager.default.fileExists(atPath: u.path) { latest = u }
    }
    if latest == nil {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        latest = names.compactMap { n in CheckpointDirectory.step(ofFileName: n).map { (n, $0) } }
            .max { $0.1 < $1.1 }.map { dir.appendingPathComponent($0.0) }
    }
    guard let latest else { return nil }
    let header = try SafeTensors.readHeader(from: latest, verify: true)
    guard let text = header.metadata[CheckpointKeys.trainConfig] else { return nil }
    do { return try JSONDecoder().decode(TrainConfig.self, from: Data(text.utf8)) } catch {
        throw TrainingError("\(latest.path): the '\(CheckpointKeys.trainConfig)' metadata is not valid (\(error)); the file may come from another version of this tool")
    }
}
