import Foundation
import TinyTranslator

/// An SVG picture of an explanation's attention maps (`translate --explain-svg FILE`): one
/// heatmap per map, darker cells for larger weights, the weight in percent written in cells
/// of 10% or more, masked cells hatched (distinct from a weight near 0), axis titles naming
/// queries and keys, and a colour legend. Cross-attention of every decoder layer, then the last
/// encoder and decoder self-attention, each the mean over heads.
enum ExplainSVG {
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// The colour of weight p: white (0) to dark blue (1), linear; the legend shows the same scale.
    static func fill(_ p: Float) -> String {
        let t = Double(min(1, max(0, p)))
        return "rgb(\(Int((255 - t * 247).rounded())),\(Int((255 - t * 207).rounded())),\(Int((255 - t * 148).rounded())))"
    }

    static func render(_ e: Explanation) -> String {
        let cross = e.maps.filter { $0.kind == "cross-attention" }
        let lastEncoder = e.maps.last { $0.kind == "encoder self-attention" }
        let lastDecoder = e.maps.last { $0.kind == "decoder masked self-attention" }
        let maps = cross + [lastEncoder, lastDecoder].compactMap { $0 }
        let cell = 34, labelWidth = 140, headerHeight = 110, gap = 46
        var y = 50
        var body = ""
        var width = 560
        for m in maps {
            let w = m.averaged
            let x0 = labelWidth
            let heading = "\(m.name): \(m.kind), mean of \(m.weights.count) heads (layers count from 0)"
            width = max(width, 20 + 8 * heading.count)
            body += "<text x=\"10\" y=\"\(y)\" font-size=\"15\" font-weight=\"bold\">\(escape(heading))</text>\n"
            let top = y + headerHeight
            let decoderRows = m.kind != "encoder self-attention"
            let colTitle = m.kind == "cross-attention" ? "keys and values (columns): source tokens, from the encoder output"
                : m.kind == "decoder masked self-attention" ? "keys and values (columns): decoder positions" : "keys and values (columns): source tokens"
            let rowTitle = decoderRows ? "queries (rows): decoder positions; row i predicts token i+1" : "queries (rows): source tokens"
            body += "<text x=\"\(x0)\" y=\"\(y + 20)\" font-size=\"12.5\" font-style=\"italic\">\(escape(colTitle))</text>\n"
            body += "<text transform=\"translate(16,\(top + w.count * cell / 2)) rotate(-90)\" font-size=\"12.5\" font-style=\"italic\" text-anchor=\"middle\">\(escape(rowTitle))</text>\n"
            for (s, key) in m.keyTokens.enumerated() {
                let cx = x0 + s * cell + cell / 2
                body += "<text transform=\"translate(\(cx),\(top - 6)) rotate(-50)\" font-size=\"12\">\(escape(ExplainView.label(key, width: 14)))</text>\n"
            }
            for (t, row) in w.enumerated() {
                let ry = top + t * cell
                body += "<text x=\"\(x0 - 6)\" y=\"\(ry + cell / 2 + 4)\" font-size=\"12\" text-anchor=\"end\">\(escape(ExplainView.label(m.queryTokens[t], width: 16)))</text>\n"
                for (s, p) in row.enumerated() {
                    let masked = m.visible.map { !$0[t][s] } ?? false
                    body += "<rect x=\"\(x0 + s * cell)\" y=\"\(ry)\" width=\"\(cell)\" height=\"\(cell)\" fill=\"\(masked ? "url(#masked)" : fill(p))\" stroke=\"#ddd\"/>\n"
                    if p >= 0.1 && !masked {
                        let color = p > 0.55 ? "white" : "black"
                        body += "<text x=\"\(x0 + s * cell + cell / 2)\" y=\"\(ry + cell / 2 + 4)\" font-size=\"11\" text-anchor=\"middle\" fill=\"\(color)\">\(Int((p * 100).rounded()))</text>\n"
                    }
                }
            }
            width = max(width, x0 + m.keyTokens.count * cell + 40, x0 + 8 * colTitle.count)
            y = top + w.count * cell + gap
        }
        // The legend: the colour scale and the hatched swatch of masked cells.
        body += "<text x=\"10\" y=\"\(y)\" font-size=\"12.5\">attention weight (after the softmax), linear:</text>\n"
        body += "<rect x=\"10\" y=\"\(y + 6)\" width=\"220\" height=\"14\" fill=\"url(#scale)\" stroke=\"#999\"/>\n"
        body += "<text x=\"10\" y=\"\(y + 34)\" font-size=\"11\">0%</text><text x=\"120\" y=\"\(y + 34)\" font-size=\"11\" text-anchor=\"middle\">50%</text><text x=\"230\" y=\"\(y + 34)\" font-size=\"11\" text-anchor=\"end\">100%</text>\n"
        body += "<rect x=\"270\" y=\"\(y + 6)\" width=\"26\" height=\"14\" fill=\"url(#masked)\" stroke=\"#999\"/>\n"
        body += "<text x=\"302\" y=\"\(y + 18)\" font-size=\"12\">masked: −∞ before the softmax, weight exactly 0 (white = allowed, weight near 0)</text>\n"
        y += 50
        width = max(width, 20 + 9 * (e.source.count + e.translation.count + 3), 760)
        let defs = """
        <defs>
        <pattern id="masked" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><rect width="6" height="6" fill="#eceff2"/><line x1="0" y1="0" x2="0" y2="6" stroke="#8d969f" stroke-width="2.2"/></pattern>
        <linearGradient id="scale"><stop offset="0" stop-color="\(fill(0))"/><stop offset="0.5" stop-color="\(fill(0.5))"/><stop offset="1" stop-color="\(fill(1))"/></linearGradient>
        </defs>

        """
        let title = "<text x=\"10\" y=\"24\" font-size=\"16\">\(escape(e.source)) → \(escape(e.translation))</text>\n"
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(y)\" font-family=\"sans-serif\">\n" + defs
            + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" + title + body + "</svg>\n"
    }
}
