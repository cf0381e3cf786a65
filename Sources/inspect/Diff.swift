import CLI
import Checkpoint
import Foundation

/// `inspect A --diff B`: how far two checkpoints' tensors are apart, tensor by tensor.
///
/// Relative change ||a−b|| / ||a|| says how much training (or a different seed) moved a
/// parameter regardless of its scale; max |a−b| catches a single corrupted value.
struct Diff {
    struct Row {
        var name: String
        var shapeA: [Int]
        var shapeB: [Int]
        /// nil when the shapes differ (no element-wise comparison possible).
        var relative: Double?
        var maxAbs: Double?
        var normA = 0.0
        var normDiff = 0.0
    }

    var a: InspectedFile
    var b: InspectedFile
    var rows: [Row] = []
    var onlyInA: [String] = []
    var onlyInB: [String] = []
    /// model_config keys whose values differ, as (key, value in A, value in B).
    var configChanges: [(String, String, String)] = []

    init(_ a: InspectedFile, _ b: InspectedFile) {
        self.a = a
        self.b = b
        var inB: [String: NamedTensor] = [:]
        for t in b.file.tensors { inB[t.name] = t }
        let namesA = Set(a.file.tensors.map(\.name))
        for t in a.file.tensors {
            guard let u = inB[t.name] else { onlyInA.append(t.name); continue }
            rows.append(Self.compare(t, u))
        }
        onlyInB = b.file.tensors.map(\.name).filter { !namesA.contains($0) }
        let ca = a.metadata.modelConfig ?? [:], cb = b.metadata.modelConfig ?? [:]
        for k in Set(ca.keys).union(cb.keys).sorted() {
            let (x, y) = (JSONRead.display(ca[k]), JSONRead.display(cb[k]))
            if x != y { configChanges.append((k, x, y)) }
        }
    }

    private static func compare(_ t: NamedTensor, _ u: NamedTensor) -> Row {
        var row = Row(name: t.name, shapeA: t.shape, shapeB: u.shape)
        guard t.shape == u.shape, t.values.count == u.values.count else { return row }
        var sa = 0.0, sd = 0.0, mx = 0.0
        t.values.withUnsafeBufferPointer { x in
            u.values.withUnsafeBufferPointer { y in
                for i in 0..<x.count {
                    let d = Double(x[i]) - Double(y[i])
                    sa += Double(x[i]) * Double(x[i])
                    sd += d * d
                    // `!(<=)` so a NaN on either side counts as the largest difference.
                    if !(abs(d) <= mx) { mx = d.isNaN ? .nan : abs(d) }
                    if mx.isNaN { break }
                }
            }
        }
        row.normA = sa.squareRoot()
        row.normDiff = sd.squareRoot()
        row.maxAbs = mx
        row.relative = mx.isNaN ? .nan : (row.normA > 0 ? row.normDiff / row.normA : (row.normDiff == 0 ? 0 : .infinity))
        return row
    }

    /// Same tensor names, shapes and values (bitwise, the optimizer's too) and the same
    /// model_config: `inspect --diff` exits 0 for these, 1 otherwise, as diff does.
    var identical: Bool {
        onlyInA.isEmpty && onlyInB.isEmpty && configChanges.isEmpty
            && rows.allSatisfy { $0.shapeA == $0.shapeB && $0.normDiff == 0 && $0.maxAbs == 0 }
    }

    func text(all: Bool, width: Int = 80) -> [String] {
        var out = ["Comparing A \(a.displayPath)", "     with B \(b.displayPath)"]
        let stepA = a.metadata.trainingState.map { JSONRead.display($0["step"]) } ?? "?"
        let stepB = b.metadata.trainingState.map { JSONRead.display($0["step"]) } ?? "?"
        out.append("  training step: A \(stepA), B \(stepB)")
        if configChanges.isEmpty { out.append("  model config: identical") }
        for (k, x, y) in configChanges { out.append("  model config \(Format.words(k)): A \(x), B \(y)") }
        out.append("")
        var table = Table(["name", "shape", "‖a−b‖/‖a‖", "max |a−b|"], leftAligned: [0, 1])
        for r in rows where all || !isOptimizerState(r.name) {
            let shape = r.shapeA == r.shapeB ? Format.shape(r.shapeA) : "\(Format.shape(r.shapeA)) vs \(Format.shape(r.shapeB))"
            table.add([r.name, shape, r.relative.map(Format.num) ?? "shape differs", r.maxAbs.map(Format.num) ?? "—"])
        }
        out += table.render()
        let adam = rows.filter { isOptimizerState($0.name) }
        if !all && !adam.isEmpty {
            let (na, nd) = Self.norms(adam)
            out.append("  optimizer state: \(adam.count) tensors, overall ‖a−b‖/‖a‖ \(Format.num(na > 0 ? nd / na : 0)); --all lists them")
        }
        if !onlyInA.isEmpty { out += Self.folded("only in A", onlyInA, width: width, all: all) }
        if !onlyInB.isEmpty { out += Self.folded("only in B", onlyInB, width: width, all: all) }
        out.append("")
        out.append(contentsOf: wrap(summaryLine, width: width, indent: 2).split(separator: "\n").map(String.init))
        return out
    }

    /// A list of names folded to `width` columns: at most 4 lines unless `all`, then a count of
    /// the rest. Names sharing a prefix such as "raw." or "adam.m." are counted as one group
    /// when the list is cut, so a whole optimizer state reads as one entry.
    static func folded(_ title: String, _ names: [String], width: Int, all: Bool) -> [String] {
        var items = names
        if !all && names.count > 12 {
            var groups: [(prefix: String, count: Int, first: String)] = []
            for n in names {
                let parts = n.split(separator: ".").map(String.init)
                let prefix = parts[0] == "adam" && parts.count > 2 ? "adam.\(parts[1])." : parts[0] + "."
                if let i = groups.firstIndex(where: { $0.prefix == prefix }) { groups[i].count += 1 } else { groups.append((prefix, 1, n)) }
            }
            items = groups.map { $0.count == 1 ? $0.first : "\($0.prefix)* (\($0.count))" }
        }
        let text = wrap("\(title) (\(names.count)): " + items.joined(separator: ", "), width: width - 2, indent: 4)
        var lines = text.split(separator: "\n").map { "  " + $0 }
        if !all && lines.count > 4 {
            lines = Array(lines.prefix(4))
            lines.append("    … and more: --all lists every name")
        }
        return lines
    }

    /// Combined ‖a‖ and ‖a−b‖ over comparable rows.
    private static func norms(_ rows: [Row]) -> (Double, Double) {
        let ok = rows.filter { $0.relative != nil }
        return (ok.reduce(0) { $0 + $1.normA * $1.normA }.squareRoot(), ok.reduce(0) { $0 + $1.normDiff * $1.normDiff }.squareRoot())
    }

    var summaryLine: String {
        let model = rows.filter { !isOptimizerState($0.name) }
        let comparable = model.filter { $0.relative != nil }
        let identical = comparable.filter { $0.normDiff == 0 && $0.maxAbs == 0 }.count
        let mismatched = model.count - comparable.count
        let (na, nd) = Self.norms(model)
        var s = "Summary: \(model.count) parameter tensors in both; \(comparable.count - identical) differ, \(identical) identical"
        if mismatched > 0 { s += ", \(mismatched) with different shapes" }
        s += "; overall ‖a−b‖/‖a‖ \(Format.num(na > 0 ? nd / na : 0))"
        if let top = comparable.max(by: { ($0.relative ?? 0) < ($1.relative ?? 0) }), (top.relative ?? 0) > 0 {
            s += "; largest change \(top.name) (\(Format.num(top.relative ?? 0)))"
        }
        s += "; only in A: \(onlyInA.count), only in B: \(onlyInB.count)"
        return s
    }

    func json(all: Bool) -> [String: Any] {
        let listed = rows.filter { all || !isOptimizerState($0.name) }
        return ["a": a.url.path, "b": b.url.path,
                "tensors": listed.map { r -> [String: Any] in
                    ["name": r.name, "shapeA": r.shapeA, "shapeB": r.shapeB, "shapeMatch": r.shapeA == r.shapeB,
                     "relativeChange": r.relative.map(JSONOutput.number) ?? NSNull(), "maxAbsDiff": r.maxAbs.map(JSONOutput.number) ?? NSNull()]
                },
                "onlyInA": onlyInA, "onlyInB": onlyInB,
                "modelConfigChanges": configChanges.map { ["key": $0.0, "a": $0.1, "b": $0.2] },
                "identical": identical, "summary": summaryLine]
    }
}
