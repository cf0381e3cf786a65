import CLI
import Foundation
import Metrics
import Text
import TinyTranslator

// `translate`: loads a checkpoint and translates sentences (arguments, --input FILE, --tsv FILE,
// standard input, or an interactive prompt), or scores references, or shows pieces.
let flags: ParsedFlags
let mode: Mode
do {
    flags = try parser.parse(Array(CommandLine.arguments.dropFirst()))
    parser.handleStandardFlags(flags)
    mode = try checkFlags(flags)
} catch {
    parser.fail(error)
}
let console = Console()

do {
    let t0 = Date()
    let translator = try Translator(checkpoint: flags.string("checkpoint")!, rawWeights: flags.has("raw-weights"),
                                    precision: flags.has("int8") ? .int8 : .float32)
    if !flags.has("quiet") {
        let weights = translator.weights == .average ? "; the averaged weights (--raw-weights for the raw ones)" : ""
        let step = translator.step.map { "step \($0), " } ?? ""
        console.error("loaded \(translator.url.path) (\(step)\(translator.parameterCount) parameters\(weights)) in \(String(format: "%.0f", Date().timeIntervalSince(t0) * 1000)) ms")
    }
    var sources: [String]
    var references: [String]?
    if let tsv = flags.string("tsv") {
        // The same line rules as `train`: a line without a tab is an error naming it.
        let corpus = try ParallelCorpus.readTSV(path: tsv == "-" ? "/dev/stdin" : tsv)
        sources = corpus.pairs.map(\.source)
        references = corpus.pairs.map(\.target)
        let s = corpus.stats
        if s.skippedBlank + s.skippedEmptySide + s.skippedTooLong > 0 {
            console.error("translate: note: \(tsv): \(s); the output has one line per pair kept")
        }
    } else if let input = flags.string("input") {
        sources = try readLines(input)
    } else if !flags.positionals.isEmpty {
        sources = flags.positionals
    } else if Terminal.isTerminal(STDIN_FILENO) && Terminal.isTerminal(STDOUT_FILENO) && (mode == .translate || mode == .explain) {
        try Prompt(translator: translator, options: try decodingOptions(flags), flags: flags, console: console, explainEach: mode == .explain).run()
        exit(0)
    } else {
        // A byte-order mark, Windows line ends and invalid UTF-8 are handled as in --input files.
        sources = try LineReader.standardInputLines()
    }
    if let r = flags.string("reference") {
        references = try readLines(r)
        guard references!.count == sources.count else {
            throw TrainingError("\(r) has \(references!.count) lines but there are \(sources.count) sentences to translate; give one reference per sentence")
        }
    }
    switch mode {
    case .pieces:
        let target = flags.has("pieces-target")
        try writeOutput(piecesText(target ? (references ?? sources) : sources, translator: translator, side: target ? .target : .source),
                        to: flags.string("output"))
        exit(0)
    case .score:
        warnAboutUnknownInput(sources, translator: translator, console: console)
        let scores = translator.score(sources, references: references!, batchSize: try flags.int("batch"))
        try writeOutput(scoreLines(scores), to: flags.string("output"))
        console.error(scoreSummary(scores))
        for (i, s) in scores.enumerated() where s.pieces.count <= s.targetTokens {
            console.error("translate: note: reference \(i + 1) has \(s.targetTokens) tokens; only the first \(s.pieces.count) (the model's maximum length) were scored")
        }
        exit(0)
    case .translate, .explain:
        break
    }
    warnAboutUnknownInput(sources, translator: translator, console: console)
    let options = try decodingOptions(flags)
    let translations = translator.translate(sources, options)
    // The model has positions for maxTokens tokens only: a longer sentence is cut to its first
    // maxTokens tokens (documented in --help) and says so, rather than failing the whole batch.
    for (i, t) in translations.enumerated() where t.sourceTokens > translator.maxTokens {
        console.error("translate: note: sentence \(i + 1) has \(t.sourceTokens) tokens; only the first \(translator.maxTokens) (the model's maximum length) are translated")
    }
    if options.noRepeatNgram == 0 && options.sampling == nil { noteLoops(translations, console: console) }
    let text = translationText(translations, nBest: flags.has("n-best"))
    if mode == .explain {
        let view = try runExplain(translator, sources: sources, translations: translations, options: options, flags: flags, console: console)
        // The terminal view is the result; with only files asked for, the translations go to
        // --output if one is given (the files hold them too).
        if let view { try writeOutput(view, to: flags.string("output")) } else if flags.has("output") { try writeOutput(text, to: flags.string("output")) }
    } else {
        try writeOutput(text, to: flags.string("output"))
    }
    if let refs = references {
        let hyps = translations.map(\.text)
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

/// The lines of `path`, or of standard input for `-`.
func readLines(_ path: String) throws -> [String] {
    path == "-" ? try LineReader.standardInputLines() : try LineReader.lines(ofFile: path)
}
