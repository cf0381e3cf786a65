import Engine
import Foundation
import Model

// Shape legend: H heads, T query positions, S key positions, K = D/H width of one head,
// D model width.

/// The vectors behind one attention's weights, as the forward pass computed them for one
/// sentence: what the attention explorer (`translate --explain-html`) shows step by step.
///
/// Every number here is an activation, recomputed for each sentence. The matrices that make
/// them (W_Q, W_K, W_V, W_O) are parameters, the same for every sentence.
public struct AttentionVectors: Codable, Sendable {
    /// queries[h][t]: head h's query at query position t, K numbers (a slice of X·W_Qᵀ + b_Q).
    public var queries: [[[Float]]]   // [H, T, K]
    /// keys[h][s]: head h's key of key position s.
    public var keys: [[[Float]]]      // [H, S, K]
    /// values[h][s]: head h's value of key position s.
    public var values: [[[Float]]]    // [H, S, K]
    /// merged[t]: the heads' outputs Σ_s weight·value side by side (head h in h·K ..< (h+1)·K),
    /// before W_O.
    public var merged: [[Float]]      // [T, D]
    /// output[t]: W_O·merged[t] + b_O, what the attention adds to the residual stream.
    public var output: [[Float]]      // [T, D]

    /// Reads one sentence (batch row 0) from what `ForwardContext.observer` reported for one
    /// attention; nil when a tensor is missing.
    init?(observed: [String: Tensor]) {
        guard let q = observed["queries"], let k = observed["keys"], let v = observed["values"],
              let m = observed["merged"], let o = observed["output"] else { return nil }
        func heads(_ t: Tensor) -> [[[Float]]] {
            let (h, l, d) = (t.dim(1), t.dim(2), t.dim(3))
            return (0..<h).map { hh in (0..<l).map { i in Array(UnsafeBufferPointer(start: t.data + (hh * l + i) * d, count: d)) } }
        }
        func rows(_ t: Tensor) -> [[Float]] {
            let (l, d) = (t.dim(1), t.dim(2))
            return (0..<l).map { i in Array(UnsafeBufferPointer(start: t.data + i * d, count: d)) }
        }
        (queries, keys, values, merged, output) = (heads(q), heads(k), heads(v), rows(m), rows(o))
    }
}

/// visible[t][s] from an additive mask that broadcasts to [1, H, T, S] (a causal mask has T
/// rows, a padding mask one); nil when nothing is hidden.
func visibility(_ mask: Tensor, queries: Int, keys: Int) -> [[Bool]]? {
    let rows = mask.rank >= 2 ? mask.dim(-2) : 1
    let grid = (0..<queries).map { t in (0..<keys).map { s in mask.data[(rows == 1 ? 0 : t) * keys + s].isFinite } }
    return grid.allSatisfy { $0.allSatisfy { $0 } } ? nil : grid
}

/// What `translate --explain-json` writes: a version, the model's shape, and one explanation
/// per sentence. docs/EXPLAIN-JSON.md describes every field.
public struct ExplainDocument: Codable, Sendable {
    /// 2: the current schema (sentences, vectors, `top`, `visible`, `layer`); version 1 was one
    /// bare `Explanation` without them.
    public static let currentVersion = 2
    public var version: Int
    public var model: ExplainModelInfo
    public var sentences: [Explanation]

    public init(model: ExplainModelInfo, sentences: [Explanation]) {
        version = Self.currentVersion
        self.model = model
        self.sentences = sentences
    }

    /// The document as JSON, keys sorted; infinities (the masked scores of a close-up) are
    /// written as the strings "inf" and "-inf" since JSON has no number for them.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(self)
    }
}

/// The shape of the model that was explained, and how it was trained where that matters to
/// reading its numbers (label smoothing caps the probabilities it learned to give).
public struct ExplainModelInfo: Codable, Sendable {
    /// The checkpoint file, e.g. "checkpoints/demo/best.safetensors".
    public var checkpoint: String
    /// The training step it was saved at, when known.
    public var step: Int?
    public var modelDim: Int
    public var heads: Int
    /// d_k = modelDim / heads, the width of one head's query, key and value.
    public var headDim: Int
    public var encoderLayers: Int
    public var decoderLayers: Int
    public var sourceVocabularySize: Int
    public var targetVocabularySize: Int
    /// ε of the label-smoothed loss it was trained with, e.g. 0.1; nil when unknown.
    public var labelSmoothing: Float?

    public init(config: ModelConfig, checkpoint: String, step: Int?, labelSmoothing: Float?) {
        self.checkpoint = checkpoint
        self.step = step
        modelDim = config.modelDim
        heads = config.heads
        headDim = config.modelDim / max(1, config.heads)
        encoderLayers = config.encoderLayers
        decoderLayers = config.decoderLayers
        sourceVocabularySize = config.sourceVocabSize
        targetVocabularySize = config.targetVocabSize
        self.labelSmoothing = labelSmoothing
    }
}
