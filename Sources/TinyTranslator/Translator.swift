import Foundation
import Model
import Text
import Training

/// A trained translation model loaded from a checkpoint, with its tokenizers: translate
/// sentences (greedy or beam search) and explain what attention did for one of them.
///
///     let translator = try Translator(checkpoint: "checkpoints/demo")
///     let french = translator.translate(["The red car is not big."])[0].text
///
/// A translator is not thread-safe; the kernels spread each call over `kernelThreads` threads.
public final class Translator {
    /// The file that was read, e.g. ".../checkpoints/demo/best.safetensors".
    public let url: URL
    /// The training step the checkpoint was saved at, or nil for a file without training state.
    public let step: Int?
    /// How the decoding kernels hold the weights: `.float32` (the model's own numbers) or
    /// `.int8` (quantised at load: smaller and faster, translations close to float32's).
    public let precision: InferencePrecision
    let model: Transformer
    let tokenizers: TokenizerPair
    /// The weights in the decoding kernels' layouts, built once: a loaded model never changes.
    let inference: Transformer.InferenceWeights

    /// Loads `path`: a `.safetensors` checkpoint written by training, or a training folder (its
    /// best checkpoint, else its latest). Every checksum is verified and the model is rebuilt
    /// from the file alone; a damaged or mismatched file throws an error naming the file and the
    /// problem. `precision` says how translation holds the weights (see `precision`).
    public init(checkpoint path: String, precision: InferencePrecision = .float32) throws {
        let loaded = try loadCheckpoint(path, optimizerState: false)
        (url, step, model, tokenizers) = (loaded.url, loaded.state?.step, loaded.model, loaded.tokenizers)
        self.precision = precision
        inference = model.inferenceWeights(precision)
    }

    /// Trainable values in the model, e.g. 410,516.
    public var parameterCount: Int { model.parameterCount }

    /// The longest source the model reads, in tokens: longer sentences are cut to it.
    public var maxTokens: Int { model.config.maxLength }

    /// Which language's tokenizer: the source (what the encoder reads) or the target.
    public enum Side: Sendable { case source, target }

    /// The vocabulary pieces `side`'s tokenizer makes of `text`, e.g. ["▁L'", "homme", "."]:
    /// what the model reads (`<unk>` for a piece outside the vocabulary).
    public func pieces(_ text: String, side: Side = .source) -> [String] {
        let tokenizer = side == .source ? tokenizers.source : tokenizers.target
        return tokenizer.pieces(tokenizer.encode(text))
    }

    /// Translates `sentences` (one translation per sentence, in order; an empty sentence gives
    /// an empty translation). Sentences are batched by length; each is translated as it would
    /// be alone.
    public func translate(_ sentences: [String], _ options: TranslationOptions = TranslationOptions()) -> [Translation] {
        let all = sentences.map { tokenizers.source.encode($0) }
        let ids = all.map { Array($0.prefix(maxTokens)) }
        let limit = options.outputLimit
        guard let beam = options.beam else {
            let outputs = translateGreedy(model, ids, batchSentences: options.batchSize ?? 64, maxLength: limit, weights: inference)
            return zip(all, outputs).map { source, out in
                Translation(hypotheses: [Hypothesis(text: source.isEmpty ? "" : tokenizers.target.decode(out), tokens: out, score: nil)],
                            sourceTokens: source.count)
            }
        }
        let results = translateBeam(model, ids, beam: beam, lengthPenalty: options.lengthPenalty, nBest: options.nBest,
                                    batchSentences: options.batchSize ?? max(1, 64 / beam), maxLength: limit, weights: inference)
        return zip(all, results).map { source, hyps in
            // An empty source translates to one empty hypothesis (score 0), as greedy gives "".
            let found = source.isEmpty ? [Hypothesis(text: "", tokens: hyps.first?.tokens ?? [], score: 0)]
                : hyps.map { Hypothesis(text: tokenizers.target.decode($0.tokens), tokens: $0.tokens, score: $0.score) }
            return Translation(hypotheses: found, sourceTokens: source.count)
        }
    }

    /// What attention did while translating `sentence` into `translation` (its best hypothesis,
    /// teacher-forced): every attention map of every layer and head, each output token's
    /// probability and runners-up, and a close-up of one query that `chooseFocus` picks after
    /// seeing the maps (nil: none). `options` must be those the translation was made with (they
    /// say whether it stopped by itself or at the length limit).
    public func explain(_ sentence: String, translation: Translation, options: TranslationOptions = TranslationOptions(),
                        chooseFocus: ([Explanation.AttentionMap]) throws -> ExplainFocus?) throws -> Explanation {
        let output = translation.hypotheses.first?.tokens ?? []
        let finished = output.count < options.outputLimit(min(translation.sourceTokens, maxTokens))
        return try Training.explain(model: model, tokenizers: tokenizers, source: sentence, output: output, finished: finished,
                                    chooseFocus: chooseFocus)
    }

    /// `explain` with a fixed close-up (or none): translates `sentence` greedily first.
    public func explain(_ sentence: String, focus: ExplainFocus? = nil) throws -> Explanation {
        try explain(sentence, translation: translate([sentence])[0], chooseFocus: { _ in focus })
    }

    /// Percentage of `hypotheses` equal to their reference after the target tokenizer's
    /// normalisation (what a perfect model would produce), e.g. 98.0; 0 for none.
    public func exactMatch(hypotheses: [String], references: [String]) -> Double {
        exactMatchPercent(hypotheses: hypotheses, references: references, normalizer: tokenizers.target.normalizer)
    }
}

/// How `Translator.translate` searches.
public struct TranslationOptions: Sendable {
    /// nil: greedy decoding (the most probable token at each step). K: beam search keeping K
    /// hypotheses per sentence, which also reports each hypothesis' score.
    public var beam: Int?
    /// With beam search: how many hypotheses to return per sentence, best first (≤ `beam`).
    public var nBest: Int
    /// With beam search: finished hypotheses rank by log-probability / (tokens + 1)^penalty
    /// (1 = per-token average, 0 = raw log-probability).
    public var lengthPenalty: Double
    /// A translation stops after `maxLengthRatio` × source tokens + 10 tokens (at most the
    /// model's maximum length).
    public var maxLengthRatio: Double
    /// Sentences decoded together (default 64, or 64 / beam): speed only, never the result.
    public var batchSize: Int?

    /// Greedy decoding unless `beam` is given; defaults as `translate`'s.
    public init(beam: Int? = nil, nBest: Int = 1, lengthPenalty: Double = 1, maxLengthRatio: Double = 2, batchSize: Int? = nil) {
        (self.beam, self.nBest, self.lengthPenalty) = (beam.map { max(1, $0) }, max(1, nBest), lengthPenalty)
        (self.maxLengthRatio, self.batchSize) = (maxLengthRatio, batchSize)
    }

    /// The output length limit for a source of `tokens` tokens.
    var outputLimit: @Sendable (Int) -> Int {
        let ratio = maxLengthRatio
        return { Int(Double($0) * ratio) + 10 }
    }
}

/// The translation of one sentence.
public struct Translation: Sendable {
    /// The hypotheses found, best first: one with greedy decoding, up to `nBest` with beam search.
    public let hypotheses: [Hypothesis]
    /// Tokens of the source sentence; more than `Translator.maxTokens` means it was cut.
    public let sourceTokens: Int
    /// The best hypothesis' text.
    public var text: String { hypotheses.first?.text ?? "" }
}

/// One candidate translation.
public struct Hypothesis: Sendable {
    /// The translation, detokenised.
    public let text: String
    /// Its target token ids, without `<s>` and `</s>`.
    public let tokens: [Int32]
    /// With beam search: log P(tokens, `</s>`) / (tokens + 1)^lengthPenalty; nil for greedy.
    public let score: Double?
}
