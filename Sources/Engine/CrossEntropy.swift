import Foundation

/// What `crossEntropy` returns: the loss to backpropagate and plain statistics for reporting.
public struct CrossEntropyResult {
    /// Mean label-smoothed loss over non-ignored positions (a scalar tensor in the graph).
    public let loss: Tensor
    /// Sum of −log p(target) over non-ignored positions, without smoothing (for perplexity).
    public let nllSum: Double
    /// Number of non-ignored positions.
    public let tokens: Int
}

/// The label-smoothed target distribution q over V classes and one row's loss against it,
/// shared by `crossEntropy` and `projectedCrossEntropy` so both compute the same arithmetic.
struct SmoothedTargets {
    let eps: Float
    let classes: Int
    /// q of every class but the target: ε/V (the target's q is 1 − ε more: 1 − ε + ε/V).
    let off: Float

    init(eps: Float, classes v: Int) {
        (self.eps, classes, off) = (eps, v, eps / Float(v))
    }

    /// A row's −log p(target) and its smoothed loss (1 − ε)(lse − z_y) + ε(lse − mean z), from its
    /// log-sum-exp `l`, the sum of its logits and the target's logit.
    @inline(__always)
    func rowLoss(logSumExp l: Float, logitSum total: Float, targetLogit zy: Float) -> (nll: Float, loss: Float) {
        let nll = l - zy
        return (nll, (1 - eps) * nll + eps * (l - total / Float(classes)))
    }
}

/// Log-softmax and label-smoothed cross-entropy, fused, over logits `[N, V]`.
///
/// The smoothed target puts 1 − ε on the true class and ε/V on every class (as PyTorch's
/// `label_smoothing`), so the loss per position is (1 − ε)(lse − z_y) + ε(lse − mean z), where
/// lse = log Σ exp z. Positions whose target is `ignoreIndex` (padding) count for nothing.
/// The forward keeps only lse per row; the backward recomputes p = exp(z − lse) and gives
/// dz = (p − q) · g / tokens, never storing an [N, V] probability matrix.
public func crossEntropy(logits: Tensor, targets: [Int32], ignoreIndex: Int32 = 0, labelSmoothing eps: Float = 0) -> CrossEntropyResult {
    precondition(logits.rank == 2 && logits.shape[0] == targets.count, "crossEntropy needs logits [N, V] and N targets, got \(logits.shape), \(targets.count)")
    let (n, v) = (logits.shape[0], logits.shape[1])
    let lse = Storage(uninitializedCount: n)
    let rowLoss = Storage(count: n, repeating: 0)
    let rowNLL = Storage(count: n, repeating: 0)
    let (pz, pl, prl, pnl) = (SharedPointer(logits.data), SharedPointer(lse.pointer), SharedPointer(rowLoss.pointer), SharedPointer(rowNLL.pointer))
    let tgt = targets
    let q = SmoothedTargets(eps: eps, classes: v)
    parallelChunks(n, minChunk: max(1, 16_384 / max(1, v))) { r in
        for i in r {
            let z = pz.base + i * v
            let (mx, total) = rowMaxAndSum(z, count: v)
            let l = mx + logf(expShiftedSum(z, count: v, shift: mx))
            pl[i] = l
            let y = tgt[i]
            if y == ignoreIndex { continue }
            precondition(y >= 0 && Int(y) < v, "target id \(y) outside vocabulary of \(v)")
            (pnl[i], prl[i]) = q.rowLoss(logSumExp: l, logitSum: total, targetLogit: z[Int(y)])
        }
    }
    let tokens = targets.reduce(0) { $0 + ($1 == ignoreIndex ? 0 : 1) }
    var lossSum: Double = 0, nllSum: Double = 0
    for i in 0..<n { lossSum += Double(prl[i]); nllSum += Double(pnl[i]) }
    let loss = Tensor(shape: [], values: [tokens == 0 ? 0 : Float(lossSum / Double(tokens))])
    loss.record([logits]) { [lse] g in
        let pl = SharedPointer(lse.pointer)  // the capture keeps the saved values alive
        guard tokens > 0 else { return }
        let scale = g.data[0] / Float(tokens)
        let gz = SharedPointer(logits.gradPointer())
        parallelChunks(n, minChunk: max(1, 16_384 / max(1, v))) { r in
            for i in r where tgt[i] != ignoreIndex {
                let (z, dz, l) = (pz.base + i * v, gz.base + i * v, pl[i])
                let y = Int(tgt[i])
                // dz += (p − q) · scale with p = e^(z − l): off everywhere, then the target's extra.
                var j = 0
                while j < v {
                    let p = simdExp(loadLanes(z, j, count: v, fill: -.infinity) - l)
                    storeLanes(loadLanes(dz, j, count: v, fill: 0) + (p - q.off) * scale, dz, j, count: v)
                    j += 8
                }
                dz[y] -= (1 - q.eps) * scale  // the target's extra 1 − ε of q
            }
        }
    }
    return CrossEntropyResult(loss: loss, nllSum: nllSum, tokens: tokens)
}
