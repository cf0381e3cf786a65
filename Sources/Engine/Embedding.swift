/// Embedding lookup: row `ids[i]` of `table` [V, D] for each id, giving `shape + [D]`.
/// The backward adds each output row's gradient into the row it came from (scatter-add), so a
/// token that appears twice gets both contributions.
public func embedding(_ table: Tensor, ids: [Int32], shape: [Int]) -> Tensor {
    precondition(table.rank == 2, "embedding table must be [V, D], got \(table.shape)")
    precondition(shape.reduce(1, *) == ids.count, "ids count \(ids.count) does not match shape \(shape)")
    let (v, d) = (table.shape[0], table.shape[1])
    let out = Tensor(uninitializedShape: shape + [d])
    for (i, id) in ids.enumerated() {
        precondition(id >= 0 && Int(id) < v, "token id \(id) outside vocabulary of \(v)")
        (out.data + i * d).update(from: table.data + Int(id) * d, count: d)
    }
    return out.record([table]) { g in
        let gt = table.gradPointer()
        for (i, id) in ids.enumerated() {
            let (dst, src) = (gt + Int(id) * d, g.data + i * d)
            for j in 0..<d { dst[j] += src[j] }
        }
    }
}

/// The inference twin of `embedding(table, ids:) * scale + positions[…]`: row i of `out` is
/// row `ids[i]` of `table` [V, D] times `scale`, plus row `position(i)` of `positions` [L, D]
/// (the same multiply, then add, as the graph ops). Sets `out.count` to `ids.count`.
public func embedRows(_ table: Tensor, ids: [Int32], scale: Float, positions: Tensor, position: (Int) -> Int,
                      into out: Rows) {
    precondition(table.rank == 2 && positions.rank == 2 && table.dim(1) == out.width && positions.dim(1) == out.width,
                 "embedRows: table \(table.shape), positions \(positions.shape), rows of \(out.width)")
    let (v, d) = (table.dim(0), out.width)
    out.reserve(ids.count)
    out.count = ids.count
    for (i, id) in ids.enumerated() {
        precondition(id >= 0 && Int(id) < v, "token id \(id) outside vocabulary of \(v)")
        let p = position(i)
        precondition(p >= 0 && p < positions.dim(0), "position \(p) outside the table of \(positions.dim(0))")
        let (e, pe, y) = (table.data + Int(id) * d, positions.data + p * d, out.row(i))
        for j in 0..<d { y[j] = e[j] * scale + pe[j] }
    }
}
