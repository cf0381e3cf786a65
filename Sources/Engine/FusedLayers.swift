// Shape legend: N rows (all leading axes flattened), I input width, O output width.

/// The element-wise steps around a transformer's matrix products, fused into the pass that is
/// there anyway: each reads and writes its activations once instead of once per step, and
/// its backward writes a gradient no one has yet without zero-filling it first.
///
/// Each op equals its composed twin bit for bit, forward and backward (FusedTwinTests: same
/// arithmetic in the same order; the dropout masks are the same function of the seed), so a
/// training run gives the same numbers with or without them.

/// y = x·Wᵀ + b (`nn.Linear`, W stored [O, I]): `matmul(x, weight, transposeB: true) + bias` as
/// one node. The bias is added in place to the product, and the backward hands the output
/// gradient straight to the matrix product instead of copying it into the product's gradient.
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
    let plan = MatMulPlan(x, weight, transposeA: false, transposeB: true)
    let out = Tensor(uninitializedShape: plan.outShape)  // [.., O]
    plan.forward(into: out.data)
    guard let bias else { return out.record([x, weight]) { g in plan.backward(g.data) } }
    let o = plan.n
    precondition(bias.shape == [o], "linear: bias must be [\(o)], got \(bias.shape)")
    let (po, pb) = (SharedPointer(out.data), SharedPointer(bias.data))
    parallelChunks(out.count / max(1, o), minChunk: max(1, 16_384 / max(1, o))) { rows in
        for r in rows {
            let y = po.base + r * o
            for j in 0..<o { y[j] = y[j] + pb[j] }
        }
    }
    return out.record([x, weight, bias]) { g in
        plan.backward(g.data)
        if bias.requiresGrad { addColumnSums(of: g.data, rows: g.count / max(1, o), width: o, into: bias) }
    }
}

/// dropout(ReLU(h + b)) for h [N, O] (the feed-forward block's hidden layer after its product
/// h = x·W₁ᵀ) in one pass. Backward needs no mask: an output is non-zero exactly where the unit
/// was positive and kept, and there dh = g / (1 − p); everywhere else dh = 0.
public func biasReLUDropout(_ h: Tensor, bias: Tensor?, p: Float, seed: UInt64) -> Tensor {
    precondition(p >= 0 && p < 1, "dropout probability must be in [0, 1), got \(p)")
    let o = h.shape.last ?? 1
    if let bias { precondition(bias.shape == [o], "biasReLUDropout: bias must be [\(o)], got \(bias.shape)") }
    let mask = DropoutMask(p: p, seed: seed)
    let scale = 1 / (1 - p)
    let out = Tensor(uninitializedShape: h.shape)
    let biasValues = bias ?? Tensor.zeros([o])  // no bias: x + 0, the same arithmetic
    let (ph, pb, po) = (SharedPointer(h.data), SharedPointer(biasValues.data), SharedPointer(out.data))
    let rows = h.count / max(1, o)
    parallelChunks(rows, minChunk: max(1, 8192 / max(1, o))) { rr in
        for r in rr { biasReLUDropoutRow(ph.base + r * o, pb.base, po.base + r * o, width: o, first: r * o, mask, scale, p > 0) }
    }
    let y = out.storage
    return out.record([h] + (bias.map { [$0] } ?? [])) { g in
        let gradH = Tensor(uninitializedShape: h.shape)  // dh, also what db sums
        let (pg, py, gh) = (SharedPointer(g.data), SharedPointer(y.pointer), SharedPointer(gradH.data))
        let s = p == 0 ? 1 : scale
        parallelChunks(g.count, minChunk: 8192) { r in for i in r { gh[i] = py[i] > 0 ? pg[i] * s : 0 } }
        if let bias, bias.requiresGrad { addColumnSums(of: gradH.data, rows: rows, width: o, into: bias) }
        if h.requiresGrad { h.addGrad(taking: gradH) }
    }
}

/// One row of `biasReLUDropout`'s forward. The loads happen whether or not the unit is kept:
/// with them inside the condition the loop stayed scalar (6% of a training step).
@inline(__always)
private func biasReLUDropoutRow(_ x: UnsafeMutablePointer<Float>, _ b: UnsafeMutablePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                                width o: Int, first: Int, _ mask: DropoutMask, _ scale: Float, _ dropping: Bool) {
    if dropping {
        for j in 0..<o {
            let v = max(0, x[j] + b[j]) * scale
            y[j] = mask.keeps(first &+ j) ? v : 0  // &+: an overflow check would keep the loop scalar
        }
    } else {
        for j in 0..<o { y[j] = max(0, x[j] + b[j]) }
    }
}

/// x + dropout(f) for x, f of one shape: a residual connection adding a sublayer's output `f`
/// to the stream `x`, in one pass. The stream's gradient is the output gradient itself, handed
/// on without a copy (`addGrad(taking:)`).
public func residualDropout(_ x: Tensor, _ f: Tensor, p: Float, seed: UInt64) -> Tensor {
    precondition(p >= 0 && p < 1, "dropout probability must be in [0, 1), got \(p)")
    precondition(x.shape == f.shape, "residualDropout: \(x.shape) and \(f.shape) differ")
    precondition(x !== f, "residualDropout: the stream and the sublayer output must be different tensors")
    let mask = DropoutMask(p: p, seed: seed)
    let scale = 1 / (1 - p)
    let out = Tensor(uninitializedShape: x.shape)
    let (px, pf, po) = (SharedPointer(x.data), SharedPointer(f.data), SharedPointer(out.data))
    parallelChunks(x.count, minChunk: 8192) { r in
        if p == 0 {
            for i in r { po[i] = px[i] + pf[i] }
        } else {
            for i in r {
                let v = pf[i] * scale  // loaded either way, so the loop vectorises
                po[i] = px[i] + (mask.keeps(i) ? v : 0)
            }
        }
    }
    return out.record([x, f]) { g in
        let pg = SharedPointer(g.data)
        if f.requiresGrad {
            let (gf, assign) = f.gradForWriting()
            let pf = SharedPointer(gf)
            parallelChunks(g.count, minChunk: 8192) { r in
                for i in r {
                    let s = pg[i] * scale
                    let v = p == 0 ? pg[i] : (mask.keeps(i) ? s : 0)
                    pf[i] = (assign ? 0 : pf[i]) + v
                }
            }
        }
        if x.requiresGrad { x.addGrad(taking: g) }  // last: f's rule above read g
    }
}

/// Adds the column sums of `g` [rows, width] to `t`'s gradient [width] (a bias's gradient), each
/// column summed over the rows in order on one thread: split over columns, never over rows, so
/// the result does not depend on the thread count.
func addColumnSums(of g: UnsafeMutablePointer<Float>, rows: Int, width: Int, into t: Tensor) {
    let (gt, assign) = t.gradForWriting()
    if assign { gt.initialize(repeating: 0, count: width) }
    addColumnSums(of: g, rows: rows, width: width, into: gt)
}

/// Adds the column sums of `g` [rows, width] to `sums` [width], as `addColumnSums(of:rows:width:into:)`.
func addColumnSums(of g: UnsafeMutablePointer<Float>, rows: Int, width: Int, into sums: UnsafeMutablePointer<Float>) {
    let (pg, pt) = (SharedPointer(g), SharedPointer(sums))
    parallelChunks(width, minChunk: max(16, 16_384 / max(1, rows))) { cols in
        for r in 0..<rows {
            let row = pg.base + r * width
            for j in cols { pt[j] += row[j] }
        }
    }
}
