import Checkpoint
import Foundation

/// Everything the default report shows, computed once and rendered as text or JSON.
struct Summary {
    var inspected: InspectedFile
    /// Model parameters in file order.
    var parameters: [TensorStats]
    /// Optimizer moments (`adam.m.*`, `adam.v.*`) in file order.
    var optimizer: [TensorStats]
    var modules: [ModuleTotal]
    var tokenizer: TokenizerInfo?

    init(_ f: InspectedFile) {
        inspected = f
        let stats = f.file.tensors.map(TensorStats.init)
        parameters = stats.filter { !isOptimizerState($0.name) }
        optimizer = stats.filter { isOptimizerState($0.name) }
        modules = ModuleTotal.group(parameters)
        tokenizer = TokenizerInfo(f.metadata.tokenizers)
    }

    var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }
    var optimizerCount: Int { optimizer.reduce(0) { $0 + $1.count } }
    var nonFinite: Int { (parameters + optimizer).reduce(0) { $0 + $1.nan + $1.inf } }

    /// Model config keys in reading order; keys this build does not know follow, sorted.
    static let configOrder = ["modelDim", "heads", "encoderLayers", "decoderLayers", "feedForwardDim", "dropout",
                              "maxLength", "tieOutputEmbedding", "shareEmbeddings", "layerNormEpsilon", "sourceVocabSize", "targetVocabSize"]

    /// `config`'s keys in `configOrder`, then the rest alphabetically.
    static func orderedKeys(_ config: [String: Any]) -> [String] {
        configOrder.filter { config[$0] != nil } + config.keys.filter { !configOrder.contains($0) }.sorted()
    }

    /// One validation metric: its value at the last validation and its best with the step.
    struct Metric {
        var key: String
        var label: String
        var higherIsBetter: Bool
        var last: Double?
        var best: Double?
        var bestStep: Int?
    }

    /// Last and best of loss, perplexity, BLEU, chrF and exact match over the history.
    var metrics: [Metric] {
        let history = inspected.metadata.history
        let specs: [(String, String, Bool)] = [("loss", "loss", false), ("perplexity", "perplexity", false),
                                               ("bleu", "BLEU", true), ("chrf", "chrF", true), ("exactMatch", "exact match %", true)]
        return specs.map { key, label, higher in
            var m = Metric(key: key, label: label, higherIsBetter: higher)
            m.last = history.last.flatMap { JSONRead.double($0[key]) }
            for r in history {
                guard let v = JSONRead.double(r[key]), v.isFinite else { continue }
                if m.best.map({ higher ? v > $0 : v < $0 }) ?? true { (m.best, m.bestStep) = (v, JSONRead.int(r["step"])) }
            }
            return m
        }
    }
}
