import Foundation

/// Ops that move values without arithmetic: reshape (a view), permute / transpose (for
/// splitting and merging attention heads), slice and concat.
extension Tensor {
    /// The same values seen with another shape (no copy; one dimension may be -1 = inferred).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var newShape = newShape
        if let i = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != i }.map(\.element).reduce(1, *)
            newShape[i] = known == 0 ? 0 : count / known
        }
        precondition(newShape.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        let out = Tensor(shape: newShape, storage: storage)
        return out.record([self]) { [self] g in self.addGrad(taking: g) }
    }

    /// Reorders axes: output axis i is input axis `order[i]` (e.g. [0, 2, 1, 3] turns
    /// [B, T, H, K] into [B, H, T, K]). Copies; the innermost axis stays contiguous when kept.
    public func permuted(_ order: [Int]) -> Tensor {
        precondition(order.sorted() == Array(0..<rank), "permutation \(order) invalid for rank \(rank)")
        let outShape = order.map { shape[$0] }
        let inStrides = Shapes.strides(shape)
        let permutedStrides = order.map { inStrides[$0] }
        let outStrides = Shapes.strides(outShape)
        let out = Tensor(uninitializedShape: outShape)
        let (px, po) = (data, out.data)
        let n = outShape.last ?? 1
        forEachRow(shape: outShape, stridesA: permutedStrides, stridesB: outStrides) { row, io, istride, _, _ in
            if istride == 1 {
                (po + row).update(from: px + io, count: n)
            } else {
                for j in 0..<n { po[row + j] = px[io + j * istride] }
            }
        }
        return out.record([self]) { [self] g in
            // A permutation writes every input position once: a fresh gradient is stored, not added.
            let (pg, (gx, assign)) = (g.data, self.gradForWriting())
            forEachRow(shape: outShape, stridesA: permutedStrides, stridesB: outStrides) { row, io, istride, _, _ in
                if assign {
                    if istride == 1 {
                        (gx + io).update(from: pg + row, count: n)
                    } else {
                        for j in 0..<n { gx[io + j * istride] = pg[row + j] }
                    }
                } else {
                    for j in 0..<n { gx[io + j * istride] += pg[row + j] }
                }
            }
        }
    }

    /// Swaps two axes.
    public func transposed(_ a: Int, _ b: Int) -> Tensor {
        var order = Array(0..<rank)
        order.swapAt(a < 0 ? rank + a : a, b < 0 ? rank + b : b)
        return permuted(order)
    }

    /// The sub-tensor with indices `range` along `axis`.
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        let axis = axis < 0 ? rank + axis : axis
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[axis], "slice \(range) out of \(shape) on axis \(axis)")
        var outShape = shape
        outShape[axis] = range.count
        let outer = shape[..<axis].reduce(1, *)
        let inner = shape[(axis + 1)...].reduce(1, *)
        let (inRow, outRow, start) = (shape[axis] * inner, range.count * inner, range.lowerBound * inner)
        let out = Tensor(uninitializedShape: outShape)
        for o in 0..<outer { (out.data + o * outRow).update(from: data + o * inRow + start, count: outRow) }
        return out.record([self]) { [self] g in
            let gx = self.gradPointer()
            for o in 0..<outer {
                for j in 0..<outRow { gx[o * inRow + start + j] += g.data[o * outRow + j] }
            }
        }
    }
}

/// Joins tensors along `axis`; all other dimensions must match.
public func concat(_ parts: [Tensor], axis: Int) -> Tensor {
    precondition(!parts.isEmpty, "concat needs at least one tensor")
    let rank = parts[0].rank
    let axis = axis < 0 ? rank + axis : axis
    var outShape = parts[0].shape
    outShape[axis] = parts.map { $0.shape[axis] }.reduce(0, +)
    for p in parts {
        var s = p.shape; s[axis] = outShape[axis]
        precondition(s == outShape, "concat shapes \(parts.map(\.shape)) differ off axis \(axis)")
    }
    let outer = outShape[..<axis].reduce(1, *)
    let inner = outShape[(axis + 1)...].reduce(1, *)
    let outRow = outShape[axis] * inner
    let out = Tensor(uninitializedShape: outShape)
    var start = 0
    var starts: [Int] = []
    for p in parts {
        starts.append(start)
        let pRow = p.shape[axis] * inner
        for o in 0..<outer { (out.data + o * outRow + start).update(from: p.data + o * pRow, count: pRow) }
        start += pRow
    }
    return out.record(parts) { g in
        for (p, start) in zip(parts, starts) where p.requiresGrad {
            let pRow = p.shape[axis] * inner
            let gp = p.gradPointer()
            for o in 0..<outer {
                for j in 0..<pRow { gp[o * pRow + j] += g.data[o * outRow + start + j] }
            }
        }
    }
}
