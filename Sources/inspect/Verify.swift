import Checkpoint
import Foundation

/// `inspect --verify`: a full integrity check (every checksum, the structure, and the metadata a
/// model needs), reported as "OK: ..." or a list of exactly what is wrong.
struct Verification {
    var path: String
    var ok = true
    /// Lines to print, the verdict first.
    var lines: [String] = []
    /// Problems found, each one sentence naming the tensor or key.
    var problems: [String] = []
    var warnings: [String] = []
    var tensors = 0
    var errorKind: String?

    init(_ path: String) {
        self.path = path
        let f: InspectedFile
        do {
            f = try InspectedFile.load(path)
        } catch let e as CheckpointError {
            ok = false
            errorKind = e.kind.rawValue
            problems.append(e.description)
            if e.kind == .dataChecksumMismatch, !e.tensors.isEmpty {
                // The error text lists five; list every damaged tensor with where it lives.
                let header = try? SafeTensors.readHeader(from: URL(fileURLWithPath: e.path), verify: false)
                for name in e.tensors {
                    let entry = header?.tensors.first { $0.name == name }
                    let place = entry.map { h in header.map { " (file bytes \($0.dataStart + h.dataOffsets.lowerBound)..<\($0.dataStart + h.dataOffsets.upperBound), shape \(Format.shape(h.shape)))" } ?? "" } ?? ""
                    problems.append("damaged tensor \"\(name)\"\(place)")
                }
            }
            finish()
            return
        } catch {
            ok = false
            problems.append("\(error)")
            finish()
            return
        }
        self.path = f.url.path
        tensors = f.file.tensors.count
        checkMetadata(f)
        finish(integrity: f.file.integrity)
    }

    /// The metadata `translate` needs must be present, parse, and agree with the tensors.
    private mutating func checkMetadata(_ f: InspectedFile) {
        let meta = f.metadata
        problems += meta.problems.filter { $0.contains(Metadata.modelConfigKey) || $0.contains(Metadata.tokenizersKey) }
        warnings += meta.problems.filter { !($0.contains(Metadata.modelConfigKey) || $0.contains(Metadata.tokenizersKey)) }
        for key in [Metadata.modelConfigKey, Metadata.tokenizersKey] where f.file.metadata[key] == nil {
            problems.append("metadata '\(key)' is missing, so `translate` cannot rebuild the model (was this file written by `train`?)")
        }
        let shapes = Dictionary(f.file.tensors.map { ($0.name, $0.shape) }, uniquingKeysWith: { a, _ in a })
        if let c = meta.modelConfig {
            let dim = JSONRead.int(c["modelDim"]), src = JSONRead.int(c["sourceVocabSize"]), tgt = JSONRead.int(c["targetVocabSize"])
            if dim == nil || src == nil || tgt == nil { problems.append("model_config lacks modelDim, sourceVocabSize or targetVocabSize") }
            if let dim, let src, let tgt {
                var expected = [("encoder.embedding.weight", [src, dim])]
                // Shared embeddings: the decoder reads encoder.embedding.weight too.
                if (c["shareEmbeddings"] as? Bool) != true { expected.append(("decoder.embedding.weight", [tgt, dim])) }
                if (c["tieOutputEmbedding"] as? Bool) != true { expected.append(("output.weight", [tgt, dim])) }
                for (name, shape) in expected {
                    guard let got = shapes[name] else { problems.append("tensor \"\(name)\" is missing (model_config expects shape \(Format.shape(shape)))"); continue }
                    if got != shape { problems.append("tensor \"\(name)\" has shape \(Format.shape(got)) but model_config implies \(Format.shape(shape))") }
                }
            }
            if let t = TokenizerInfo(meta.tokenizers) {
                if t.sourceVocabulary == nil || t.targetVocabulary == nil { problems.append("tokenizers metadata has no vocabulary") }
                if let v = t.sourceVocabulary, let src, v != src { problems.append("source tokenizer has \(v) tokens but model_config says sourceVocabSize \(src)") }
                if let v = t.targetVocabulary, let tgt, v != tgt { problems.append("target tokenizer has \(v) tokens but model_config says targetVocabSize \(tgt)") }
            }
        }
        let nonFinite = f.file.tensors.filter { !isOptimizerState($0.name) && $0.values.contains { !$0.isFinite } }.map(\.name)
        if !nonFinite.isEmpty {
            warnings.append("\(nonFinite.count) parameter tensor(s) hold NaN/Inf values, e.g. \"\(nonFinite[0])\": the file is intact but the model is not usable")
        }
    }

    private mutating func finish(integrity: Integrity? = nil) {
        ok = problems.isEmpty
        if ok {
            switch integrity {
            case .noChecksums?: lines.append("OK: \(tensors) tensors, structure valid (no checksums recorded: written by another tool)")
            default: lines.append("OK: \(tensors) tensors, checksums match")
            }
            lines.append("  \(path)")
        } else {
            lines.append("FAILED: \(path)" + (errorKind.map { " (\($0))" } ?? ""))
            lines += problems.map { "  - \($0)" }
        }
        lines += warnings.map { "  warning: \($0)" }
    }

    var json: [String: Any] {
        ["ok": ok, "path": path, "tensors": tensors, "problems": problems, "warnings": warnings, "errorKind": JSONOutput.optional(errorKind)]
    }
}
