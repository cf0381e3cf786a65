import Engine
import Foundation
import Metrics
import Model
import Text

/// A held-out set: raw sentence pairs (references stay untouched for BLEU) and their ids.
public struct ValidationSet: Sendable {
    /// The pairs as read (references for BLEU stay untouched).
    public let pairs: [SentencePair]
    /// The same pairs as token ids.
    public let tokenized: [TokenizedPair]

    /// Tokenises `pairs` with `tokenizers`.
    public init(pairs: [SentencePair], tokenizers: TokenizerPair) {
        self.pairs = pairs
        tokenized = pairs.map { TokenizedPair(source: tokenizers.source.encode($0.source), target: tokenizers.target.encode($0.target)) }
    }
}

/// Greedy translations of many sentences, batched by similar length for speed; output order
/// matches input order. The batches are decoded side by side on the kernel threads (each batch
/// on one), handed out as threads become free; `weights`: `model.inferenceWeights()`, built
/// here when nil (pass the model's own when its weights are fixed, e.g. a loaded checkpoint).
public func translateGreedy(_ model: Transformer, _ sources: [[Int32]], batchSentences: Int = 64,
                            maxLength: @escaping (Int) -> Int = { $0 * 2 + 10 },
                            weights: Transformer.InferenceWeights? = nil) -> [[Int32]] {
    let weights = weights ?? model.inferenceWeights()
    let limit = limitTable(maxLength, model.config.maxLength)
    let batches = lengthSortedBatches(sources, size: batchSentences)
    let shared = Unchecked((model, sources))
    let results = parallelMap(batches.count) { b in
        let (model, sources) = shared.value
        return model.greedyDecode(batches[b].map { sources[$0] }, maxLength: { limit[$0] }, weights: weights)
    }
    var out = [[Int32]](repeating: [], count: sources.count)
    for (batch, result) in zip(batches, results) { for (k, idx) in batch.enumerated() { out[idx] = result[k] } }
    return out
}

/// Validation loss over the whole set, and BLEU / chrF / exact match of greedy translations of
/// the first `sentences` pairs. Returns the record and a few (source, reference, hypothesis) samples.
/// With `loss: false` the loss pass is skipped (loss and perplexity are NaN).
public func validate(model: Transformer, tokenizers: TokenizerPair, set: ValidationSet, batchTokens: Int,
                     labelSmoothing: Float, sentences: Int, maxLength: Int, loss computeLoss: Bool = true) throws
    -> (loss: Double, perplexity: Double, bleu: Double, chrf: Double, exactMatch: Double, samples: [(String, String, String)]) {
    var loss = Double.nan
    if computeLoss {
        let batcher = try Batcher(pairs: set.tokenized, config: BatchConfig(maxTokens: batchTokens, maxLength: maxLength, overLength: .truncate, seed: 0))
        var nll = 0.0, tokens = 0
        Graph.noGrad {
            for batch in batcher.batches(epoch: 0) {
                let ce = model.loss(batch.tokens, labelSmoothing: labelSmoothing, ForwardContext(training: false))
                nll += ce.nllSum
                tokens += ce.tokens
            }
        }
        loss = tokens == 0 ? 0 : nll / Double(tokens)
    }
    let n = min(sentences, set.pairs.count)
    let hyps = translateGreedy(model, set.tokenized.prefix(n).map { Array($0.source.prefix(maxLength)) })
        .map { tokenizers.target.decode($0) }
    let refs = set.pairs.prefix(n).map(\.target)
    let bleu = n == 0 ? 0 : try BLEU.corpus(hypotheses: hyps, references: [refs]).score
    let chrf = n == 0 ? 0 : try CHRF.corpus(hypotheses: hyps, references: [refs]).score
    let normalizer = tokenizers.target.normalizer
    let exact = exactMatchPercent(hypotheses: hyps, references: refs, normalizer: normalizer)
    let samples = (0..<min(2, n)).map { (set.pairs[$0].source, refs[$0], hyps[$0]) }
    return (loss, exp(loss), bleu, chrf, exact, samples)
}

/// Percentage of hypotheses equal to their reference after the target tokenizer's normalisation
/// (the text a perfect model would decode to); 0 for no sentences.
public func exactMatchPercent(hypotheses: [String], references: [String], normalizer: Normalizer) -> Double {
    guard !references.isEmpty else { return 0 }
    return Double(zip(hypotheses, references).filter { $0 == normalizer.normalize($1) }.count) / Double(references.count) * 100
}
