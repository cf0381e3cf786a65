/// Sum and mean over chosen axes, and their gradients (the gradient is broadcast back).
extension Tensor {
    /// Sums over `axes` (negative axes count from the end). With `keepDims` the reduced axes stay
    /// as size 1, so the result broadcasts against the input.
    public func sum(axes: [Int], keepDims: Bool = false) -> Tensor {
        let axes = Set(axes.map { $0 < 0 ? rank + $0 : $0 })
        precondition(axes.allSatisfy { $0 >= 0 && $0 < rank }, "sum axes \(axes) out of range for \(shape)")
        let kept = shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
        let out = Tensor(shape: kept, repeating: 0)
        let (px, po) = (data, out.data)
        let n = shape.last ?? 1
        forEachBroadcastRow(big: shape, a: kept, b: shape) { row, oo, os, _, _ in
            for j in 0..<n { po[oo + j * os] += px[row + j] }
        }
        let inShape = shape
        let result = keepDims ? out : out.reshaped(shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element))
        return Tensor(shape: result.shape, storage: result.storage).record([self]) { [self] g in
            let (pg, gx) = (g.data, self.gradPointer())
            forEachBroadcastRow(big: inShape, a: kept, b: inShape) { row, oo, os, _, _ in
                for j in 0..<n { gx[row + j] += pg[oo + j * os] }
            }
        }
    }

    /// Sum of all values (a scalar).
    public func sum() -> Tensor { sum(axes: Array(0..<rank)) }

    /// Mean over `axes`.
    public func mean(axes: [Int], keepDims: Bool = false) -> Tensor {
        let n = axes.map { dim($0) }.reduce(1, *)
        return sum(axes: axes, keepDims: keepDims) * (1 / Float(n))
    }

    /// Mean of all values (a scalar).
    public func mean() -> Tensor { sum() * (1 / Float(max(1, count))) }
}
