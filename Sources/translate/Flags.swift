import CLI
import TinyTranslator

let parser = FlagParser(command: "translate", usage: "translate --checkpoint PATH [SENTENCE ...] [flags]", summary: """
    Translates the sentences given as arguments, the lines of --input FILE or of standard input, \
    or the source column of --tsv FILE (then scored against its target column). With a terminal \
    on both ends and no sentence, it opens a prompt (:help lists its commands). Warnings go to \
    standard error, e.g. for a sentence the model mostly cannot read.
    """, flags: [
    Flag("checkpoint", "PATH", "A .safetensors file, or a training folder (uses best, else latest).", group: "Model"),
    Flag("raw-weights", nil, "Translate with the raw training weights a run with --ema keeps beside their average (default: the average, which validation scored).", group: "Model"),
    Flag("input", "FILE", "Translate every line of FILE (- for standard input). One output line per input line: an empty line gives an empty line; a sentence longer than the model's maximum length is cut to it, with a note.", group: "Input and output"),
    Flag("output", "FILE", "Write the results (translations, n-best lists, scores, pieces or the --explain view) to FILE instead of standard output (- is standard output).", group: "Input and output", aliases: ["out"]),
    Flag("reference", "FILE", "Score the translations against FILE (one reference per line, - for standard input): BLEU, chrF, exact match.", group: "Input and output"),
    Flag("tsv", "FILE", "Translate the source column of a TSV file (source<TAB>target, read as train reads it) and score against its target column.", group: "Input and output"),
    Flag("beam", "K", "Beam search with K hypotheses per sentence (default 1: greedy).", group: "Decoding"),
    Flag("n-best", "N", "Print the N best hypotheses of each sentence (N <= K; with --sample, N samples), one per line as SENTENCE<TAB>SCORE<TAB>TRANSLATION, SENTENCE numbered from 1, best first, SCORE the length-penalised log-probability (of a sample: its log-probability).", group: "Decoding"),
    Flag("length-penalty", "A", "With --beam: rank finished hypotheses by log-probability / (tokens + 1)^A (default 1; 0 = raw log-probability).", group: "Decoding"),
    Flag("int8", nil, "Run the linear layers with int8 weights (one scale per output row) and int8 inputs (one per row): a quarter of the weight memory; outputs close to float32's but not always equal, and on this machine not yet faster (docs/PERFORMANCE.md).", group: "Decoding"),
    Flag("max-length-ratio", "X", "Stop a translation after X times the source length + 10 tokens (default 2; formerly --max-length).", group: "Decoding",
         deprecated: ["max-length": "use --max-length-ratio X: it is a ratio to the source length (train's --max-length counts tokens); the old name goes in a later version"]),
    Flag("no-repeat-ngram", "N", "Never output the same N tokens twice in one translation: a guard against loops like \"rouge rouge rouge\" (default 0: off; 3 is a common choice).", group: "Decoding"),
    Flag("batch", "N", "Sentences decoded together (default 64, or 64 / K with --beam K): speed only.", group: "Decoding"),
    Flag("sample", nil, "Draw each token from the model's distribution instead of searching (see what else it finds likely).", group: "Sampling"),
    Flag("temperature", "T", "Divide the logits by T before drawing: below 1 is closer to greedy, above 1 more varied (default 1). Implies --sample.", group: "Sampling"),
    Flag("seed", "N", "Seed of the draws (default 1): the same seed, sentence and position in the input draw the same sample.", group: "Sampling"),
    Flag("score", nil, "Instead of translating, print the log-probability the model gives each reference (from --tsv, or --reference with the sentences), one line per pair: LOGPROB<TAB>PER-TOKEN<TAB>TOKEN LOGPROBS (natural logs; the last token is </s>); a summary goes to standard error.", group: "Scoring"),
    Flag("pieces", nil, "Instead of translating, print the source tokenizer's pieces of each input line, separated by spaces (▁ marks a piece that followed a space, <unk> an unknown one); with --tsv, of the source column.", group: "Tokenizer"),
    Flag("pieces-target", nil, "The same with the target tokenizer; with --tsv, of the target column.", group: "Tokenizer"),
    Flag("explain", nil, "For one sentence: show what attention did (heatmaps per layer and head, token probabilities, and one query's arithmetic), fitted to the terminal's width ($COLUMNS; 80 when piped). Layers, heads and positions count from 0, as in the parameter names.", group: "Explain"),
    Flag("explain-html", "FILE", "Write an attention explorer for the sentences to FILE: one offline HTML page that steps through each translation and shows q, k, v, the scores, the mask, the softmax, every w·v, the heads merged by W_O and the next-token probabilities.", group: "Explain"),
    Flag("explain-json", "FILE", "Write the same numbers as JSON to FILE (every layer, head and vector; schema in docs/EXPLAIN-JSON.md).", group: "Explain"),
    Flag("explain-svg", "FILE", "Draw the attention maps (cross-attention per layer, last self-attention) as an SVG picture.", group: "Explain"),
    Flag("explain-layer", "NAME", "Attention to look at closely, e.g. decoder.layers.1.cross (default: the last cross-attention). Implies --explain.", group: "Explain"),
    Flag("explain-head", "H", "Head to look at closely, from 0 (default: the one whose attention is most peaked). Implies --explain.", group: "Explain"),
    Flag("explain-position", "T", "Query position to look at closely, from 0 (default: the most peaked). Implies --explain.", group: "Explain"),
    Flag("explain-all", nil, "Show the self-attention maps of every layer, not only the last. Implies --explain.", group: "Explain"),
    Flag("threads", "N", "Threads for the kernels (default: all cores, \(availableCores) here).", group: "Other"),
    Flag("quiet", nil, "Print only the results (and scores and warnings): no loading line.", group: "Other"),
], epilogue: """
    Examples (RUN: a training folder, e.g. checkpoints/demo):
      translate --checkpoint RUN "Is the shirt new?"
      translate --checkpoint RUN --tsv test.tsv --output hyp.txt
      translate --checkpoint RUN --beam 5 --n-best 3 < in.txt
      translate --checkpoint RUN --sample --n-best 3 < in.txt
      translate --checkpoint RUN --score --tsv test.tsv

    Exit status: 0 done, 1 error (the message names the file, the line and the fix), 2 usage \
    error.
    """, version: tinyTranslatorVersion)

/// What the run does with its sentences.
enum Mode { case translate, explain, score, pieces }

/// The flags of each kind, for the checks below.
let decodingFlags = ["beam", "n-best", "length-penalty", "max-length-ratio", "no-repeat-ngram", "sample", "temperature", "seed"]

/// Checks the flags fit together (each given flag does something) and returns the mode.
func checkFlags(_ f: ParsedFlags) throws -> Mode {
    guard let checkpoint = f.string("checkpoint") else { throw UsageError("--checkpoint PATH is required (a .safetensors file or a training folder)") }
    if checkpoint == "-" { throw UsageError("--checkpoint needs a file or folder; a checkpoint cannot be read from standard input") }
    if f.has("tsv") && (f.has("input") || f.has("reference")) { throw UsageError("--tsv replaces --input and --reference; give one or the other") }
    if !f.positionals.isEmpty && (f.has("input") || f.has("tsv")) {
        throw UsageError("give the sentences either as arguments or with --\(f.has("input") ? "input" : "tsv") FILE, not both ('\(f.positionals[0])' would be ignored)")
    }
    let stdinReaders = ["input", "reference", "tsv"].filter { f.string($0) == "-" }
    if stdinReaders.count > 1 { throw UsageError("--\(stdinReaders[0]) - and --\(stdinReaders[1]) - would both read standard input: give one of them a file") }
    let toStdout = ["explain-json", "explain-html", "explain-svg"].filter { f.string($0) == "-" }
    if toStdout.count > 1 || (toStdout.count == 1 && f.string("output") == "-") {
        throw UsageError("only one result can go to standard output (-): give --\(toStdout[0]) or --output a file")
    }
    if let t = try f.int("threads", atLeast: 1) { kernelThreads = t }
    _ = try f.int("batch", atLeast: 1)
    let beam = try f.int("beam", atLeast: 1) ?? 1
    let sampling = f.has("sample") || f.has("temperature")
    if let n = try f.int("n-best", atLeast: 1), n > beam, !sampling {
        throw UsageError("--n-best \(n) needs at least \(n) hypotheses per sentence: add --beam \(n) (or more), or --sample to draw \(n) samples")
    }
    if sampling && f.has("beam") { throw UsageError("--sample draws each token instead of searching, so --beam would do nothing: drop one (with --sample, --n-best N draws N samples)") }
    if f.has("seed") && !sampling { throw UsageError("--seed seeds the draws of --sample; add --sample (or drop --seed)") }
    if f.has("length-penalty") && !f.has("beam") { throw UsageError("--length-penalty ranks the hypotheses of beam search; add --beam K (greedy decoding has one hypothesis)") }
    _ = try f.double("length-penalty", in: 0...10)
    _ = try f.double("max-length-ratio", in: 0.1...100)
    _ = try f.int("no-repeat-ngram", atLeast: 0)
    _ = try f.double("temperature", in: 0.01...100)
    _ = try f.int("seed", atLeast: 0)
    _ = try f.int("explain-head", atLeast: 0)
    _ = try f.int("explain-position", atLeast: 0)

    let explaining = explainFlags.contains(where: f.has)
    let modes = [("score", f.has("score")), ("pieces", f.has("pieces") || f.has("pieces-target")), ("explain", explaining)].filter(\.1).map(\.0)
    if modes.count > 1 { throw UsageError("--\(modes[0]) and --\(modes[1]) do different things; run translate once for each") }
    if f.has("pieces") && f.has("pieces-target") { throw UsageError("--pieces and --pieces-target: give one (run translate once for each side)") }
    if f.has("pieces") || f.has("pieces-target") {
        // Pieces come from the tokenizer alone: no decoding flag or weight choice changes them.
        if let d = (decodingFlags + ["raw-weights", "batch", "int8"]).first(where: f.has) { throw UsageError("--\(d) does nothing with --pieces, which only runs the tokenizer: drop it") }
        return .pieces
    }
    if f.has("score") {
        if !(f.has("tsv") || f.has("reference")) { throw UsageError("--score needs the references to score: --tsv FILE, or --reference FILE with the sentences") }
        if let d = (decodingFlags + ["int8"]).first(where: f.has) { throw UsageError("--\(d) does nothing with --score, which reads the references rather than searching: drop it") }
        return .score
    }
    if explaining {
        let terminal = ["explain", "explain-all", "explain-layer", "explain-head", "explain-position"].contains(where: f.has)
        if f.has("int8") { throw UsageError("--int8 does nothing with --explain, which shows the float32 model's own numbers: drop it") }
        if terminal, let n = try f.int("n-best"), n > 1 { throw UsageError("--explain shows the attention of the best translation only; drop --n-best") }
        return .explain
    }
    return .translate
}

/// The decoding flags as the library's options: greedy unless --beam K or --n-best N is given;
/// --sample (or --temperature) draws instead.
func decodingOptions(_ flags: ParsedFlags) throws -> TranslationOptions {
    let sampling = flags.has("sample") || flags.has("temperature")
    let beam = try flags.int("beam") ?? 1
    let nBest = try flags.int("n-best")
    let seed = try flags.int("seed").map { UInt64($0) } ?? 1
    return TranslationOptions(beam: sampling || (beam == 1 && nBest == nil) ? nil : beam, nBest: nBest ?? 1,
                              lengthPenalty: try flags.double("length-penalty") ?? 1,
                              maxLengthRatio: try flags.double("max-length-ratio") ?? 2, batchSize: try flags.int("batch"),
                              noRepeatNgram: try flags.int("no-repeat-ngram") ?? 0,
                              sampling: sampling ? Sampling(temperature: try flags.double("temperature") ?? 1, seed: seed) : nil)
}
