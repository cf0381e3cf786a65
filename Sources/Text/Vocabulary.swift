/// The id <-> token-string table shared by all tokenizers, with the special tokens at fixed ids
/// so the model, batcher and decoder can rely on them without looking anything up.
public struct Vocabulary: Sendable, Equatable {
    /// Padding, ignored by the loss and attention masks.
    public static let pad: Int32 = 0
    /// Any piece not in the vocabulary.
    public static let unk: Int32 = 1
    /// Beginning of sentence: the decoder's first input.
    public static let bos: Int32 = 2
    /// End of sentence: the decoder's last target.
    public static let eos: Int32 = 3
    /// Strings of the special tokens, in id order.
    public static let specialTokens = ["<pad>", "<unk>", "<s>", "</s>"]

    /// Every token string; `tokens[id]` is the string of `id`.
    public private(set) var tokens: [String]
    private var index: [String: Int32]

    /// A vocabulary of the special tokens followed by `tokens` in order (duplicates and strings
    /// equal to a special token are dropped, so ids stay dense).
    public init(tokens: [String]) {
        self.tokens = []
        self.index = [:]
        for t in Vocabulary.specialTokens + tokens { add(t) }
    }

    /// Adds `token` if absent and returns its id either way.
    @discardableResult
    public mutating func add(_ token: String) -> Int32 {
        if let id = index[token] { return id }
        let id = Int32(tokens.count)
        tokens.append(token)
        index[token] = id
        return id
    }

    /// Number of tokens including the four special ones.
    public var count: Int { tokens.count }

    /// The id of `token`, or nil if it is not in the vocabulary.
    public func id(_ token: String) -> Int32? { index[token] }

    /// The string of `id`, or nil if out of range.
    public func token(_ id: Int32) -> String? {
        id >= 0 && Int(id) < tokens.count ? tokens[Int(id)] : nil
    }

    /// True for `<pad>`, `<unk>`, `<s>` and `</s>`.
    public static func isSpecial(_ id: Int32) -> Bool { id >= 0 && id < 4 }
}

extension Vocabulary: Codable {
    private enum CodingKeys: String, CodingKey { case tokens }

    /// Only the token list is stored; the index is rebuilt. Rejects lists whose first four
    /// entries are not the special tokens or that contain duplicates, since ids would shift.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let list = try c.decode([String].self, forKey: .tokens)
        guard Array(list.prefix(4)) == Vocabulary.specialTokens else {
            throw TextError.invalidTokenizerJSON(reason: "vocabulary does not start with \(Vocabulary.specialTokens)")
        }
        self.init(tokens: Array(list.dropFirst(4)))
        guard tokens.count == list.count else {
            throw TextError.invalidTokenizerJSON(reason: "vocabulary contains duplicate tokens")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tokens, forKey: .tokens)
    }
}
