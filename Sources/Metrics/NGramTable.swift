// Interning of tokens and n-grams as small integer ids, so that counting never builds strings.
//
// Every item (a word, a word n-gram, a character n-gram) gets an id from one table keyed by
// (id of its prefix, last element). A word is the chain of its code points; an n-gram is the chain
// of its (n-1)-gram prefix and its last element. Ids are unique across all kinds and orders because
// they come from one counter, and chains start from distinct sentinel prefixes that no id or code
// point can equal. Equal ids therefore mean equal code point sequences, as Python's tuple / str
// equality requires, with no hashing of strings and no collision risk.

/// The id of an interned item; ids count up from 0 and stay far below the sentinels.
typealias ItemID = UInt32

struct NGramTable {
    private var ids: [UInt64: ItemID] = [:]

    /// Chain starts. Code points are at most 0x10FFFF and ids stay below 2^31.
    static let wordStart: ItemID = 0xFFFF_FFF0
    static let wordGramStart: ItemID = 0xFFFF_FFF1
    static let charGramStart: ItemID = 0xFFFF_FFF2

    /// Forgets every id (keeping the storage), so a new segment starts from a small table.
    mutating func removeAll() { ids.removeAll(keepingCapacity: true) }

    /// The id of the item made of `prefix` followed by `last`, creating it on first sight.
    @inline(__always)
    mutating func id(prefix: ItemID, last: UInt32) -> ItemID {
        let key = UInt64(prefix) << 32 | UInt64(last)
        if let found = ids[key] { return found }
        let new = ItemID(ids.count)
        ids[key] = new
        return new
    }

    /// The id of each word `text[range]`.
    mutating func words(_ text: Scalars, _ ranges: [Range<Int>]) -> [ItemID] {
        var out = [ItemID]()
        out.reserveCapacity(ranges.count)
        for r in ranges {
            var id = NGramTable.wordStart
            for i in r { id = self.id(prefix: id, last: text[i]) }
            out.append(id)
        }
        return out
    }

    /// Ids of all n-grams of orders 1...maxOrder of `items`, one array per order, each in
    /// sequence order and sorted afterwards (callers only need counts). `start` keeps word
    /// n-grams and character n-grams apart.
    mutating func sortedNGrams(of items: [UInt32], maxOrder: Int, start: ItemID) -> [[ItemID]] {
        var result: [[ItemID]] = []
        result.reserveCapacity(maxOrder)
        // prev[i] is the id of the (n-1)-gram starting at i.
        var prev = [ItemID](repeating: start, count: items.count)
        for n in 1...max(1, maxOrder) {
            let count = items.count - n + 1
            if count <= 0 {
                result.append(contentsOf: repeatElement([], count: maxOrder - n + 1))
                break
            }
            var cur = [ItemID](repeating: 0, count: count)
            for i in 0..<count { cur[i] = id(prefix: prev[i], last: items[i + n - 1]) }
            prev = cur
            cur.sort()
            result.append(cur)
        }
        return result
    }
}

/// Count-based operations on sorted id arrays (a sorted array is a multiset of n-grams).
enum SortedCounts {
    /// Run-length encoding of a sorted array: each distinct id with its count.
    static func runs(_ sorted: [ItemID]) -> [(id: ItemID, count: Int)] {
        var out: [(id: ItemID, count: Int)] = []
        var i = 0
        while i < sorted.count {
            var j = i + 1
            while j < sorted.count && sorted[j] == sorted[i] { j += 1 }
            out.append((sorted[i], j - i))
            i = j
        }
        return out
    }

    /// Per-id maximum count over several multisets (sacreBLEU's multi-reference BLEU clipping).
    static func maxRuns(_ sortedArrays: [[ItemID]]) -> [(id: ItemID, count: Int)] {
        if sortedArrays.count == 1 { return runs(sortedArrays[0]) }
        var all = sortedArrays.flatMap { runs($0) }
        all.sort { $0.id < $1.id || ($0.id == $1.id && $0.count > $1.count) }
        var out: [(id: ItemID, count: Int)] = []
        for r in all where out.last?.id != r.id { out.append(r) }
        return out
    }

    /// Σ over ids of min(hyp count, ref count): the clipped matches of a hypothesis multiset.
    static func clippedMatches(hyp: [ItemID], ref: [(id: ItemID, count: Int)]) -> Int {
        var matches = 0
        var i = 0, j = 0
        while i < hyp.count && j < ref.count {
            let h = hyp[i]
            if h < ref[j].id {
                i += 1
            } else if h > ref[j].id {
                j += 1
            } else {
                var k = i + 1
                while k < hyp.count && hyp[k] == h { k += 1 }
                matches += min(k - i, ref[j].count)
                i = k
                j += 1
            }
        }
        return matches
    }
}
