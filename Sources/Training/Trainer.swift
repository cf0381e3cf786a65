import Checkpoint
import Engine
import Foundation
import Metrics
import Model
import Text

/// Trains a Transformer on a parallel corpus: prepares data and tokenizers (or restores them
/// with `--resume`), runs Adam updates on token-budget batches, validates and checkpoints.
public final class Trainer {
    public let config: TrainConfig
    public let tokenizers: TokenizerPair
    public let model: Transformer
    public let optimizer: Adam
    /// The moving average of the weights (`--ema`), or nil.
    public let average: WeightAverage?
    public internal(set) var state: TrainingState
    let batcher: Batcher
    let validation: ValidationSet
    let directory: CheckpointDirectory
    let lock: TrainingLock
    let log: (String) -> Void
    let metrics: MetricsLog

    /// Sets up a run. With `resume`, the latest checkpoint in `config.out` supplies the
    /// tokenizers, weights, optimizer state and data position; stopping limits come from `config`.
    public init(config: TrainConfig, resume: Bool, log: @escaping (String) -> Void) throws {
        Threads.count = config.threads
        let outURL = URL(fileURLWithPath: config.out)
        directory = try CheckpointDirectory(url: outURL, policy: CheckpointPolicy(keepLatest: max(1, config.keep)))
        lock = try TrainingLock(directory: outURL)
        self.log = log
        // A run killed mid-save (SIGKILL, power loss) leaves its temporary file behind; the
        // checkpoints themselves are intact. With the lock held no one else is writing, so the
        // leftovers (".NAME.tmp-PID-RANDOM") can go.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: outURL.path)) ?? []
        where name.hasPrefix(".") && name.contains(".safetensors.tmp-") || name.hasPrefix(".checkpoints.json.tmp-")
            || name.hasPrefix(".report.html.tmp-") || name.hasPrefix(".attention.jsonl.tmp-") {
            try? FileManager.default.removeItem(at: outURL.appendingPathComponent(name))
        }

        var config = config
        let resumed: LoadedCheckpoint?
        if resume {
            guard let latest = directory.latest() else {
                throw TrainingError("--resume: no checkpoint in \(config.out) to resume from; start without --resume")
            }
            let loaded = try loadCheckpoint(latest.path)
            guard let saved = loaded.trainConfig, loaded.state != nil else {
                throw TrainingError("\(latest.path) has no training state, so it cannot be resumed")
            }
            // The run's identity (data, tokenizer, model, optimizer, seed) comes from the checkpoint;
            // the stopping limits and logging cadence from this command line.
            var merged = saved
            (merged.steps, merged.epochs, merged.minutes, merged.threads) = (config.steps, config.epochs, config.minutes, config.threads)
            (merged.validEvery, merged.validEveryMinutes, merged.keep, merged.patience) = (config.validEvery, config.validEveryMinutes, config.keep, config.patience)
            config = merged
            resumed = loaded
            log("resuming from \(latest.path) at step \(loaded.state!.step)")
        } else {
            resumed = nil
            if directory.latest() != nil {
                throw TrainingError("\(config.out) already holds checkpoints: continue them with --resume, or choose another --out")
            }
        }

        let (train, valid) = try Trainer.loadCorpora(config, log: log)
        if let resumed {
            tokenizers = resumed.tokenizers
        } else {
            let t0 = Date()
            tokenizers = try TokenizerPair.learn(spec: config.tokenizer, corpus: train)
            log(String(format: "tokenizer: %@, vocabulary %d source / %d target (%.1f s)", config.tokenizer.kind.rawValue,
                       tokenizers.source.vocabulary.count, tokenizers.target.vocabulary.count, Date().timeIntervalSince(t0)))
        }
        config.model.sourceVocabSize = tokenizers.source.vocabulary.count
        config.model.targetVocabSize = tokenizers.target.vocabulary.count
        if let problem = config.model.problems.first { throw TrainingError("model settings: \(problem)") }
        self.config = config

        let pairs = tokenizers.encode(train)
        do {
            batcher = try Batcher(pairs: pairs, config: BatchConfig(maxTokens: config.batchTokens, maxLength: config.model.maxLength - 1,
                                                                   overLength: .truncate, seed: config.seed))
        } catch {
            throw TrainingError("batching: \(error)")
        }
        validation = ValidationSet(pairs: valid, tokenizers: tokenizers)
        model = resumed?.model ?? Transformer(config.model, seed: config.seed)
        optimizer = Adam(model.parameters(), config: config.optimizer)
        state = resumed?.state ?? TrainingState()
        if let resumed {
            try optimizer.restore(from: resumed.file, path: resumed.url.path)
            optimizer.step = state.step
        }
        if let d = config.emaDecay, d > 0 {
            let average = WeightAverage(model.parameters(), decay: d)
            if let resumed { try average.restore(from: resumed.file, path: resumed.url.path) }
            self.average = average
        } else {
            average = nil
        }
        metrics = try MetricsLog(url: outURL.appendingPathComponent("metrics.jsonl"))
        log(String(format: "data: %d training pairs in %d batches/epoch (%@), %d validation pairs", pairs.count,
                   batcher.batchCount(epoch: 0), batcher.stats.description, valid.count))
        log(String(format: "model: %d parameters (d_model %d, %d heads, %d+%d layers, d_ff %d), %d threads", model.parameterCount,
                   config.model.modelDim, config.model.heads, config.model.encoderLayers, config.model.decoderLayers,
                   config.model.feedForwardDim, Threads.count))
        logSessionStart(resumedFrom: resumed?.url.path)
    }

    static func loadCorpora(_ c: TrainConfig, log: (String) -> Void) throws -> (ParallelCorpus, [SentencePair]) {
        var train: ParallelCorpus
        if let data = c.data {
            train = try ParallelCorpus.readTSV(path: data)
        } else if let s = c.source, let t = c.target {
            train = try ParallelCorpus.readMoses(sourcePath: s, targetPath: t)
        } else {
            throw TrainingError("no training data: give --data FILE.tsv, or --source FILE and --target FILE")
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
            let n = min(c.validHoldOut, train.pairs.count / 10)
            let held = Set(idx.prefix(n))
            valid = idx.prefix(n).sorted().map { train.pairs[$0] }
            train.pairs = train.pairs.indices.filter { !held.contains($0) }.map { train.pairs[$0] }
            log("validation: holding out \(n) training pairs (give --valid FILE to use a separate set)")
        }
        return (train, valid)
    }
}
