import Foundation

// Shape legend: R query rows, N blocks (sequences), C positions a block has room for,
// H heads, K head width, D = H·K.

/// Keys and values that inference-time attention reads one query row at a time: `blocks`
/// sequences, each with room for `capacity` positions, stored per block as keys [H, C, K] and
/// values [H, C, K] (one head's positions contiguous, the order the attention loop reads them),
/// with an additive key mask per position (0 = may be attended, −∞ = hidden, e.g. `<pad>`).
///
/// A block is one sequence's history: a source sentence (the encoder's self-attention, or the
/// decoder's cross-attention over the encoder output, shared by all beams of the sentence) or one
/// decoding row's prefix (decoder self-attention). A block is contiguous, so carrying a
/// hypothesis to another row copies one block's filled positions (`copyBlock`), nothing else.
public final class KeyValueCache {
    /// Heads H.
    public let heads: Int
    /// Head width K.
    public let headDim: Int
    /// Positions each block has room for (C).
    public let capacity: Int
    /// Blocks there is room for.
    public private(set) var blocks: Int
    private(set) var keys: Storage    // [blocks, H, C, K]
    private(set) var values: Storage  // [blocks, H, C, K]
    private(set) var mask: Storage    // [blocks, C]

    /// Room for `blocks` sequences of `capacity` positions; nothing is filled yet.
    public init(blocks: Int, heads: Int, headDim: Int, capacity: Int) {
        precondition(blocks >= 0 && heads > 0 && headDim > 0 && capacity > 0,
                     "KeyValueCache: blocks \(blocks), heads \(heads), head width \(headDim), capacity \(capacity)")
        (self.blocks, self.heads, self.headDim, self.capacity) = (blocks, heads, headDim, capacity)
        keys = Storage(uninitializedCount: blocks * heads * capacity * headDim)
        values = Storage(uninitializedCount: blocks * heads * capacity * headDim)
        mask = Storage(uninitializedCount: blocks * capacity)
    }

    private var blockFloats: Int { heads * capacity * headDim }

    /// Makes room for at least `count` blocks, keeping the contents of the existing ones.
    public func reserveBlocks(_ count: Int) {
        guard count > blocks else { return }
        func grown(_ s: Storage, _ per: Int) -> Storage {
            let g = Storage(uninitializedCount: count * per)
            g.pointer.update(from: s.pointer, count: blocks * per)
            return g
        }
        (keys, values, mask) = (grown(keys, blockFloats), grown(values, blockFloats), grown(mask, capacity))
        blocks = count
    }

    /// Stores row i of `keys` and `values` [R, H·K] (heads side by side, as a linear layer writes
    /// them) at position `at(i).position` of block `at(i).block`, and that key's mask: hidden
    /// when `hidden[i]`.
    public func store(keys k: Rows, values v: Rows, hidden: [Bool], at: (Int) -> (block: Int, position: Int)) {
        let (h, kd) = (heads, headDim)
        precondition(k.width == h * kd && v.width == h * kd && k.count == v.count && hidden.count == k.count,
                     "KeyValueCache.store: \(k.count) x \(k.width) keys, \(v.count) x \(v.width) values, \(hidden.count) mask flags")
        for i in 0..<k.count {
            let (b, p) = at(i)
            precondition(b >= 0 && b < blocks && p >= 0 && p < capacity, "KeyValueCache.store: block \(b), position \(p) outside \(blocks) x \(capacity)")
            for head in 0..<h {
                let slot = ((b * h + head) * capacity + p) * kd
                (keys.pointer + slot).update(from: k.row(i) + head * kd, count: kd)
                (values.pointer + slot).update(from: v.row(i) + head * kd, count: kd)
            }
            mask.pointer[b * capacity + p] = hidden[i] ? -.infinity : 0
        }
    }

    /// Copies the first `positions` positions (keys, values, mask) of block `source` to block
    /// `destination`.
    public func copyBlock(_ source: Int, to destination: Int, positions: Int) {
        precondition(source >= 0 && source < blocks && destination >= 0 && destination < blocks && positions <= capacity,
                     "KeyValueCache.copyBlock: \(source) -> \(destination) of \(blocks), \(positions) positions")
        if source == destination || positions <= 0 { return }
        for head in 0..<heads {
            let (s, d) = (((source * heads + head) * capacity) * headDim, ((destination * heads + head) * capacity) * headDim)
            (keys.pointer + d).update(from: keys.pointer + s, count: positions * headDim)
            (values.pointer + d).update(from: values.pointer + s, count: positions * headDim)
        }
        (mask.pointer + destination * capacity).update(from: mask.pointer + source * capacity, count: positions)
    }
}

extension KeyValueCache: @unchecked Sendable {}
// Read-only during `attendCached`, whose row-parallel workers share it.

/// The inference twin of multi-head attention's core (`softmax(Q·Kᵀ/√K + mask)·V`, heads
/// merged): for every query row r of `queries` [R, H·K], each head attends over the first `count`
/// positions of block `blocks[r]` of `cache`; the heads' outputs go side by side into `out`
/// [R, H·K]. With `weights` (a tensor [R, H, 1, count]) the softmax weights are copied there too,
/// for observers. Sets `out.count` to R.
///
/// Scores are `scale·(q·k) + mask` with q·k summed as `dotProducts` sums (lane-wise FMA chains,
/// a pairwise lane sum, the tail); the softmax is `Engine.softmax`'s row procedure
/// (`softmaxRowInPlace`: subtract the maximum, vectorised exp, normalise; a row with every key
/// hidden gives zero weights and a zero output). Each row is computed on its own, so a row's
/// result does not depend on its batch or the thread split; rows are spread over threads when
/// there is enough work.
public func attendCached(_ queries: Rows, cache: KeyValueCache, blocks: [Int], count: Int, weights: Tensor? = nil,
                         into out: Rows) {
    let (rows, h, k) = (queries.count, cache.heads, cache.headDim)
    precondition(queries.width == h * k && out.width == h * k, "attendCached: rows of \(queries.width), cache heads \(h) x \(k)")
    precondition(blocks.count == rows && count >= 0 && count <= cache.capacity, "attendCached: \(blocks.count) blocks for \(rows) rows, \(count) of \(cache.capacity) positions")
    precondition(blocks.allSatisfy { $0 >= 0 && $0 < cache.blocks }, "attendCached: a block outside 0..<\(cache.blocks)")
    precondition(weights.map { $0.count == rows * h * count } ?? true, "attendCached: weights tensor of \(weights?.count ?? 0) values")
    precondition(queries !== out, "attendCached: queries and output must be different rows")
    out.reserve(rows)
    out.count = rows
    if rows == 0 { return }
    let scale = 1 / Float(k).squareRoot()
    let (pq, po) = (SharedPointer(queries.pointer), SharedPointer(out.pointer))
    let pw = weights.map { SharedPointer($0.data) }
    let (keys, values, mask) = (SharedPointer(cache.keys.pointer), SharedPointer(cache.values.pointer), SharedPointer(cache.mask.pointer))
    let capacity = cache.capacity
    let k8 = k & ~7
    blocks.withUnsafeBufferPointer { blockBuffer in
        let pblocks = SharedPointer(blockBuffer.baseAddress!)
        let body: @Sendable (Range<Int>) -> Void = { rr in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: max(1, count)) { scratch in
                let w = scratch.baseAddress!
                for r in rr {
                    let block = pblocks[r]
                    let keyMask = mask.base + block * capacity
                    for head in 0..<h {
                        let q = pq.base + r * h * k + head * k
                        let base = (block * h + head) * capacity * k
                        let (kh, vh) = (keys.base + base, values.base + base)
                        var mx = -Float.infinity
                        for j in 0..<count {
                            let v = scale * dotFinish(SIMD8<Float>(), k: k, a: q, b: kh + j * k, from: 0) + keyMask[j]
                            w[j] = v
                            mx = max(mx, v)
                        }
                        let o = po.base + r * h * k + head * k
                        if softmaxRowInPlace(w, count: count, max: mx) {
                            // Weighted sum of the value rows, 32 output lanes per pass over the
                            // weights, then 8, then one; zero weights skipped. Each output is
                            // the same FMA chain over j whichever pass covers it.
                            var c = 0
                            while c + 32 <= k {
                                var (a0, a1) = (SIMD16<Float>(), SIMD16<Float>())
                                for j in 0..<count where w[j] != 0 {
                                    let (wj, v) = (SIMD16(repeating: w[j]), vh + j * k + c)
                                    a0.addProduct(wj, load16(v))
                                    a1.addProduct(wj, load16(v + 16))
                                }
                                UnsafeMutableRawPointer(o + c).storeBytes(of: a0, as: SIMD16<Float>.self)
                                UnsafeMutableRawPointer(o + c + 16).storeBytes(of: a1, as: SIMD16<Float>.self)
                                c += 32
                            }
                            while c < k8 {
                                var acc = SIMD8<Float>()
                                for j in 0..<count where w[j] != 0 { acc.addProduct(SIMD8(repeating: w[j]), load8(vh + j * k + c)) }
                                UnsafeMutableRawPointer(o + c).storeBytes(of: acc, as: SIMD8<Float>.self)
                                c += 8
                            }
                            while c < k {
                                var s: Float = 0
                                for j in 0..<count where w[j] != 0 { s = s.addingProduct(w[j], vh[j * k + c]) }
                                o[c] = s
                                c += 1
                            }
                        } else {
                            for c in 0..<k { o[c] = 0 }
                        }
                        if let pw { (pw.base + (r * h + head) * count).update(from: w, count: count) }
                    }
                }
            }
        }
        if rows * h * count * k < 1 << 15 || Threads.count == 1 {
            body(0..<rows)
        } else {
            parallelChunks(rows, minChunk: 1, body)
        }
    }
}
