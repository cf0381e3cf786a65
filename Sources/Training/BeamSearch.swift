import Engine
import Foundation
import Model
import Text

// Beam search over the incremental decoder (`startDecoding` / `decodeStep`), batched over
// sentences: the live hypotheses of every unfinished sentence are the rows of one cache.

/// One live hypothesis: which sentence it translates, its last token (a node of the search's
/// token tree: its tokens are read back through the parents when it finishes), how many tokens
/// it has and their summed log-probability.
private struct LiveHypothesis {
    var sentence: Int
    var node: Int32
    var length: Int
    var logProb: Double
}

/// A candidate extension of a live hypothesis (cache row `row`) by `token`.
private struct Candidate {
    var row: Int
    var token: Int32
    var logProb: Double
}

/// The length-normalised score of a finished hypothesis, fairseq style:
/// log P(tokens, </s>) / length^α with length = tokens + 1 (the `</s>` counts). α = 0 ranks by
/// raw log-probability (which favours short outputs); α = 1 by average log-probability per token.
public func lengthNormalizedScore(logProb: Double, tokens: Int, lengthPenalty alpha: Double) -> Double {
    alpha == 0 ? logProb : logProb / pow(Double(tokens + 1), alpha)
}

/// Beam search of `sources` (ids without <s>/</s>) with `beam` hypotheses per sentence.
///
/// Returns, per sentence in input order, up to `nBest` finished hypotheses, best first, each
/// with its `lengthNormalizedScore` (the summed log-probabilities of its tokens and `</s>`).
///
/// Each step extends every live hypothesis by every token; of the 2·beam best candidates of a
/// sentence, those ending in `</s>` within the best `beam` are finished and the best `beam`
/// others stay live (as fairseq does). A sentence stops when it has `beam` finished hypotheses,
/// or at `maxLength(source length)` tokens (at most the model's `maxLength - 1`), where every
/// live hypothesis is finished with `</s>` forced. Equal scores keep the earlier hypothesis
/// and the lower token id, so `beam: 1` returns exactly `greedyDecode`'s tokens. Sentences are
/// independent: batching does not change the result, and a batch of several sentences is cut
/// into groups decoded side by side on the kernel threads.
///
/// The projection to the vocabulary is folded, one block of columns at a time, into each row's
/// log-sum-exp and its 2·beam best tokens (`RowLogSumExpTopK`): no [rows, V] logits are
/// kept or sorted. log p = logit − log-sum-exp, the log-sum-exp summed with `simdExp` (relative
/// error ≤ 1.2e-7; docs/PERFORMANCE.md has the outputs it was checked on).
///
/// `forceLength: true` never extends a hypothesis by `</s>` before the length limit, so every
/// returned hypothesis has exactly `maxLength(source length)` tokens (capped as above) and
/// `beam: 1` equals `greedyDecode(forceLength: true)`; for benchmarks (fixed work per sentence).
/// `noRepeatNgram` n > 0 never extends a hypothesis by a token that would repeat one of its
/// n-grams (`bannedTokens`, StepDecoding.swift).
/// `weights`: `model.inferenceWeights()`, built here when nil.
public func beamSearch(_ model: Transformer, sources: [[Int32]], beam: Int, lengthPenalty: Double = 1,
                       maxLength: (Int) -> Int, nBest: Int = 1, forceLength: Bool = false, noRepeatNgram: Int = 0,
                       weights: Transformer.InferenceWeights? = nil) -> [[(tokens: [Int32], score: Double)]] {
    if sources.isEmpty { return [] }
    let config = model.config
    let clipped = sources.map { Array($0.prefix(config.maxLength)) }
    let limits = clipped.map { max(0, min(maxLength($0.count), config.maxLength - 1)) }
    let search = BeamGroupSearch(model: model, weights: weights ?? model.inferenceWeights(), beam: max(1, beam),
                                 lengthPenalty: lengthPenalty, nBest: max(1, nBest), forceLength: forceLength,
                                 noRepeatNgram: max(0, noRepeatNgram))
    let groups = sentenceGroups(clipped.count, minimum: 2)
    if groups.count == 1 { return search.run(clipped, limits: limits) }
    let shared = Unchecked((search, clipped, limits))
    return parallelMap(groups.count) { g in
        let (search, clipped, limits) = shared.value
        return search.run(Array(clipped[groups[g]]), limits: Array(limits[groups[g]]))
    }.flatMap { $0 }
}

/// `beamSearch`'s settings, and the search of one group of sentences on the calling thread.
private struct BeamGroupSearch {
    let model: Transformer
    let weights: Transformer.InferenceWeights
    let beam: Int
    let lengthPenalty: Double
    let nBest: Int
    let forceLength: Bool
    let noRepeatNgram: Int

    /// Beam search of `sources` (cut to the model's length) with output limits `limits`.
    func run(_ sources: [[Int32]], limits: [Int]) -> [[(tokens: [Int32], score: Double)]] {
        let (src, s) = padBatch(sources)
        let cache = model.startDecoding(source: src, batch: sources.count, length: s, beam: 1,
                                        maxSteps: (limits.max() ?? 0) + 1, weights: weights)
        var finished = [[(tokens: [Int32], score: Double)]](repeating: [], count: sources.count)
        // The token tree: node i is token `tokens[i]` after node `parents[i]` (−1: after <s>).
        var (parents, tokens): ([Int32], [Int32]) = ([], [])
        func sequence(_ node: Int32) -> [Int32] {
            var out: [Int32] = []
            var n = node
            while n >= 0 { out.append(tokens[Int(n)]); n = parents[Int(n)] }
            return out.reversed()
        }
        // One row per sentence to start: every beam would hold the same <s> prefix.
        var live = sources.indices.map { LiveHypothesis(sentence: $0, node: -1, length: 0, logProb: 0) }
        let end = Int(SpecialTokens.end)
        let scratch = Rows(capacity: live.count, width: projectionBlock)
        var selection = RowLogSumExpTopK(rows: live.count, keep: 2 * beam)
        while !live.isEmpty {
            let rows = live.count
            let states = model.decodeStates(live.map { $0.node < 0 ? SpecialTokens.begin : tokens[Int($0.node)] }, cache: cache)
            // Rows whose sentence reached its limit can only end: only their `</s>` logit matters.
            let onlyEnd = live.map { $0.length >= limits[$0.sentence] }
            // The tokens each row may not take next (a repeated n-gram): the selection keeps that
            // many more columns, so the row's 2·beam best allowed tokens are among them.
            let banned = noRepeatNgram == 0 ? [] : live.map { bannedTokens(after: sequence($0.node), n: noRepeatNgram) }
            let keep = 2 * beam + (banned.map(\.count).max() ?? 0)
            if selection.keep < keep { selection = RowLogSumExpTopK(rows: rows, keep: keep) }
            selection.reset(rows: rows)
            var endLogit = [Float](repeating: -.infinity, count: rows)
            weights.output.forEachColumnBlock(states, blockColumns: projectionBlock, scratch: scratch) { columns, logits in
                for row in 0..<rows {
                    let z = logits + row * projectionBlock
                    selection.fold(row: row, z, columns: columns, select: !onlyEnd[row], excluding: forceLength ? end : nil)
                    if onlyEnd[row] && columns.contains(end) { endLogit[row] = z[end - columns.lowerBound] }
                }
            }
            var parentRows: [Int] = []
            var next: [LiveHypothesis] = []
            var first = 0
            while first < rows {
                // Rows first..<last belong to one sentence (rows stay grouped by sentence).
                let sentence = live[first].sentence
                var last = first
                while last < rows && live[last].sentence == sentence { last += 1 }
                let forceEnd = onlyEnd[first]
                var top = TopCandidates(count: 2 * beam)
                for row in first..<last {
                    let base = live[row].logProb - selection.logSumExp(row: row)
                    if forceEnd {
                        top.offer(Candidate(row: row, token: SpecialTokens.end, logProb: base + Double(endLogit[row])))
                        continue
                    }
                    // The row's best tokens, best first: offered in this order they end up where
                    // offering every token in token order would put them.
                    for (token, z) in selection.best(row: row) where banned.isEmpty || !banned[row].contains(token) {
                        let lp = base + Double(z)
                        if lp > top.threshold { top.offer(Candidate(row: row, token: token, logProb: lp)) }
                    }
                }
                var kept = 0
                for (rank, c) in top.items.enumerated() {
                    if c.token == SpecialTokens.end {
                        if rank < beam {
                            let h = live[c.row]
                            finished[sentence].append((sequence(h.node), lengthNormalizedScore(logProb: c.logProb, tokens: h.length,
                                                                                                 lengthPenalty: lengthPenalty)))
                        }
                    } else if kept < beam {
                        parentRows.append(c.row)
                        parents.append(live[c.row].node)
                        tokens.append(c.token)
                        next.append(LiveHypothesis(sentence: sentence, node: Int32(tokens.count - 1), length: live[c.row].length + 1,
                                                   logProb: c.logProb))
                        kept += 1
                    }
                }
                if finished[sentence].count >= beam || forceEnd {
                    parentRows.removeLast(kept)
                    next.removeLast(kept)
                }
                first = last
            }
            live = next
            if !live.isEmpty { cache.select(rows: parentRows) }
        }
        return finished.map { hyps in
            Array(hyps.enumerated().sorted { a, b in
                a.element.score != b.element.score ? a.element.score > b.element.score : a.offset < b.offset
            }.prefix(nBest).map(\.element))
        }
    }
}

/// The best `count` candidates seen so far, kept sorted (stable: an equal score goes after).
private struct TopCandidates {
    let count: Int
    var items: [Candidate] = []
    /// A new candidate must score above this to enter (−∞ until `count` are kept).
    var threshold = -Double.infinity

    init(count: Int) {
        self.count = count
        items.reserveCapacity(count + 1)
    }

    mutating func offer(_ c: Candidate) {
        if items.count == count && !(c.logProb > threshold) { return }
        var i = items.count
        while i > 0 && !(items[i - 1].logProb >= c.logProb) { i -= 1 }
        items.insert(c, at: i)
        if items.count > count { items.removeLast() }
        if items.count == count { threshold = items[count - 1].logProb }
    }
}

/// Beam-search translations of many sentences, batched by similar length for speed; output
/// order matches input order. Each entry holds up to `nBest` hypotheses, best first. The
/// batches are decoded side by side on the kernel threads (each batch on one), handed out as
/// threads become free; `weights`: `model.inferenceWeights()`, built here when nil.
public func translateBeam(_ model: Transformer, _ sources: [[Int32]], beam: Int, lengthPenalty: Double = 1, nBest: Int = 1,
                          batchSentences: Int = 16, maxLength: @escaping (Int) -> Int = { $0 * 2 + 10 }, noRepeatNgram: Int = 0,
                          weights: Transformer.InferenceWeights? = nil) -> [[(tokens: [Int32], score: Double)]] {
    let weights = weights ?? model.inferenceWeights()
    let limit = limitTable(maxLength, model.config.maxLength)
    let batches = lengthSortedBatches(sources, size: batchSentences)
    let shared = Unchecked((model, sources))
    let results = parallelMap(batches.count) { b in
        let (model, sources) = shared.value
        return beamSearch(model, sources: batches[b].map { sources[$0] }, beam: beam, lengthPenalty: lengthPenalty,
                          maxLength: { limit[$0] }, nBest: nBest, noRepeatNgram: noRepeatNgram, weights: weights)
    }
    var out = [[(tokens: [Int32], score: Double)]](repeating: [], count: sources.count)
    for (batch, result) in zip(batches, results) { for (k, idx) in batch.enumerated() { out[idx] = result[k] } }
    return out
}
