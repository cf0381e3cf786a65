import Engine
import Model

/// Special token ids shared by every tokenizer: 0 `<pad>`, 1 `<unk>`, 2 `<s>`, 3 `</s>`.
public enum SpecialTokens {
    public static let pad: Int32 = 0
    public static let unknown: Int32 = 1
    public static let begin: Int32 = 2
    public static let end: Int32 = 3
}

/// Pads sentences to one length: ids [B·L] row-major, and L.
public func padBatch(_ sentences: [[Int32]], pad: Int32 = SpecialTokens.pad) -> (ids: [Int32], length: Int) {
    let length = max(1, sentences.map(\.count).max() ?? 1)
    var ids = [Int32](repeating: pad, count: sentences.count * length)
    for (b, s) in sentences.enumerated() { for (i, t) in s.enumerated() { ids[b * length + i] = t } }
    return (ids, length)
}

extension Transformer {
    /// Greedy decoding of a batch of source sentences (ids without <s>/</s>): at each step the
    /// most probable next token, until `</s>` or `maxLength(sourceLength)` tokens.
    /// Re-runs the decoder over the whole prefix at each step (simple and exact; no cache).
    public func greedyDecode(_ sources: [[Int32]], maxLength: (Int) -> Int) -> [[Int32]] {
        if sources.isEmpty { return [] }
        return Graph.noGrad {
            let ctx = ForwardContext(training: false)
            let batch = sources.count
            let clipped = sources.map { Array($0.prefix(config.maxLength)) }
            let (src, s) = padBatch(clipped)
            let (memory, mask) = encode(src, batch: batch, length: s, ctx)
            let limits = clipped.map { min(maxLength($0.count), config.maxLength - 1) }
            var outputs = [[Int32]](repeating: [], count: batch)
            var done = [Bool](repeating: false, count: batch)
            let steps = limits.max() ?? 0
            var prefix = [[Int32]](repeating: [SpecialTokens.begin], count: batch)
            for t in 0..<steps {
                let (tgt, tl) = padBatch(prefix)
                let states = decode(tgt, batch: batch, length: tl, memory: memory, sourceMask: mask, ctx)  // [B, t+1, D]
                let last = states.slice(axis: 1, t..<(t + 1))                                              // [B, 1, D]
                let z = logits(last)                                                                        // [B, 1, V]
                let v = config.targetVocabSize
                for b in 0..<batch {
                    var best: Int32 = 0
                    var bestValue = -Float.infinity
                    if !done[b] {
                        for j in 0..<v where z.data[b * v + j] > bestValue { bestValue = z.data[b * v + j]; best = Int32(j) }
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
