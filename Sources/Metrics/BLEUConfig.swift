/// The version of sacreBLEU whose algorithms and signature strings this module reproduces.
/// Scores are "computed as sacreBLEU 2.6.0"; the golden tests were recorded with that release.
public let sacreBLEUVersion = "2.6.0"

/// How BLEU treats an n-gram order with no matches (Chen & Cherry 2014, as named by sacreBLEU).
public enum BLEUSmoothing: String, Codable, Sendable, CaseIterable {
    /// No smoothing: one order without matches makes BLEU 0.
    case none
    /// Method 1: a zero match count becomes `smoothValue` (default 0.1).
    case floor
    /// Method 2: adds `smoothValue` (default 1) to matches and totals of orders 2 and up.
    case addK = "add-k"
    /// Method 3, mteval-v13a's: the k-th order without matches gets precision 1 / (2^k · total).
    case exp

    /// sacreBLEU's default `smooth_value` for methods that take one.
    var defaultValue: Double? {
        switch self {
        case .floor: return 0.1
        case .addK: return 1
        case .none, .exp: return nil
        }
    }
}

/// Options for BLEU. The defaults are sacreBLEU's `corpus_bleu` defaults; `.sentence` gives
/// `sentence_bleu`'s (effective order on).
public struct BLEUConfig: Codable, Sendable, Equatable {
    /// Highest n-gram order counted, e.g. 4 (sacreBLEU's `max_ngram_order`). Must be 1...8.
    public var maxNgramOrder: Int = 4
    /// Zero-match smoothing, e.g. `.exp` (sacreBLEU's `smooth_method`).
    public var smoothing: BLEUSmoothing = .exp
    /// Value for `.floor` / `.addK`, e.g. 0.1; nil uses sacreBLEU's default for the method.
    public var smoothValue: Double? = nil
    /// Average only the orders the hypothesis has n-grams for, e.g. false for corpus BLEU and
    /// true for sentence BLEU, so short sentences are not scored 0 (sacreBLEU's `effective_order`).
    public var effectiveOrder: Bool = false
    /// Compare case-insensitively, e.g. false (sacreBLEU's `lowercase`, signature `case:lc`).
    /// Lowercasing follows Python's `str.lower()`, final sigma included.
    public var lowercase: Bool = false

    public init(maxNgramOrder: Int = 4, smoothing: BLEUSmoothing = .exp, smoothValue: Double? = nil,
                effectiveOrder: Bool = false, lowercase: Bool = false) {
        self.maxNgramOrder = maxNgramOrder
        self.smoothing = smoothing
        self.smoothValue = smoothValue
        self.effectiveOrder = effectiveOrder
        self.lowercase = lowercase
    }

    /// Decodes a partial JSON object: absent fields keep their defaults.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = BLEUConfig()
        maxNgramOrder = try c.decodeIfPresent(Int.self, forKey: .maxNgramOrder) ?? d.maxNgramOrder
        smoothing = try c.decodeIfPresent(BLEUSmoothing.self, forKey: .smoothing) ?? d.smoothing
        smoothValue = try c.decodeIfPresent(Double.self, forKey: .smoothValue)
        effectiveOrder = try c.decodeIfPresent(Bool.self, forKey: .effectiveOrder) ?? d.effectiveOrder
        lowercase = try c.decodeIfPresent(Bool.self, forKey: .lowercase) ?? d.lowercase
    }

    /// sacreBLEU's `corpus_bleu` defaults.
    public static let corpus = BLEUConfig()
    /// sacreBLEU's `sentence_bleu` defaults: as corpus, with effective order.
    public static let sentence = BLEUConfig(effectiveOrder: true)

    func validate() throws {
        guard (1...8).contains(maxNgramOrder) else {
            throw MetricsError.invalidConfig(field: "maxNgramOrder", value: "\(maxNgramOrder)",
                                             expected: "between 1 and 8 (sacreBLEU's default is 4)")
        }
        if let v = smoothValue, !(v.isFinite && v >= 0) {
            throw MetricsError.invalidConfig(field: "smoothValue", value: "\(v)",
                                             expected: "a finite number >= 0, or nil for the default")
        }
    }
}
