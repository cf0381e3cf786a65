import Foundation
import Model
import Text
import Training

/// A trained translation model loaded from a checkpoint, with its tokenizers: translate
/// sentences (greedy or beam search) and explain what attention did for one of them.
///
///     let translator = try Translator(checkpoint: "checkpoints/demo")
///     let french = translator.translate(["Is the shirt new?"])[0].text
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
    /// ε of the label smoothing the model was trained with (caps its confidence), if known.
    let labelSmoothing: Float?
    /// Which of the file's weights are in use: `.average` when the run averaged its weights
    /// (`TrainConfig.emaDecay`) and they were loaded, `.raw` for the raw training weights (of an
    /// averaged run, or of a run without averaging, whose only weights they are).
    public let weights: Weights
    /// Which weights of a checkpoint to translate with.
    public enum Weights: Sendable {
        /// The weights a run's validation scored and saved under the model's own names: the
        /// average of an averaged run, else the raw weights.
        case average
        /// The raw training weights; an averaged run keeps them as `raw.<name>`.
        case raw
    }
    /// The source tokenizer's characters, for `coverage`.
    private lazy var knownScalars: Set<Unicode.Scalar> = {
        var known = Set<Unicode.Scalar>()
        for token in tokenizers.source.vocabulary.tokens.dropFirst(SpecialTokens.strings.count) {
            known.formUnion(token.unicodeScalars)
        }
        known.remove("\u{2581}")
        return known
    }()
    /// The weights in the decoding kernels' layouts, built once: a loaded model never changes.
    let inference: Transformer.InferenceWeights

    /// Loads `path`: a `.safetensors` checkpoint written by training, or a training folder (its
    /// best checkpoint, else its latest). Every checksum is verified and the model is rebuilt
    /// from the file alone; a damaged or mismatched file throws an error naming the file and the
    /// problem. `rawWeights` loads the raw training weights an averaged run keeps beside the
    /// average (`raw.*`); it throws, saying so, for a file that has none. `precision` says how
    /// translation holds the weights (see `precision`).
    public init(checkpoint path: String, rawWeights: Bool = false, precision: InferencePrecision = .float32) throws {
        let loaded = try loadCheckpoint(path, optimizerState: false, rawWeights: rawWeights)
        (url, step, model, tokenizers) = (loaded.url, loaded.state?.step, loaded.model, loaded.tokenizers)
        labelSmoothing = loaded.trainConfig?.labelSmoothing
        weights = loaded.hasRawWeights && !rawWeights ? .average : .raw
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
        if let sampling = options.sampling {
            return sample(all, ids, sampling, options)
        }
        guard let beam = options.beam else {
            var outputs = translateGreedy(model, ids, batchSentences: options.batchSize ?? 64, maxLength: limit, weights: inference)
            // Greedy decoding with the guard picks what plain greedy picks until the guard first
            // bans a token, so only outputs that repeat an n-gram need decoding again.
            let n = options.noRepeatNgram
            let redo = n > 0 ? outputs.indices.filter { hasRepeatedNgram(outputs[$0], n: n) } : []
            if !redo.isEmpty {
                let guarded = translateStepwise(model, redo.map { ids[$0] }, streams: redo.map(UInt64.init), rule: StepRule(noRepeatNgram: n),
                                                batchSentences: options.batchSize ?? 64, maxLength: limit, weights: inference)
                for (k, i) in redo.enumerated() { outputs[i] = guarded[k].tokens }
            }
            return zip(all, outputs).map { source, out in
                Translation(hypotheses: [Hypothesis(text: source.isEmpty ? "" : tokenizers.target.decode(out), tokens: out, score: nil)],
                            sourceTokens: source.count)
            }
        }
        let results = translateBeam(model, ids, beam: beam, lengthPenalty: options.lengthPenalty, nBest: options.nBest,
                                    batchSentences: options.batchSize ?? max(1, 64 / beam), maxLength: limit,
                                    noRepeatNgram: options.noRepeatNgram, weights: inference)
        return zip(all, results).map { source, hyps in
            // An empty source translates to one empty hypothesis (score 0), as greedy gives "".
            let found = source.isEmpty ? [Hypothesis(text: "", tokens: hyps.first?.tokens ?? [], score: 0)]
                : hyps.map { Hypothesis(text: tokenizers.target.decode($0.tokens), tokens: $0.tokens, score: $0.score) }
            return Translation(hypotheses: found, sourceTokens: source.count)
        }
    }

    /// `nBest` samples per sentence; sample k of sentence i draws from its own stream (i, k), so
    /// it does not depend on the batch or on the other sentences.
    private func sample(_ all: [[Int32]], _ ids: [[Int32]], _ sampling: Sampling, _ options: TranslationOptions) -> [Translation] {
        let n = options.nBest
        let rows = ids.indices.flatMap { i in (0..<n).map { (i, $0) } }
        let rule = StepRule(noRepeatNgram: options.noRepeatNgram, temperature: sampling.temperature, seed: sampling.seed)
        let drawn = translateStepwise(model, rows.map { ids[$0.0] }, streams: rows.map { UInt64($0.0) << 20 | UInt64($0.1) }, rule: rule,
                                      batchSentences: options.batchSize ?? 64, maxLength: options.outputLimit, weights: inference)
        return all.indices.map { i in
            let hyps = (0..<n).map { k -> Hypothesis in
                let d = drawn[i * n + k]
                return all[i].isEmpty ? Hypothesis(text: "", tokens: [], score: 0)
                    : Hypothesis(text: tokenizers.target.decode(d.tokens), tokens: d.tokens, score: d.logProb)
            }
            return Translation(hypotheses: hyps, sourceTokens: all[i].count)
        }
    }

    /// How much of `sentence` the model knows: its source pieces and how many are `<unk>`, its
    /// characters (after normalisation, without spaces) and how many never occur in the source
    /// vocabulary, i.e. were absent (or too rare) in the training data. A sentence mostly made of
    /// either (`InputCoverage.isMostlyUnknown`) gets a fluent-looking but meaningless translation.
    public func coverage(_ sentence: String) -> InputCoverage {
        let ids = tokenizers.source.encode(sentence)
        let text = tokenizers.source.normalizer.normalize(sentence)
        var characters = 0, unseenCount = 0
        var unseen: [String] = []
        for c in text where !c.isWhitespace {
            characters += 1
            if !c.unicodeScalars.allSatisfy({ knownScalars.contains($0) }) {
                unseenCount += 1
                if !unseen.contains(String(c)) { unseen.append(String(c)) }
            }
        }
        // A word tokenizer writes an unknown word after a space as "▁" + <unk>: the bare marker
        // is not a piece of the sentence's words.
        let marker = tokenizers.source.vocabulary.id("\u{2581}")
        let words = ids.filter { $0 != marker }
        return InputCoverage(pieces: words.count, unknownPieces: words.filter { $0 == SpecialTokens.unknown }.count,
                             characters: characters, unseenCharacters: unseenCount, unseen: unseen)
    }

    /// The log-probability the model gives each reference translation of `sentences` (teacher-
    /// forced, as Marian's scorer and fairseq's `--score-reference`): per target piece and for
    /// the closing `</s>`. Sentences longer than the model reads are cut as in `translate`.
    public func score(_ sentences: [String], references: [String], batchSize: Int? = nil) -> [ReferenceScore] {
        precondition(sentences.count == references.count, "one reference per sentence")
        let sources = sentences.map { Array(tokenizers.source.encode($0).prefix(maxTokens)) }
        let targets = references.map { tokenizers.target.encode($0) }
        let scores = scoreReferences(model, sources: sources, targets: targets, batchSentences: batchSize ?? 64)
        return zip(targets, scores).map { target, logProbs in
            let cut = logProbs.count <= target.count
            let pieces = tokenizers.target.pieces(Array(target.prefix(logProbs.count))) + (cut ? [] : [SpecialTokens.strings[Int(SpecialTokens.end)]])
            return ReferenceScore(pieces: pieces, tokenLogProbs: logProbs, targetTokens: target.count)
        }
    }

    /// What attention did while translating `sentence` into `translation` (its best hypothesis,
    /// teacher-forced): every attention map of every layer and head, each output token's
    /// probability and runners-up, and a close-up of one query that `chooseFocus` picks after
    /// seeing the maps (nil: none). `options` must be those the translation was made with (they
    /// say whether it stopped by itself or at the length limit).
    /// With `vectors`, every query, key, value and output vector is kept too (what
    /// `--explain-json` and the explorer page show; large for long sentences).
    public func explain(_ sentence: String, translation: Translation, options: TranslationOptions = TranslationOptions(),
                        vectors: Bool = false,
                        chooseFocus: ([Explanation.AttentionMap]) throws -> ExplainFocus?) throws -> Explanation {
        let output = translation.hypotheses.first?.tokens ?? []
        let finished = output.count < options.outputLimit(min(translation.sourceTokens, maxTokens))
        return try Training.explain(model: model, tokenizers: tokenizers, source: sentence, output: output, finished: finished,
                                    chooseFocus: chooseFocus, vectors: vectors)
    }

    /// The model's shape and training facts an explanation is read with (the header of
    /// `--explain-json` and of the explorer page).
    public var explainInfo: ExplainModelInfo {
        ExplainModelInfo(config: model.config, checkpoint: url.path, step: step, labelSmoothing: labelSmoothing)
    }

    /// What `translate --explain-json` writes for `explanations`: a version, the model, the sentences.
    public func explainDocument(_ explanations: [Explanation]) -> ExplainDocument {
        ExplainDocument(model: explainInfo, sentences: explanations)
    }

    /// The attention explorer for `explanations` (made with `vectors: true`): one self-contained
    /// HTML page, no network needed (`translate --explain-html`).
    public func explorerPage(_ explanations: [Explanation]) -> String {
        ExplorerBuilder().page(document: explainDocument(explanations), model: model)
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
    /// Never output the same n-gram of this many tokens twice in a translation (greedy, beam and
    /// sampling; fairseq's `--no-repeat-ngram-size`). 0 = off.
    public var noRepeatNgram: Int
    /// Draw each token from the model's distribution instead of searching (`beam` is then
    /// ignored; `nBest` is the number of samples per sentence). nil: search.
    public var sampling: Sampling?

    /// Greedy decoding unless `beam` is given; defaults as `translate`'s.
    public init(beam: Int? = nil, nBest: Int = 1, lengthPenalty: Double = 1, maxLengthRatio: Double = 2, batchSize: Int? = nil,
                noRepeatNgram: Int = 0, sampling: Sampling? = nil) {
        (self.beam, self.nBest, self.lengthPenalty) = (beam.map { max(1, $0) }, max(1, nBest), lengthPenalty)
        (self.maxLengthRatio, self.batchSize) = (maxLengthRatio, batchSize)
        (self.noRepeatNgram, self.sampling) = (max(0, noRepeatNgram), sampling)
    }

    /// The output length limit for a source of `tokens` tokens.
    var outputLimit: @Sendable (Int) -> Int {
        let ratio = maxLengthRatio
        return { Int(Double($0) * ratio) + 10 }
    }
}

/// Sampling: each next token drawn from softmax(logits / `temperature`).
public struct Sampling: Sendable {
    /// 1 samples the model's own distribution; below 1 sharpens it towards greedy, above 1
    /// flattens it, e.g. 0.7.
    public var temperature: Double
    /// The draws of a given sentence depend on this seed and its position only, e.g. 1.
    public var seed: UInt64

    /// Sampling at `temperature` with `seed`.
    public init(temperature: Double = 1, seed: UInt64 = 1) {
        (self.temperature, self.seed) = (temperature, seed)
    }
}

/// How much of a sentence the model knows (`Translator.coverage`).
public struct InputCoverage: Sendable {
    /// Source pieces of the sentence, e.g. 7.
    public let pieces: Int
    /// Of those, `<unk>`: outside the vocabulary.
    public let unknownPieces: Int
    /// Characters of the normalised sentence, spaces not counted.
    public let characters: Int
    /// Of those, characters the source vocabulary never contains.
    public let unseenCharacters: Int
    /// The distinct unseen characters, in order of appearance, e.g. ["漢", "字"].
    public let unseen: [String]

    /// More than half the pieces unknown, or more than half the characters unseen.
    public var isMostlyUnknown: Bool {
        (pieces > 0 && 2 * unknownPieces > pieces) || (characters > 0 && 2 * unseenCharacters > characters)
    }
}

/// The model's log-probabilities of one reference translation (`Translator.score`).
public struct ReferenceScore: Sendable {
    /// The target pieces scored, then `</s>` (absent when the reference was cut to the model's
    /// maximum length).
    public let pieces: [String]
    /// log P(piece | source, pieces before it), natural logarithm, one per entry of `pieces`.
    public let tokenLogProbs: [Double]
    /// Target pieces of the whole reference (more than `pieces` shows when it was cut).
    public let targetTokens: Int
    /// log P(reference, </s> | source): the sum of `tokenLogProbs`.
    public var logProb: Double { tokenLogProbs.reduce(0, +) }
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
    /// With beam search: log P(tokens, `</s>`) / (tokens + 1)^lengthPenalty; with sampling:
    /// log P(tokens, `</s>`), the model's probability of the sample; nil for greedy.
    public let score: Double?
}
