import CLI
import Foundation
import TinyTranslator

/// The flags that ask for an explanation. Any of them turns it on: `--explain-layer` alone
/// explains, it does not silently translate.
let explainFlags = ["explain", "explain-json", "explain-svg", "explain-html", "explain-all", "explain-layer", "explain-head", "explain-position"]

/// `translate --explain…`: explains the translation of each sentence. The terminal view and the
/// SVG take one sentence; `--explain-json` and `--explain-html` take several. The close-up
/// defaults to the last cross-attention and the (head, position) whose attention is most
/// concentrated, where a query visibly "finds" its key. Writes the files asked for (`-` is
/// standard output) and returns the terminal view, if one was asked for, for the caller to print.
func runExplain(_ translator: Translator, sources: [String], translations: [Translation], options: TranslationOptions,
                flags: ParsedFlags, console: Console) throws -> String? {
    let files = ["explain-json", "explain-svg", "explain-html"].filter { flags.has($0) }
    let terminal = files.isEmpty || ["explain", "explain-all", "explain-layer", "explain-head", "explain-position"].contains { flags.has($0) }
    if sources.count != 1 && (terminal || flags.has("explain-svg")) {
        throw TrainingError("--explain and --explain-svg show one sentence; got \(sources.count) (--explain-json and --explain-html take several)")
    }
    guard !sources.isEmpty else { throw TrainingError("no sentence to explain: give one as an argument or on stdin") }
    // Each sentence adds up to 2 MB to the page and more to the JSON.
    guard sources.count <= 50 else {
        throw TrainingError("--explain-json and --explain-html take at most 50 sentences; got \(sources.count): explain fewer at a time")
    }
    let layer = flags.string("explain-layer")
    let fixedHead = try flags.int("explain-head")
    let fixedPosition = try flags.int("explain-position")
    func focus(_ maps: [Explanation.AttentionMap]) throws -> ExplainFocus? {
        let mapName = layer ?? maps.last { $0.kind == "cross-attention" }?.name ?? maps.last?.name ?? ""
        guard let map = maps.first(where: { $0.name == mapName }) else {
            throw TrainingError("no attention named '\(mapName)'; choose one of: \(maps.map(\.name).joined(separator: ", ")) (layers count from 0)",
                                setting: .explainMap)
        }
        var (head, position) = (fixedHead, fixedPosition)
        if head == nil || position == nil {
            // Skip the first row (<s>, or the first source word) unless it is the only one: a later
            // row that locks onto one key shows a query finding its word, often out of order.
            var best: (Float, Int, Int) = (-1, 0, 0)
            for (h, w) in map.weights.enumerated() where head == nil || head == h {
                for (t, row) in w.enumerated() where position == t || (position == nil && (t > 0 || w.count == 1)) {
                    if let m = row.max(), m > best.0 { best = (m, h, t) }
                }
            }
            head = head ?? best.1
            position = position ?? best.2
        }
        return ExplainFocus(map: mapName, head: head!, position: position!)
    }
    let explanations = try zip(sources, translations).map { source, translation in
        try translator.explain(source, translation: translation, options: options, vectors: flags.has("explain-json") || flags.has("explain-html"),
                               chooseFocus: focus)
    }
    if let path = flags.string("explain-json") {
        try writeOutput(String(decoding: try translator.explainDocument(explanations).encoded(), as: UTF8.self), to: path)
        if path != "-" { console.error("wrote the explanation to \(path) (schema version \(ExplainDocument.currentVersion), docs/EXPLAIN-JSON.md)") }
    }
    if let path = flags.string("explain-html") {
        let page = translator.explorerPage(explanations)
        try writeOutput(page, to: path)
        if path != "-" {
            console.error(String(format: "wrote the attention explorer to %@ (%.2f MB, %d sentence%@): open it in a browser, it needs no network",
                                 path, Double(page.utf8.count) / 1e6, sources.count, sources.count == 1 ? "" : "s"))
        }
    }
    if let path = flags.string("explain-svg") {
        try writeOutput(ExplainSVG.render(explanations[0]), to: path)
        if path != "-" { console.error("drew the attention maps in \(path)") }
    }
    guard terminal else { return nil }
    // A file gets the width of a pipe (80) unless COLUMNS says otherwise.
    let width = flags.string("output").map { $0 == "-" ? Terminal.columns() : Terminal.columns(for: -1) } ?? Terminal.columns()
    return ExplainView(e: explanations[0], all: flags.has("explain-all"), width: width,
                       labelSmoothing: translator.explainInfo.labelSmoothing).render() + "\n"
}
