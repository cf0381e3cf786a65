import CLI
import Foundation
import Metrics
import Text
import TinyTranslator

// `translate`: loads a checkpoint and translates sentences (an argument, stdin, or --input FILE).
let parser = FlagParser(command: "translate", usage: "translate --checkpoint PATH [SENTENCE ...] [flags]", flags: [
    Flag("checkpoint", "PATH", "A .safetensors file, or a training folder (uses best, else latest).", group: "Model"),
    Flag("input", "FILE", "Translate every line of FILE (default: the arguments, else stdin). One output line per input line: an empty line gives an empty line; a sentence longer than the model's maximum length is cut to it, with a note on stderr.", group: "Input and output"),
    Flag("output", "FILE", "Write translations to FILE, one per line (default: stdout).", group: "Input and output"),
    Flag("reference", "FILE", "Score the translations against FILE (one reference per line): BLEU, chrF, exact match.", group: "Input and output"),
    Flag("tsv", "FILE", "Translate the source column of a TSV file and score against its target column.", group: "Input and output"),
    Flag("max-length", "X", "Stop a translation after X times the source length + 10 tokens (default 2).", group: "Decoding"),
    Flag("batch", "N", "Sentences decoded together (default 64, or 64 / K with --beam K).", group: "Decoding"),
    Flag("beam", "K", "Beam search with K hypotheses per sentence (default 1: greedy).", group: "Decoding"),
    Flag("length-penalty", "A", "Rank finished hypotheses by log-probability / (tokens + 1)^A (default 1; 0 = raw log-probability).", group: "Decoding"),
    Flag("int8", nil, "Run the linear layers with int8 weights (one scale per row) and int8 inputs: less memory, outputs close to float32's but not always equal.", group: "Decoding"),
    Flag("n-best", "N", "Print the N best hypotheses of each sentence (N <= K), one per line as SENTENCE<TAB>SCORE<TAB>TRANSLATION, SENTENCE numbered from 1, best first, SCORE the length-penalised log-probability (an empty line gets one empty hypothesis, score 0).", group: "Decoding"),
    Flag("pieces", nil, "Instead of translating, print the source tokenizer's pieces of each input line, separated by spaces (▁ marks a piece that followed a space, <unk> an unknown one); with --tsv, of the source column.", group: "Tokenizer"),
    Flag("pieces-target", nil, "The same with the target tokenizer; with --tsv, of the target column.", group: "Tokenizer"),
    Flag("explain", nil, "For one sentence: show what attention did (heatmaps per layer and head, token probabilities, and one query's arithmetic).", group: "Explain"),
    Flag("explain-json", "FILE", "Write the same numbers as JSON to FILE (all layers and heads).", group: "Explain"),
    Flag("explain-svg", "FILE", "Draw the attention maps (cross-attention per layer, last self-attention) as an SVG picture.", group: "Explain"),
    Flag("explain-layer", "NAME", "Attention to look at closely, e.g. decoder.layers.1.cross (default: the last cross-attention).", group: "Explain"),
    Flag("explain-head", "H", "Head to look at closely (default: the one whose attention is most peaked).", group: "Explain"),
    Flag("explain-position", "T", "Query position to look at closely, 0-based (default: the most peaked).", group: "Explain"),
    Flag("explain-all", nil, "Show the self-attention maps of every layer, not only the last.", group: "Explain"),
    Flag("threads", "N", "Threads for the kernels (default: all cores, \(availableCores) here).", group: "Other"),
    Flag("quiet", nil, "Print only translations (and scores).", group: "Other"),
])

let flags: ParsedFlags
do {
    flags = try parser.parse(Array(CommandLine.arguments.dropFirst()))
    if flags.has("help") { print(parser.help); exit(0) }
    guard flags.string("checkpoint") != nil else { throw UsageError("--checkpoint PATH is required (a .safetensors file or a training folder)") }
    if flags.has("tsv") && (flags.has("input") || flags.has("reference")) { throw UsageError("--tsv replaces --input and --reference; give one or the other") }
    if let t = try flags.int("threads", atLeast: 1) { kernelThreads = t }
    _ = try flags.int("batch", atLeast: 1)
    let beam = try flags.int("beam", atLeast: 1) ?? 1
    if let n = try flags.int("n-best", atLeast: 1), n > beam {
        throw UsageError("--n-best \(n) needs at least \(n) hypotheses per sentence: add --beam \(n) (or more)")
    }
    _ = try flags.double("length-penalty", in: 0...10)
    _ = try flags.double("max-length", in: 0.1...100)
    _ = try flags.int("explain-head", atLeast: 0)
    _ = try flags.int("explain-position", atLeast: 0)
} catch {
    parser.fail(error)
}
let console = Console()

/// The decoding flags as the library's options: greedy unless --beam K or --n-best N is given.
func decodingOptions(_ flags: ParsedFlags) throws -> TranslationOptions {
    let beam = try flags.int("beam") ?? 1
    let nBest = try flags.int("n-best")
    return TranslationOptions(beam: beam == 1 && nBest == nil ? nil : beam, nBest: nBest ?? 1,
                              lengthPenalty: try flags.double("length-penalty") ?? 1,
                              maxLengthRatio: try flags.double("max-length") ?? 2, batchSize: try flags.int("batch"))
}

do {
    let t0 = Date()
    let translator = try Translator(checkpoint: flags.string("checkpoint")!, precision: flags.has("int8") ? .int8 : .float32)
    if !flags.has("quiet") {
        console.error("loaded \(translator.url.path) (step \(translator.step ?? 0), \(translator.parameterCount) parameters) in \(String(format: "%.0f", Date().timeIntervalSince(t0) * 1000)) ms")
    }
    var sources: [String]
    var references: [String]?
    if let tsv = flags.string("tsv") {
        let rows = try LineReader.lines(ofFile: tsv).map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        sources = rows.map { $0[0] }
        references = rows.map { $0.count > 1 ? $0[1] : "" }
    } else if let input = flags.string("input") {
        sources = try LineReader.lines(ofFile: input)
    } else if !flags.positionals.isEmpty {
        sources = flags.positionals
    } else if isatty(STDIN_FILENO) != 0 && isatty(STDOUT_FILENO) != 0 && !flags.has("pieces") && !flags.has("pieces-target") {
        try interactive(translator, options: try decodingOptions(flags), flags: flags, console: console)
        exit(0)
    } else {
        // A byte-order mark, Windows line ends and invalid UTF-8 are handled as in --input files.
        sources = try LineReader.standardInputLines()
    }
    if let r = flags.string("reference") {
        references = try LineReader.lines(ofFile: r)
        guard references!.count == sources.count else {
            throw TrainingError("\(r) has \(references!.count) lines but there are \(sources.count) sentences to translate; give one reference per sentence")
        }
    }
    if flags.has("pieces") || flags.has("pieces-target") {
        let target = flags.has("pieces-target")
        let text = piecesText(target ? (references ?? sources) : sources, translator: translator, side: target ? .target : .source)
        if let out = flags.string("output") {
            do { try text.write(toFile: out, atomically: true, encoding: .utf8) } catch {
                throw TrainingError("cannot write \(out): \(error.localizedDescription)")
            }
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        exit(0)
    }
    let options = try decodingOptions(flags)
    let translations = translator.translate(sources, options)
    // The model has positions for maxTokens tokens only: a longer sentence is cut to its first
    // maxTokens tokens (documented in --help) and says so, rather than failing the whole batch.
    for (i, t) in translations.enumerated() where t.sourceTokens > translator.maxTokens {
        console.error("translate: note: sentence \(i + 1) has \(t.sourceTokens) tokens; only the first \(translator.maxTokens) (the model's maximum length) are translated")
    }
    let hyps = translations.map(\.text)
    let text: String
    if flags.has("n-best") {
        text = translations.enumerated().map { i, t in
            t.hypotheses.map { "\(i + 1)\t\(String(format: "%.4f", $0.score ?? 0))\t\($0.text)\n" }.joined()
        }.joined()
    } else {
        text = hyps.map { $0 + "\n" }.joined()
    }
    if flags.has("explain") || flags.has("explain-json") || flags.has("explain-svg") {
        guard sources.count == 1 else { throw TrainingError("--explain works on one sentence; got \(sources.count)") }
        try runExplain(translator, source: sources[0], translation: translations[0], options: options, flags: flags, console: console)
        exit(0)
    }
    if let out = flags.string("output") {
        do { try text.write(toFile: out, atomically: true, encoding: .utf8) } catch {
            throw TrainingError("cannot write \(out): \(error.localizedDescription)")
        }
    } else {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
    if let refs = references {
        let bleu = try BLEU.corpus(hypotheses: hyps, references: [refs])
        let chrf = try CHRF.corpus(hypotheses: hyps, references: [refs])
        let exact = translator.exactMatch(hypotheses: hyps, references: refs)
        console.error(bleu.formatted(signature: BLEU.signature(nrefs: 1)))
        console.error(chrf.formatted(signature: CHRF.signature(nrefs: 1)))
        console.error(String(format: "exact match = %.2f%% (%d sentences)", exact, refs.count))
    }
} catch {
    console.error("translate: error: \(withFlags(error))")
    exit(1)
}
