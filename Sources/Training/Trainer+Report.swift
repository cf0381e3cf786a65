import Foundation
import Model
import Pages
import Text

/// What `train` records for the training report (`report.html` in the run folder, rewritten at
/// every validation): a start or resume marker with the settings in `metrics.jsonl`, and at every
/// validation the cross-attention of one fixed validation sentence in `attention.jsonl`.
extension Trainer {
    /// Marks the start of this session in `metrics.jsonl`, with the full settings. A resumed run
    /// redoes the steps after its checkpoint, so attention records past it are dropped.
    func logSessionStart(resumedFrom checkpoint: String?) {
        var line: [String: Any] = ["kind": checkpoint == nil ? "start" : "resume", "step": state.step,
                                   "time": ISO8601DateFormatter().string(from: Date())]
        if let checkpoint { line["checkpoint"] = checkpoint }
        if let data = try? JSONEncoder().encode(config), let settings = try? JSONSerialization.jsonObject(with: data) {
            line["config"] = settings
        }
        metrics.write(line)
        if checkpoint != nil {
            do { try AttentionSnapshot.truncate(folder: directory.url, after: state.step) } catch {
                log("warning: could not trim \(AttentionSnapshot.fileName) to step \(state.step): \(error)")
            }
        }
    }

    /// After a validation's checkpoint is saved: records the report sentence's attention and
    /// rewrites `report.html`. A failure here is a warning: the report never stops training.
    func updateReport() {
        do { try reportSnapshot()?.append(to: directory.url) } catch {
            log("warning: could not record the attention for \(TrainingReport.fileName): \(error)")
        }
        do { try TrainingReport.write(folder: directory.url) } catch {
            log("warning: could not write \(TrainingReport.fileName): \(error)")
        }
    }

    /// The validation pair the report follows at every validation: among the first 200, the
    /// first with 5–16 source tokens and at most 24 target tokens (a map that fits a screen),
    /// else the first non-empty one.
    var reportSentenceIndex: Int? {
        let candidates = validation.tokenized.prefix(200).enumerated()
        return candidates.first { (5...16).contains($0.element.source.count) && $0.element.target.count <= 24 }?.offset
            ?? candidates.first { !$0.element.source.isEmpty }?.offset
    }

    /// The report sentence translated by the current weights, and its cross-attention per decoder
    /// layer (mean of the heads).
    func reportSnapshot() throws -> AttentionSnapshot? {
        guard let i = reportSentenceIndex, config.model.decoderLayers > 0 else { return nil }
        let source = Array(validation.tokenized[i].source.prefix(config.model.maxLength - 1))
        let limit = source.count * 2 + 10
        let output = translateGreedy(model, [source], maxLength: { _ in limit })[0]
        let e = try explain(model: model, tokenizers: tokenizers, source: validation.pairs[i].source, output: output,
                            finished: output.count < min(limit, config.model.maxLength - 1), focus: nil, vectors: false)
        return AttentionSnapshot(step: state.step, index: i, source: e.source, reference: validation.pairs[i].target,
                                 translation: e.translation, sourceTokens: e.sourceTokens, decoderInputTokens: e.decoderInputTokens,
                                 outputTokens: e.outputTokens, layers: e.maps.filter { $0.kind == "cross-attention" }.map(\.averaged))
    }
}
