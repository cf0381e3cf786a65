import Foundation
import Model
import Pages

/// Builds the attention explorer page (`translate --explain-html`) from explanations: the data
/// the page's script reads, rounded (vectors to 4 significant digits; weights to 4 decimals,
/// written as whole numbers of 0.0001 without the masked end of each row), and cut to a size
/// budget per sentence.
///
/// A long sentence does not make a huge page: when a one-sentence page would exceed
/// `budgetBytes` (each further sentence adds at most as much again), the least important
/// attentions lose their vectors first, then their separate
/// heads (the mean of the heads is kept), then the most important one (the last
/// cross-attention) does the same, and only then do attentions disappear. The page says what
/// was left out.
public struct ExplorerBuilder {
    /// Bytes a page with one sentence may take, e.g. 2,000,000: the script and the W_O pictures,
    /// plus the sentence's data in what is left.
    public var budgetBytes: Int
    let vectorRounding = Rounding.significant(4)
    /// Weights are written as whole numbers of 1/weightScale ("123" for 0.0123): half the bytes.
    static let weightScale: Float = 10_000

    public init(budgetBytes: Int = 2_000_000) { self.budgetBytes = budgetBytes }

    /// How much of one attention a sentence keeps, most to least.
    enum Level: Int, Comparable {
        case none, mean, weights, full
        static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
        var name: String { ["none", "mean", "weights", "full"][rawValue] }
    }

    /// The whole page.
    public func page(document: ExplainDocument, model: Transformer) -> String {
        let file = URL(fileURLWithPath: document.model.checkpoint)
        return ExplorerPage.html(title: "Attention explorer: \(file.deletingLastPathComponent().lastPathComponent)/\(file.lastPathComponent)",
                          data: data(document: document, model: model))
    }

    /// The page's data: the model, its fixed W_O matrices (as pictures), and the sentences.
    public func data(document: ExplainDocument, model: Transformer) -> PageJSON {
        let m = document.model
        let fixed = Self.fixed(model)
        let sentenceBudget = max(0, budgetBytes - pageOverhead(model: model))
        return .fields([
            "kind": .string("tiny-translator attention explorer"), "version": .int(1),
            "model": .fields(["checkpoint": .string(m.checkpoint), "step": m.step.map(PageJSON.int), "dModel": .int(m.modelDim),
                              "heads": .int(m.heads), "headDim": .int(m.headDim), "encoderLayers": .int(m.encoderLayers),
                              "decoderLayers": .int(m.decoderLayers), "sourceVocab": .int(m.sourceVocabularySize),
                              "targetVocab": .int(m.targetVocabularySize),
                              "labelSmoothing": m.labelSmoothing.map { .number(Double($0), .significant(4)) }]),
            "fixed": fixed, "budget": .int(budgetBytes), "weightScale": .int(Int(Self.weightScale)),
            "sentences": .array(document.sentences.map { sentence($0, budget: sentenceBudget) }),
        ])
    }

    /// The model's fixed matrices the page draws: W_O of every attention.
    static func fixed(_ model: Transformer) -> PageJSON {
        .object(model.attentionNames.map { ($0.name, .fields(["wo": picture(of: $0.attention.output.weight.values, side: model.config.modelDim)])) })
    }

    /// Bytes every page holds whatever its sentences: the script, the style, the W_O pictures.
    public func pageOverhead(model: Transformer) -> Int {
        ExplorerPage.html(title: "", data: .null).utf8.count + Self.fixed(model).text.utf8.count + 1_000
    }

    /// An n×n matrix as int8 (−127…127 of its largest magnitude), base64: a picture, not numbers.
    static func picture(of values: [Float], side n: Int) -> PageJSON {
        let peak = values.reduce(Float(0)) { max($0, abs($1)) }
        let bytes = values.map { UInt8(bitPattern: Int8(peak > 0 ? ($0 / peak * 127).rounded() : 0)) }
        return .fields(["n": .int(n), "max": .number(Double(peak), .significant(4)), "b64": .string(Data(bytes).base64EncodedString())])
    }

    /// One sentence, its attentions at the levels the budget allows.
    func sentence(_ e: Explanation, budget: Int) -> PageJSON {
        let finished = e.outputTokens.count == e.decoderInputTokens.count
        let steps = PageJSON.array(e.steps.map { s in
            .fields(["token": .string(s.token), "p": .number(Double(s.probability), vectorRounding),
                     "top": .array(s.top.map { .array([.string($0.token), .number(Double($0.probability), vectorRounding)]) })])
        })
        let head: [(String, PageJSON)] = [("source", .string(e.source)), ("translation", .string(e.translation)), ("finished", .bool(finished)),
                                           ("src", .strings(e.sourceTokens)), ("dec", .strings(e.decoderInputTokens)),
                                           ("out", .strings(e.outputTokens)), ("steps", steps)]
        let fixedBytes = PageJSON.object(head).text.utf8.count + 200
        let maps = e.maps
        let pieces = maps.map { Pieces(map: $0, builder: self) }
        var levels = [Level](repeating: .full, count: maps.count)
        var total = fixedBytes + pieces.reduce(0) { $0 + $1.bytes(.full) }
        // The schedule: least important first; the last cross-attention is the most important.
        let order = priority(maps)
        let others = order.dropFirst().reversed()
        var schedule: [(Int, Level)] = others.map { ($0, .weights) } + others.map { ($0, .mean) }
        if let top = order.first { schedule += [(top, .weights), (top, .mean)] }
        schedule += others.map { ($0, .none) }
        for (i, level) in schedule where total > budget && levels[i] > level {
            total += pieces[i].bytes(level) - pieces[i].bytes(levels[i])
            levels[i] = level
        }
        var fields = head
        fields.append(("attn", .array(maps.indices.map { pieces[$0].json(levels[$0]) })))
        if let note = note(maps: maps, levels: levels, tokens: max(e.sourceTokens.count, e.decoderInputTokens.count)) {
            fields.append(("note", .string(note)))
        }
        return .object(fields)
    }

    /// Attentions from most to least important for a learner: cross-attention (last layer
    /// first), the last decoder and encoder self-attention, then the other layers.
    func priority(_ maps: [Explanation.AttentionMap]) -> [Int] {
        func rank(_ m: Explanation.AttentionMap) -> (Int, Int) {
            let kindRank = m.kind == "cross-attention" ? 0 : m.kind == "decoder masked self-attention" ? 1 : 2
            let layers = maps.filter { $0.kind == m.kind }.count
            let isLast = m.layer == layers - 1
            return (m.kind == "cross-attention" ? 0 : isLast ? 1 : 2, kindRank * 100 - m.layer)
        }
        return maps.indices.sorted { rank(maps[$0]) < rank(maps[$1]) }
    }

    func note(maps: [Explanation.AttentionMap], levels: [Level], tokens: Int) -> String? {
        guard levels.contains(where: { $0 != .full }) else { return nil }
        func names(_ l: Level) -> String? {
            let n = maps.indices.filter { levels[$0] == l }.map { maps[$0].name }
            return n.isEmpty ? nil : n.joined(separator: ", ")
        }
        var parts: [String] = []
        if let n = names(.full) { parts.append("q, k and v are stored only for \(n)") } else { parts.append("q, k and v are not stored") }
        if let n = names(.weights) { parts.append("\(n): every head's weights, no vectors") }
        if let n = names(.mean) { parts.append("\(n): the mean of the heads only") }
        if let n = names(.none) { parts.append("\(n): not stored") }
        let mb = String(format: "%.1f", Double(budgetBytes) / 1e6)
        return "This sentence has \(tokens) tokens. To keep the page under \(mb) MB (per sentence), " + parts.joined(separator: "; ") + "."
    }

    /// One attention's JSON at each level, measured once.
    struct Pieces {
        let base: [(String, PageJSON)]
        let heads: PageJSON
        let mean: PageJSON
        let vectors: [(String, PageJSON)]
        let sizes: (base: Int, heads: Int, mean: Int, vectors: Int)

        init(map m: Explanation.AttentionMap, builder: ExplorerBuilder) {
            let kind = m.kind == "cross-attention" ? "cross" : m.kind == "encoder self-attention" ? "enc" : "dec"
            var base: [(String, PageJSON)] = [("name", .string(m.name)), ("kind", .string(kind)), ("layer", .int(m.layer))]
            if let v = m.visible { base.append(("mask", .strings(v.map { String($0.map { $0 ? "1" : "0" }) }))) }
            self.base = base
            // A row's masked end (the causal mask hides everything after t) is left out: the page
            // knows it from the mask.
            func packed(_ rows: [[Float]]) -> [[Float]] {
                rows.enumerated().map { t, row in
                    let keep = m.visible.map { ($0[t].lastIndex(of: true) ?? -1) + 1 } ?? row.count
                    return row.prefix(keep).map { $0 * ExplorerBuilder.weightScale }
                }
            }
            heads = .floatGrid(m.weights.map(packed), .decimals(0))
            mean = .floatRows(packed(m.averaged), .decimals(0))
            if let v = m.vectors {
                vectors = [("q", .floatGrid(v.queries, builder.vectorRounding)), ("k", .floatGrid(v.keys, builder.vectorRounding)),
                           ("v", .floatGrid(v.values, builder.vectorRounding)), ("o", .floatRows(v.output, builder.vectorRounding))]
            } else {
                vectors = []
            }
            sizes = (PageJSON.object(base).text.utf8.count + 24, heads.text.utf8.count + 6, mean.text.utf8.count + 9,
                     PageJSON.object(vectors).text.utf8.count)
        }

        func bytes(_ l: Level) -> Int {
            switch l {
            case .none: return sizes.base
            case .mean: return sizes.base + sizes.mean
            case .weights: return sizes.base + sizes.heads
            case .full: return sizes.base + sizes.heads + (vectors.isEmpty ? 0 : sizes.vectors)
            }
        }

        func json(_ l: Level) -> PageJSON {
            var f = base
            let level = l == .full && vectors.isEmpty ? Level.weights : l
            f.append(("level", .string(level.name)))
            switch level {
            case .none: break
            case .mean: f.append(("mean", mean))
            case .weights: f.append(("w", heads))
            case .full: f.append(("w", heads)); f += vectors
            }
            return .object(f)
        }
    }
}
