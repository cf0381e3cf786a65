/// A plain-text table: columns sized to their widest cell, numbers right-aligned.
struct Table {
    /// Column headings, e.g. ["name", "shape", "count"].
    var headers: [String]
    /// Which columns are left-aligned (text); the others are right-aligned (numbers).
    var leftAligned: Set<Int>
    var rows: [[String]] = []

    init(_ headers: [String], leftAligned: Set<Int> = [0]) {
        self.headers = headers
        self.leftAligned = leftAligned
    }

    mutating func add(_ row: [String]) { rows.append(row) }

    /// The table as lines, each indented by `indent` spaces, with a rule under the headings.
    func render(indent: Int = 2) -> [String] {
        var widths = headers.map(\.count)
        for r in rows {
            for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) }
        }
        let lead = String(repeating: " ", count: indent)
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for (i, w) in widths.enumerated() {
                let c = i < cells.count ? cells[i] : ""
                parts.append(leftAligned.contains(i) ? padRight(c, w) : pad(c, w))
            }
            var s = lead + parts.joined(separator: "  ")
            while s.last == " " { s.removeLast() }
            return s
        }
        let rule = lead + widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")
        return [line(headers), rule] + rows.map(line)
    }
}
