/// The architecture of an encoder-decoder Transformer: everything needed to rebuild the model
/// from a checkpoint's tensors. Stored as JSON in the checkpoint's metadata.
public struct ModelConfig: Codable, Equatable, Sendable {
    /// Source vocabulary size, e.g. 1000.
    public var sourceVocabSize: Int
    /// Target vocabulary size, e.g. 1000.
    public var targetVocabSize: Int
    /// Width of every token vector (D), e.g. 128. Must be divisible by `heads`.
    public var modelDim: Int = 128
    /// Attention heads (H), e.g. 4; each head works in D/H dimensions (K).
    public var heads: Int = 4
    /// Encoder layers, e.g. 3.
    public var encoderLayers: Int = 3
    /// Decoder layers, e.g. 3.
    public var decoderLayers: Int = 3
    /// Hidden width of the position-wise feed-forward block (F), e.g. 512.
    public var feedForwardDim: Int = 512
    /// Dropout on embeddings, attention weights, feed-forward hidden units and residual
    /// branches during training, e.g. 0.1.
    public var dropout: Float = 0.1
    /// Longest sequence (in tokens, incl. <s>/</s>) the positional table covers, e.g. 256.
    public var maxLength: Int = 256
    /// Use the target embedding matrix as the output projection (no separate `output.weight`), e.g. false.
    public var tieOutputEmbedding: Bool = false
    /// Layer norm epsilon, e.g. 1e-5 (PyTorch's default).
    public var layerNormEpsilon: Float = 1e-5
    /// One embedding matrix for source and target tokens (needs one shared vocabulary, so
    /// V_s = V_t): the checkpoint holds `encoder.embedding.weight` only and the decoder reads it
    /// too. With `tieOutputEmbedding` it is also the output projection ("three-way tying",
    /// fairseq's `--share-all-embeddings`). Saved only when true, so older files read as false.
    public var shareEmbeddings: Bool = false
    /// The token id that only fills a batch row to length: attention masks hide it as a key and
    /// the loss ignores it as a target. The model does not define the special tokens; Training
    /// passes Text's `SpecialTokens.pad` (0, the value every checkpoint of this format uses, so
    /// it is not saved: `CodingKeys` leaves it out).
    public var padding: Int32 = 0

    private enum CodingKeys: String, CodingKey {
        case sourceVocabSize, targetVocabSize, modelDim, heads, encoderLayers, decoderLayers, feedForwardDim,
             dropout, maxLength, tieOutputEmbedding, layerNormEpsilon, shareEmbeddings
    }

    /// Reads the keys of `CodingKeys`; `shareEmbeddings` may be absent (files from before it).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sourceVocabSize = try c.decode(Int.self, forKey: .sourceVocabSize)
        targetVocabSize = try c.decode(Int.self, forKey: .targetVocabSize)
        modelDim = try c.decode(Int.self, forKey: .modelDim)
        heads = try c.decode(Int.self, forKey: .heads)
        encoderLayers = try c.decode(Int.self, forKey: .encoderLayers)
        decoderLayers = try c.decode(Int.self, forKey: .decoderLayers)
        feedForwardDim = try c.decode(Int.self, forKey: .feedForwardDim)
        dropout = try c.decode(Float.self, forKey: .dropout)
        maxLength = try c.decode(Int.self, forKey: .maxLength)
        tieOutputEmbedding = try c.decode(Bool.self, forKey: .tieOutputEmbedding)
        layerNormEpsilon = try c.decode(Float.self, forKey: .layerNormEpsilon)
        shareEmbeddings = try c.decodeIfPresent(Bool.self, forKey: .shareEmbeddings) ?? false
    }

    /// Writes the keys of `CodingKeys`, `shareEmbeddings` only when true (a file without shared
    /// embeddings reads exactly as before the option existed).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sourceVocabSize, forKey: .sourceVocabSize)
        try c.encode(targetVocabSize, forKey: .targetVocabSize)
        try c.encode(modelDim, forKey: .modelDim)
        try c.encode(heads, forKey: .heads)
        try c.encode(encoderLayers, forKey: .encoderLayers)
        try c.encode(decoderLayers, forKey: .decoderLayers)
        try c.encode(feedForwardDim, forKey: .feedForwardDim)
        try c.encode(dropout, forKey: .dropout)
        try c.encode(maxLength, forKey: .maxLength)
        try c.encode(tieOutputEmbedding, forKey: .tieOutputEmbedding)
        try c.encode(layerNormEpsilon, forKey: .layerNormEpsilon)
        if shareEmbeddings { try c.encode(true, forKey: .shareEmbeddings) }
    }

    /// A configuration; the defaults are `train`'s preset (tied output aside).
    public init(sourceVocabSize: Int, targetVocabSize: Int, modelDim: Int = 128, heads: Int = 4,
                encoderLayers: Int = 3, decoderLayers: Int = 3, feedForwardDim: Int = 512,
                dropout: Float = 0.1, maxLength: Int = 256, tieOutputEmbedding: Bool = false, padding: Int32 = 0) {
        self.sourceVocabSize = sourceVocabSize
        self.targetVocabSize = targetVocabSize
        self.modelDim = modelDim
        self.heads = heads
        self.encoderLayers = encoderLayers
        self.decoderLayers = decoderLayers
        self.feedForwardDim = feedForwardDim
        self.dropout = dropout
        self.maxLength = maxLength
        self.tieOutputEmbedding = tieOutputEmbedding
        self.padding = padding
    }

    /// Problems that make this configuration unusable, as messages naming the setting and a fix.
    public var problems: [String] {
        var out: [String] = []
        for (name, v) in [("the model width", modelDim), ("heads", heads), ("the feed-forward width", feedForwardDim),
                          ("the maximum length", maxLength), ("the source vocabulary", sourceVocabSize),
                          ("the target vocabulary", targetVocabSize)] where v <= 0 {
            out.append("\(name) must be positive, got \(v)")
        }
        for (name, v) in [("encoder layers", encoderLayers), ("decoder layers", decoderLayers)] where v < 0 {
            out.append("\(name) must be zero or more, got \(v)")
        }
        if heads > 0 && modelDim % heads != 0 {
            out.append("the model width \(modelDim) is not divisible by heads \(heads): pick a multiple of \(heads), e.g. \(max(heads, modelDim / heads * heads)), or a number of heads that divides \(modelDim)")
        }
        if !(dropout >= 0 && dropout < 1) { out.append("dropout must be in [0, 1), got \(dropout)") }
        if shareEmbeddings && sourceVocabSize != targetVocabSize {
            out.append("shared embeddings need one vocabulary for both languages, but the source has \(sourceVocabSize) tokens and the target \(targetVocabSize): learn a shared vocabulary")
        }
        return out
    }
}
