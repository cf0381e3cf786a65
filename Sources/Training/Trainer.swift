import Checkpoint
import Engine
import Foundation
import Metrics
import Model
import Text

/// Trains a Transformer on a parallel corpus: prepares data and tokenizers (or restores them
/// with `--resume`), runs Adam updates on token-budget batches, validates and checkpoints.
public final class Trainer {
    /// The run's settings (a resumed run's identity comes from its checkpoint).
    public let config: TrainConfig
    /// The tokenizers, learned from the corpus or restored.
    public let tokenizers: TokenizerPair
    /// The model being trained.
    public let model: Transformer
    /// Adam with its moments.
    public let optimizer: Adam
    /// The moving average of the weights (`--ema`), or nil.
    public let average: WeightAverage?
    /// Where the run stands.
    public internal(set) var state: TrainingState
    let batcher: Batcher
    let validation: ValidationSet
    let directory: CheckpointDirectory
    let lock: TrainingLock
    let log: (String) -> Void
    let metrics: MetricsLog

    /// Sets up a run. With `resume`, the latest checkpoint in `config.out` supplies the
    /// tokenizers, weights, optimizer state and data position; stopping limits come from `config`.
    public init(config requested: TrainConfig, resume: Bool, log: @escaping (String) -> Void) throws {
        Threads.count = requested.threads
        self.log = log
        let outURL = URL(fileURLWithPath: requested.out)
        (directory, lock) = try Trainer.claimOutputFolder(outURL, keep: requested.keep)
        let resumed = try Trainer.resumePoint(in: directory, of: requested, resume: resume, log: log)
        var config = resumed.map { Trainer.resumedConfig(saved: $0.trainConfig!, requested: requested) } ?? requested
        let (train, valid) = try Trainer.loadCorpora(config, log: log)
        tokenizers = try resumed?.tokenizers ?? Trainer.learnTokenizers(config, corpus: train, log: log)
        config.model = try Trainer.modelConfig(config.model, for: tokenizers)
        self.config = config
        let pairs = tokenizers.encode(train)
        batcher = try Trainer.makeBatcher(pairs, config)
        validation = ValidationSet(pairs: valid, tokenizers: tokenizers)
        (model, optimizer, average, state) = try Trainer.startingPoint(config, resumed: resumed)
        metrics = try MetricsLog(url: outURL.appendingPathComponent("metrics.jsonl"))
        let padding = batcher.paddingShare(epoch: 0)
        log(String(format: "data: %d training pairs in %d batches/epoch (%@; padding %.1f%% of source, %.1f%% of target positions), %d validation pairs",
                   pairs.count, padding.batches, batcher.stats.description, 100 * padding.source, 100 * padding.target,
                   valid.count))
        log(String(format: "model: %d parameters (d_model %d, %d heads, %d+%d layers, d_ff %d), %d threads", model.parameterCount,
                   config.model.modelDim, config.model.heads, config.model.encoderLayers, config.model.decoderLayers,
                   config.model.feedForwardDim, Threads.count))
        logSessionStart(resumedFrom: resumed?.url.path)
    }

    /// The run's settings as `config.json` in the `train --config` format (`TrainConfigFile.swift`),
    /// written beside the checkpoints when one is saved (so a session that saves nothing changes
    /// nothing), and rewritten when a resumed run's stopping limits change it.
    static let runConfigFileName = "config.json"

    func writeRunConfig() throws {
        let url = directory.url.appendingPathComponent(Trainer.runConfigFileName)
        let text = config.configFileJSON
        if let old = FileManager.default.contents(atPath: url.path), old == Data(text.utf8) { return }
        do { try AtomicFile.write(Array(text.utf8), to: url) } catch {
            throw TrainingError("cannot write \(url.path) (\(error)); check the disk and the folder's permissions", setting: .output)
        }
    }

    /// Opens the checkpoint folder and takes its lock, then clears what saves killed midway left
    /// behind (with the lock held, no one else is writing there).
    static func claimOutputFolder(_ url: URL, keep: Int) throws -> (CheckpointDirectory, TrainingLock) {
        let directory = try CheckpointDirectory(url: url, policy: CheckpointPolicy(keepLatest: max(1, keep)))
        let lock = try TrainingLock(directory: url)
        directory.removeLeftoverTemporaryFiles()
        return (directory, lock)
    }

    /// The checkpoint to continue from with `resume`; without it, makes sure no run is there
    /// to be overwritten.
    static func resumePoint(in directory: CheckpointDirectory, of config: TrainConfig, resume: Bool,
                            log: (String) -> Void) throws -> LoadedCheckpoint? {
        guard resume else {
            if directory.latest() != nil {
                throw TrainingError("\(config.out) already holds checkpoints: continue the run, or choose another output folder",
                                    setting: .resume)
            }
            return nil
        }
        guard let latest = directory.latest() else {
            throw TrainingError("no checkpoint in \(config.out) to resume from; start a new run instead", setting: .resume)
        }
        let loaded = try loadCheckpoint(latest.path)
        guard loaded.trainConfig != nil, let state = loaded.state else {
            throw TrainingError("\(latest.path) has no training state, so it cannot be resumed")
        }
        log("resuming from \(latest.path) at step \(state.step)")
        return loaded
    }

    /// A resumed run's identity (data, tokenizer, model, optimizer, seed) comes from its
    /// checkpoint; the stopping limits and logging cadence from the new request.
    static func resumedConfig(saved: TrainConfig, requested c: TrainConfig) -> TrainConfig {
        var merged = saved
        (merged.steps, merged.epochs, merged.minutes, merged.threads) = (c.steps, c.epochs, c.minutes, c.threads)
        (merged.validEvery, merged.validEveryMinutes, merged.keep, merged.patience) = (c.validEvery, c.validEveryMinutes, c.keep, c.patience)
        return merged
    }

    static func learnTokenizers(_ config: TrainConfig, corpus: ParallelCorpus, log: (String) -> Void) throws -> TokenizerPair {
        let t0 = Date()
        let tokenizers = try TokenizerPair.learn(spec: config.tokenizer, corpus: corpus)
        log(String(format: "tokenizer: %@, vocabulary %d source / %d target (%.1f s)", config.tokenizer.kind.rawValue,
                   tokenizers.source.vocabulary.count, tokenizers.target.vocabulary.count, Date().timeIntervalSince(t0)))
        return tokenizers
    }

    /// The architecture completed from the tokenizers (vocabulary sizes, padding id), checked.
    static func modelConfig(_ model: ModelConfig, for tokenizers: TokenizerPair) throws -> ModelConfig {
        var m = model
        m.sourceVocabSize = tokenizers.source.vocabulary.count
        m.targetVocabSize = tokenizers.target.vocabulary.count
        m = m.withTextTokens()
        if let problem = m.problems.first { throw TrainingError("model settings: \(problem)") }
        return m
    }

    static func makeBatcher(_ pairs: [TokenizedPair], _ config: TrainConfig) throws -> Batcher {
        do {
            return try Batcher(pairs: pairs, config: BatchConfig(maxTokens: config.batchTokens, maxLength: config.model.maxLength - 1,
                                                                 overLength: .truncate, seed: config.seed))
        } catch {
            throw TrainingError("batching: \(error)")
        }
    }

    /// The weights, optimizer, weight average and position to start from: the resumed
    /// checkpoint's, or fresh ones drawn from the seed.
    static func startingPoint(_ config: TrainConfig, resumed: LoadedCheckpoint?) throws
        -> (Transformer, Adam, WeightAverage?, TrainingState) {
        let model = resumed?.model ?? Transformer(config.model, seed: config.seed)
        let optimizer = Adam(model.parameters(), config: config.optimizer)
        let state = resumed?.state ?? TrainingState()
        if let resumed {
            try optimizer.restore(from: resumed.file, path: resumed.url.path)
            optimizer.step = state.step
        }
        var average: WeightAverage?
        if let d = config.emaDecay, d > 0 {
            average = WeightAverage(model.parameters(), decay: d)
            if let resumed { try average!.restore(from: resumed.file, path: resumed.url.path) }
        }
        return (model, optimizer, average, state)
    }

    static func loadCorpora(_ c: TrainConfig, log: (String) -> Void) throws -> (ParallelCorpus, [SentencePair]) {
        var train: ParallelCorpus
        if let data = c.data {
            train = try ParallelCorpus.readTSV(path: data)
        } else if let s = c.source, let t = c.target {
            train = try ParallelCorpus.readMoses(sourcePath: s, targetPath: t)
        } else {
            throw TrainingError("no training data: give a TSV corpus, or a pair of line-aligned source and target files",
                                setting: .trainingData)
        }
        if train.stats.skipped > 0 { log("training corpus: \(train.stats)") }
        var valid: [SentencePair]
        if let v = c.valid {
            valid = try ParallelCorpus.readTSV(path: v).pairs
        } else if let s = c.validSource, let t = c.validTarget {
            valid = try ParallelCorpus.readMoses(sourcePath: s, targetPath: t).pairs
        } else {
            // Hold out a seeded random slice so validation never sees training pairs.
            var rng = RandomGenerator(seed: c.seed ^ 0x5EED)
            var idx = Array(train.pairs.indices)
            idx.shuffle(using: &rng)
            // At most a tenth of the corpus is held out, so a tiny corpus holds out nothing and
            // would validate on nothing (loss 0, perplexity 1): refuse instead.
            let n = min(c.validHoldOut, train.pairs.count / 10)
            guard n > 0 else {
                throw TrainingError("\(c.data ?? c.source ?? "the corpus") has \(train.pairs.count) sentence pairs: too few to hold out validation pairs (at most a tenth are held out, which is none here). Give a separate validation file, or a corpus of at least 10 pairs",
                                    setting: .validation)
            }
            if n < c.validHoldOut {
                log("warning: holding out \(n) pairs for validation, not \(c.validHoldOut): at most a tenth of the corpus is held out; a separate validation file gives a steadier score")
            }
            let held = Set(idx.prefix(n))
            valid = idx.prefix(n).sorted().map { train.pairs[$0] }
            train.pairs = train.pairs.indices.filter { !held.contains($0) }.map { train.pairs[$0] }
            log("validation: holding out \(n) training pairs (give a validation file to use a separate set)")
        }
        return (train, valid)
    }
}
