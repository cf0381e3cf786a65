import Foundation

/// A BLEU score with the statistics it came from, as sacreBLEU's `BLEUScore`.
public struct BLEUScore: CustomStringConvertible, Sendable, Equatable, Codable {
    /// BLEU in 0...100.
    public var score: Double
    /// Clipped n-gram matches for orders 1...maxNgramOrder (before any add-k smoothing).
    public var counts: [Int]
    /// Hypothesis n-grams for orders 1...maxNgramOrder (before any add-k smoothing).
    public var totals: [Int]
    /// Smoothed n-gram precisions in percent, one per order (all 0 when nothing matched).
    public var precisions: [Double]
    /// Brevity penalty: exp(1 - refLen / hypLen) when the hypotheses are shorter, else 1.
    public var bp: Double
    /// Number of hypothesis tokens.
    public var hypLen: Int
    /// Number of reference tokens (per segment, the reference length closest to the hypothesis).
    public var refLen: Int

    /// hypLen / refLen, or 0 when there is no reference token (as sacreBLEU).
    public var ratio: Double { refLen > 0 ? Double(hypLen) / Double(refLen) : 0 }

    /// sacreBLEU's line, e.g.
    /// `BLEU = 35.12 67.1/43.0/29.5/20.6 (BP = 1.000 ratio = 1.012 hyp_len = 1234 ref_len = 1219)`.
    public var description: String { "BLEU = \(formattedScore) \(verbose)" }

    /// sacreBLEU's line with a signature, e.g. `BLEU|nrefs:1|…|version:2.6.0 = 35.12 67.1/…`.
    public func formatted(signature: String) -> String {
        "BLEU|\(signature) = \(formattedScore) \(verbose)"
    }

    private var formattedScore: String { PythonText.fixed(score, 2) }

    private var verbose: String {
        let prec = precisions.map { PythonText.fixed($0, 1) }.joined(separator: "/")
        return "\(prec) (BP = \(PythonText.fixed(bp, 3)) ratio = \(PythonText.fixed(ratio, 3)) "
            + "hyp_len = \(hypLen) ref_len = \(refLen))"
    }

    public init(score: Double, counts: [Int], totals: [Int], precisions: [Double], bp: Double,
                hypLen: Int, refLen: Int) {
        self.score = score
        self.counts = counts
        self.totals = totals
        self.precisions = precisions
        self.bp = bp
        self.hypLen = hypLen
        self.refLen = refLen
    }
}

extension BLEU {
    /// BLEU from summed sufficient statistics: sacreBLEU's `BLEU.compute_bleu`, operation for
    /// operation so the floating point result is identical.
    public static func score(counts: [Int], totals: [Int], hypLen: Int, refLen: Int,
                             config: BLEUConfig = .corpus) -> BLEUScore {
        let order = min(config.maxNgramOrder, counts.count, totals.count)
        var bp = 1.0
        if hypLen < refLen {
            bp = hypLen > 0 ? exp(1 - Double(refLen) / Double(hypLen)) : 0.0
        }
        var precisions = [Double](repeating: 0, count: order)
        // sacreBLEU returns 0 early when nothing matched (its issue #141).
        guard order > 0, counts.prefix(order).contains(where: { $0 != 0 }) else {
            return BLEUScore(score: 0, counts: counts, totals: totals, precisions: precisions,
                             bp: bp, hypLen: hypLen, refLen: refLen)
        }
        let smoothValue = config.smoothValue ?? config.smoothing.defaultValue ?? 0
        var correct = counts.prefix(order).map(Double.init)
        var total = totals.prefix(order).map(Double.init)
        var smoothMteval = 1.0
        var effOrder = order
        for n in 1...order {
            if config.smoothing == .addK && n > 1 {
                correct[n - 1] += smoothValue
                total[n - 1] += smoothValue
            }
            if total[n - 1] == 0 { break }
            if config.effectiveOrder { effOrder = n }
            if correct[n - 1] == 0 {
                if config.smoothing == .exp {
                    smoothMteval *= 2
                    precisions[n - 1] = 100.0 / (smoothMteval * total[n - 1])
                } else if config.smoothing == .floor {
                    precisions[n - 1] = 100.0 * smoothValue / total[n - 1]
                }
            } else {
                precisions[n - 1] = 100.0 * correct[n - 1] / total[n - 1]
            }
        }
        var logSum = 0.0
        for p in precisions.prefix(effOrder) {
            // sacreBLEU's my_log: log(0) is floored so that the score becomes 0, not NaN.
            logSum += p == 0 ? -9_999_999_999 : log(p)
        }
        let score = bp * exp(logSum / Double(effOrder))
        return BLEUScore(score: score, counts: counts, totals: totals, precisions: precisions,
                         bp: bp, hypLen: hypLen, refLen: refLen)
    }
}
