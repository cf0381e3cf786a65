/// A chrF / chrF++ score with the summed statistics it came from.
public struct CHRFScore: CustomStringConvertible, Sendable, Equatable, Codable {
    /// chrF in 0...100.
    public var score: Double
    /// Per order (character orders first, then word orders): hypothesis n-grams, reference
    /// n-grams and matched n-grams, summed over the corpus (sacreBLEU's flattened statistics).
    public var hypCounts: [Int]
    public var refCounts: [Int]
    public var matchCounts: [Int]
    public var charOrder: Int
    public var wordOrder: Int
    public var beta: Int

    /// sacreBLEU's metric name, e.g. `chrF2` or `chrF2++`.
    public var name: String { "chrF\(beta)" + String(repeating: "+", count: wordOrder) }

    /// sacreBLEU's line, e.g. `chrF2 = 55.12`.
    public var description: String { "\(name) = \(PythonText.fixed(score, 2))" }

    /// sacreBLEU's line with a signature, e.g. `chrF2|nrefs:1|…|version:2.6.0 = 55.12`.
    public func formatted(signature: String) -> String {
        "\(name)|\(signature) = \(PythonText.fixed(score, 2))"
    }
}

/// chrF (Popović 2015) and chrF++ (Popović 2017) computed as sacreBLEU 2.6.0 does.
///
/// Character n-grams are over Unicode code points (as Python strings), with whitespace removed.
/// Corpus chrF sums, per order, hypothesis / reference / matched n-gram counts over all segments
/// (taking, per segment, the reference with the best sentence F-score) and computes one F-score
/// from the sums.
public enum CHRF {
    /// Corpus chrF, as sacreBLEU's `corpus_chrf(hypotheses, references)`.
    /// - Parameter references: sacreBLEU's layout, one array per reference stream, each with one
    ///   line per hypothesis; with a single reference per sentence pass `[refs]`.
    /// - Throws: `MetricsError` for mismatched stream lengths, no streams or a bad config.
    public static func corpus(hypotheses: [String], references: [[String]],
                              config: CHRFConfig = .chrF) throws -> CHRFScore {
        try config.validate()
        try checkStreams(references, hypotheses: hypotheses.count)
        let orders = config.charOrder + config.wordOrder
        var sum = [Int](repeating: 0, count: 3 * orders)
        var table = NGramTable()
        for i in hypotheses.indices {
            let stats = segmentStatistics(hypothesis: hypotheses[i], references: references.map { $0[i] },
                                          config: config, table: &table)
            for k in 0..<sum.count { sum[k] += stats[k] }
        }
        return makeScore(sum, config: config)
    }

    /// Sentence chrF, as sacreBLEU's `sentence_chrf(hypothesis, references)`.
    /// - Throws: `MetricsError.noReferences` if `references` is empty, or a config error.
    public static func sentence(hypothesis: String, references: [String],
                                config: CHRFConfig = .chrF) throws -> CHRFScore {
        try config.validate()
        guard !references.isEmpty else { throw MetricsError.noReferences }
        var table = NGramTable()
        let stats = segmentStatistics(hypothesis: hypothesis, references: references,
                                      config: config, table: &table)
        return makeScore(stats, config: config)
    }

    /// The signature sacreBLEU prints with the score, e.g.
    /// `nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0`.
    public static func signature(nrefs: Int, config: CHRFConfig = .chrF) -> String {
        "nrefs:\(nrefs)|case:\(config.lowercase ? "lc" : "mixed")|eff:\(config.epsSmoothing ? "no" : "yes")"
            + "|nc:\(config.charOrder)|nw:\(config.wordOrder)|space:\(config.includeWhitespace ? "yes" : "no")"
            + "|version:\(sacreBLEUVersion)"
    }

    private static func makeScore(_ stats: [Int], config: CHRFConfig) -> CHRFScore {
        let orders = stats.count / 3
        return CHRFScore(score: fScore(stats, config: config),
                         hypCounts: (0..<orders).map { stats[3 * $0] },
                         refCounts: (0..<orders).map { stats[3 * $0 + 1] },
                         matchCounts: (0..<orders).map { stats[3 * $0 + 2] },
                         charOrder: config.charOrder, wordOrder: config.wordOrder, beta: config.beta)
    }

    /// sacreBLEU's `CHRF._compute_f_score` on flattened [hyp, ref, match] triplets, operation for
    /// operation.
    static func fScore(_ stats: [Int], config: CHRFConfig) -> Double {
        let eps = 1e-16
        let factor = Double(config.beta * config.beta)
        let orders = stats.count / 3
        var score = 0.0
        var effectiveOrder = 0
        var avgPrec = 0.0, avgRec = 0.0
        for i in 0..<orders {
            let nHyp = stats[3 * i], nRef = stats[3 * i + 1], nMatch = Double(stats[3 * i + 2])
            let prec = nHyp > 0 ? nMatch / Double(nHyp) : eps
            let rec = nRef > 0 ? nMatch / Double(nRef) : eps
            let denom = factor * prec + rec
            score += denom > 0 ? (1 + factor) * prec * rec / denom : eps
            if nHyp > 0 && nRef > 0 {
                avgPrec += prec
                avgRec += rec
                effectiveOrder += 1
            }
        }
        if config.epsSmoothing { return 100 * score / Double(orders) }
        if effectiveOrder == 0 {
            avgPrec = 0
            avgRec = 0
        } else {
            avgPrec /= Double(effectiveOrder)
            avgRec /= Double(effectiveOrder)
        }
        guard avgPrec + avgRec != 0 else { return 0 }
        var f = (1 + factor) * avgPrec * avgRec
        f /= factor * avgPrec + avgRec
        return 100 * f
    }

    /// All n-grams of one line: character orders 1...charOrder, then word orders 1...wordOrder,
    /// each as a sorted id array.
    static func nGrams(_ line: String, config: CHRFConfig, table: inout NGramTable) -> [[ItemID]] {
        var s = PythonText.scalars(line)
        if config.lowercase { s = PythonText.lowercased(s) }
        let chars = config.includeWhitespace ? s : PythonText.removingWhitespace(s)
        var grams = table.sortedNGrams(of: chars, maxOrder: config.charOrder, start: NGramTable.charGramStart)
        if config.wordOrder > 0 {
            let words = table.words(s, wordRanges(s))
            grams += table.sortedNGrams(of: words, maxOrder: config.wordOrder, start: NGramTable.wordGramStart)
        }
        return grams
    }

    /// sacreBLEU's `_remove_punctuation`: whitespace-split words, with one ASCII punctuation mark
    /// split off the end of a word, or else off its start ("(hi)" gives "(hi" and ")").
    static func wordRanges(_ s: Scalars) -> [Range<Int>] {
        var out: [Range<Int>] = []
        for r in PythonText.splitRanges(s) {
            if r.count == 1 {
                out.append(r)
            } else if isPunct(s[r.upperBound - 1]) {
                out.append(r.lowerBound..<(r.upperBound - 1))
                out.append((r.upperBound - 1)..<r.upperBound)
            } else if isPunct(s[r.lowerBound]) {
                out.append(r.lowerBound..<(r.lowerBound + 1))
                out.append((r.lowerBound + 1)..<r.upperBound)
            } else {
                out.append(r)
            }
        }
        return out
    }

    /// Python's `string.punctuation`: the 32 ASCII punctuation characters.
    @inline(__always)
    private static func isPunct(_ c: UInt32) -> Bool {
        (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60)
            || (c >= 0x7B && c <= 0x7E)
    }

    /// One segment's flattened [hyp, ref, match] triplets against its best-scoring reference
    /// (sacreBLEU's `_compute_segment_statistics`: first reference wins ties).
    static func segmentStatistics(hypothesis: String, references: [String], config: CHRFConfig,
                                  table: inout NGramTable) -> [Int] {
        table.removeAll()
        let hyp = nGrams(hypothesis, config: config, table: &table)
        var best: [Int] = []
        var bestF = -1.0
        for ref in references {
            let refGrams = nGrams(ref, config: config, table: &table)
            var stats: [Int] = []
            stats.reserveCapacity(3 * hyp.count)
            for (h, r) in zip(hyp, refGrams) {
                // sacreBLEU counts no hypothesis n-grams when the reference has none of that order.
                stats.append(r.isEmpty ? 0 : h.count)
                stats.append(r.count)
                stats.append(SortedCounts.clippedMatches(hyp: h, ref: SortedCounts.runs(r)))
            }
            let f = fScore(stats, config: config)
            if f > bestF || best.isEmpty {  // a NaN F (beta 0) must not leave no statistics
                bestF = f
                best = stats
            }
        }
        return best
    }
}
