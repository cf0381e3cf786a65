/// A small vertical bar chart drawn with the eight Unicode block heights (▁▂▃▄▅▆▇█), so a
/// validation curve fits in a few terminal lines:
///
///     BLEU  12.4 ┤      ▃▆█
///                │   ▂▅████
///            0.0 ┤▁▃███████
///                └─────────
///                 step 500 … 5000
struct BarChart {
    var title: String
    /// One bar per value, oldest first; more than `width` values are averaged into buckets.
    var values: [Double]
    /// The step of each value, for the x-axis labels.
    var steps: [Int]
    /// Rows of text; each row holds eight heights.
    var height = 5
    /// Most bars drawn; longer histories are bucketed.
    var width = 60
    /// Start the y axis at zero (scores), or just below the minimum (losses, whose changes are small).
    var fromZero = true

    private static let blocks: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    func render(indent: Int = 2) -> [String] {
        let points = zip(values, steps).filter { $0.0.isFinite }
        guard !points.isEmpty else { return [String(repeating: " ", count: indent) + "\(title): no finite values"] }
        let bars = bucket(points.map(\.0))
        let hi = bars.max() ?? 0
        let lowest = bars.min() ?? 0
        var lo = fromZero ? Swift.min(0, lowest) : lowest - Swift.max(hi - lowest, abs(hi) * 1e-3, 1e-12) * 0.25
        if hi <= lo { lo = hi - 1 }
        let top = Format.num(hi), bottom = Format.num(lo)
        let labelWidth = Swift.max(title.count + 1 + top.count, bottom.count)
        let lead = String(repeating: " ", count: indent)
        let eighths = bars.map { Int((($0 - lo) / (hi - lo) * Double(height * 8)).rounded()) }
        var lines: [String] = []
        for row in (0..<height).reversed() {
            let label = row == height - 1 ? "\(title) \(top)" : (row == 0 ? bottom : "")
            let axis = (row == height - 1 || row == 0) ? "┤" : "│"
            let cells = eighths.map { Self.blocks[Swift.max(0, Swift.min(8, $0 - row * 8))] }
            var line = lead + pad(label, labelWidth) + " " + axis + String(cells)
            while line.last == " " { line.removeLast() }
            lines.append(line)
        }
        let margin = lead + String(repeating: " ", count: labelWidth + 1)
        lines.append(margin + "└" + String(repeating: "─", count: bars.count))
        let first = points.first.map { $0.1 } ?? 0, last = points.last.map { $0.1 } ?? 0
        let span = first == last ? "step \(first)" : "step \(first) … \(last)"
        let note = bars.count < points.count ? "  (\(points.count) validations, averaged in \(bars.count) bars)" : "  (\(points.count) validation\(points.count == 1 ? "" : "s"))"
        lines.append(margin + " " + span + note)
        return lines
    }

    /// At most `width` bars: consecutive values averaged into equal buckets.
    private func bucket(_ v: [Double]) -> [Double] {
        guard v.count > width else { return v }
        return (0..<width).map { b in
            let start = b * v.count / width, end = Swift.max(start + 1, (b + 1) * v.count / width)
            return v[start..<end].reduce(0, +) / Double(end - start)
        }
    }
}
