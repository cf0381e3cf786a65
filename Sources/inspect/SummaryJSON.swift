import Foundation

/// Machine-readable output: one JSON object with sorted keys (stable across runs and versions;
/// new keys may be added, existing ones keep their meaning). Non-finite numbers become null.
enum JSONOutput {
    /// Encodes `object` as pretty-printed JSON with sorted keys.
    static func string(_ object: [String: Any]) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    static func number(_ x: Double) -> Any { Format.jsonDouble(x) ?? NSNull() }
    static func optional(_ x: Any?) -> Any { x ?? NSNull() }

    /// A value that was a Float, at float precision (0.1, not 0.10000000149011612), or null.
    static func float(_ x: Double) -> Any {
        guard x.isFinite, let v = Format.jsonFloat(Float(x)) else { return NSNull() }
        return v
    }

    /// One tensor's statistics; min and max are the stored floats, shown at float precision.
    static func stats(_ s: TensorStats) -> [String: Any] {
        ["name": s.name, "shape": s.shape, "count": s.count, "mean": number(s.mean), "std": number(s.std),
         "min": float(s.min), "max": float(s.max),
         "l2": number(s.l2), "nan": s.nan, "inf": s.inf]
    }
}

extension Summary {
    /// The whole summary as one JSON object; `all` adds per-tensor optimizer statistics.
    func json(all: Bool) -> [String: Any] {
        let f = inspected
        var out: [String: Any] = [:]
        out["file"] = ["path": f.url.path, "requested": f.requested, "sizeBytes": f.header.fileSize,
                       "headerBytes": f.header.headerLength, "format": JSONOutput.optional(f.header.format),
                       "integrity": f.file.integrity.rawValue, "tensors": f.file.tensors.count] as [String: Any]
        out["modelConfig"] = JSONOutput.optional(f.metadata.modelConfig)
        if let t = tokenizer {
            out["tokenizer"] = ["kind": t.kind, "shared": t.shared, "lowercase": JSONOutput.optional(t.lowercase),
                                "sourceVocabulary": JSONOutput.optional(t.sourceVocabulary), "targetVocabulary": JSONOutput.optional(t.targetVocabulary),
                                "sourceMerges": JSONOutput.optional(t.sourceMerges), "targetMerges": JSONOutput.optional(t.targetMerges)] as [String: Any]
        } else {
            out["tokenizer"] = NSNull()
        }
        out["trainingState"] = JSONOutput.optional(f.metadata.trainingState)
        out["trainConfig"] = JSONOutput.optional(f.metadata.trainConfig)
        var validation: [String: Any] = [:]
        for m in metrics where !f.metadata.history.isEmpty {
            validation[m.key] = ["last": JSONOutput.optional(m.last), "best": JSONOutput.optional(m.best),
                                 "bestStep": JSONOutput.optional(m.bestStep), "higherIsBetter": m.higherIsBetter] as [String: Any]
        }
        out["validation"] = validation
        out["parameters"] = parameters.map(JSONOutput.stats)
        var opt: [String: Any] = ["tensors": optimizer.count, "values": optimizerCount]
        if all { opt["list"] = optimizer.map(JSONOutput.stats) }
        out["optimizer"] = opt
        out["modules"] = modules.map { ["module": $0.module, "tensors": $0.tensors, "parameters": $0.values, "l2": JSONOutput.number($0.sumSq.squareRoot())] as [String: Any] }
        out["totals"] = ["tensors": parameters.count, "parameters": parameterCount, "nonFinite": nonFinite,
                         "l2": JSONOutput.number(modules.reduce(0) { $0 + $1.sumSq }.squareRoot())] as [String: Any]
        out["otherMetadata"] = f.metadata.other
        out["problems"] = f.metadata.problems
        return out
    }
}
