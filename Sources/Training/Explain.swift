import Engine
import Foundation
import Model
import Text

/// What attention did while translating one sentence: every attention map of every layer and
/// head, the probability of each output token with its closest alternatives, and, for one chosen
/// (layer, head, target position), the full arithmetic of that query: q, each k, q·k/√d_k before
/// and after the mask, the softmax weights, and each value vector's contribution to the output.
/// Codable, so `translate --explain-json` writes exactly these numbers (the schema, version
/// `ExplainDocument.currentVersion`, is documented in docs/EXPLAIN-JSON.md). Layers, heads and
/// positions are numbered from 0, as in the parameter names (`decoder.layers.0`).
public struct Explanation: Codable, Sendable {
    /// The sentence explained, as given.
    public var source: String
    /// Its translation (the output tokens decoded, without `</s>`).
    public var translation: String
    /// Source pieces (the keys of encoder self-attention and cross-attention).
    public var sourceTokens: [String]
    /// Decoder input pieces: `<s>` then the output (the queries of decoder attention).
    public var decoderInputTokens: [String]
    /// Output pieces, ending with `</s>` when the model stopped by itself.
    public var outputTokens: [String]
    /// One entry per output token: its probability and runners-up.
    public var steps: [Step]
    /// Every attention block's weights, in forward order (encoder, then decoder self and cross per layer).
    public var maps: [AttentionMap]
    /// The close-up of one query, if one was chosen.
    public var detail: Detail?

    /// One decoding step: the token chosen and the runners-up.
    public struct Step: Codable, Sendable {
        /// The token chosen at this step.
        public var token: String
        /// Its probability under the model, 0...1.
        public var probability: Float
        /// The most probable tokens other than the chosen one, most probable first.
        public var alternatives: [Alternative]
        /// The k most probable tokens, most probable first (the chosen one among them when it
        /// ranks that high: always with greedy decoding, not always with a beam).
        public var top: [Alternative]
    }

    /// A token the model could have chosen instead.
    public struct Alternative: Codable, Sendable {
        /// The alternative token.
        public var token: String
        /// Its probability under the model, 0...1.
        public var probability: Float
    }

    /// Attention weights of one attention block, per head: weights[h][t][s].
    public struct AttentionMap: Codable, Sendable {
        /// Dotted name, e.g. "decoder.layers.1.cross".
        public var name: String
        /// "encoder self-attention", "decoder masked self-attention" or "cross-attention".
        public var kind: String
        /// The layer, from 0: `decoder.layers.1.cross` is layer 1.
        public var layer: Int
        /// The query positions' pieces (rows of each head's map).
        public var queryTokens: [String]
        /// The key positions' pieces (columns).
        public var keyTokens: [String]
        /// Softmax weights per head, query and key: weights[h][t][s]; each row sums to 1.
        public var weights: [[[Float]]]
        /// visible[t][s]: whether query t may attend to key s (false where the mask adds −∞
        /// before the softmax); nil when every key is visible to every query.
        public var visible: [[Bool]]?
        /// The vectors behind the weights (nil when not asked for).
        public var vectors: AttentionVectors?

        /// Mean over heads: weights[t][s].
        public var averaged: [[Float]] {
            let h = Float(weights.count)
            return weights[0].indices.map { t in weights[0][t].indices.map { s in weights.reduce(0) { $0 + $1[t][s] } / h } }
        }
    }

    /// The arithmetic of one query in one head.
    public struct Detail: Codable, Sendable {
        /// The attention block, e.g. "decoder.layers.1.cross".
        public var map: String
        /// The head, 0-based.
        public var head: Int
        /// The query position, 0-based.
        public var position: Int
        /// The piece at the query position.
        public var queryToken: String
        /// The key positions' pieces, in order.
        public var keyTokens: [String]
        /// d_k, the width of one head.
        public var headDim: Int
        /// The query vector q of that position and head [d_k].
        public var query: [Float]
        /// Every key vector k of that head [S][d_k].
        public var keys: [[Float]]
        /// q·k/√d_k for every key, before the mask.
        public var scores: [Float]
        /// The same after adding the mask (−∞ where attention is not allowed).
        public var maskedScores: [Float]
        /// The softmax weights of the query over the keys.
        public var weights: [Float]
        /// Every value vector v of that head [S][d_k].
        public var values: [[Float]]
        /// weight × value vector, one per key; their sum is `output`.
        public var contributions: [[Float]]
        /// Euclidean length of each contribution: how much each value moved the output.
        public var contributionNorms: [Float]
        /// Σ weight·value: this head's output at this position (before W_O mixes the heads).
        public var output: [Float]
    }
}

/// Where to look closely: a map name (e.g. "decoder.layers.1.cross"), a head and a query position.
public struct ExplainFocus: Sendable {
    /// The attention block, e.g. "decoder.layers.1.cross".
    public var map: String
    /// The head, 0-based.
    public var head: Int
    /// The query position, 0-based.
    public var position: Int
    /// A close-up of query `position` of head `head` in attention block `map`.
    public init(map: String, head: Int, position: Int) {
        self.map = map
        self.head = head
        self.position = position
    }
}

/// Runs the model once over `source` and its translation `output` (ids without `</s>`; the
/// stop token is added when `finished`), teacher-forced, recording every attention.
public func explain(model: Transformer, tokenizers: TokenizerPair, source: String, output: [Int32], finished: Bool,
                    focus: ExplainFocus?, alternatives: Int = 4, vectors: Bool = true) throws -> Explanation {
    try explain(model: model, tokenizers: tokenizers, source: source, output: output, finished: finished,
                chooseFocus: { _ in focus }, alternatives: alternatives, vectors: vectors)
}

/// The same, with the close-up chosen after seeing the attention maps (one forward pass).
/// `vectors` also records every query, key, value and output (`AttentionMap.vectors`).
public func explain(model: Transformer, tokenizers: TokenizerPair, source: String, output: [Int32], finished: Bool,
                    chooseFocus: ([Explanation.AttentionMap]) throws -> ExplainFocus?, alternatives: Int = 4,
                    vectors: Bool = true) throws -> Explanation {
    let src = Array(tokenizers.source.encode(source).prefix(model.config.maxLength))
    let target = Array(output.prefix(model.config.maxLength - 1))
    let decoderInput = [SpecialTokens.begin] + target
    let produced = target + (finished ? [SpecialTokens.end] : [])
    var observed: [String: [String: Tensor]] = [:]
    let ctx = ForwardContext(training: false) { name, what, t in observed[name, default: [:]][what] = t }
    let logits = Graph.noGrad {
        model(source: src.isEmpty ? [SpecialTokens.pad] : src, sourceLength: max(1, src.count), targetInput: decoderInput,
              targetLength: decoderInput.count, batch: 1, ctx)
    }  // [T, V]
    // An empty source is run as one padding token; name it, so keys and weights agree.
    let srcPieces = tokenizers.source.pieces(src.isEmpty ? [SpecialTokens.pad] : src)
    let inPieces = tokenizers.target.pieces(decoderInput)
    let v = model.config.targetVocabSize
    var steps: [Explanation.Step] = []
    for (t, id) in produced.enumerated() {
        let row = Array(UnsafeBufferPointer(start: logits.data + t * v, count: v))
        let m = row.max() ?? 0
        let e = row.map { expf($0 - m) }
        let z = e.reduce(0, +)
        let ranked = e.indices.sorted { e[$0] > e[$1] }
        func alternative(_ i: Int) -> Explanation.Alternative {
            Explanation.Alternative(token: tokenizers.target.pieces([Int32(i)])[0], probability: e[i] / z)
        }
        let alts = ranked.filter { $0 != Int(id) }.prefix(alternatives).map(alternative)
        steps.append(.init(token: tokenizers.target.pieces([id])[0], probability: e[Int(id)] / z, alternatives: Array(alts),
                           top: ranked.prefix(alternatives + 1).map(alternative)))
    }
    // Encoder attention: source queries and keys. Decoder self-attention: decoder-input queries
    // and keys. Cross-attention: decoder-input queries, source keys.
    func tokenRoles(_ name: String) -> (queries: [String], keys: [String]) {
        (name.hasPrefix("encoder") ? srcPieces : inPieces, name.hasPrefix("decoder") && !name.hasSuffix("cross") ? inPieces : srcPieces)
    }
    var maps: [Explanation.AttentionMap] = []
    for (name, _) in model.attentionNames {
        guard let w = observed[name]?["weights"] else { continue }
        let (h, tq, sk) = (w.dim(1), w.dim(2), w.dim(3))
        let kind = name.hasPrefix("encoder") ? "encoder self-attention" : name.hasSuffix("cross") ? "cross-attention" : "decoder masked self-attention"
        let (queries, keys) = tokenRoles(name)
        let weights = (0..<h).map { hh in (0..<tq).map { t in (0..<sk).map { s in w.data[(hh * tq + t) * sk + s] } } }
        let layer = Int(name.split(separator: ".").dropFirst(2).first ?? "") ?? 0
        maps.append(.init(name: name, kind: kind, layer: layer, queryTokens: queries, keyTokens: keys, weights: weights,
                          visible: observed[name]?["mask"].flatMap { visibility($0, queries: tq, keys: sk) },
                          vectors: vectors ? observed[name].flatMap(AttentionVectors.init(observed:)) : nil))
    }
    var detail: Explanation.Detail?
    if let f = try chooseFocus(maps) {
        guard let rec = observed[f.map], let q = rec["queries"], let k = rec["keys"], let vals = rec["values"],
              let sc = rec["scores"], let w = rec["weights"] else {
            throw TrainingError("no attention named '\(f.map)'; choose one of: \(model.attentionNames.map(\.name).joined(separator: ", "))",
                                setting: .explainMap)
        }
        let (h, tq, sk, dk) = (q.dim(1), q.dim(2), k.dim(2), q.dim(3))
        guard (0..<h).contains(f.head) else { throw TrainingError("the head must be 0...\(h - 1), got \(f.head)", setting: .explainHead) }
        guard (0..<tq).contains(f.position) else {
            throw TrainingError("the query position must be 0...\(tq - 1) for this sentence, got \(f.position)", setting: .explainPosition)
        }
        func vec(_ t: Tensor, _ row: Int, _ rows: Int) -> [Float] {
            Array(UnsafeBufferPointer(start: t.data + (f.head * rows + row) * dk, count: dk))
        }
        let query = vec(q, f.position, tq)
        let keyVecs = (0..<sk).map { vec(k, $0, sk) }
        let valueVecs = (0..<sk).map { vec(vals, $0, sk) }
        let scores = (0..<sk).map { sc.data[(f.head * tq + f.position) * sk + $0] }
        let weights = (0..<sk).map { w.data[(f.head * tq + f.position) * sk + $0] }
        var masked = scores
        if let mask = rec["mask"] {
            // The masks broadcast to [1, H, T, S]; for one sentence read row `position` (or row 0
            // of a padding mask that has a single query row).
            let rows = mask.rank >= 2 ? mask.dim(-2) : 1
            let r = rows == 1 ? 0 : f.position
            for s in 0..<sk { masked[s] += mask.data[r * sk + s] }
        }
        let contributions = (0..<sk).map { s in valueVecs[s].map { $0 * weights[s] } }
        let outputVec = (0..<dk).map { d in contributions.reduce(0) { $0 + $1[d] } }
        let (queries, keys) = tokenRoles(f.map)
        detail = .init(map: f.map, head: f.head, position: f.position, queryToken: queries[f.position], keyTokens: keys,
                       headDim: dk, query: query, keys: keyVecs, scores: scores, maskedScores: masked, weights: weights,
                       values: valueVecs, contributions: contributions,
                       contributionNorms: contributions.map { sqrtf($0.reduce(0) { $0 + $1 * $1 }) }, output: outputVec)
    }
    return Explanation(source: source, translation: tokenizers.target.decode(target), sourceTokens: srcPieces,
                       decoderInputTokens: inPieces, outputTokens: tokenizers.target.pieces(produced), steps: steps,
                       maps: maps, detail: detail)
}

extension Transformer {
    /// Every attention block's dotted name, in forward order, with its layer object.
    public var attentionNames: [(name: String, attention: MultiHeadAttention)] {
        encoderLayers.map { ($0.selfAttention.name, $0.selfAttention) }
            + decoderLayers.flatMap { [($0.selfAttention.name, $0.selfAttention), ($0.crossAttention.name, $0.crossAttention)] }
    }
}
