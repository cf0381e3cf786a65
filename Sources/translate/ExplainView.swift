import Foundation
import TinyTranslator

/// Renders an `Explanation` for the terminal: probabilities per output token, attention heatmaps
/// (cross-attention per layer, averaged and per head; the last encoder and decoder self-attention),
/// and the step-by-step arithmetic of one query. Everything fits `width` columns: long text is
/// wrapped and a heatmap with more keys than fit is split into blocks of columns. Layers, heads
/// and positions count from 0, as in the parameter names (`decoder.layers.0`).
struct ExplainView {
    let e: Explanation
    /// Show every layer's self-attention maps, not only the last.
    let all: Bool
    /// Columns available, e.g. 80 (see `Terminal.columns`).
    var width = 80
    /// ε of the label smoothing the model was trained with (for the note on probabilities).
    var labelSmoothing: Float?

    /// Display form of a piece: the word-boundary marker ▁ dropped, specials kept.
    static func label(_ piece: String, width: Int) -> String {
        var s = piece.hasPrefix("\u{2581}") && piece.count > 1 ? String(piece.dropFirst()) : piece
        if s.count > width { s = String(s.prefix(width - 1)) + "…" }
        return s
    }

    /// A piece as stored (▁ kept), cut to `width`.
    static func raw(_ piece: String, width: Int) -> String {
        piece.count > width ? String(piece.prefix(width - 1)) + "…" : piece
    }

    static func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
        let n = max(0, width - s.count)
        return right ? String(repeating: " ", count: n) + s : s + String(repeating: " ", count: n)
    }

    static func percent(_ p: Float) -> String { String(format: "%.1f%%", p * 100) }

    /// `text` as lines of at most `width` columns, each starting with `indent`.
    /// Continuation lines start with `hanging` (default: `indent`).
    static func wrap(_ text: String, width: Int, indent: String = "", hanging: String? = nil) -> String {
        var lines: [String] = [], line = indent, lead = indent
        for word in text.split(separator: " ") {
            if line.count > lead.count && line.count + 1 + word.count > width {
                lines.append(line)
                lead = hanging ?? indent
                line = lead
            }
            line += (line.count > lead.count ? " " : "") + word
        }
        lines.append(line)
        return lines.joined(separator: "\n") + "\n"
    }

    /// A heatmap: one row per query token, one column per key token; each cell a shade and the
    /// weight in percent (blank below 5%). Masked cells (weight 0 in a causal map) show "·".
    /// Keys that do not fit `width` continue in a second block (and a third…).
    static func heatmap(_ w: [[Float]], rows: [String], cols: [String], width: Int = 80) -> String {
        let shades = Array(" ▁▂▃▄▅▆▇█")
        let rowWidth = min(14, max(6, (rows.map { label($0, width: 14).count }.max() ?? 4) + 2))
        // Narrower columns (labels cut, down to 7: "██ 100") before a split into blocks.
        let natural = max(7, min(10, (cols.map { label($0, width: 9).count }.max() ?? 4) + 1))
        let colWidth = max(7, min(natural, (width - 2 - rowWidth) / max(1, cols.count)))
        let perBlock = max(1, (width - 2 - rowWidth) / colWidth)
        var out = ""
        for start in stride(from: 0, to: max(1, cols.count), by: perBlock) {
            let range = start..<min(cols.count, start + perBlock)
            if cols.count > perBlock {
                out += "  (key columns \(range.lowerBound)–\(range.upperBound - 1) of 0–\(cols.count - 1))\n"
            }
            out += "  " + pad("", rowWidth) + range.map { pad(label(cols[$0], width: colWidth - 1), colWidth) }.joined() + "\n"
            for (t, row) in w.enumerated() {
                var line = "  " + pad(label(rows[t], width: rowWidth - 2), rowWidth)
                for p in row[range] {
                    let cell: String
                    if p <= 0 {
                        cell = "·"
                    } else if p < 0.05 {
                        cell = ""
                    } else {
                        let shade = shades[min(8, max(1, Int((p * 8).rounded(.up))))]
                        cell = "\(shade)\(shade) \(Int((p * 100).rounded()))"
                    }
                    line += pad(cell, colWidth)
                }
                while line.last == " " { line.removeLast() }
                out += line + "\n"
            }
        }
        return out
    }

    func render() -> String {
        let hanging = String(repeating: " ", count: 13)
        var out = Self.wrap("Source:      \(e.source)", width: width, hanging: hanging) + Self.wrap("Translation: \(e.translation)", width: width, hanging: hanging)
        out += "\n" + Self.wrap("Row i of the decoder (its input token i; <s> is token 0) predicts token i+1. For each row: the token it predicted, its probability, and the runners-up the model considered (tokens as the vocabulary holds them: ▁ marks a token that starts a new word):", width: width)
        for (i, s) in e.steps.enumerated() {
            let input = i < e.decoderInputTokens.count ? Self.raw(e.decoderInputTokens[i], width: 12) : ""
            var line = "  \(Self.pad(String(i), 3, right: true)) \(Self.pad(input, 12)) → \(Self.pad(Self.raw(s.token, width: 13), 13)) \(Self.pad(Self.percent(s.probability), 6, right: true))"
            for a in s.alternatives {
                let cell = "   \(Self.raw(a.token, width: 12)) \(Self.percent(a.probability))"
                if line.count + cell.count > width { break }
                line += cell
            }
            out += line + "\n"
        }
        if let eps = labelSmoothing, eps > 0, let top = e.steps.map(\.probability).max() {
            out += Self.wrap(String(format: "Why no token gets 100%%: the model was trained with label smoothing ε = %g, whose target gives the right token 1 − ε + ε/V and spreads ε over the whole vocabulary, so a sure prediction is taught to stop near %.0f%%. Here the surest step gets %.1f%%: a model is often surer than its training target when it translates, without dropout.", Double(eps), Double(1 - eps) * 100, Double(top) * 100), width: width, indent: "  ")
        }
        let cross = e.maps.filter { $0.kind == "cross-attention" }
        for m in cross {
            out += "\n" + Self.wrap("Cross-attention \(m.name) (layer \(m.layer) of 0–\(cross.count - 1)), mean of \(m.weights.count) heads. Each row is a decoder position: its query (from the decoder) is scored against the keys of every source token (from the encoder output); the row's weights sum to 100% and mix those tokens' values. Row i predicts token i+1: row <s> predicts the first output token. Blank: under 5%.", width: width)
            out += Self.heatmap(m.averaged, rows: m.queryTokens, cols: m.keyTokens, width: width)
            out += "  Per head, the source token each row attends to most:\n"
            let headCell = max(14, min(20, (width - 17) / max(1, m.weights.count)))
            let perLine = max(1, (width - 17) / headCell)
            for t in m.queryTokens.indices {
                let heads = m.weights.enumerated().map { h, w -> String in
                    let best = w[t].indices.max { w[t][$0] < w[t][$1] } ?? 0
                    return "h\(h) \(Self.label(m.keyTokens[best], width: headCell - 9)) \(Int((w[t][best] * 100).rounded()))%"
                }
                for start in stride(from: 0, to: heads.count, by: perLine) {
                    let lead = start == 0 ? Self.pad(Self.label(m.queryTokens[t], width: 12), 12) : Self.pad("", 12)
                    var line = "    \(lead) " + heads[start..<min(heads.count, start + perLine)].map { Self.pad($0, headCell) }.joined()
                    while line.last == " " { line.removeLast() }
                    out += line + "\n"
                }
            }
        }
        for kind in ["encoder self-attention", "decoder masked self-attention"] {
            let maps = e.maps.filter { $0.kind == kind }
            for m in maps where all || m.layer == maps.count - 1 {
                let title = "\(kind.prefix(1).uppercased() + kind.dropFirst()) \(m.name) (layer \(m.layer) of 0–\(maps.count - 1)), mean of \(m.weights.count) heads"
                out += "\n" + Self.wrap(title + (kind.hasPrefix("decoder") ? " (the causal mask hides later positions: ·):" : ":"), width: width)
                out += Self.heatmap(m.averaged, rows: m.queryTokens, cols: m.keyTokens, width: width)
            }
        }
        if let d = e.detail { out += renderDetail(d) }
        return out
    }

    func renderDetail(_ d: Explanation.Detail) -> String {
        let f2: (Float) -> String = { $0.isInfinite ? ($0 < 0 ? "-inf" : "inf") : String(format: "%.2f", $0) }
        var head = "A closer look at one query: \(d.map), head \(d.head), position \(d.position) (\"\(Self.label(d.queryToken, width: 20))\")"
        if d.map.hasPrefix("decoder"), d.position < e.outputTokens.count {
            head += ", the position that predicts \"\(Self.label(e.outputTokens[d.position], width: 20))\""
        }
        var out = "\n" + Self.wrap(head + ".", width: width)
        out += Self.wrap("Its query vector q (d_k = \(d.headDim)) is compared with every key k by a dot product, scaled by 1/√\(d.headDim) = \(String(format: "%.3f", 1 / Float(d.headDim).squareRoot())):", width: width)
        let shown = max(2, min(8, (width - 10) / 7))
        out += "  q = [\(d.query.prefix(shown).map { String(format: "%.2f", $0) }.joined(separator: ", "))\(d.headDim > shown ? ", …" : "")]\n"
        out += "  " + Self.pad("key", 14) + Self.pad("q·k/√d_k", 11, right: true) + Self.pad("+ mask", 10, right: true)
            + Self.pad("softmax", 10, right: true) + Self.pad("|w·v|", 9, right: true) + "\n"
        let top = d.weights.indices.max { d.weights[$0] < d.weights[$1] }
        for s in d.keyTokens.indices {
            out += "  " + Self.pad(Self.label(d.keyTokens[s], width: 13), 14) + Self.pad(f2(d.scores[s]), 11, right: true)
                + Self.pad(f2(d.maskedScores[s]), 10, right: true) + Self.pad(Self.percent(d.weights[s]), 10, right: true)
                + Self.pad(String(format: "%.3f", d.contributionNorms[s]), 9, right: true) + (s == top ? "  ◀" : "") + "\n"
        }
        out += Self.wrap("The head's output here is Σ weight·v over the keys, a \(d.headDim)-vector:", width: width)
        out += "  [\(d.output.prefix(shown).map { String(format: "%.2f", $0) }.joined(separator: ", "))\(d.headDim > shown ? ", …" : "")]\n"
        out += Self.wrap("(The projections W_Q, W_K, W_V are fixed after training; q, k and v are recomputed for every sentence. translate --explain-html FILE shows every step, layer and head in a browser.)", width: width)
        return out
    }
}
