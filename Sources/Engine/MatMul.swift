/// Matrix products on tensors, built on `sgemm`: plain (`[.., M, K] x [K, N]`, the leading axes
/// flattened into M) and batched (`[.., M, K] x [.., K, N]` with equal leading axes).
///
/// Transposed operands are read in place by the GEMM's packing, never copied: `transposeB`
/// multiplies by a `[N, K]` weight (the `nn.Linear` layout) and attention's `Q·Kᵀ` uses it too.
public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
    let plan = MatMulPlan(a, b, transposeA: transposeA, transposeB: transposeB)
    let out = Tensor(uninitializedShape: plan.outShape)
    plan.forward(into: out.data)
    return out.record([a, b]) { g in plan.backward(g.data) }
}

/// The GEMM calls of one `matmul`: its shapes and strides, the forward product and the two
/// gradient products, shared by `matmul` and `linear` (which adds its bias to the same output).
struct MatMulPlan {
    let a: Tensor, b: Tensor
    let transposeA: Bool, transposeB: Bool
    let m: Int, n: Int, k: Int
    let batchA: Int, shared: Bool
    let lda: Int, ldb: Int
    let sA: Int, sB: Int, sC: Int
    let outShape: [Int]

    init(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool) {
        precondition(a.rank >= 2 && b.rank >= 2, "matmul needs rank >= 2, got \(a.shape) x \(b.shape)")
        let (ar, br) = (a.rank, b.rank)
        // Flattening a's leading axes into M turns [.., M, K] x [K, N] into one large GEMM.
        let flatten = br == 2 && !transposeA
        m = flatten ? a.count / a.shape[ar - 1] : (transposeA ? a.shape[ar - 1] : a.shape[ar - 2])
        k = transposeA ? a.shape[ar - 2] : a.shape[ar - 1]
        n = transposeB ? b.shape[br - 2] : b.shape[br - 1]
        let kb = transposeB ? b.shape[br - 1] : b.shape[br - 2]
        precondition(k == kb, "matmul inner dimensions differ: \(a.shape) x \(b.shape) (transposeA \(transposeA), transposeB \(transposeB))")
        batchA = flatten ? 1 : a.shape.dropLast(2).reduce(1, *)
        let batchShape = Array(a.shape.dropLast(2))
        if br > 2 { precondition(Array(b.shape.dropLast(2)) == batchShape, "batched matmul needs equal batch axes: \(a.shape) x \(b.shape)") }
        shared = br == 2  // one B for every batch item
        outShape = flatten ? Array(a.shape.dropLast()) + [n] : batchShape + [m, n]
        (lda, ldb) = (transposeA ? m : k, transposeB ? k : n)
        (sA, sB, sC) = (m * k, shared ? 0 : k * n, m * n)
        (self.a, self.b, self.transposeA, self.transposeB) = (a, b, transposeA, transposeB)
    }

    /// C = op(A)·op(B) into `c` (`outShape`), overwriting it.
    func forward(into c: UnsafeMutablePointer<Float>) {
        sgemmBatched(batch: batchA, transA: transposeA, transB: transposeB, m: m, n: n, k: k, alpha: 1,
                     a: a.data, lda: lda, strideA: sA, b: b.data, ldb: ldb, strideB: sB,
                     beta: 0, c: c, ldc: n, strideC: sC)
    }

    /// Adds the gradients of A and B for output gradient `g` (or stores them: a gradient not
    /// yet created is written with beta 0 instead of zero-filled and added to).
    func backward(_ g: UnsafeMutablePointer<Float>) {
        if a.requiresGrad {
            let (ga, assign) = a.gradForWriting()
            let beta: Float = assign ? 0 : 1
            // dA = G·op(B)ᵀ, or op(B)·Gᵀ when A is stored transposed.
            if !transposeA {
                sgemmBatched(batch: batchA, transA: false, transB: !transposeB, m: m, n: k, k: n, alpha: 1,
                             a: g, lda: n, strideA: sC, b: b.data, ldb: ldb, strideB: sB,
                             beta: beta, c: ga, ldc: k, strideC: sA)
            } else {
                sgemmBatched(batch: batchA, transA: transposeB, transB: true, m: k, n: m, k: n, alpha: 1,
                             a: b.data, lda: ldb, strideA: sB, b: g, ldb: n, strideB: sC,
                             beta: beta, c: ga, ldc: m, strideC: sA)
            }
        }
        if b.requiresGrad {
            // dB = op(A)ᵀ·G, or Gᵀ·op(A) when B is stored transposed. A shared B sums over the
            // batch, so those items run one after another into the same buffer.
            let (gb, assign) = b.gradForWriting()
            if assign && batchA == 0 { gb.initialize(repeating: 0, count: b.count) }
            let items = shared ? Array(0..<batchA) : [0]
            for item in items {
                let (batch, oa, og) = shared ? (1, item * sA, item * sC) : (batchA, 0, 0)
                let beta: Float = assign && item == 0 ? 0 : 1
                if !transposeB {
                    sgemmBatched(batch: batch, transA: !transposeA, transB: false, m: k, n: n, k: m, alpha: 1,
                                 a: a.data + oa, lda: lda, strideA: sA, b: g + og, ldb: n, strideB: sC,
                                 beta: beta, c: gb, ldc: n, strideC: sB)
                } else {
                    sgemmBatched(batch: batch, transA: true, transB: transposeA, m: n, n: k, k: m, alpha: 1,
                                 a: g + og, lda: n, strideA: sC, b: a.data + oa, ldb: lda, strideB: sA,
                                 beta: beta, c: gb, ldc: k, strideC: sB)
                }
            }
        }
    }
}
