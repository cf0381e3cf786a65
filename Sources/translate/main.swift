import CLI
import Engine
import Foundation
import Metrics
import Training

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
    Flag("n-best", "N", "Print the N best hypotheses of each sentence (N <= K), one per line as SENTENCE<TAB>SCORE<TAB>TRANSLATION, SENTENCE numbered from 1, best first, SCORE the length-penalised log-probability (an empty line gets one empty hypothesis, score 0).", group: "Decoding"),
    Flag("explain", nil, "For one sentence: show what attention did (heatmaps per layer and head, token probabilities, and one query's arithmetic), fitted to the terminal's width ($COLUMNS; 80 when piped). Layers, heads and positions count from 0, as in the parameter names.", group: "Explain"),
    Flag("explain-html", "FILE", "Write an attention explorer for the sentences to FILE: one offline HTML page that steps through each translation and shows q, k, v, the scores, the mask, the softmax, every w·v, the heads merged by W_O and the next-token probabilities.", group: "Explain"),
    Flag("explain-json", "FILE", "Write the same numbers as JSON to FILE (every layer, head and vector; schema in docs/EXPLAIN-JSON.md).", group: "Explain"),
    Flag("explain-svg", "FILE", "Draw the attention maps (cross-attention per layer, last self-attention) as an SVG picture.", group: "Explain"),
    Flag("explain-layer", "NAME", "Attention to look at closely, e.g. decoder.layers.1.cross (default: the last cross-attention). Implies --explain.", group: "Explain"),
    Flag("explain-head", "H", "Head to look at closely, from 0 (default: the one whose attention is most peaked). Implies --explain.", group: "Explain"),
    Flag("explain-position", "T", "Query position to look at closely, from 0 (default: the most peaked). Implies --explain.", group: "Explain"),
    Flag("explain-all", nil, "Show the self-attention maps of every layer, not only the last. Implies --explain.", group: "Explain"),
    Flag("threads", "N", "Threads for the kernels (default: all cores).", group: "Other"),
    Flag("quiet", nil, "Print only translations (and scores).", group: "Other"),
])

let flags: ParsedFlags
do {
    flags = try parser.parse(Array(CommandLine.arguments.dropFirst()))
    if flags.has("help") { print(parser.help); exit(0) }
    guard flags.string("checkpoint") != nil else { throw UsageError("--checkpoint PATH is required (a .safetensors file or a training folder)") }
    if flags.has("tsv") && (flags.has("input") || flags.has("reference")) { throw UsageError("--tsv replaces --input and --reference; give one or the other") }
    if let t = try flags.int("threads", atLeast: 1) { Threads.count = t }
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

/// The lines of a text file: a BOM is dropped, LF and CRLF both end a line, and invalid UTF-8
/// is reported with its line number so the user can find it.
func readLines(_ path: String) throws -> [String] {
    // FileHandle also reads pipes (`--input <(cut -f1 file.tsv)`), which FileManager.contents cannot.
    guard let handle = FileHandle(forReadingAtPath: path), let data = try? handle.readToEnd() ?? Data() else {
        throw TrainingError("cannot read \(path): check the path and permissions")
    }
    guard var text = String(data: data, encoding: .utf8) else {
        let bad = data.split(separator: 0x0A, omittingEmptySubsequences: false).firstIndex { String(data: Data($0), encoding: .utf8) == nil } ?? 0
        throw TrainingError("\(path):\(bad + 1): the line is not valid UTF-8; convert the file to UTF-8 (e.g. `iconv -f latin1 -t utf-8`)")
    }
    if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
    // "\r\n" is a single Character in Swift, so split on either form of line end.
    var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(String.init)
    if lines.last == "" { lines.removeLast() }
    return lines
}

do {
    let t0 = Date()
    let loaded = try loadCheckpoint(flags.string("checkpoint")!, optimizerState: false)
    let (model, tokenizers) = (loaded.model, loaded.tokenizers)
    if !flags.has("quiet") {
        console.error("loaded \(loaded.url.path) (step \(loaded.state?.step ?? 0), \(model.parameterCount) parameters) in \(String(format: "%.0f", Date().timeIntervalSince(t0) * 1000)) ms")
    }
    var sources: [String]
    var references: [String]?
    if let tsv = flags.string("tsv") {
        let rows = try readLines(tsv).map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        sources = rows.map { $0[0] }
        references = rows.map { $0.count > 1 ? $0[1] : "" }
    } else if let input = flags.string("input") {
        sources = try readLines(input)
    } else if !flags.positionals.isEmpty {
        sources = flags.positionals
    } else if isatty(STDIN_FILENO) != 0 && isatty(STDOUT_FILENO) != 0 {
        try interactive(model: model, tokenizers: tokenizers, info: explainInfo(loaded), flags: flags, console: console)
        exit(0)
    } else {
        sources = []
        while let line = readLine(strippingNewline: true) { sources.append(line) }
        // A byte-order mark and Windows line ends are handled on stdin as in --input files.
        if let first = sources.first, first.hasPrefix("\u{FEFF}") { sources[0] = String(first.dropFirst()) }
        sources = sources.map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
    }
    if let r = flags.string("reference") {
        references = try readLines(r)
        guard references!.count == sources.count else {
            throw TrainingError("\(r) has \(references!.count) lines but there are \(sources.count) sentences to translate; give one reference per sentence")
        }
    }
    let ratio = try flags.double("max-length") ?? 2
    // The model has positions for maxLength tokens only: a longer sentence is cut to its first
    // maxLength tokens (documented in --help) and says so, rather than failing the whole batch.
    let ids = sources.enumerated().map { i, sentence in
        let all = tokenizers.source.encode(sentence)
        if all.count > model.config.maxLength {
            console.error("translate: note: sentence \(i + 1) has \(all.count) tokens; only the first \(model.config.maxLength) (the model's maximum length) are translated")
        }
        return Array(all.prefix(model.config.maxLength))
    }
    let maxLength: @Sendable (Int) -> Int = { Int(Double($0) * ratio) + 10 }
    let beam = try flags.int("beam") ?? 1
    let nBest = try flags.int("n-best")
    let hyps: [String]
    let text: String
    var outputIds: [[Int32]] = []  // the model's own tokens (for --explain)
    if beam == 1 && nBest == nil {
        let outIds = translateGreedy(model, ids, batchSentences: try flags.int("batch") ?? 64, maxLength: maxLength)
        hyps = zip(ids, outIds).map { $0.isEmpty ? "" : tokenizers.target.decode($1) }
        outputIds = outIds
        text = hyps.map { $0 + "\n" }.joined()
    } else {
        let results = translateBeam(model, ids, beam: beam, lengthPenalty: try flags.double("length-penalty") ?? 1,
                                    nBest: nBest ?? 1, batchSentences: try flags.int("batch") ?? max(1, 64 / beam),
                                    maxLength: maxLength)
        // An empty source translates to one empty hypothesis (score 0), as greedy mode gives an empty line.
        let decoded = zip(ids, results).map { src, hs in
            src.isEmpty ? [(text: "", score: 0.0)] : hs.map { (text: tokenizers.target.decode($0.tokens), score: $0.score) }
        }
        hyps = decoded.map { $0.first?.text ?? "" }
        outputIds = results.map { $0.first?.tokens ?? [] }
        if nBest != nil {
            text = decoded.enumerated().map { i, hs in
                hs.map { "\(i + 1)\t\(String(format: "%.4f", $0.score))\t\($0.text)\n" }.joined()
            }.joined()
        } else {
            text = hyps.map { $0 + "\n" }.joined()
        }
    }
    if explainFlags.contains(where: flags.has) {
        try runExplain(model: model, tokenizers: tokenizers, sources: sources, outputs: outputIds,
                       finished: zip(outputIds, ids).map { $0.count < maxLength($1.count) }, info: explainInfo(loaded),
                       flags: flags, console: console)
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
        let exact = exactMatchPercent(hypotheses: hyps, references: refs, normalizer: tokenizers.target.normalizer)
        console.error(bleu.formatted(signature: BLEU.signature(nrefs: 1)))
        console.error(chrf.formatted(signature: CHRF.signature(nrefs: 1)))
        console.error(String(format: "exact match = %.2f%% (%d sentences)", exact, refs.count))
    }
} catch {
    console.error("translate: error: \(error)")
    exit(1)
}
