import Foundation

/// The output projection and the label-smoothed cross-entropy in one op, over row chunks:
/// `crossEntropy(logits: hidden·Wᵀ + b, …)` without ever holding the logits `[N, V]` or their
/// gradient.
///
/// With a large vocabulary the logits are the biggest tensors of a training step (small config:
/// 6,000 × 8,000 floats = 183 MiB; the composed ops keep the product, the biased copy and a
/// gradient for each alive at the start of backward). Here `chunkRows` rows at a time go
/// logits → loss → dlogits → dHidden, dW, db, and the chunk buffer is reused.
///
/// The loss is a scalar, so its gradient is the gradient for g = 1 times g: when recording, the
/// input gradients are computed during the forward pass (while each chunk's probabilities are
/// at hand: one `exp` per logit instead of two, no recomputed GEMM) and the backward rule only
/// scales and adds them. Chunks run one after another and each GEMM splits only rows/columns,
/// so results do not depend on the thread count.
///
/// - Parameters:
///   - hidden: `[.., D]`, flattened to N rows.
///   - weight: `[V, D]` (the `nn.Linear` layout, or a tied embedding table).
///   - bias: `[V]` or nil.
///   - targets: N ids; `ignoreIndex` marks padding.
public func projectedCrossEntropy(hidden: Tensor, weight: Tensor, bias: Tensor? = nil, targets: [Int32],
                                  ignoreIndex: Int32 = 0, labelSmoothing eps: Float = 0,
                                  chunkRows: Int = 512) -> CrossEntropyResult {
    let d = hidden.shape.last ?? 1
    let n = hidden.count / max(1, d)
    precondition(weight.rank == 2 && weight.shape[1] == d, "projectedCrossEntropy needs weight [V, \(d)], got \(weight.shape)")
    precondition(targets.count == n, "projectedCrossEntropy needs \(n) targets for hidden \(hidden.shape), got \(targets.count)")
    let v = weight.shape[0]
    if let bias { precondition(bias.shape == [v], "projectedCrossEntropy needs bias [\(v)], got \(bias.shape)") }
    let tokens = targets.reduce(0) { $0 + ($1 == ignoreIndex ? 0 : 1) }
    let recording = Graph.isRecording && (hidden.requiresGrad || weight.requiresGrad || bias?.requiresGrad == true)
    let wantsGrad = recording && tokens > 0

    // Gradients for g = 1, filled chunk by chunk when recording.
    let dHidden = wantsGrad && hidden.requiresGrad ? Storage(uninitializedCount: n * d) : nil  // [N, D]
    let dWeight = wantsGrad && weight.requiresGrad ? Storage(count: v * d, repeating: 0) : nil  // [V, D]
    let dBias = wantsGrad && bias?.requiresGrad == true ? Storage(count: v, repeating: 0) : nil  // [V]

    let rowsPerChunk = max(1, min(chunkRows, n))
    let z = Storage(uninitializedCount: rowsPerChunk * v)  // [R, V], reused by every chunk
    let rowLoss = Storage(count: n, repeating: 0)
    let rowNLL = Storage(count: n, repeating: 0)
    let (pz, prl, pnl) = (SharedPointer(z.pointer), SharedPointer(rowLoss.pointer), SharedPointer(rowNLL.pointer))
    let pb = bias.map { SharedPointer($0.data) }
    let tgt = targets
    let scale = tokens == 0 ? 0 : 1 / Float(tokens)
    let q = SmoothedTargets(eps: eps, classes: v)
    for start in stride(from: 0, to: n, by: rowsPerChunk) {
        let rows = min(rowsPerChunk, n - start)
        let h = hidden.data + start * d  // [R, D]
        sgemm(transA: false, transB: true, m: rows, n: v, k: d, alpha: 1, a: h, lda: d, b: weight.data, ldb: d,
              beta: 0, c: z.pointer, ldc: v)  // [R, V]
        parallelChunks(rows, minChunk: max(1, 16_384 / max(1, v))) { r in
            for i in r {
                let zr = pz.base + i * v
                let y = tgt[start + i]
                if y == ignoreIndex {
                    if wantsGrad { for j in 0..<v { zr[j] = 0 } }  // no gradient from padding
                    continue
                }
                if let pb { for j in 0..<v { zr[j] += pb[j] } }
                precondition(y >= 0 && Int(y) < v, "target id \(y) outside vocabulary of \(v)")
                let (mx, total) = rowMaxAndSum(zr, count: v)
                let zy = zr[Int(y)]
                let s = expShiftedInPlace(zr, count: v, shift: mx)
                (pnl[start + i], prl[start + i]) = q.rowLoss(logSumExp: mx + logf(s), logitSum: total, targetLogit: zy)
                guard wantsGrad else { continue }
                // dz = (p − q) / tokens, with p = e / s.
                let ps = scale / s
                for j in 0..<v { zr[j] = zr[j] * ps - q.off * scale }
                zr[Int(y)] -= (1 - q.eps) * scale  // the target's extra 1 − ε of q
            }
        }
        guard wantsGrad else { continue }
        if let dHidden {
            sgemm(transA: false, transB: false, m: rows, n: d, k: v, alpha: 1, a: z.pointer, lda: v, b: weight.data, ldb: d,
                  beta: 0, c: dHidden.pointer + start * d, ldc: d)  // [R, D]
        }
        if let dWeight {
            sgemm(transA: true, transB: false, m: v, n: d, k: rows, alpha: 1, a: z.pointer, lda: v, b: h, ldb: d,
                  beta: 1, c: dWeight.pointer, ldc: d)  // [V, D]
        }
        if let dBias { addColumnSums(of: pz.base, rows: rows, width: v, into: dBias.pointer) }
    }
    var lossSum: Double = 0, nllSum: Double = 0
    for i in 0..<n { lossSum += Double(prl[i]); nllSum += Double(pnl[i]) }
    let loss = Tensor(shape: [], values: [tokens == 0 ? 0 : Float(lossSum / Double(tokens))])
    guard wantsGrad else { return CrossEntropyResult(loss: loss, nllSum: nllSum, tokens: tokens) }
    loss.record([hidden, weight] + (bias.map { [$0] } ?? [])) { g in
        let gs = g.data[0]
        let pairs: [(Tensor?, Storage?)] = [(hidden, dHidden), (weight, dWeight), (bias, dBias)]
        for (t, saved) in pairs {
            guard let t, let saved else { continue }
            let (src, (gradT, assign)) = (SharedPointer(saved.pointer), t.gradForWriting())
            let dst = SharedPointer(gradT)
            parallelChunks(saved.count) { r in for i in r { dst[i] = (assign ? 0 : dst[i]) + gs * src[i] } }
        }
    }
    return CrossEntropyResult(loss: loss, nllSum: nllSum, tokens: tokens)
}
