import Foundation

/// How to build the tokenizer(s) for a translation corpus; stored with checkpoints.
public struct TokenizerSpec: Codable, Sendable, Equatable {
    /// Word-level ids or BPE subwords.
    public enum Kind: String, Codable, Sendable {
        /// One token per word or punctuation run.
        case word
        /// Byte-pair-encoding subwords over Unicode scalars.
        case bpe
    }

    /// Tokenizer kind, e.g. "bpe".
    public var kind: Kind
    /// BPE merges to learn, e.g. 8000 (vocabulary ≈ alphabet + merges + 4). Ignored for word.
    public var merges: Int
    /// Word: minimum count for a word to get its own id, e.g. 2. BPE: minimum count for a
    /// character to join the alphabet, e.g. 2; rarer ones become `<unk>`.
    public var minFrequency: Int
    /// Word only: vocabulary size cap including the special tokens, e.g. 32000.
    public var maxVocabularySize: Int
    /// Lowercase all text before tokenising, e.g. false.
    public var lowercase: Bool
    /// One model learned on source and target text together, e.g. true (lets the model tie
    /// embeddings); false learns a separate model for each side.
    public var shared: Bool

    /// A tokenizer recipe; see the properties for what each setting does.
    public init(kind: Kind = .bpe, merges: Int = 8000, minFrequency: Int = 2,
                maxVocabularySize: Int = 32000, lowercase: Bool = false, shared: Bool = true) {
        self.kind = kind
        self.merges = merges
        self.minFrequency = minFrequency
        self.maxVocabularySize = maxVocabularySize
        self.lowercase = lowercase
        self.shared = shared
    }

    /// The normaliser this spec implies (NFC, whitespace collapse, optional lowercasing).
    public var normalizer: Normalizer { Normalizer(nfc: true, lowercase: lowercase, collapseWhitespace: true) }

    /// Learns one tokenizer from `texts`.
    public func learn(from texts: [String]) throws -> AnyTokenizer {
        guard merges >= 0 else { throw TextError.invalidConfig(field: "merges", reason: "must be ≥ 0, got \(merges)") }
        guard maxVocabularySize > SpecialTokens.strings.count else {
            throw TextError.invalidConfig(field: "maxVocabularySize", reason: "must exceed 4 (the special tokens), got \(maxVocabularySize)")
        }
        switch kind {
        case .word:
            guard texts.contains(where: { !$0.isEmpty }) else { throw TextError.emptyTrainingText }
            return .word(WordTokenizer.learn(from: texts, normalizer: normalizer, minFrequency: minFrequency,
                                             maxVocabularySize: maxVocabularySize))
        case .bpe:
            return .bpe(try BPETokenizer.learn(from: texts, merges: merges, minCharFrequency: minFrequency,
                                               normalizer: normalizer))
        }
    }
}

/// The source and target tokenizers of a translation model (the same one when `spec.shared`),
/// serialisable to one JSON string for a checkpoint's metadata.
public struct TokenizerPair: Codable, Sendable {
    /// The recipe both were learned with.
    public let spec: TokenizerSpec
    /// The source language's tokenizer.
    public let source: AnyTokenizer
    /// The target language's tokenizer (the same as `source` with a shared vocabulary).
    public let target: AnyTokenizer

    /// A pair of tokenizers learned with `spec`.
    public init(spec: TokenizerSpec, source: AnyTokenizer, target: AnyTokenizer) {
        self.spec = spec
        self.source = source
        self.target = target
    }

    /// Learns the tokenizer(s) `spec` describes from the pairs of `corpus`.
    public static func learn(spec: TokenizerSpec, corpus: ParallelCorpus) throws -> TokenizerPair {
        let sources = corpus.pairs.map(\.source)
        let targets = corpus.pairs.map(\.target)
        if spec.shared {
            let t = try spec.learn(from: sources + targets)
            return TokenizerPair(spec: spec, source: t, target: t)
        }
        return TokenizerPair(spec: spec, source: try spec.learn(from: sources), target: try spec.learn(from: targets))
    }

    private enum CodingKeys: String, CodingKey { case spec, source, target }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        spec = try c.decode(TokenizerSpec.self, forKey: .spec)
        source = try c.decode(AnyTokenizer.self, forKey: .source)
        // A shared model is stored once.
        target = try c.decodeIfPresent(AnyTokenizer.self, forKey: .target) ?? source
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(spec, forKey: .spec)
        try c.encode(source, forKey: .source)
        if !spec.shared { try c.encode(target, forKey: .target) }
    }

    /// Compact JSON of the spec and learned model(s), for a checkpoint's string metadata.
    public func jsonString() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(self)
        return String(decoding: data, as: UTF8.self)
    }

    /// Restores tokenizers saved with `jsonString()`; they encode identically to the originals.
    public init(jsonString: String) throws {
        do {
            self = try JSONDecoder().decode(TokenizerPair.self, from: Data(jsonString.utf8))
        } catch let e as TextError {
            throw e
        } catch {
            throw TextError.invalidTokenizerJSON(reason: "\(error)")
        }
    }
}
