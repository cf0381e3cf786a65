import Engine

// Shape legend: R decoding rows (sentences x beams), B source sentences, H heads, K head
// width, D = H·K, S source positions, C step capacity (most tokens a row can be fed).

/// One decoder layer's cached keys and values during incremental decoding.
public struct DecoderLayerKeys {
    /// The encoder output's cross-attention keys and values: one block per source sentence,
    /// S positions, `<pad>` positions hidden. Computed once by `Transformer.startDecoding`.
    public let source: KeyValueCache
    /// The self-attention keys and values of every token fed so far: one block per row's
    /// prefix, C positions, filled one position per step.
    public let own: KeyValueCache
}

/// What every decoder layer needs to know about the position being decoded.
public struct DecoderStep {
    /// The new tokens' position t (all rows decode the same position).
    public let position: Int
    /// Per row: whether the new token is `<pad>` (a finished row), hidden as a key later on.
    public let hidden: [Bool]
    /// Per row: its block of `DecoderLayerKeys.own`.
    public let slots: [Int]
    /// Per row: its source sentence, the block of `DecoderLayerKeys.source` it reads.
    public let sentences: [Int]
    /// Source positions S.
    public let sourceLength: Int
    /// Receives each attention's weights, as `DecoderCache.observer`.
    public let observer: ((String, String, Tensor) -> Void)?
}

/// The state of an incremental (one token per step) decoding of a batch: everything the
/// decoder would otherwise recompute from the whole prefix at every step — per layer, the
/// encoder output's keys and values (once per sentence, shared by the sentence's beams) and
/// the keys and values of each row's prefix — plus the rows' residual stream and scratch.
///
/// Each row's prefix lives in one block of the caches (`slots`); `select(rows:)` reorders,
/// duplicates and drops rows (beam search keeps the surviving hypotheses) by reassigning
/// blocks: a surviving prefix stays where it is, and only a prefix continued by more than one
/// row is copied. Rows of one sentence read the same encoder block.
public final class DecoderCache {
    /// Rows decoded together (sentences x beams); `decodeStep` takes one token per row.
    public private(set) var rows: Int
    /// Tokens fed so far: the next token gets position `step` (its positional-encoding row).
    public private(set) var step = 0
    /// Most tokens a row can be fed (the self-attention blocks' length C).
    public let capacity: Int
    /// Called during `decodeStep` with (attention name like "decoder.layers.0.cross", "weights",
    /// weights `[R, H, 1, keys]`), as `ForwardContext.observer` is for the full decoder
    /// (keys = step + 1 for self-attention, S for cross-attention). Nil: nothing is copied.
    public var observer: ((String, String, Tensor) -> Void)?

    /// Per decoder layer, its cached keys and values.
    public let layers: [DecoderLayerKeys]
    /// The weights every step reads (`Transformer.inferenceWeights()`), the output projection included.
    public let weights: Transformer.InferenceWeights
    /// Source positions S.
    public let sourceLength: Int
    /// Per row: its source sentence (encoder block).
    public private(set) var sentences: [Int]
    /// Per row: the block of the self-attention caches holding its prefix.
    public private(set) var slots: [Int]
    /// The rows' residual stream [R, D]: the newest tokens' states as they pass the layers.
    public let stream: Rows
    /// Activations reused by every layer and step.
    public let scratch: InferenceScratch

    /// A cache for `sentences.count` rows, row r decoding source sentence `sentences[r]`, its
    /// prefix in block r of each layer's `own` cache.
    init(layers: [DecoderLayerKeys], weights: Transformer.InferenceWeights, sentences: [Int], capacity: Int, sourceLength: Int,
         modelDim: Int, feedForwardDim: Int) {
        self.layers = layers
        self.weights = weights
        self.sentences = sentences
        self.capacity = capacity
        self.sourceLength = sourceLength
        rows = sentences.count
        slots = Array(0..<rows)
        stream = Rows(capacity: rows, width: modelDim)
        scratch = InferenceScratch(rows: rows, modelDim: modelDim, feedForwardDim: feedForwardDim)
    }

    /// Keeps, in this order, the rows listed in `rows` (indices into the current rows, repeats
    /// allowed): row i afterwards continues the decoding of former row `rows[i]`. Used by beam
    /// search to carry surviving hypotheses forward and by both decoders to drop finished
    /// sentences. A former row's prefix stays in its block for the first row that continues it;
    /// each further row continuing it gets a copy of its `step` filled positions in a free block.
    public func select(rows newRows: [Int]) {
        precondition(newRows.allSatisfy { $0 >= 0 && $0 < rows }, "select(rows:) index outside 0..<\(rows)")
        let blocks = layers.first?.own.blocks ?? 0
        var taken = [Bool](repeating: false, count: max(blocks, newRows.count))
        var newSlots = newRows.map { r -> Int in
            if taken[slots[r]] { return -1 }
            taken[slots[r]] = true
            return slots[r]
        }
        var free = taken.indices.filter { !taken[$0] }.makeIterator()
        if newRows.count > blocks { for keys in layers { keys.own.reserveBlocks(newRows.count) } }
        for i in newSlots.indices where newSlots[i] < 0 {
            let block = free.next()!
            for keys in layers { keys.own.copyBlock(slots[newRows[i]], to: block, positions: step) }
            newSlots[i] = block
        }
        slots = newSlots
        sentences = newRows.map { sentences[$0] }
        rows = newRows.count
    }

    /// The step's description for the decoder layers, with the new tokens' `<pad>` flags.
    func decoderStep(hidden: [Bool]) -> DecoderStep {
        DecoderStep(position: step, hidden: hidden, slots: slots, sentences: sentences, sourceLength: sourceLength,
                    observer: observer)
    }

    /// Marks one more position as filled (called by `decodeStep` after every layer wrote it).
    func advance() { step += 1 }
}
