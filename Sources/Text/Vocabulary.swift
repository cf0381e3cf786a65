/// The id <-> token-string table shared by all tokenizers, starting with the `SpecialTokens` at
/// their fixed ids.
public struct Vocabulary: Sendable, Equatable {
    /// Every token string; `tokens[id]` is the string of `id`.
    public private(set) var tokens: [String]
    private var index: [String: Int32]

    /// A vocabulary of the special tokens followed by `tokens` in order (duplicates and strings
    /// equal to a special token are dropped, so ids stay dense).
    public init(tokens: [String]) {
        self.tokens = []
        self.index = [:]
        for t in SpecialTokens.strings + tokens { add(t) }
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

    /// Number of tokens including the special ones.
    public var count: Int { tokens.count }

    /// The id of `token`, or nil if it is not in the vocabulary.
    public func id(_ token: String) -> Int32? { index[token] }

    /// The string of `id`, or nil if out of range.
    public func token(_ id: Int32) -> String? {
        id >= 0 && Int(id) < tokens.count ? tokens[Int(id)] : nil
    }

}

extension Vocabulary: Codable {
    private enum CodingKeys: String, CodingKey { case tokens }

    /// Only the token list is stored; the index is rebuilt. Rejects lists whose first four
    /// entries are not the special tokens or that contain duplicates, since ids would shift.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let list = try c.decode([String].self, forKey: .tokens)
        let special = SpecialTokens.strings
        guard Array(list.prefix(special.count)) == special else {
            throw TextError.invalidTokenizerJSON(reason: "vocabulary does not start with \(special)")
        }
        self.init(tokens: Array(list.dropFirst(special.count)))
        guard tokens.count == list.count else {
            throw TextError.invalidTokenizerJSON(reason: "vocabulary contains duplicate tokens")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tokens, forKey: .tokens)
    }
}
