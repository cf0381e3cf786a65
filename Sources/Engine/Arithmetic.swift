/// Element-wise add, subtract, multiply and divide with NumPy broadcasting, and their gradients.
///
/// Forward and backward share one loop shape: same-shape operands take a flat, parallel loop;
/// anything else (a bias `[D]` on `[N, D]`, a mask `[B, 1, 1, S]`) walks rows with
/// `forEachBroadcastRow`, and the backward sums the gradient over stretched axes.
enum BinaryKind { case add, sub, mul, div }

@inline(__always)
private func apply(_ kind: BinaryKind, _ x: Float, _ y: Float) -> Float {
    switch kind {
    case .add: return x + y
    case .sub: return x - y
    case .mul: return x * y
    case .div: return x / y
    }
}

func binary(_ a: Tensor, _ b: Tensor, _ kind: BinaryKind) -> Tensor {
    guard let shape = Shapes.broadcast(a.shape, b.shape) else {
        preconditionFailure("cannot broadcast \(a.shape) with \(b.shape)")
    }
    let out = Tensor(uninitializedShape: shape)
    let (pa, pb, po) = (SharedPointer(a.data), SharedPointer(b.data), SharedPointer(out.data))
    if a.shape == b.shape {
        parallelChunks(out.count) { r in
            for i in r { po[i] = apply(kind, pa[i], pb[i]) }
        }
    } else {
        forEachBroadcastRow(big: shape, a: a.shape, b: b.shape) { row, ao, as_, bo, bs in
            for j in 0..<(shape.last ?? 1) { po[row + j] = apply(kind, pa[ao + j * as_], pb[bo + j * bs]) }
        }
    }
    return out.record([a, b]) { g in
        let pg = SharedPointer(g.data)
        let ga = a.requiresGrad ? SharedPointer(a.gradPointer()) : nil
        let gb = b.requiresGrad ? SharedPointer(b.gradPointer()) : nil
        // d(out)/da and d(out)/db for each kind, given g, a and b at one position.
        @Sendable @inline(__always) func step(_ gi: Float, _ x: Float, _ y: Float, _ ai: Int, _ bi: Int) {
            switch kind {
            case .add: ga?[ai] += gi; gb?[bi] += gi
            case .sub: ga?[ai] += gi; gb?[bi] -= gi
            case .mul: ga?[ai] += gi * y; gb?[bi] += gi * x
            case .div: ga?[ai] += gi / y; gb?[bi] -= gi * x / (y * y)
            }
        }
        if a.shape == b.shape {
            parallelChunks(g.count) { r in
                for i in r { step(pg[i], pa[i], pb[i], i, i) }
            }
        } else {
            forEachBroadcastRow(big: shape, a: a.shape, b: b.shape) { row, ao, as_, bo, bs in
                for j in 0..<(shape.last ?? 1) {
                    let ai = ao + j * as_, bi = bo + j * bs
                    step(pg[row + j], pa[ai], pb[bi], ai, bi)
                }
            }
        }
    }
}

public func + (a: Tensor, b: Tensor) -> Tensor { binary(a, b, .add) }
public func - (a: Tensor, b: Tensor) -> Tensor { binary(a, b, .sub) }
public func * (a: Tensor, b: Tensor) -> Tensor { binary(a, b, .mul) }
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

public func * (a: Tensor, s: Float) -> Tensor { affine(a, scale: s) }
public func * (s: Float, a: Tensor) -> Tensor { affine(a, scale: s) }
public func + (a: Tensor, s: Float) -> Tensor { affine(a, scale: 1, shift: s) }
public func - (a: Tensor, s: Float) -> Tensor { affine(a, scale: 1, shift: -s) }
public prefix func - (a: Tensor) -> Tensor { affine(a, scale: -1) }
