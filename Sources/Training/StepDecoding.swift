import Engine
import Foundation
import Model
import Text

// Decoding rules the fast searches (`greedyDecode`, `beamSearch`) do not have: forbidding
// repeated n-grams and sampling with a temperature. One token per step through the incremental
// decoder, like `greedyDecode`, with a pick rule per row. With neither rule it picks what
// `greedyDecode` picks (`StepDecodingTests` ties the two).

/// How `stepDecode` picks each next token.
public struct StepRule: Sendable {
    /// Forbid any token that would repeat an n-gram of this many tokens already in the output
    /// (fairseq's `--no-repeat-ngram-size`); 0 = off.
    public var noRepeatNgram: Int
    /// nil: the most probable allowed token. T: draw from softmax(logits / T) over the allowed
    /// tokens (T = 1 samples the model's own distribution; lower is closer to greedy).
    public var temperature: Double?
    /// Seed of the draws; a sentence's draws depend on the seed and its `streams` entry only.
    public var seed: UInt64

    /// A rule; with the defaults, greedy decoding.
    public init(noRepeatNgram: Int = 0, temperature: Double? = nil, seed: UInt64 = 1) {
        (self.noRepeatNgram, self.temperature, self.seed) = (max(0, noRepeatNgram), temperature, seed)
    }
}

/// The tokens that may not come next after `output` so that no n-gram of `n` tokens occurs twice:
/// the token that followed each earlier occurrence of the last n − 1 tokens (for n = 1, every
/// token already output). Empty for n = 0 or an output shorter than n − 1 tokens.
public func bannedTokens(after output: [Int32], n: Int) -> Set<Int32> {
    guard n > 0, output.count >= n - 1 else { return [] }
    if n == 1 { return Set(output) }
    let tail = output.suffix(n - 1)
    var banned = Set<Int32>()
    var p = 0
    while p + n - 1 < output.count {
        if output[p..<(p + n - 1)].elementsEqual(tail) { banned.insert(output[p + n - 1]) }
        p += 1
    }
    return banned
}

/// True when some n-gram of `n` tokens occurs twice in `tokens` (what `noRepeatNgram` forbids).
public func hasRepeatedNgram(_ tokens: [Int32], n: Int) -> Bool {
    guard n > 0, tokens.count > n else { return n == 1 && Set(tokens).count < tokens.count }
    var seen = Set<ArraySlice<Int32>>()
    for p in 0...(tokens.count - n) where !seen.insert(tokens[p..<(p + n)]).inserted { return true }
    return false
}

/// Decodes `sources` (ids without <s>/</s>) one token per step with `rule`, until `</s>` or
/// `maxLength(source length)` tokens (at most the model's `maxLength - 1`). Returns each output
/// with its log-probability under the model (untempered: log P(tokens, </s>), or without the
/// `</s>` when the limit cut it).
///
/// `streams[i]` names sentence i's stream of random draws (e.g. its position in the input and
/// the sample number), so a sentence samples the same whatever else is in the batch.
/// `weights`: `model.inferenceWeights()`, built here when nil.
public func stepDecode(_ model: Transformer, _ sources: [[Int32]], rule: StepRule, streams: [UInt64],
                       maxLength: (Int) -> Int, weights: Transformer.InferenceWeights? = nil) -> [(tokens: [Int32], logProb: Double)] {
    precondition(streams.count == sources.count, "one random stream per sentence")
    if sources.isEmpty { return [] }
    let config = model.config
    let clipped = sources.map { Array($0.prefix(config.maxLength)) }
    let limits = clipped.map { max(0, min(maxLength($0.count), config.maxLength - 1)) }
    var outputs = [(tokens: [Int32], logProb: Double)](repeating: ([], 0), count: sources.count)
    let steps = limits.max() ?? 0
    if steps == 0 { return outputs }
    var generators = streams.map { RandomGenerator(seed: hashRandom(seed: rule.seed, index: $0)) }
    let (src, s) = padBatch(clipped)
    let cache = model.startDecoding(source: src, batch: sources.count, length: s, maxSteps: steps, weights: weights)
    var active = Array(sources.indices)
    var next = [Int32](repeating: SpecialTokens.begin, count: sources.count)
    let v = config.targetVocabSize
    for _ in 0..<steps {
        let z = model.decodeStep(next, cache: cache)  // [rows, V]
        var keep: [Int] = []
        next = []
        for (row, b) in active.enumerated() where outputs[b].tokens.count < limits[b] {
            let logits = UnsafeBufferPointer(start: z.data + row * v, count: v)
            let banned = bannedTokens(after: outputs[b].tokens, n: rule.noRepeatNgram)
            let token = rule.temperature.map { pickSample(logits, temperature: $0, banned: banned, &generators[b]) }
                ?? pickBest(logits, banned: banned)
            outputs[b].logProb += Double(logits[Int(token)]) - logSumExp(logits)
            if token == SpecialTokens.end { continue }
            outputs[b].tokens.append(token)
            if outputs[b].tokens.count >= limits[b] {
                // Cut at the limit: the last token's probability counts, no `</s>` follows.
                continue
            }
            keep.append(row)
            next.append(token)
        }
        if keep.isEmpty { break }
        if keep.count < active.count {
            cache.select(rows: keep)
            active = keep.map { active[$0] }
        }
    }
    return outputs
}

/// The most probable token not in `banned`; the lowest id wins ties, as `argmax` does.
func pickBest(_ z: UnsafeBufferPointer<Float>, banned: Set<Int32>) -> Int32 {
    var best: Int32 = 0
    var bestValue = -Float.infinity
    for j in 0..<z.count where z[j] > bestValue && !banned.contains(Int32(j)) { bestValue = z[j]; best = Int32(j) }
    return best
}

/// A draw from softmax(z / temperature) over the tokens not in `banned`.
func pickSample(_ z: UnsafeBufferPointer<Float>, temperature: Double, banned: Set<Int32>, _ rng: inout RandomGenerator) -> Int32 {
    let t = max(temperature, 1e-6)
    var mx = -Double.infinity
    for j in 0..<z.count where !banned.contains(Int32(j)) { mx = max(mx, Double(z[j])) }
    guard mx.isFinite else { return pickBest(z, banned: banned) }
    var weights = [Double](repeating: 0, count: z.count)
    var total = 0.0
    for j in 0..<z.count where !banned.contains(Int32(j)) {
        weights[j] = exp((Double(z[j]) - mx) / t)
        total += weights[j]
    }
    // 53 random bits: a token of probability 1e-12 still gets its share.
    var u = Double(rng.next() >> 11) * (1.0 / 9_007_199_254_740_992.0) * total
    for j in 0..<z.count where weights[j] > 0 {
        u -= weights[j]
        if u < 0 { return Int32(j) }
    }
    return pickBest(z, banned: banned)
}

/// log Σ exp(z_j), in double precision.
func logSumExp(_ z: UnsafeBufferPointer<Float>) -> Double {
    var mx = -Float.infinity
    for x in z { mx = max(mx, x) }
    if !mx.isFinite { return Double(mx) }
    var sum = 0.0
    for x in z { sum += exp(Double(x - mx)) }
    return Double(mx) + log(sum)
}

/// `stepDecode` of many sentences, batched by similar length; output order matches input order.
public func translateStepwise(_ model: Transformer, _ sources: [[Int32]], streams: [UInt64], rule: StepRule, batchSentences: Int = 64,
                              maxLength: @escaping (Int) -> Int,
                              weights: Transformer.InferenceWeights? = nil) -> [(tokens: [Int32], logProb: Double)] {
    let weights = weights ?? model.inferenceWeights()
    let order = sources.indices.sorted { sources[$0].count < sources[$1].count }
    var out = [(tokens: [Int32], logProb: Double)](repeating: ([], 0), count: sources.count)
    let size = max(1, batchSentences)
    var i = 0
    while i < order.count {
        let chunk = Array(order[i..<min(order.count, i + size)])
        let results = stepDecode(model, chunk.map { sources[$0] }, rule: rule, streams: chunk.map { streams[$0] }, maxLength: maxLength,
                                 weights: weights)
        for (k, idx) in chunk.enumerated() { out[idx] = results[k] }
        i += size
    }
    return out
}
