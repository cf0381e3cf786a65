/// Element-wise add, subtract, multiply and divide with NumPy broadcasting, and their gradients.
///
/// Three loop shapes, fastest first: same-shape operands (a flat, parallel loop); a right
/// operand that repeats along leading axes (a bias `[D]` on `[N, D]`, positions `[T, D]` on
/// `[B, T, D]`: rows of the left operand meet the same small block); anything else (a mask
/// `[B, 1, 1, S]`) walks rows with `forEachBroadcastRow`. Each loop is written out per operation
/// so the compiler vectorises it; the backward sums the gradient over stretched axes.
enum BinaryKind: Sendable { case add, sub, mul, div }

/// True when `small` is `big`'s trailing dimensions (after dropping leading 1s): `small`
/// repeats `big.count / small.count` times, contiguously.
private func isSuffix(_ small: [Int], of big: [Int]) -> Bool {
    let s = Array(small.drop { $0 == 1 })
    return s.count <= big.count && Array(big.suffix(s.count)) == s
}

func binary(_ a: Tensor, _ b: Tensor, _ kind: BinaryKind) -> Tensor {
    guard let shape = Shapes.broadcast(a.shape, b.shape) else {
        preconditionFailure("cannot broadcast \(a.shape) with \(b.shape)")
    }
    let out = Tensor(uninitializedShape: shape)
    let (pa, pb, po) = (SharedPointer(a.data), SharedPointer(b.data), SharedPointer(out.data))
    let n = out.count
    if a.shape == b.shape || (a.shape == shape && isSuffix(b.shape, of: shape)) {
        // Same shape (block == n) or b repeated every `block` values of a.
        let block = b.count
        parallelChunks(n / max(1, block), minChunk: max(1, 16_384 / max(1, block))) { rows in
            for r in rows {
                let (x, y, z) = (pa.base + r * block, pb.base, po.base + r * block)
                let yy = block == n ? pb.base + r * block : y
                switch kind {
                case .add: for j in 0..<block { z[j] = x[j] + yy[j] }
                case .sub: for j in 0..<block { z[j] = x[j] - yy[j] }
                case .mul: for j in 0..<block { z[j] = x[j] * yy[j] }
                case .div: for j in 0..<block { z[j] = x[j] / yy[j] }
                }
            }
        }
        return out.record([a, b]) { g in binaryBackwardBlocked(a, b, g, kind, block: block) }
    }
    forEachBroadcastRow(big: shape, a: a.shape, b: b.shape) { row, ao, as_, bo, bs in
        for j in 0..<(shape.last ?? 1) {
            let (x, y) = (pa[ao + j * as_], pb[bo + j * bs])
            switch kind {
            case .add: po[row + j] = x + y
            case .sub: po[row + j] = x - y
            case .mul: po[row + j] = x * y
            case .div: po[row + j] = x / y
            }
        }
    }
    return out.record([a, b]) { g in
        let pg = g.data
        let ga = a.requiresGrad ? a.gradPointer() : nil
        let gb = b.requiresGrad ? b.gradPointer() : nil
        forEachBroadcastRow(big: shape, a: a.shape, b: b.shape) { row, ao, as_, bo, bs in
            for j in 0..<(shape.last ?? 1) {
                let (ai, bi, gi) = (ao + j * as_, bo + j * bs, pg[row + j])
                let (x, y) = (pa[ai], pb[bi])
                switch kind {
                case .add: ga?[ai] += gi; gb?[bi] += gi
                case .sub: ga?[ai] += gi; gb?[bi] -= gi
                case .mul: ga?[ai] += gi * y; gb?[bi] += gi * x
                case .div: ga?[ai] += gi / y; gb?[bi] -= gi * x / (y * y)
                }
            }
        }
    }
}

/// Backward of the same-shape / repeated-block forms: da is element-wise (parallel); db is
/// element-wise when shapes match, else summed over the repeats in one sequential pass.
private func binaryBackwardBlocked(_ a: Tensor, _ b: Tensor, _ g: Tensor, _ kind: BinaryKind, block: Int) {
    let n = g.count
    let (pa, pb, pg) = (SharedPointer(a.data), SharedPointer(b.data), SharedPointer(g.data))
    let rows = n / max(1, block)
    let same = block == n
    if a.requiresGrad && kind == .add {
        // The output gradient passes to a unchanged: hand it on instead of copying it.
        a.addGrad(taking: g)
    } else if a.requiresGrad {
        let ga = SharedPointer(a.gradPointer())
        parallelChunks(rows, minChunk: max(1, 16_384 / max(1, block))) { rr in
            for r in rr {
                let (d, gr, y) = (ga.base + r * block, pg.base + r * block, same ? pb.base + r * block : pb.base)
                switch kind {
                case .add, .sub: for j in 0..<block { d[j] += gr[j] }
                case .mul: for j in 0..<block { d[j] += gr[j] * y[j] }
                case .div: for j in 0..<block { d[j] += gr[j] / y[j] }
                }
            }
        }
    }
    if b.requiresGrad {
        let gb = SharedPointer(b.gradPointer())
        // With same shapes each row writes its own slice; with a repeated b all rows add into
        // the one block, so that case runs on one thread.
        let body: @Sendable (Range<Int>) -> Void = { rr in
            for r in rr {
                let (d, gr, x) = (gb.base + (same ? r * block : 0), pg.base + r * block, pa.base + r * block)
                let y = same ? pb.base + r * block : pb.base
                switch kind {
                case .add: for j in 0..<block { d[j] += gr[j] }
                case .sub: for j in 0..<block { d[j] -= gr[j] }
                case .mul: for j in 0..<block { d[j] += gr[j] * x[j] }
                case .div: for j in 0..<block { d[j] -= gr[j] * x[j] / (y[j] * y[j]) }
                }
            }
        }
        if same { parallelChunks(rows, minChunk: max(1, 16_384 / max(1, block)), body) } else { body(0..<rows) }
    }
}

/// Element-wise a + b, broadcasting.
public func + (a: Tensor, b: Tensor) -> Tensor { binary(a, b, .add) }
/// Element-wise a − b, broadcasting.
public func - (a: Tensor, b: Tensor) -> Tensor { binary(a, b, .sub) }
/// Element-wise a · b, broadcasting.
public func * (a: Tensor, b: Tensor) -> Tensor { binary(a, b, .mul) }
/// Element-wise a / b, broadcasting.
public func / (a: Tensor, b: Tensor) -> Tensor { binary(a, b, .div) }

/// `a * scale + shift` element-wise with constants (scaling embeddings by sqrt(d_model), etc.).
public func affine(_ a: Tensor, scale: Float, shift: Float = 0) -> Tensor {
    let out = Tensor(uninitializedShape: a.shape)
    let (pa, po) = (SharedPointer(a.data), SharedPointer(out.data))
    parallelChunks(a.count) { r in for i in r { po[i] = pa[i] * scale + shift } }
    return out.record([a]) { g in
        let (pg, ga) = (SharedPointer(g.data), SharedPointer(a.gradPointer()))
        parallelChunks(g.count) { r in for i in r { ga[i] += pg[i] * scale } }
    }
}

/// Every value times s.
public func * (a: Tensor, s: Float) -> Tensor { affine(a, scale: s) }
/// Every value times s.
public func * (s: Float, a: Tensor) -> Tensor { affine(a, scale: s) }
/// Every value plus s.
public func + (a: Tensor, s: Float) -> Tensor { affine(a, scale: 1, shift: s) }
/// Every value minus s.
public func - (a: Tensor, s: Float) -> Tensor { affine(a, scale: 1, shift: -s) }
/// Every value negated.
public prefix func - (a: Tensor) -> Tensor { affine(a, scale: -1) }
