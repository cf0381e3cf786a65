/// Options for chrF / chrF++. The defaults are sacreBLEU's `corpus_chrf` defaults (chrF2).
public struct CHRFConfig: Codable, Sendable, Equatable {
    /// Highest character n-gram order, e.g. 6 (sacreBLEU's `char_order`). Must be 1...16.
    public var charOrder: Int = 6
    /// Highest word n-gram order, e.g. 0 for chrF or 2 for chrF++ (`word_order`). Must be 0...8.
    public var wordOrder: Int = 0
    /// Weight of recall over precision, e.g. 2 (`beta`). Must be 0...100.
    public var beta: Int = 2
    /// Keep whitespace inside character n-grams, e.g. false (sacreBLEU's `whitespace`, i.e.
    /// `remove_whitespace = False`; signature `space:yes`).
    public var includeWhitespace: Bool = false
    /// Average per-order F-scores with chrF++.py's epsilon smoothing instead of sacreBLEU's
    /// default effective-order averaging, e.g. false (`eps_smoothing`; signature `eff:no`).
    public var epsSmoothing: Bool = false
    /// Compare case-insensitively, e.g. false (`lowercase`), as Python's
    /// `str.lower()`, final sigma included.
    public var lowercase: Bool = false

    public init(charOrder: Int = 6, wordOrder: Int = 0, beta: Int = 2, includeWhitespace: Bool = false,
                epsSmoothing: Bool = false, lowercase: Bool = false) {
        self.charOrder = charOrder
        self.wordOrder = wordOrder
        self.beta = beta
        self.includeWhitespace = includeWhitespace
        self.epsSmoothing = epsSmoothing
        self.lowercase = lowercase
    }

    /// Decodes a partial JSON object: absent fields keep their defaults.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = CHRFConfig()
        charOrder = try c.decodeIfPresent(Int.self, forKey: .charOrder) ?? d.charOrder
        wordOrder = try c.decodeIfPresent(Int.self, forKey: .wordOrder) ?? d.wordOrder
        beta = try c.decodeIfPresent(Int.self, forKey: .beta) ?? d.beta
        includeWhitespace = try c.decodeIfPresent(Bool.self, forKey: .includeWhitespace) ?? d.includeWhitespace
        epsSmoothing = try c.decodeIfPresent(Bool.self, forKey: .epsSmoothing) ?? d.epsSmoothing
        lowercase = try c.decodeIfPresent(Bool.self, forKey: .lowercase) ?? d.lowercase
    }

    /// chrF2, sacreBLEU's default.
    public static let chrF = CHRFConfig()
    /// chrF++ (chrF2 with word unigrams and bigrams).
    public static let chrFPlusPlus = CHRFConfig(wordOrder: 2)

    func validate() throws {
        guard (1...16).contains(charOrder) else {
            throw MetricsError.invalidConfig(field: "charOrder", value: "\(charOrder)",
                                             expected: "between 1 and 16 (sacreBLEU's default is 6)")
        }
        guard (0...8).contains(wordOrder) else {
            throw MetricsError.invalidConfig(field: "wordOrder", value: "\(wordOrder)",
                                             expected: "between 0 and 8 (0 for chrF, 2 for chrF++)")
        }
        guard (0...100).contains(beta) else {
            throw MetricsError.invalidConfig(field: "beta", value: "\(beta)",
                                             expected: "between 0 and 100 (sacreBLEU's default is 2)")
        }
    }
}
