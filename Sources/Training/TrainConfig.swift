import Engine
import Model
import Text

/// Everything `train` was asked to do; saved in each checkpoint so `--resume` continues the
/// same run and `inspect` can show how a model was made.
public struct TrainConfig: Codable, Sendable, Equatable {
    /// Training corpus as TSV (`source<TAB>target`), e.g. "data/train.tsv".
    public var data: String?
    /// Or Moses-style line-aligned files, e.g. "corpus/train.en" and "corpus/train.fr".
    public var source: String?
    /// ... and the target side, e.g. "corpus/train.fr".
    public var target: String?
    /// Validation TSV, e.g. "data/valid.tsv"; without one, `validHoldOut` pairs are held out.
    public var valid: String?
    /// Or a Moses-style validation pair: the source side ...
    public var validSource: String?
    /// ... and the target side.
    public var validTarget: String?
    /// Pairs held out from training for validation when no validation file is given, e.g. 500.
    public var validHoldOut: Int = 500
    /// Output folder for checkpoints and metrics, e.g. "checkpoints/toy".
    public var out: String = "checkpoints/model"
    // The defaults below are `train`'s defaults, chosen for a real corpus of ~160k sentence
    // pairs on 2 CPU cores in 30-60 minutes and measured on Tatoeba (docs/RESULTS.md):
    // separate 4,000-merge BPE per language, a tied output projection, a short warm-up to a
    // high peak rate, and weight averaging. configs/toy.json sets its own values for the
    // shipped toy corpus (one shared word vocabulary, untied output, no averaging).

    /// How text becomes token ids: BPE with 4,000 merges per language, learned separately.
    public var tokenizer = TokenizerSpec(kind: .bpe, merges: 4000, minFrequency: 2, shared: false)
    /// The architecture (vocabulary sizes are filled in from the tokenizer): d_model 128,
    /// 4 heads, 3 + 3 layers, d_ff 512, target embedding reused as the output projection.
    public var model = ModelConfig(sourceVocabSize: 0, targetVocabSize: 0, tieOutputEmbedding: true, padding: SpecialTokens.pad)
    /// Adam and the learning-rate schedule: peak 0.003 after 1,000 warm-up updates, then
    /// 0.003·√(1000/t). 30 minutes on 2 cores are 6,000–8,000 updates, so the usual 4,000-step
    /// warm-up would take half or more; 1,000 beat 400 by ~1 BLEU at 30 and 60 minutes
    /// (docs/RESULTS.md, the warm-up sitting).
    public var optimizer = OptimizerConfig(learningRate: 3e-3, warmupSteps: 1000)
    /// Token budget per batch (source + target tokens incl. padding), e.g. 4096.
    public var batchTokens: Int = 4096
    /// Label smoothing ε, e.g. 0.1.
    public var labelSmoothing: Float = 0.1
    /// Stop after this many updates (total, across resumes), e.g. 20000; nil = no limit.
    public var steps: Int?
    /// Stop after this many passes over the data, e.g. 30; nil = no limit.
    public var epochs: Int?
    /// Stop after this many minutes of training (total, across resumes), e.g. 30; nil = no limit.
    public var minutes: Double?
    /// The run length the learning-rate cooldown (`optimizer.cooldown`) plans for, in minutes of
    /// training, when it is not `minutes`: for a run trained in pieces with `--resume --minutes`
    /// (scripts/tune.py), whose `minutes` is where the current piece stops. nil = `minutes`.
    public var scheduleMinutes: Double?
    /// Keep an exponential moving average of the weights with this decay cap, e.g. 0.999;
    /// validation, `best` and `translate` then use the average. nil or 0 = off.
    public var emaDecay: Double? = 0.999
    /// Seed for initialisation, data order and dropout, e.g. 1.
    public var seed: UInt64 = 1
    /// Threads for the kernels, e.g. 8; by default every core the machine offers (`Threads.available`).
    public var threads: Int = Threads.available
    /// Validate and save a checkpoint every N updates, e.g. 500.
    public var validEvery: Int = 500
    /// Also validate and save every N minutes, e.g. 5 (whichever comes first).
    public var validEveryMinutes: Double = 5
    /// Validation sentences translated greedily for BLEU and exact match, e.g. 500.
    public var bleuSentences: Int = 500
    /// Step checkpoints to keep besides the best, e.g. 3.
    public var keep: Int = 3
    /// Stop after this many validations without a better BLEU, e.g. 10; nil = never.
    public var patience: Int?
    /// Stop when consecutive non-finite losses or gradients reach this count, e.g. 5.
    public var maxBadSteps: Int = 5

    /// `train`'s defaults (a real corpus on a few cores); set at least a corpus and a stopping limit.
    public init() {}
}

/// Where a run stands; saved in each checkpoint (metadata key `training_state`).
public struct TrainingState: Codable, Sendable, Equatable {
    /// Updates applied, e.g. 1200.
    public var step = 0
    /// The next batch to train on.
    public var position = BatchPosition()
    /// Source + target tokens (without padding) trained on so far.
    public var tokensSeen = 0
    /// Seconds spent training (excluding validation) across all sessions.
    public var trainSeconds = 0.0
    /// Updates skipped because the loss or a gradient was NaN or infinite.
    public var skippedSteps = 0
    /// Validation results so far, oldest first.
    public var history: [ValidationRecord] = []
    /// The best validation BLEU so far and its step.
    public var bestBLEU: Double?
    /// The step of the best validation BLEU.
    public var bestStep: Int?
    /// Validations since BLEU last improved (for `patience`).
    public var validationsWithoutImprovement = 0

    /// A run that has not started.
    public init() {}
}

/// One validation: loss, perplexity, BLEU and exact match of greedy translations.
public struct ValidationRecord: Codable, Sendable, Equatable {
    /// The update after which it ran.
    public var step: Int
    /// The epoch, 1-based.
    public var epoch: Int
    /// Seconds of training so far.
    public var trainSeconds: Double
    /// Tokens trained on so far.
    public var tokensSeen: Int
    /// The training loss of the last logged window.
    public var trainLoss: Double?
    /// Validation loss (cross-entropy per target token, no smoothing).
    public var loss: Double
    /// e^loss.
    public var perplexity: Double
    /// Corpus BLEU of greedy translations, as sacreBLEU computes it.
    public var bleu: Double
    /// chrF of the same translations.
    public var chrf: Double
    /// Percentage of translations equal to their reference after normalisation.
    public var exactMatch: Double
    /// Sentences translated for BLEU, chrF and exact match.
    public var sentences: Int
    /// With `--ema`: BLEU of the raw (not averaged) weights at the same step, e.g. 27.9.
    public var rawBLEU: Double?
}
