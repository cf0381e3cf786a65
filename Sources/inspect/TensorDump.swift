import Checkpoint
import Foundation

/// `inspect PATH --tensor NAME`: one tensor's shape, statistics and values, row by row.
struct TensorDump {
    var tensor: NamedTensor
    var stats: TensorStats
    /// Values shown (0 = all).
    var limit: Int

    /// Finds `name` in `f`; if absent, the error suggests the closest names.
    init(_ f: InspectedFile, name: String, limit: Int) throws {
        guard let t = f.file.tensor(named: name) else {
            let close = closestNames(to: name, in: f.file.tensors.map(\.name))
            let hint = close.isEmpty ? "" : "; did you mean " + close.map { "\"\($0)\"" }.joined(separator: " or ") + "?"
            throw InspectError("\(f.url.path): no tensor named \"\(name)\"\(hint) (run `inspect \(f.requested)` to list them)")
        }
        tensor = t
        stats = TensorStats(t)
        self.limit = limit
    }

    private var shown: Int { limit == 0 ? tensor.values.count : min(limit, tensor.values.count) }

    func text() -> [String] {
        let s = stats
        var out = ["\(s.name)  shape \(Format.shape(s.shape))  \(Format.count(s.count)) values",
                   "  mean \(Format.num(s.mean))  std \(Format.num(s.std))  min \(Format.num(s.min))  max \(Format.num(s.max))  L2 \(Format.num(s.l2))  nan \(s.nan)  inf \(s.inf)"]
        // Rows along the last dimension, eight values per line, each row labelled by its index.
        let rowLength = max(1, tensor.shape.last ?? 1)
        let outer = Array(tensor.shape.dropLast())
        let n = shown
        var rowStart = 0
        while rowStart < n {
            let label = outer.isEmpty ? "" : "[" + index(rowStart / rowLength, in: outer).map(String.init).joined(separator: ", ") + "]"
            let rowEnd = min(n, rowStart + rowLength)
            var j = rowStart
            while j < rowEnd {
                let end = min(rowEnd, j + 8)
                let chunk = tensor.values[j..<end].map { pad(String(format: "%.6g", Double($0)), 13) }.joined()
                out.append("  " + padRight(j == rowStart ? label : "", label.count) + chunk)
                j = end
            }
            rowStart = rowEnd
        }
        if n < tensor.values.count {
            out.append("  … \(Format.count(tensor.values.count - n)) more values (--limit N shows N, --limit 0 shows all)")
        }
        return out
    }

    /// Multi-index of the `flat`-th row in a tensor whose leading dimensions are `dims`.
    private func index(_ flat: Int, in dims: [Int]) -> [Int] {
        var rest = flat
        var out = [Int](repeating: 0, count: dims.count)
        for d in dims.indices.reversed() where dims[d] > 0 {
            out[d] = rest % dims[d]
            rest /= dims[d]
        }
        return out
    }

    var json: [String: Any] {
        var out = JSONOutput.stats(stats)
        out["values"] = tensor.values.prefix(shown).map { JSONOutput.float(Double($0)) }
        out["truncated"] = shown < tensor.values.count
        return out
    }
}
