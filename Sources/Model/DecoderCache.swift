import Engine

// Shape legend: R decoding rows (sentences x beams), B source sentences, H heads, K head
// width, D = H·K, S source positions, C step capacity (most tokens a row can be fed).

/// The state of an incremental (one token per step) decoding of a batch: everything the
/// decoder would otherwise recompute from the whole prefix at every step.
///
/// - per decoder layer, the cross-attention keys and values of the encoder output,
///   `[B, H, S, K]`, computed once by `Transformer.startDecoding`, with the source padding mask;
/// - per decoder layer, the self-attention keys and values of every token fed so far,
///   `[R, H, C, K]`, preallocated and filled in place one position per step;
/// - scratch rows for one step's activations, reused by every step.
///
/// Rows can be reordered or duplicated between steps with `select(rows:)` (beam search keeps
/// the surviving hypotheses); several rows may read the same sentence's encoder block.
public final class DecoderCache {
    /// Rows decoded together (sentences x beams); `decodeStep` takes one token per row.
    public private(set) var rows: Int
    /// Tokens fed so far: the next token gets position `step` (its positional-encoding row).
    public private(set) var step = 0
    /// Most tokens a row can be fed (the self-attention buffers' length C).
    public let capacity: Int
    /// Called during `decodeStep` with (attention name like "decoder.layers.0.cross", "weights",
    /// weights `[R, H, 1, keys]`), as `ForwardContext.observer` is for the full decoder
    /// (keys = step + 1 for self-attention, S for cross-attention). Nil: nothing is copied.
    public var observer: ((String, String, Tensor) -> Void)?

    let layers, heads, headDim, feedForward, sourceLength: Int
    /// Encoder block (source sentence) read by each row.
    var blockOf: [Int]
    /// Per layer: encoder keys/values [B, H, S, K] and the padding mask [B, S].
    let cross: [CachedKeys]
    let crossStorage: [Storage]
    /// Rows the self-attention buffers and scratch rows have room for (grows in `select`).
    private var rowCapacity: Int
    /// Per layer: self-attention keys/values [rowCapacity, H, C, K] and the `<pad>` key mask
    /// [rowCapacity, C], for the current rows and a spare set that `select` gathers into.
    private(set) var selfKeys: [CachedKeys]
    private var selfStorage: [Storage]
    private var spare: [Storage] = []
    /// One step's activations, [R, D] each except `hidden` [R, F] and `weights` [R, H, max(C, S)].
    private(set) var stream, normed, query, key, value, mixed, hidden, weights: Storage

    init(layers: Int, heads: Int, headDim: Int, feedForward: Int, rows: Int, capacity: Int,
         sourceLength: Int, blockOf: [Int], cross: [Storage]) {
        self.rows = rows
        self.capacity = capacity
        self.layers = layers
        self.heads = heads
        self.headDim = headDim
        self.feedForward = feedForward
        self.sourceLength = sourceLength
        self.blockOf = blockOf
        crossStorage = cross
        let blocks = (blockOf.max() ?? -1) + 1
        let kvCount = blocks * heads * sourceLength * headDim
        self.cross = cross.map { s in
            CachedKeys(keys: s.pointer, values: s.pointer + kvCount, mask: s.pointer + 2 * kvCount, capacity: sourceLength)
        }
        rowCapacity = rows
        selfStorage = []
        selfKeys = []
        (stream, normed, query, key, value, mixed, hidden, weights) = DecoderCache.scratch(
            rows: rows, d: heads * headDim, f: feedForward, weights: heads * max(capacity, sourceLength))
        selfStorage = allocateSelf()
        selfKeys = keys(selfStorage)
    }

    private static func scratch(rows n: Int, d: Int, f: Int, weights: Int)
        -> (Storage, Storage, Storage, Storage, Storage, Storage, Storage, Storage) {
        (Storage(uninitializedCount: n * d), Storage(uninitializedCount: n * d), Storage(uninitializedCount: n * d),
         Storage(uninitializedCount: n * d), Storage(uninitializedCount: n * d), Storage(uninitializedCount: n * d),
         Storage(uninitializedCount: n * f), Storage(uninitializedCount: n * weights))
    }

    private var rowFloats: Int { heads * capacity * headDim }

    private func allocateSelf() -> [Storage] {
        (0..<layers).map { _ in Storage(uninitializedCount: rowCapacity * (2 * rowFloats + capacity)) }
    }

    private func keys(_ storage: [Storage]) -> [CachedKeys] {
        storage.map { s in
            CachedKeys(keys: s.pointer, values: s.pointer + rowCapacity * rowFloats,
                       mask: s.pointer + 2 * rowCapacity * rowFloats, capacity: capacity)
        }
    }

    /// Keeps, in this order, the rows listed in `rows` (indices into the current rows, repeats
    /// allowed): row i afterwards continues the decoding of former row `rows[i]`. Used by beam
    /// search to carry surviving hypotheses forward and to drop finished sentences.
    /// Copies only the `step` filled positions of each row; the encoder blocks are shared.
    public func select(rows newRows: [Int]) {
        precondition(newRows.allSatisfy { $0 >= 0 && $0 < rows }, "select(rows:) index outside 0..<\(rows)")
        let n = newRows.count
        let old = selfKeys
        if n > rowCapacity {
            rowCapacity = n
            spare = []
            (stream, normed, query, key, value, mixed, hidden, weights) = DecoderCache.scratch(
                rows: n, d: heads * headDim, f: feedForward, weights: heads * max(capacity, sourceLength))
        }
        if spare.isEmpty { spare = allocateSelf() }
        let new = keys(spare)
        let filled = step * headDim
        for l in 0..<layers {
            let (src, dst) = (old[l], new[l])
            for (i, r) in newRows.enumerated() {
                for h in 0..<heads {
                    let (so, doff) = ((r * heads + h) * capacity * headDim, (i * heads + h) * capacity * headDim)
                    (dst.keys + doff).update(from: src.keys + so, count: filled)
                    (dst.values + doff).update(from: src.values + so, count: filled)
                }
                (dst.mask + i * capacity).update(from: src.mask + r * capacity, count: step)
            }
        }
        let grew = spare.first?.count != selfStorage.first?.count
        swap(&selfStorage, &spare)
        if grew { spare = [] }  // the old set is too small for the new row capacity
        selfKeys = new
        blockOf = newRows.map { blockOf[$0] }
        rows = n
    }

    /// Marks one more position as filled (called by `decodeStep` after every layer wrote it).
    func advance() { step += 1 }
}
