import CLI
import TinyTranslator

let parser = FlagParser(command: "train", usage: "train --data FILE.tsv --out DIR (--steps N | --epochs N | --minutes M) [flags]",
                        summary: """
    Learns an English→French (or any) translation model from a parallel corpus and saves \
    checkpoints, metrics.jsonl, report.html and config.json (this run's settings, for --config) \
    in the --out folder.
    """, flags: [
    Flag("data", "FILE", "Training corpus, TSV: source<TAB>target per line (extra columns ignored).", group: "Data"),
    Flag("source", "FILE", "Or line-aligned (Moses-style) files: the source side, e.g. train.en ...", group: "Data"),
    Flag("target", "FILE", "... and the target side, e.g. train.fr.", group: "Data"),
    Flag("valid", "FILE", "Validation TSV. Default: hold out --valid-size training pairs.", group: "Data"),
    Flag("valid-source", "FILE", "Or a line-aligned validation pair: the source side ...", group: "Data"),
    Flag("valid-target", "FILE", "... and the target side.", group: "Data"),
    Flag("valid-size", "N", "Pairs held out for validation when no validation file is given (default 500; at most a tenth of the corpus).", group: "Data"),
    Flag("out", "DIR", "The run folder: checkpoints, metrics.jsonl, report.html, config.json (default checkpoints/model).",
         group: "Data", aliases: ["output"]),
    Flag("config", "FILE", "A JSON object of flag names to values (- reads standard input): configs/tatoeba.json, configs/toy.json, or a run's config.json. Flags given here override it.", group: "Data"),

    Flag("tokenizer", "KIND", "word or bpe (default bpe).", group: "Tokenizer"),
    Flag("merges", "N", "BPE merges to learn, per language with separate vocabularies (default 4000). BPE only.", group: "Tokenizer"),
    Flag("min-frequency", "N", "Word: min count for a word to get an id; BPE: min count for a character (default 2).", group: "Tokenizer"),
    Flag("max-vocab", "N", "Word vocabulary cap incl. special tokens (default 32000). Word only.", group: "Tokenizer"),
    Flag("lowercase", nil, "Lowercase all text before tokenising (default off).", group: "Tokenizer"),
    Flag("separate-vocab", nil, "One tokenizer per language (default on; --no-separate-vocab learns one shared).", group: "Tokenizer"),

    Flag("model-dim", "N", "d_model, the width of every token vector (default 128).", group: "Model"),
    Flag("heads", "N", "Attention heads; must divide --model-dim (default 4).", group: "Model"),
    Flag("layers", "N", "Encoder and decoder layers (default 3).", group: "Model"),
    Flag("encoder-layers", "N", "Encoder layers (instead of --layers).", group: "Model"),
    Flag("decoder-layers", "N", "Decoder layers (instead of --layers).", group: "Model"),
    Flag("ff-dim", "N", "Feed-forward hidden width d_ff (default 4 x --model-dim).", group: "Model"),
    Flag("dropout", "P", "Dropout probability (default 0.1).", group: "Model"),
    Flag("max-length", "N", "Longest sentence in tokens; longer ones are cut (default 256).", group: "Model"),
    Flag("share-embeddings", nil, "One embedding matrix for source and target (needs --no-separate-vocab); with --tie-output also the output projection (default off).", group: "Model"),
    Flag("tie-output", nil, "The target embedding is the output projection (default on; --no-tie-output gives it its own).", group: "Model"),

    Flag("lr", "RATE", "Peak learning rate after warm-up (default 0.003).", group: "Optimisation"),
    Flag("warmup", "N", "Linear warm-up steps, then 1/sqrt(step) decay (default 1000).", group: "Optimisation"),
    Flag("cooldown", "F", "Lower the rate linearly to zero over the last F of the run (0.2: the last fifth of --minutes or --steps, whichever ends it first); 0 = off (default 0).", group: "Optimisation"),
    Flag("schedule-minutes", "M", "The run length --cooldown plans for, when the run is trained in pieces with --resume --minutes (default: --minutes).", group: "Optimisation"),
    Flag("clip-norm", "X", "Clip the global gradient norm (default 1.0; 0 = off).", group: "Optimisation"),
    Flag("label-smoothing", "E", "Label smoothing epsilon (default 0.1).", group: "Optimisation"),
    Flag("batch-tokens", "N", "Tokens per batch incl. padding, source + target (default 4096).", group: "Optimisation"),
    Flag("ema", "DECAY", "Average the weights (exponential moving average); validation, best.safetensors and translate use the average, the raw weights are kept too (default 0.999; 0 = off). The decay after update t is min(DECAY, (1+t)/(10+t)), so DECAY takes over only from update (10 DECAY - 1)/(1 - DECAY): 8,990 for 0.999, 17,990 for 0.9995.", group: "Optimisation"),
    Flag("seed", "N", "Seed for initialisation, data order and dropout (default 1).", group: "Optimisation"),

    Flag("steps", "N", "Stop after N updates in total.", group: "Stopping and saving"),
    Flag("epochs", "N", "Stop after N passes over the data.", group: "Stopping and saving"),
    Flag("minutes", "M", "Stop after M minutes of training in total.", group: "Stopping and saving"),
    Flag("patience", "N", "Stop after N validations without a better BLEU.", group: "Stopping and saving"),
    Flag("valid-every", "N", "Validate and save at every multiple of N updates (default 500) ...", group: "Stopping and saving"),
    Flag("valid-every-minutes", "M", "... and at least every M minutes (default 5).", group: "Stopping and saving"),
    Flag("bleu-sentences", "N", "Validation sentences translated for BLEU (default 500).", group: "Stopping and saving"),
    Flag("keep", "N", "Step checkpoints kept besides best.safetensors (default 3).", group: "Stopping and saving"),
    Flag("resume", nil, "Continue the run in --out from its latest checkpoint, with its own settings; only the stopping and saving flags and --threads may change (others are refused). Without a stopping flag it keeps the run's.", group: "Stopping and saving"),

    Flag("threads", "N", "Threads for the kernels (default: all cores, \(availableCores) here).", group: "Other"),
    Flag("quiet", nil, "Print only validation results and the summary.", group: "Other"),
], epilogue: """
    Examples:
      train --config configs/toy.json --out checkpoints/toy
      train --data my.tsv --out checkpoints/mine --minutes 30
      train --out checkpoints/mine --resume --minutes 60
      train --config checkpoints/toy/config.json --out other

    Exit status: 0 done (a limit or --patience reached), 1 error (the message names the file \
    and the fix), 2 usage error, 3 the loss became NaN or infinite (the last good checkpoint is \
    kept), 128+N stopped by signal N after saving (130: Ctrl-C).
    """, version: tinyTranslatorVersion)

/// Builds the run's configuration from parsed flags on top of `base` (train's defaults, or the
/// saved settings of a run being resumed), validating every value and refusing flags that
/// would be ignored.
func makeConfig(_ f: ParsedFlags, base: TrainConfig = TrainConfig()) throws -> TrainConfig {
    var c = base
    if let corpus = try alternative(f, "data", or: ("source", "target")) { (c.data, c.source, c.target) = corpus }
    if let valid = try alternative(f, "valid", or: ("valid-source", "valid-target")) { (c.valid, c.validSource, c.validTarget) = valid }
    for (flag, path) in [("data", c.data), ("source", c.source), ("target", c.target), ("valid", c.valid),
                         ("valid-source", c.validSource), ("valid-target", c.validTarget)] where path == "-" {
        throw UsageError("--\(flag) - (standard input) is not possible: train reads its corpus again on --resume, so it needs a file; save the input to a file first")
    }
    c.validHoldOut = try f.int("valid-size", atLeast: 1) ?? c.validHoldOut
    if f.has("valid-size") && (c.valid != nil || c.validSource != nil) {
        throw UsageError("--valid-size sets how many training pairs to hold out when there is no validation file; with --valid or --valid-source it would do nothing: drop one")
    }
    c.out = f.string("out") ?? c.out
    if c.out == "-" { throw UsageError("--out is a folder (checkpoints, metrics, report), not a stream: give a folder name") }

    if let kind = f.string("tokenizer") {
        guard let k = TokenizerKind(rawValue: kind) else { throw UsageError("--tokenizer must be 'word' or 'bpe', got '\(kind)'") }
        c.tokenizer.kind = k
    }
    if f.has("merges") && c.tokenizer.kind == .word { throw UsageError("--merges applies to --tokenizer bpe; the word tokenizer learns no merges (--max-vocab caps it)") }
    if f.has("max-vocab") && c.tokenizer.kind == .bpe { throw UsageError("--max-vocab applies to --tokenizer word; a BPE vocabulary's size is set by --merges") }
    c.tokenizer.merges = try f.int("merges", atLeast: 0) ?? c.tokenizer.merges
    c.tokenizer.minFrequency = try f.int("min-frequency", atLeast: 1) ?? c.tokenizer.minFrequency
    c.tokenizer.maxVocabularySize = try f.int("max-vocab", atLeast: 5) ?? c.tokenizer.maxVocabularySize
    c.tokenizer.lowercase = f.switchState("lowercase") ?? c.tokenizer.lowercase
    if let separate = f.switchState("separate-vocab") { c.tokenizer.shared = !separate }

    var m = c.model
    m.modelDim = try f.int("model-dim", atLeast: 1) ?? m.modelDim
    m.heads = try f.int("heads", atLeast: 1) ?? m.heads
    // The command line beats the --config file (configs/tatoeba.json says "layers": 3, and
    // `--encoder-layers 4 --decoder-layers 2` must still give 4+2); within one of them the
    // side's own flag beats --layers.
    let depth = ["layers", "encoder-layers", "decoder-layers"]
    if depth.allSatisfy(f.onCommandLine) {
        throw UsageError("--layers would do nothing with both --encoder-layers and --decoder-layers: drop one")
    }
    if depth.allSatisfy(f.has) && !depth.contains(where: f.onCommandLine) {
        throw UsageError("\(f.string("config") ?? "the config file"): \"layers\" would do nothing with both \"encoder-layers\" and \"decoder-layers\": drop one")
    }
    let layers = try f.int("layers", atLeast: 0)
    func side(_ flag: String) throws -> Int? {
        let own = try f.int(flag, atLeast: 0)
        if f.onCommandLine(flag) { return own }
        return f.onCommandLine("layers") ? layers : own ?? layers
    }
    m.encoderLayers = try side("encoder-layers") ?? m.encoderLayers
    m.decoderLayers = try side("decoder-layers") ?? m.decoderLayers
    // d_ff follows d_model unless given: 4 x the new width when only --model-dim is.
    m.feedForwardDim = try f.int("ff-dim", atLeast: 1) ?? (f.has("model-dim") ? 4 * m.modelDim : m.feedForwardDim)
    m.dropout = Float(try f.double("dropout", in: 0...0.95) ?? Double(m.dropout))
    m.maxLength = try f.int("max-length", atLeast: 2) ?? m.maxLength
    m.tieOutputEmbedding = f.switchState("tie-output") ?? m.tieOutputEmbedding
    m.shareEmbeddings = f.switchState("share-embeddings") ?? m.shareEmbeddings
    if m.shareEmbeddings && !c.tokenizer.shared {
        throw UsageError("--share-embeddings needs one vocabulary for both languages: add --no-separate-vocab")
    }
    if m.modelDim % m.heads != 0 {
        throw UsageError("--model-dim \(m.modelDim) is not divisible by --heads \(m.heads); e.g. --model-dim \(m.modelDim / m.heads * m.heads + m.heads) or --heads 1")
    }
    c.model = m

    c.optimizer.learningRate = try f.double("lr", in: 1e-7...10) ?? c.optimizer.learningRate
    c.optimizer.warmupSteps = try f.int("warmup", atLeast: 1) ?? c.optimizer.warmupSteps
    c.optimizer.clipNorm = try f.double("clip-norm", in: 0...1e6) ?? c.optimizer.clipNorm
    c.optimizer.cooldown = try f.double("cooldown", in: 0...1).map { $0 == 0 ? nil : $0 } ?? c.optimizer.cooldown
    c.scheduleMinutes = try f.double("schedule-minutes", in: 0.01...1e6) ?? c.scheduleMinutes
    c.labelSmoothing = Float(try f.double("label-smoothing", in: 0...0.99) ?? Double(c.labelSmoothing))
    c.batchTokens = try f.int("batch-tokens", atLeast: 8) ?? c.batchTokens
    c.emaDecay = try f.double("ema", in: 0...0.999999) ?? c.emaDecay
    if let s = try f.int("seed", atLeast: 0) { c.seed = UInt64(s) }

    // The stopping limits given replace all of the base's (a resumed run keeps its own when
    // none is given): `--resume --minutes 60` must not also stop at the run's old --steps.
    let stops = ["steps", "epochs", "minutes"]
    if stops.contains(where: f.has) {
        c.steps = try f.int("steps", atLeast: 1)
        c.epochs = try f.int("epochs", atLeast: 1)
        c.minutes = try f.double("minutes", in: 0.01...1e6)
    }
    c.patience = try f.int("patience", atLeast: 1) ?? c.patience
    c.validEvery = try f.int("valid-every", atLeast: 1) ?? c.validEvery
    c.validEveryMinutes = try f.double("valid-every-minutes", in: 0.01...1e6) ?? c.validEveryMinutes
    c.bleuSentences = try f.int("bleu-sentences", atLeast: 1) ?? c.bleuSentences
    c.keep = try f.int("keep", atLeast: 1) ?? c.keep
    c.threads = try f.int("threads", atLeast: 1) ?? c.threads
    // A resumed run keeps its own limits; without a run to resume, the library says so.
    if c.steps == nil && c.epochs == nil && c.minutes == nil && !f.has("resume") {
        throw UsageError("say when to stop: --steps N, --epochs N or --minutes M")
    }
    return c
}

/// A corpus given one of two ways, one TSV file (`one`, e.g. --data) or a `pair` of plain-text
/// files (--source/--target), as (one, first, second) with the other way nil; nil when neither
/// is given. The command line's way beats the --config file's (configs/tatoeba.json names a
/// --data file, and `--source a.en --target a.fr` on top of it trains on those); both ways at
/// one level are refused.
func alternative(_ f: ParsedFlags, _ one: String, or pair: (String, String)) throws -> (String?, String?, String?)? {
    let (a, b) = pair
    func given(_ level: (String) -> Bool) -> (one: Bool, pair: Bool) { (level(one), level(a) || level(b)) }
    let cli = given(f.onCommandLine), any = given(f.has)
    if (cli.one && cli.pair) || (!cli.one && !cli.pair && any.one && any.pair) {
        throw UsageError("give either --\(one) or --\(a)/--\(b), not both")
    }
    guard cli.pair || (!cli.one && any.pair) else { return f.string(one).map { ($0, nil, nil) } }
    guard let s = f.string(a), let t = f.string(b) else { throw UsageError("--\(a) and --\(b) go together: give both files") }
    return (nil, s, t)
}

/// The settings `--resume` keeps from the run (everything but the stopping and saving flags and
/// `--threads`), as config-file keys, i.e. flag names.
let changeableOnResume: Set<String> = ["steps", "epochs", "minutes", "patience", "valid-every", "valid-every-minutes", "keep"]

/// The settings of `requested` that differ from the run's `saved` ones where `--resume` cannot
/// change them, as "--NAME (the run has X, given Y)".
func unchangeableOnResume(saved: TrainConfig, requested: TrainConfig) -> [String] {
    func view(_ c: TrainConfig) -> [(key: String, value: String)] {
        c.configFileEntries.flatMap { e -> [(key: String, value: String)] in
            e.key == "layers" ? [("encoder-layers", "\(e.value)"), ("decoder-layers", "\(e.value)")] : [(e.key, "\(e.value)")]
        }
    }
    let (a, b) = (view(saved), view(requested))
    let before = Dictionary(a, uniquingKeysWith: { x, _ in x }), after = Dictionary(b, uniquingKeysWith: { x, _ in x })
    var keys = b.map(\.key)
    keys += a.map(\.key).filter { after[$0] == nil }
    return keys.filter { !changeableOnResume.contains($0) && before[$0] != after[$0] }.map {
        "--\($0) (the run has \(before[$0] ?? "none"), given \(after[$0] ?? "none"))"
    }
}
