import Foundation
import Model
import Text

// Beam search over the incremental decoder (`startDecoding` / `decodeStep`), batched over
// sentences: the live hypotheses of every unfinished sentence are the rows of one cache.

/// One live hypothesis: which sentence it translates, its tokens so far and their summed
/// log-probability.
private struct LiveHypothesis {
    var sentence: Int
    var tokens: [Int32]
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
/// independent: batching does not change the result.
///
/// `forceLength: true` never extends a hypothesis by `</s>` before the length limit, so every
/// returned hypothesis has exactly `maxLength(source length)` tokens (capped as above) and
/// `beam: 1` equals `greedyDecode(forceLength: true)`; for benchmarks (fixed work per sentence).
/// `noRepeatNgram` n > 0 never extends a hypothesis by a token that would repeat one of its
/// n-grams (`bannedTokens`, StepDecoding.swift).
public func beamSearch(_ model: Transformer, sources: [[Int32]], beam: Int, lengthPenalty: Double = 1,
                       maxLength: (Int) -> Int, nBest: Int = 1, forceLength: Bool = false,
                       noRepeatNgram: Int = 0) -> [[(tokens: [Int32], score: Double)]] {
    if sources.isEmpty { return [] }
    let beam = max(1, beam)
    let config = model.config
    let clipped = sources.map { Array($0.prefix(config.maxLength)) }
    let limits = clipped.map { max(0, min(maxLength($0.count), config.maxLength - 1)) }
    let (src, s) = padBatch(clipped)
    let cache = model.startDecoding(source: src, batch: sources.count, length: s, beam: 1, maxSteps: (limits.max() ?? 0) + 1)
    var finished = [[(tokens: [Int32], score: Double)]](repeating: [], count: sources.count)
    // One row per sentence to start: every beam would hold the same <s> prefix.
    var live = sources.indices.map { LiveHypothesis(sentence: $0, tokens: [], logProb: 0) }
    let v = config.targetVocabSize
    var logSumExp = [Double](repeating: 0, count: live.count)
    while !live.isEmpty {
        let z = model.decodeStep(live.map { $0.tokens.last ?? SpecialTokens.begin }, cache: cache)  // [rows, V]
        logSumExp = (0..<live.count).map { logSumExpOfRow(z.data + $0 * v, count: v) }
        var parents: [Int] = []
        var next: [LiveHypothesis] = []
        var first = 0
        while first < live.count {
            // Rows first..<end belong to one sentence (rows stay grouped by sentence).
            let sentence = live[first].sentence
            var end = first
            while end < live.count && live[end].sentence == sentence { end += 1 }
            let forceEnd = live[first].tokens.count >= limits[sentence]
            let candidates = bestCandidates(z.data, v: v, rows: first..<end, live: live, logSumExp: logSumExp,
                                            count: 2 * beam, onlyEnd: forceEnd, skipEnd: forceLength, noRepeatNgram: noRepeatNgram)
            var kept = 0
            for (rank, c) in candidates.enumerated() {
                if c.token == SpecialTokens.end {
                    if rank < beam {
                        let tokens = live[c.row].tokens
                        finished[sentence].append((tokens, lengthNormalizedScore(logProb: c.logProb, tokens: tokens.count, lengthPenalty: lengthPenalty)))
                    }
                } else if kept < beam {
                    parents.append(c.row)
                    next.append(LiveHypothesis(sentence: sentence, tokens: live[c.row].tokens + [c.token], logProb: c.logProb))
                    kept += 1
                }
            }
            if finished[sentence].count >= beam || forceEnd {
                parents.removeLast(kept)
                next.removeLast(kept)
            }
            first = end
        }
        live = next
        if !live.isEmpty { cache.select(rows: parents) }
    }
    return finished.map { hyps in
        Array(hyps.enumerated().sorted { a, b in
            a.element.score != b.element.score ? a.element.score > b.element.score : a.offset < b.offset
        }.prefix(max(1, nBest)).map(\.element))
    }
}

/// log Σ exp(z_j) over one row of logits, in double precision so that log-probabilities keep
/// the order of the logits (beam 1 then picks what greedy picks).
private func logSumExpOfRow(_ z: UnsafePointer<Float>, count: Int) -> Double {
    var mx = -Float.infinity
    for j in 0..<count { mx = max(mx, z[j]) }
    if !mx.isFinite { return Double(mx) }
    var sum: Double = 0
    for j in 0..<count { sum += Double(expf(z[j] - mx)) }
    return Double(mx) + log(sum)
}

/// The `count` best extensions of rows `rows` (one sentence's live hypotheses), best first;
/// ties keep row order, then token order. With `onlyEnd`, each row's only extension is `</s>`;
/// otherwise with `skipEnd`, `</s>` is never an extension.
private func bestCandidates(_ z: UnsafePointer<Float>, v: Int, rows: Range<Int>, live: [LiveHypothesis],
                            logSumExp: [Double], count: Int, onlyEnd: Bool, skipEnd: Bool, noRepeatNgram: Int) -> [Candidate] {
    var best = TopCandidates(count: count)
    for row in rows {
        let banned = bannedTokens(after: live[row].tokens, n: noRepeatNgram)
        let base = live[row].logProb - logSumExp[row]
        let zr = z + row * v
        if onlyEnd {
            best.offer(Candidate(row: row, token: SpecialTokens.end, logProb: base + Double(zr[Int(SpecialTokens.end)])))
            continue
        }
        var j = 0
        while j < v {
            let lp = base + Double(zr[j])
            if lp > best.threshold && !(skipEnd && j == Int(SpecialTokens.end)) && (banned.isEmpty || !banned.contains(Int32(j))) {
                best.offer(Candidate(row: row, token: Int32(j), logProb: lp))
            }
            j += 1
        }
    }
    return best.items
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
/// order matches input order. Each entry holds up to `nBest` hypotheses, best first.
public func translateBeam(_ model: Transformer, _ sources: [[Int32]], beam: Int, lengthPenalty: Double = 1, nBest: Int = 1,
                          batchSentences: Int = 16, maxLength: @escaping (Int) -> Int = { $0 * 2 + 10 }, noRepeatNgram: Int = 0)
    -> [[(tokens: [Int32], score: Double)]] {
    let order = sources.indices.sorted { sources[$0].count < sources[$1].count }
    var out = [[(tokens: [Int32], score: Double)]](repeating: [], count: sources.count)
    var i = 0
    let size = max(1, batchSentences)
    while i < order.count {
        let chunk = Array(order[i..<min(order.count, i + size)])
        let results = beamSearch(model, sources: chunk.map { sources[$0] }, beam: beam, lengthPenalty: lengthPenalty,
                                 maxLength: maxLength, nBest: nBest, noRepeatNgram: noRepeatNgram)
        for (k, idx) in chunk.enumerated() { out[idx] = results[k] }
        i += size
    }
    return out
}
