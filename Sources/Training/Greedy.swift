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
/// (same tie rule), so decoding runs on to its length limit. (The cached decoders fold the same
/// rule into the projection: `RowArgmax`.)
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
    /// the decoder (`startDecoding` / `decodeStates`); the projection to the vocabulary is folded
    /// into the argmax one block of columns at a time (no [rows, V] logits); finished sentences
    /// leave the batch. Every row is computed independently, so a sentence decodes the same alone
    /// or in any batch, which lets a big batch be cut into groups decoded side by side on the
    /// kernel threads. `weights`: `inferenceWeights()`, built here when nil.
    public func greedyDecode(_ sources: [[Int32]], maxLength: (Int) -> Int, forceLength: Bool = false,
                             weights: InferenceWeights? = nil) -> [[Int32]] {
        if sources.isEmpty { return [] }
        let clipped = sources.map { Array($0.prefix(config.maxLength)) }
        let limits = clipped.map { max(0, min(maxLength($0.count), config.maxLength - 1)) }
        let weights = weights ?? inferenceWeights()
        let groups = sentenceGroups(clipped.count, minimum: 8)
        if groups.count == 1 { return greedyGroup(clipped, limits: limits, forceLength: forceLength, weights: weights) }
        let shared = Unchecked((self, clipped, limits))
        return parallelMap(groups.count) { g in
            let (model, clipped, limits) = shared.value
            let range = groups[g]
            return model.greedyGroup(Array(clipped[range]), limits: Array(limits[range]), forceLength: forceLength, weights: weights)
        }.flatMap { $0 }
    }

    /// `greedyDecode` of sentences already cut to the model's length, with their output limits,
    /// on the calling thread.
    func greedyGroup(_ sources: [[Int32]], limits: [Int], forceLength: Bool, weights: InferenceWeights) -> [[Int32]] {
        let steps = limits.max() ?? 0
        var outputs = [[Int32]](repeating: [], count: sources.count)
        if steps == 0 { return outputs }
        let (src, s) = padBatch(sources)
        let cache = startDecoding(source: src, batch: sources.count, length: s, maxSteps: steps, weights: weights)
        var active = Array(sources.indices)  // sentence decoded by each cache row
        var next = [Int32](repeating: SpecialTokens.begin, count: sources.count)
        let scratch = Rows(capacity: sources.count, width: projectionBlock)
        let excluded = forceLength ? Int(SpecialTokens.end) : nil
        let argmax = RowArgmax(rows: active.count)
        for _ in 0..<steps {
            let states = decodeStates(next, cache: cache)  // [rows, D]
            argmax.reset(rows: active.count)
            weights.output.forEachColumnBlock(states, blockColumns: projectionBlock, scratch: scratch) { columns, logits in
                for row in active.indices {
                    argmax.fold(row: row, logits + row * projectionBlock, columns: columns, excluding: excluded)
                }
            }
            var keep: [Int] = []
            next = []
            for (row, b) in active.enumerated() {
                let best = argmax.result(row: row)
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

/// Columns of the vocabulary projection computed at a time when a search folds it into its
/// selection: 512 columns of a 128-wide tied embedding are 256 KiB of weights and, for 64 rows,
/// 128 KiB of logits, both at home in L2.
let projectionBlock = 512

/// Cuts `count` sentences into contiguous groups to decode side by side, one per kernel thread,
/// each at least `minimum` sentences (fewer groups when there are fewer sentences); one group
/// inside a parallel section or with one thread.
func sentenceGroups(_ count: Int, minimum: Int) -> [Range<Int>] {
    let groups = Threads.isInsideParallelSection ? 1 : max(1, min(Threads.count, count / max(1, minimum)))
    let per = (count + groups - 1) / groups
    return stride(from: 0, to: count, by: max(1, per)).map { $0..<min(count, $0 + per) }
}

/// `maxLength(n)` for every source length n in 0...`longest` (the model's `maxLength`: longer
/// sources are cut first), so that decoding side by side reads a table instead of calling the
/// caller's closure from several threads.
func limitTable(_ maxLength: (Int) -> Int, _ longest: Int) -> [Int] { (0...max(0, longest)).map(maxLength) }

/// The indices of `sources` sorted by length (shortest first), cut into batches of `size`:
/// sentences of similar length decode together with little padding.
func lengthSortedBatches(_ sources: [[Int32]], size: Int) -> [[Int]] {
    let order = sources.indices.sorted { sources[$0].count < sources[$1].count }
    return stride(from: 0, to: order.count, by: max(1, size)).map { Array(order[$0..<min(order.count, $0 + max(1, size))]) }
}

/// A value handed to a parallel section that only reads it (a model, its inputs).
struct Unchecked<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
