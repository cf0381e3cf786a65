import Engine
import Model
import Text

/// Pads sentences to one length: ids [B·L] row-major, and L.
public func padBatch(_ sentences: [[Int32]], pad: Int32 = SpecialTokens.pad) -> (ids: [Int32], length: Int) {
    let length = max(1, sentences.map(\.count).max() ?? 1)
    var ids = [Int32](repeating: pad, count: sentences.count * length)
    for (b, s) in sentences.enumerated() { for (i, t) in s.enumerated() { ids[b * length + i] = t } }
    return (ids, length)
}

/// Index of the largest of `count` logits; the lowest index wins ties (and NaN rows give 0),
/// so greedy decoding and beam search with one beam pick the same token.
@inline(__always) func argmax(_ p: UnsafePointer<Float>, count: Int) -> Int32 {
    var best: Int32 = 0
    var bestValue = -Float.infinity
    for j in 0..<count where p[j] > bestValue { bestValue = p[j]; best = Int32(j) }
    return best
}

/// The next greedy token: `argmax`, or with `forceLength` the best token other than `</s>`
/// (same tie rule), so decoding runs on to its length limit.
@inline(__always) func greedyPick(_ p: UnsafePointer<Float>, count: Int, forceLength: Bool) -> Int32 {
    let best = argmax(p, count: count)
    guard forceLength && best == SpecialTokens.end else { return best }
    var second: Int32 = 0
    var secondValue = -Float.infinity
    for j in 0..<count where Int32(j) != SpecialTokens.end && p[j] > secondValue { secondValue = p[j]; second = Int32(j) }
    return second
}

extension Transformer {
    /// Greedy decoding of a batch of source sentences (ids without <s>/</s>): at each step the
    /// most probable next token, until `</s>` or `maxLength(sourceLength)` tokens (at most the
    /// model's `maxLength - 1`).
    ///
    /// `forceLength: true` never picks `</s>` (the best other token instead), so every
    /// sentence gets exactly its length limit of tokens, equal to the normal output up to where
    /// that would have ended. Benchmarks use it to time a fixed amount of work whatever the
    /// (random) weights, as the PyTorch reference's `force=True` does.
    ///
    /// Incremental: the source is encoded once and each step feeds only the newest token through
    /// the decoder (`startDecoding` / `decodeStep`); finished sentences leave the batch. Every
    /// row is computed independently, so a sentence decodes the same alone or in any batch.
    public func greedyDecode(_ sources: [[Int32]], maxLength: (Int) -> Int, forceLength: Bool = false) -> [[Int32]] {
        if sources.isEmpty { return [] }
        let clipped = sources.map { Array($0.prefix(config.maxLength)) }
        let limits = clipped.map { max(0, min(maxLength($0.count), config.maxLength - 1)) }
        let steps = limits.max() ?? 0
        var outputs = [[Int32]](repeating: [], count: sources.count)
        if steps == 0 { return outputs }
        let (src, s) = padBatch(clipped)
        let cache = startDecoding(source: src, batch: sources.count, length: s, maxSteps: steps)
        var active = Array(sources.indices)  // sentence decoded by each cache row
        var next = [Int32](repeating: SpecialTokens.begin, count: sources.count)
        let v = config.targetVocabSize
        for _ in 0..<steps {
            let z = decodeStep(next, cache: cache)  // [rows, V]
            var keep: [Int] = []
            next = []
            for (row, b) in active.enumerated() {
                let best = greedyPick(z.data + row * v, count: v, forceLength: forceLength)
                if best == SpecialTokens.end || outputs[b].count >= limits[b] { continue }
                outputs[b].append(best)
                keep.append(row)
                next.append(best)
            }
            if keep.isEmpty { break }
            if keep.count < active.count {
                cache.select(rows: keep)
                active = keep.map { active[$0] }
            }
        }
        return outputs
    }

    /// Greedy decoding that re-runs the full decoder over the whole prefix at every step (no
    /// cache): quadratic in the output length, kept as the reference `greedyDecode` must match
    /// and for benchmarks. `forceLength` as in `greedyDecode`.
    public func greedyDecodeUncached(_ sources: [[Int32]], maxLength: (Int) -> Int, forceLength: Bool = false) -> [[Int32]] {
        if sources.isEmpty { return [] }
        return Graph.noGrad {
            let ctx = ForwardContext(training: false)
            let batch = sources.count
            let clipped = sources.map { Array($0.prefix(config.maxLength)) }
            let (src, s) = padBatch(clipped)
            let (memory, mask) = encode(src, batch: batch, length: s, ctx)
            let limits = clipped.map { max(0, min(maxLength($0.count), config.maxLength - 1)) }
            var outputs = [[Int32]](repeating: [], count: batch)
            var done = [Bool](repeating: false, count: batch)
            let steps = limits.max() ?? 0
            var prefix = [[Int32]](repeating: [SpecialTokens.begin], count: batch)
            for t in 0..<steps {
                let (tgt, tl) = padBatch(prefix)
                let states = decode(tgt, batch: batch, length: tl, memory: memory, sourceMask: mask, ctx)  // [B, t+1, D]
                let z = logits(states.slice(axis: 1, t..<(t + 1)))                                        // [B, 1, V]
                let v = config.targetVocabSize
                for b in 0..<batch {
                    var best: Int32 = 0
                    if !done[b] {
                        best = greedyPick(z.data + b * v, count: v, forceLength: forceLength)
                        if best == SpecialTokens.end || outputs[b].count >= limits[b] { done[b] = true } else { outputs[b].append(best) }
                    }
                    prefix[b].append(done[b] ? SpecialTokens.pad : best)
                }
                if done.allSatisfy({ $0 }) { break }
            }
            return outputs
        }
    }
}
