import CLI
import TinyTranslator

let parser = FlagParser(command: "train", usage: "train --data FILE.tsv --out checkpoints/NAME [flags]", flags: [
    Flag("data", "FILE", "Training corpus, TSV: source<TAB>target per line (extra columns ignored).", group: "Data"),
    Flag("source", "FILE", "Or Moses-style line-aligned files: the source side (e.g. train.en) ...", group: "Data"),
    Flag("target", "FILE", "... and the target side (e.g. train.fr).", group: "Data"),
    Flag("valid", "FILE", "Validation TSV. Default: hold out --valid-size training pairs.", group: "Data"),
    Flag("valid-source", "FILE", "Validation source file (Moses style).", group: "Data"),
    Flag("valid-target", "FILE", "Validation target file (Moses style).", group: "Data"),
    Flag("valid-size", "N", "Pairs held out for validation when no validation file is given (default 500).", group: "Data"),
    Flag("out", "DIR", "Checkpoint folder (default checkpoints/model); metrics.jsonl is written there too.", group: "Data"),
    Flag("config", "FILE", "JSON object of flag names to values: configs/tatoeba.json (a real corpus, 30 min on 2 cores) or configs/toy.json; flags given here override it.", group: "Data"),

    Flag("tokenizer", "KIND", "word or bpe (default bpe).", group: "Tokenizer"),
    Flag("merges", "N", "BPE merges to learn, per language with separate vocabularies (default 4000).", group: "Tokenizer"),
    Flag("min-frequency", "N", "Word: min count for a word to get an id; BPE: min count for a character (default 2).", group: "Tokenizer"),
    Flag("max-vocab", "N", "Word vocabulary cap incl. special tokens (default 32000).", group: "Tokenizer"),
    Flag("lowercase", nil, "Lowercase all text before tokenising (default off).", group: "Tokenizer"),
    Flag("separate-vocab", nil, "Learn separate source and target tokenizers (default on; --no-separate-vocab learns one shared).", group: "Tokenizer"),

    Flag("model-dim", "N", "d_model, width of every token vector (default 128).", group: "Model"),
    Flag("heads", "N", "Attention heads; must divide --model-dim (default 4).", group: "Model"),
    Flag("layers", "N", "Encoder and decoder layers (default 3).", group: "Model"),
    Flag("encoder-layers", "N", "Encoder layers (overrides --layers).", group: "Model"),
    Flag("decoder-layers", "N", "Decoder layers (overrides --layers).", group: "Model"),
    Flag("ff-dim", "N", "Feed-forward hidden width d_ff (default 4 x model-dim).", group: "Model"),
    Flag("dropout", "P", "Dropout probability (default 0.1).", group: "Model"),
    Flag("max-length", "N", "Longest sequence in tokens; longer sentences are truncated (default 256).", group: "Model"),
    Flag("share-embeddings", nil, "One embedding matrix for source and target (needs --no-separate-vocab); with --tie-output also the output projection: three-way tying (default off).", group: "Model"),
    Flag("tie-output", nil, "Use the target embedding as the output projection (default on; --no-tie-output for a separate one).", group: "Model"),

    Flag("lr", "RATE", "Peak learning rate after warm-up (default 0.003).", group: "Optimisation"),
    Flag("warmup", "N", "Linear warm-up steps, then 1/sqrt(step) decay (default 400).", group: "Optimisation"),
    Flag("clip-norm", "X", "Clip the global gradient norm (default 1.0; 0 = off).", group: "Optimisation"),
    Flag("label-smoothing", "E", "Label smoothing epsilon (default 0.1).", group: "Optimisation"),
    Flag("batch-tokens", "N", "Tokens per batch incl. padding, source + target (default 4096).", group: "Optimisation"),
    Flag("ema", "DECAY", "Average the weights (exponential moving average); validation and checkpoints use the average (default 0.999; 0 = off).", group: "Optimisation"),
    Flag("seed", "N", "Seed for initialisation, data order and dropout (default 1).", group: "Optimisation"),

    Flag("steps", "N", "Stop after N updates in total.", group: "Stopping and saving"),
    Flag("epochs", "N", "Stop after N passes over the data.", group: "Stopping and saving"),
    Flag("minutes", "M", "Stop after M minutes of training in total.", group: "Stopping and saving"),
    Flag("patience", "N", "Stop after N validations without a better BLEU.", group: "Stopping and saving"),
    Flag("valid-every", "N", "Validate and save every N updates (default 500).", group: "Stopping and saving"),
    Flag("valid-every-minutes", "M", "... and at least every M minutes (default 5).", group: "Stopping and saving"),
    Flag("bleu-sentences", "N", "Validation sentences translated for BLEU (default 500).", group: "Stopping and saving"),
    Flag("keep", "N", "Step checkpoints kept besides best.safetensors (default 3).", group: "Stopping and saving"),
    Flag("resume", nil, "Continue the run saved in --out from its latest checkpoint.", group: "Stopping and saving"),

    Flag("threads", "N", "Threads for the kernels (default: all cores, \(availableCores) here).", group: "Other"),
    Flag("quiet", nil, "Print only validation results and the summary.", group: "Other"),
])

/// Builds the run's configuration from parsed flags, validating every value.
func makeConfig(_ f: ParsedFlags) throws -> TrainConfig {
    var c = TrainConfig()
    c.data = f.string("data")
    c.source = f.string("source")
    c.target = f.string("target")
    if (c.source == nil) != (c.target == nil) { throw UsageError("--source and --target go together: give both files") }
    if c.data != nil && c.source != nil { throw UsageError("give either --data or --source/--target, not both") }
    c.valid = f.string("valid")
    c.validSource = f.string("valid-source")
    c.validTarget = f.string("valid-target")
    if (c.validSource == nil) != (c.validTarget == nil) { throw UsageError("--valid-source and --valid-target go together: give both files") }
    c.validHoldOut = try f.int("valid-size", atLeast: 1) ?? c.validHoldOut
    c.out = f.string("out") ?? c.out

    if let kind = f.string("tokenizer") {
        guard let k = TokenizerKind(rawValue: kind) else { throw UsageError("--tokenizer must be 'word' or 'bpe', got '\(kind)'") }
        c.tokenizer.kind = k
    }
    c.tokenizer.merges = try f.int("merges", atLeast: 0) ?? c.tokenizer.merges
    c.tokenizer.minFrequency = try f.int("min-frequency", atLeast: 1) ?? c.tokenizer.minFrequency
    c.tokenizer.maxVocabularySize = try f.int("max-vocab", atLeast: 5) ?? c.tokenizer.maxVocabularySize
    c.tokenizer.lowercase = f.switchState("lowercase") ?? c.tokenizer.lowercase
    if let separate = f.switchState("separate-vocab") { c.tokenizer.shared = !separate }

    var m = c.model
    m.modelDim = try f.int("model-dim", atLeast: 1) ?? m.modelDim
    m.heads = try f.int("heads", atLeast: 1) ?? m.heads
    let layers = try f.int("layers", atLeast: 0)
    m.encoderLayers = try f.int("encoder-layers", atLeast: 0) ?? layers ?? m.encoderLayers
    m.decoderLayers = try f.int("decoder-layers", atLeast: 0) ?? layers ?? m.decoderLayers
    m.feedForwardDim = try f.int("ff-dim", atLeast: 1) ?? 4 * m.modelDim
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
    c.labelSmoothing = Float(try f.double("label-smoothing", in: 0...0.99) ?? Double(c.labelSmoothing))
    c.batchTokens = try f.int("batch-tokens", atLeast: 8) ?? c.batchTokens
    c.emaDecay = try f.double("ema", in: 0...0.999999) ?? c.emaDecay
    if let s = try f.int("seed", atLeast: 0) { c.seed = UInt64(s) }

    c.steps = try f.int("steps", atLeast: 1)
    c.epochs = try f.int("epochs", atLeast: 1)
    c.minutes = try f.double("minutes", in: 0.01...1e6)
    c.patience = try f.int("patience", atLeast: 1)
    c.validEvery = try f.int("valid-every", atLeast: 1) ?? c.validEvery
    c.validEveryMinutes = try f.double("valid-every-minutes", in: 0.01...1e6) ?? c.validEveryMinutes
    c.bleuSentences = try f.int("bleu-sentences", atLeast: 0) ?? c.bleuSentences
    c.keep = try f.int("keep", atLeast: 1) ?? c.keep
    c.threads = try f.int("threads", atLeast: 1) ?? c.threads
    if c.steps == nil && c.epochs == nil && c.minutes == nil && !f.has("resume") {
        throw UsageError("say when to stop: --steps N, --epochs N or --minutes M")
    }
    return c
}
