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
