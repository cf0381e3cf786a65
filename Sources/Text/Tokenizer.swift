/// Turns text into token ids and back.
///
/// `encode` normalises its input first and adds no `<s>`/`</s>` (the batcher does that).
/// For any text whose pieces are all known, `decode(encode(x)) == normalizer.normalize(x)`.
public protocol Tokenizer: Sendable {
    /// The id table, with the special tokens at ids 0...3.
    var vocabulary: Vocabulary { get }
    /// The normalisation `encode` applies.
    var normalizer: Normalizer { get }
    /// Token ids of `text` (normalised first).
    func encode(_ text: String) -> [Int32]
    /// Text of `ids`: `<pad>`, `<s>` and `</s>` are dropped, `<unk>` is written as "<unk>",
    /// out-of-range ids are ignored.
    func decode(_ ids: [Int32]) -> String
}

extension Tokenizer {
    /// The token strings of `ids`, for inspection and debugging (unknown ids show as "<?>").
    public func pieces(_ ids: [Int32]) -> [String] {
        ids.map { vocabulary.token($0) ?? "<?>" }
    }

    /// The piece strings `decode` concatenates: specials other than `<unk>` and bad ids dropped.
    func decodablePieces(_ ids: [Int32]) -> [String] {
        var out: [String] = []
        out.reserveCapacity(ids.count)
        for id in ids {
            if id == SpecialTokens.unknown {
                out.append(SpecialTokens.strings[1])
            } else if !SpecialTokens.contains(id), let t = vocabulary.token(id) {
                out.append(t)
            }
        }
        return out
    }
}

/// A tokenizer of either kind, `Codable` so it can be stored in a checkpoint and restored exactly.
public enum AnyTokenizer: Tokenizer, Codable {
    case word(WordTokenizer)
    case bpe(BPETokenizer)

    private var base: any Tokenizer {
        switch self {
        case .word(let t): return t
        case .bpe(let t): return t
        }
    }

    /// The id <-> piece table.
    public var vocabulary: Vocabulary { base.vocabulary }
    /// How text is normalised before it is cut into pieces.
    public var normalizer: Normalizer { base.normalizer }
    /// Token ids of `text` (no `<s>`/`</s>`).
    public func encode(_ text: String) -> [Int32] { base.encode(text) }
    /// The normalised text of `ids` (special tokens dropped).
    public func decode(_ ids: [Int32]) -> String { base.decode(ids) }

    private enum CodingKeys: String, CodingKey { case kind, model }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try c.decode(String.self, forKey: .kind)
        switch kind {
        case "word": self = .word(try c.decode(WordTokenizer.self, forKey: .model))
        case "bpe": self = .bpe(try c.decode(BPETokenizer.self, forKey: .model))
        default: throw TextError.invalidTokenizerJSON(reason: "unknown tokenizer kind \"\(kind)\" (expected word or bpe)")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .word(let t):
            try c.encode("word", forKey: .kind)
            try c.encode(t, forKey: .model)
        case .bpe(let t):
            try c.encode("bpe", forKey: .kind)
            try c.encode(t, forKey: .model)
        }
    }
}
