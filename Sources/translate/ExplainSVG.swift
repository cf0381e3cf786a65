import Foundation
import TinyTranslator

/// An SVG picture of an explanation's attention maps (`translate --explain-svg FILE`): one
/// heatmap per map, darker cells for larger weights, the weight in percent written in cells
/// of 10% or more. Cross-attention of every decoder layer, then the last encoder and decoder
/// self-attention, each the mean over heads.
enum ExplainSVG {
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func render(_ e: Explanation) -> String {
        let cross = e.maps.filter { $0.kind == "cross-attention" }
        let lastEncoder = e.maps.last { $0.kind == "encoder self-attention" }
        let lastDecoder = e.maps.last { $0.kind == "decoder masked self-attention" }
        let maps = cross + [lastEncoder, lastDecoder].compactMap { $0 }
        let cell = 34, labelWidth = 120, headerHeight = 90, gap = 40
        var y = 50
        var body = ""
        var width = 400
        for m in maps {
            let w = m.averaged
            let x0 = labelWidth
            let heading = "\(m.name) — \(m.kind), mean of \(m.weights.count) heads"
            width = max(width, 20 + 9 * heading.count)
            body += "<text x=\"10\" y=\"\(y)\" font-size=\"15\" font-weight=\"bold\">\(escape(heading))</text>\n"
            let top = y + headerHeight
            for (s, key) in m.keyTokens.enumerated() {
                let cx = x0 + s * cell + cell / 2
                body += "<text transform=\"translate(\(cx),\(top - 6)) rotate(-50)\" font-size=\"12\">\(escape(ExplainView.label(key, width: 14)))</text>\n"
            }
            for (t, row) in w.enumerated() {
                let ry = top + t * cell
                body += "<text x=\"\(x0 - 6)\" y=\"\(ry + cell / 2 + 4)\" font-size=\"12\" text-anchor=\"end\">\(escape(ExplainView.label(m.queryTokens[t], width: 16)))</text>\n"
                for (s, p) in row.enumerated() {
                    let shade = Int((1 - min(1, max(0, p))) * 255)
                    let fill = "rgb(\(shade),\(Int(Double(shade) * 0.85 + 38)),255)"
                    body += "<rect x=\"\(x0 + s * cell)\" y=\"\(ry)\" width=\"\(cell)\" height=\"\(cell)\" fill=\"\(fill)\" stroke=\"#ddd\"/>\n"
                    if p >= 0.1 {
                        let color = p > 0.55 ? "white" : "black"
                        body += "<text x=\"\(x0 + s * cell + cell / 2)\" y=\"\(ry + cell / 2 + 4)\" font-size=\"11\" text-anchor=\"middle\" fill=\"\(color)\">\(Int((p * 100).rounded()))</text>\n"
                    }
                }
            }
            width = max(width, x0 + m.keyTokens.count * cell + 40)
            y = top + w.count * cell + gap
        }
        width = max(width, 20 + 9 * (e.source.count + e.translation.count + 3))
        let title = "<text x=\"10\" y=\"24\" font-size=\"16\">\(escape(e.source)) → \(escape(e.translation))</text>\n"
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(y)\" font-family=\"sans-serif\">\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" + title + body + "</svg>\n"
    }
}
