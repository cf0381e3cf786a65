import Foundation
import TinyTranslator

/// Renders an `Explanation` for the terminal: probabilities per output token, attention heatmaps
/// (cross-attention per layer, averaged and per head; the last encoder and decoder self-attention),
/// and the step-by-step arithmetic of one query.
struct ExplainView {
    let e: Explanation
    /// Show every layer's self-attention maps, not only the last.
    let all: Bool

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

    /// A heatmap: one row per query token, one column per key token; each cell a shade and the
    /// weight in percent (blank below 5%). Masked cells (weight 0 in a causal map) show "·".
    static func heatmap(_ w: [[Float]], rows: [String], cols: [String]) -> String {
        let shades = Array(" ▁▂▃▄▅▆▇█")
        let colWidth = max(7, min(10, (cols.map { label($0, width: 9).count }.max() ?? 4) + 1))
        let rowWidth = min(14, max(6, (rows.map { label($0, width: 14).count }.max() ?? 4) + 2))
        var out = "  " + pad("", rowWidth) + cols.map { pad(label($0, width: colWidth - 1), colWidth) }.joined() + "\n"
        for (t, row) in w.enumerated() {
            var line = "  " + pad(label(rows[t], width: rowWidth - 2), rowWidth)
            for p in row {
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
            out += line + "\n"
        }
        return out
    }

    func render() -> String {
        var out = "Source:      \(e.source)\nTranslation: \(e.translation)\n"
        out += "\nEach output token, its probability, and the runners-up the model considered\n"
        out += "(tokens as the vocabulary holds them: ▁ marks a token that starts a new word):\n"
        for (i, s) in e.steps.enumerated() {
            let alts = s.alternatives.map { "\(Self.raw($0.token, width: 13)) \(Self.percent($0.probability))" }.joined(separator: "   ")
            out += "  \(Self.pad(String(i + 1), 3, right: true))  \(Self.pad(Self.raw(s.token, width: 15), 15)) \(Self.pad(Self.percent(s.probability), 7, right: true))   \(alts)\n"
        }
        let cross = e.maps.filter { $0.kind == "cross-attention" }
        for (li, m) in cross.enumerated() {
            out += "\nCross-attention, decoder layer \(li + 1) of \(cross.count), mean of \(m.weights.count) heads.\n"
            out += "Each row is a decoder position: its query (from the decoder) is scored against the keys of every\n"
            out += "source token (from the encoder output); the row's weights sum to 100% and mix those tokens' values.\n"
            out += "Row <s> predicts output token 1, the row of output token i predicts token i+1. Blank: under 5%.\n"
            out += Self.heatmap(m.averaged, rows: m.queryTokens, cols: m.keyTokens)
            out += "  Per head, the source token each row attends to most:\n"
            for t in m.queryTokens.indices {
                let heads = m.weights.enumerated().map { h, w -> String in
                    let best = w[t].indices.max { w[t][$0] < w[t][$1] } ?? 0
                    return "h\(h) \(Self.label(m.keyTokens[best], width: 10)) \(Int((w[t][best] * 100).rounded()))%"
                }
                out += "    \(Self.pad(Self.label(m.queryTokens[t], width: 12), 12)) " + heads.map { Self.pad($0, 20) }.joined() + "\n"
            }
        }
        for kind in ["encoder self-attention", "decoder masked self-attention"] {
            let maps = e.maps.filter { $0.kind == kind }
            for (li, m) in maps.enumerated() where all || li == maps.count - 1 {
                out += "\n\(kind.prefix(1).uppercased() + kind.dropFirst()), layer \(li + 1) of \(maps.count), mean of \(m.weights.count) heads"
                out += kind.hasPrefix("decoder") ? " (the causal mask hides later positions: ·):\n" : ":\n"
                out += Self.heatmap(m.averaged, rows: m.queryTokens, cols: m.keyTokens)
            }
        }
        if let d = e.detail { out += renderDetail(d) }
        return out
    }

    func renderDetail(_ d: Explanation.Detail) -> String {
        let f2: (Float) -> String = { $0.isInfinite ? ($0 < 0 ? "-inf" : "inf") : String(format: "%.2f", $0) }
        var out = "\nA closer look at one query: \(d.map), head \(d.head), position \(d.position) (\"\(Self.label(d.queryToken, width: 20))\")"
        if d.map.hasPrefix("decoder"), d.position < e.outputTokens.count {
            out += ", the position that predicts \"\(Self.label(e.outputTokens[d.position], width: 20))\""
        }
        out += ".\n"
        out += "Its query vector q (d_k = \(d.headDim)) is compared with every key k by a dot product, scaled by 1/√\(d.headDim) = \(String(format: "%.3f", 1 / Float(d.headDim).squareRoot())):\n"
        out += "  q = [\(d.query.prefix(8).map { String(format: "%.2f", $0) }.joined(separator: ", "))\(d.headDim > 8 ? ", …" : "")]\n"
        out += "  " + Self.pad("key", 14) + Self.pad("q·k/√d_k", 11, right: true) + Self.pad("+ mask", 10, right: true)
            + Self.pad("softmax", 10, right: true) + Self.pad("|w·v|", 9, right: true) + "\n"
        let top = d.weights.indices.max { d.weights[$0] < d.weights[$1] }
        for s in d.keyTokens.indices {
            out += "  " + Self.pad(Self.label(d.keyTokens[s], width: 13), 14) + Self.pad(f2(d.scores[s]), 11, right: true)
                + Self.pad(f2(d.maskedScores[s]), 10, right: true) + Self.pad(Self.percent(d.weights[s]), 10, right: true)
                + Self.pad(String(format: "%.3f", d.contributionNorms[s]), 9, right: true) + (s == top ? "  ◀" : "") + "\n"
        }
        out += "The head's output here is Σ weight·v over the keys, a \(d.headDim)-vector:\n"
        out += "  [\(d.output.prefix(8).map { String(format: "%.2f", $0) }.joined(separator: ", "))\(d.headDim > 8 ? ", …" : "")]\n"
        out += "(The projections W_Q, W_K, W_V are fixed after training; q, k and v are recomputed for every sentence.)\n"
        return out
    }
}
