/// Matrix products on tensors, built on `sgemm`: plain (`[.., M, K] x [K, N]`, the leading axes
/// flattened into M) and batched (`[.., M, K] x [.., K, N]` with equal leading axes).
///
/// Transposed operands are read in place by the GEMM's packing, never copied: `transposeB`
/// multiplies by a `[N, K]` weight (the `nn.Linear` layout) and attention's `Q·Kᵀ` uses it too.
public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
    precondition(a.rank >= 2 && b.rank >= 2, "matmul needs rank >= 2, got \(a.shape) x \(b.shape)")
    let (ar, br) = (a.rank, b.rank)
    // Flattening a's leading axes into M turns [.., M, K] x [K, N] into one large GEMM.
    let flatten = br == 2 && !transposeA
    let m = flatten ? a.count / a.shape[ar - 1] : (transposeA ? a.shape[ar - 1] : a.shape[ar - 2])
    let k = transposeA ? a.shape[ar - 2] : a.shape[ar - 1]
    let n = transposeB ? b.shape[br - 2] : b.shape[br - 1]
    let kb = transposeB ? b.shape[br - 1] : b.shape[br - 2]
    precondition(k == kb, "matmul inner dimensions differ: \(a.shape) x \(b.shape) (transposeA \(transposeA), transposeB \(transposeB))")
    let batchA = flatten ? 1 : a.shape.dropLast(2).reduce(1, *)
    let batchShape = Array(a.shape.dropLast(2))
    if br > 2 { precondition(Array(b.shape.dropLast(2)) == batchShape, "batched matmul needs equal batch axes: \(a.shape) x \(b.shape)") }
    let shared = br == 2  // one B for every batch item
    let outShape = flatten ? Array(a.shape.dropLast()) + [n] : batchShape + [m, n]
    let (lda, ldb) = (transposeA ? m : k, transposeB ? k : n)
    let (sA, sB, sC) = (m * k, shared ? 0 : k * n, m * n)
    let out = Tensor(uninitializedShape: outShape)
    sgemmBatched(batch: batchA, transA: transposeA, transB: transposeB, m: m, n: n, k: k, alpha: 1,
                 a: a.data, lda: lda, strideA: sA, b: b.data, ldb: ldb, strideB: sB,
                 beta: 0, c: out.data, ldc: n, strideC: sC)
    return out.record([a, b]) { g in
        if a.requiresGrad {
            // dA = G·op(B)ᵀ, or op(B)·Gᵀ when A is stored transposed.
            if !transposeA {
                sgemmBatched(batch: batchA, transA: false, transB: !transposeB, m: m, n: k, k: n, alpha: 1,
                             a: g.data, lda: n, strideA: sC, b: b.data, ldb: ldb, strideB: sB,
                             beta: 1, c: a.gradPointer(), ldc: k, strideC: sA)
            } else {
                sgemmBatched(batch: batchA, transA: transposeB, transB: true, m: k, n: m, k: n, alpha: 1,
                             a: b.data, lda: ldb, strideA: sB, b: g.data, ldb: n, strideB: sC,
                             beta: 1, c: a.gradPointer(), ldc: m, strideC: sA)
            }
        }
        if b.requiresGrad {
            // dB = op(A)ᵀ·G, or Gᵀ·op(A) when B is stored transposed. A shared B sums over the
            // batch, so those items run one after another into the same buffer.
            let gb = b.gradPointer()
            let items = shared ? Array(0..<batchA) : [0]
            for item in items {
                let (batch, oa, og) = shared ? (1, item * sA, item * sC) : (batchA, 0, 0)
                if !transposeB {
                    sgemmBatched(batch: batch, transA: !transposeA, transB: false, m: k, n: n, k: m, alpha: 1,
                                 a: a.data + oa, lda: lda, strideA: sA, b: g.data + og, ldb: n, strideB: sC,
                                 beta: 1, c: gb, ldc: n, strideC: sB)
                } else {
                    sgemmBatched(batch: batch, transA: true, transB: transposeA, m: n, n: k, k: m, alpha: 1,
                                 a: g.data + og, lda: n, strideA: sC, b: a.data + oa, ldb: lda, strideB: sA,
                                 beta: 1, c: gb, ldc: k, strideC: sB)
                }
            }
        }
    }
}
