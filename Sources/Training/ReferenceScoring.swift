import Engine
import Foundation
import Model
import Text

/// The log-probability the model gives each token of a reference translation (teacher-forced),
/// as Marian's scorer and fairseq's `--score-reference` report: one entry per target token and a
/// last one for `</s>`, natural logarithms. `targets` are ids without <s>/</s>; a target longer
/// than the model's `maxLength - 1` tokens is scored on its first `maxLength - 1` tokens (then
/// the last entry is the probability of the last kept token, with no `</s>`).
///
/// Runs the incremental decoder with the reference as its input, batched by length; every
/// sentence is scored as it would be alone.
public func scoreReferences(_ model: Transformer, sources: [[Int32]], targets: [[Int32]], batchSentences: Int = 64) -> [[Double]] {
    precondition(sources.count == targets.count, "one reference per source")
    let order = sources.indices.sorted { (targets[$0].count, sources[$0].count) < (targets[$1].count, sources[$1].count) }
    var out = [[Double]](repeating: [], count: sources.count)
    var i = 0
    while i < order.count {
        let chunk = Array(order[i..<min(order.count, i + max(1, batchSentences))])
        let scores = scoreBatch(model, sources: chunk.map { sources[$0] }, targets: chunk.map { targets[$0] })
        for (k, idx) in chunk.enumerated() { out[idx] = scores[k] }
        i += max(1, batchSentences)
    }
    return out
}

private func scoreBatch(_ model: Transformer, sources: [[Int32]], targets: [[Int32]]) -> [[Double]] {
    let config = model.config
    let clipped = sources.map { Array($0.prefix(config.maxLength)) }
    let forced = targets.map { Array($0.prefix(config.maxLength - 1)) }
    // Positions scored per sentence: each target token, then `</s>` unless the target was cut.
    let counts = zip(targets, forced).map { $0.count > $1.count ? $1.count : $1.count + 1 }
    let steps = counts.max() ?? 0
    var out = [[Double]](repeating: [], count: sources.count)
    if steps == 0 { return out }
    let (src, s) = padBatch(clipped)
    let cache = model.startDecoding(source: src, batch: sources.count, length: s, maxSteps: steps)
    var active = Array(sources.indices)
    var input = [Int32](repeating: SpecialTokens.begin, count: sources.count)
    let v = config.targetVocabSize
    for t in 0..<steps {
        let z = model.decodeStep(input, cache: cache)  // [rows, V]
        var keep: [Int] = []
        input = []
        for (row, b) in active.enumerated() {
            let logits = UnsafeBufferPointer(start: z.data + row * v, count: v)
            let token = t < forced[b].count ? forced[b][t] : SpecialTokens.end
            out[b].append(Double(logits[Int(token)]) - logSumExp(logits))
            if out[b].count < counts[b] {
                keep.append(row)
                input.append(token)
            }
        }
        if keep.isEmpty { break }
        if keep.count < active.count {
            cache.select(rows: keep)
            active = keep.map { active[$0] }
        }
    }
    return out
}
