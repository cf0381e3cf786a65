/// BLEU (Papineni et al. 2002) computed as sacreBLEU 2.6.0 does, with its 13a tokenizer.
///
/// Corpus BLEU sums per-segment statistics (clipped n-gram matches, hypothesis n-grams,
/// hypothesis length, closest reference length) over the corpus and computes one score from the
/// sums; it is not an average of sentence scores.
public enum BLEU {
    /// Corpus BLEU, as sacreBLEU's `corpus_bleu(hypotheses, references)`.
    ///
    /// - Parameter references: sacreBLEU's layout: one array per reference *stream*, each with
    ///   one line per hypothesis (`references[k][i]` is the k-th reference of hypothesis i). With
    ///   a single reference per sentence pass `[refs]`.
    /// - Throws: `MetricsError` if a stream's length differs from `hypotheses.count`, no stream is
    ///   given, or the config is out of range.
    public static func corpus(hypotheses: [String], references: [[String]],
                              config: BLEUConfig = .corpus) throws -> BLEUScore {
        try config.validate()
        try checkStreams(references, hypotheses: hypotheses.count)
        let order = config.maxNgramOrder
        var counts = [Int](repeating: 0, count: order)
        var totals = [Int](repeating: 0, count: order)
        var hypLen = 0, refLen = 0
        var table = NGramTable()
        for i in hypotheses.indices {
            let stats = segmentStatistics(hypothesis: hypotheses[i],
                                          references: references.map { $0[i] },
                                          config: config, table: &table)
            hypLen += stats.hypLen
            refLen += stats.refLen
            for n in 0..<order {
                counts[n] += stats.counts[n]
                totals[n] += stats.totals[n]
            }
        }
        return score(counts: counts, totals: totals, hypLen: hypLen, refLen: refLen, config: config)
    }

    /// Sentence BLEU, as sacreBLEU's `sentence_bleu(hypothesis, references)`: by default with
    /// effective order, so a short sentence with no 4-gram match can still score above 0.
    /// - Throws: `MetricsError.noReferences` if `references` is empty, or a config error.
    public static func sentence(hypothesis: String, references: [String],
                                config: BLEUConfig = .sentence) throws -> BLEUScore {
        try config.validate()
        guard !references.isEmpty else { throw MetricsError.noReferences }
        var table = NGramTable()
        let stats = segmentStatistics(hypothesis: hypothesis, references: references,
                                      config: config, table: &table)
        return score(counts: stats.counts, totals: stats.totals, hypLen: stats.hypLen,
                     refLen: stats.refLen, config: config)
    }

    /// The signature sacreBLEU prints with the score, e.g.
    /// `nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0`.
    public static func signature(nrefs: Int, config: BLEUConfig = .corpus) -> String {
        var smooth = config.smoothing.rawValue
        if let def = config.smoothing.defaultValue {
            smooth += "[\(PythonText.fixed(config.smoothValue ?? def, 2))]"
        }
        return "nrefs:\(nrefs)|case:\(config.lowercase ? "lc" : "mixed")"
            + "|eff:\(config.effectiveOrder ? "yes" : "no")|tok:13a|smooth:\(smooth)"
            + "|version:\(sacreBLEUVersion)"
    }

    /// One segment's sufficient statistics (sacreBLEU's `_compute_segment_statistics`).
    struct SegmentStatistics {
        var hypLen: Int
        var refLen: Int
        var counts: [Int]
        var totals: [Int]
    }

    /// Tokens of a line after sacreBLEU's BLEU preprocessing: optional lowercasing, `rstrip()`,
    /// then 13a tokenization.
    static func tokenIDs(_ line: String, config: BLEUConfig, table: inout NGramTable) -> [ItemID] {
        var s = PythonText.scalars(line)
        if config.lowercase { s = PythonText.lowercased(s) }
        let (flat, ranges) = Tokenizer13a.tokens(PythonText.rstrip(s))
        return table.words(flat, ranges)
    }

    static func segmentStatistics(hypothesis: String, references: [String], config: BLEUConfig,
                                  table: inout NGramTable) -> SegmentStatistics {
        // Ids only need to agree within a segment; clearing keeps the table small and hot.
        table.removeAll()
        let order = config.maxNgramOrder
        let hyp = tokenIDs(hypothesis, config: config, table: &table)
        let hypGrams = table.sortedNGrams(of: hyp, maxOrder: order, start: NGramTable.wordGramStart)
        var refGrams: [[[ItemID]]] = []
        var refLens: [Int] = []
        for ref in references {
            let toks = tokenIDs(ref, config: config, table: &table)
            refLens.append(toks.count)
            refGrams.append(table.sortedNGrams(of: toks, maxOrder: order, start: NGramTable.wordGramStart))
        }
        var counts = [Int](repeating: 0, count: order)
        var totals = [Int](repeating: 0, count: order)
        for n in 0..<order {
            totals[n] = hypGrams[n].count
            let refMax = SortedCounts.maxRuns(refGrams.map { $0[n] })
            counts[n] = SortedCounts.clippedMatches(hyp: hypGrams[n], ref: refMax)
        }
        return SegmentStatistics(hypLen: hyp.count, refLen: closestRefLen(hyp.count, refLens),
                                 counts: counts, totals: totals)
    }

    /// The reference length closest to the hypothesis length, the shorter one on ties.
    static func closestRefLen(_ hypLen: Int, _ refLens: [Int]) -> Int {
        var closestDiff = -1, closestLen = -1
        for len in refLens {
            let diff = abs(hypLen - len)
            if closestDiff == -1 || diff < closestDiff {
                closestDiff = diff
                closestLen = len
            } else if diff == closestDiff && len < closestLen {
                closestLen = len
            }
        }
        return closestLen
    }
}
