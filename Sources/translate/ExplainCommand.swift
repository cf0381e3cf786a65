import CLI
import Foundation
import TinyTranslator

/// `translate --explain`: explains the translation of one sentence, choosing by default the
/// last cross-attention and the (head, position) whose attention is most concentrated, where
/// a query visibly "finds" its key.
func runExplain(_ translator: Translator, source: String, translation: Translation, options: TranslationOptions,
                flags: ParsedFlags, console: Console) throws {
    let layer = flags.string("explain-layer")
    let fixedHead = try flags.int("explain-head")
    let fixedPosition = try flags.int("explain-position")
    let e = try translator.explain(source, translation: translation, options: options) { maps in
        let mapName = layer ?? maps.last { $0.kind == "cross-attention" }?.name ?? maps.last?.name ?? ""
        guard let map = maps.first(where: { $0.name == mapName }) else {
            throw TrainingError("no attention named '\(mapName)'; choose one of: \(maps.map(\.name).joined(separator: ", "))",
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
    if let path = flags.string("explain-json") {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do { try encoder.encode(e).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw TrainingError("cannot write \(path): \(error.localizedDescription)")
        }
        console.error("wrote the explanation to \(path)")
    }
    if let path = flags.string("explain-svg") {
        do { try ExplainSVG.render(e).write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw TrainingError("cannot write \(path): \(error.localizedDescription)")
        }
        console.error("drew the attention maps in \(path)")
    }
    if flags.has("explain") || (flags.string("explain-json") == nil && flags.string("explain-svg") == nil) {
        console.line(ExplainView(e: e, all: flags.has("explain-all")).render())
    }
}
