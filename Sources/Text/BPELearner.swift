/// Learns byte-pair-encoding merges (Sennrich et al. 2016) over Unicode scalars.
///
/// Works on the word-frequency dictionary, not the running text: each distinct piece is a symbol
/// array weighted by its count. Pair counts are kept incrementally together with an index of the
/// words each pair occurs in, so a merge only revisits the words that contain it; the best pair
/// comes from a max-heap with lazy deletion (stale entries are skipped or re-pushed when popped).
/// Ties are broken by the smaller pair key (earlier, i.e. more frequent, symbols first), so the
/// result is deterministic.
struct BPELearner {
    /// The learned alphabet (single scalars, most frequent first), then one token per merge.
    var vocabulary: Vocabulary
    /// Merges in the order learned: (left, right) token strings.
    var merges: [(String, String)] = []

    private var words: [[Int32]] = []
    private var freqs: [Int] = []
    private var pairCounts: [UInt64: Int] = [:]
    private var pairWhere: [UInt64: [Int32]] = [:]
    private var heap = PairHeap()

    /// - Parameters:
    ///   - wordCounts: piece -> occurrences, from `pieceCounts`.
    ///   - minCharFrequency: scalars rarer than this are left out of the alphabet (become `<unk>`).
    init(wordCounts: [String: Int], minCharFrequency: Int) {
        var charCounts: [Unicode.Scalar: Int] = [:]
        for (w, f) in wordCounts {
            for c in w.unicodeScalars { charCounts[c, default: 0] += f }
        }
        var alphabet = charCounts.filter { $0.value >= max(1, minCharFrequency) }.map { ($0.key, $0.value) }
        alphabet.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.value < $1.0.value }
        vocabulary = Vocabulary(tokens: alphabet.map { String($0.0) })
        var ids: [Unicode.Scalar: Int32] = [:]
        for (c, _) in alphabet { ids[c] = vocabulary.id(String(c)) }

        // Sorted so word indices (and therefore tie-breaking inside merges) are deterministic.
        let sorted = wordCounts.sorted { $0.key < $1.key }
        words.reserveCapacity(sorted.count)
        freqs.reserveCapacity(sorted.count)
        for (w, f) in sorted {
            words.append(w.unicodeScalars.map { ids[$0] ?? SpecialTokens.unknown })
            freqs.append(f)
        }
        for (wi, w) in words.enumerated() where w.count > 1 {
            for k in 0..<(w.count - 1) {
                let key = BPELearner.key(w[k], w[k + 1])
                guard key != 0 else { continue }
                pairCounts[key, default: 0] += freqs[wi]
                pairWhere[key, default: []].append(Int32(wi))
            }
        }
        for (key, count) in pairCounts { heap.push(count: count, key: key) }
    }

    /// Pair key, or 0 for a pair that must never merge (one side `<unk>`).
    @inline(__always)
    static func key(_ a: Int32, _ b: Int32) -> UInt64 {
        if a == SpecialTokens.unknown || b == SpecialTokens.unknown { return 0 }
        return UInt64(UInt32(a)) << 32 | UInt64(UInt32(b))
    }

    /// Performs up to `count` merges, stopping early when the best pair occurs fewer than
    /// `minPairFrequency` times (further merges would only memorise single words).
    mutating func learn(merges count: Int, minPairFrequency: Int = 2) {
        var delta: [UInt64: Int] = [:]
        var stamp = [Int32](repeating: -1, count: words.count)
        var step: Int32 = 0
        while merges.count < count, let (best, bestCount) = popBest() {
            if bestCount < max(1, minPairFrequency) { break }
            let a = Int32(truncatingIfNeeded: best >> 32)
            let b = Int32(truncatingIfNeeded: best & 0xFFFF_FFFF)
            let left = vocabulary.tokens[Int(a)]
            let right = vocabulary.tokens[Int(b)]
            let merged = vocabulary.add(left + right)
            merges.append((left, right))
            step += 1
            delta.removeAll(keepingCapacity: true)
            let places = pairWhere.removeValue(forKey: best) ?? []
            for wi32 in places {
                let wi = Int(wi32)
                if stamp[wi] == step { continue }
                stamp[wi] = step
                let old = words[wi]
                guard let replaced = BPELearner.replace(old, a, b, with: merged) else { continue }
                let f = freqs[wi]
                for k in 0..<(old.count - 1) {
                    let key = BPELearner.key(old[k], old[k + 1])
                    if key != 0 { delta[key, default: 0] -= f }
                }
                for k in 0..<(replaced.count - 1) {
                    let key = BPELearner.key(replaced[k], replaced[k + 1])
                    guard key != 0 else { continue }
                    delta[key, default: 0] += f
                    if replaced[k] == merged || replaced[k + 1] == merged {
                        pairWhere[key, default: []].append(wi32)
                    }
                }
                words[wi] = replaced
            }
            for (key, d) in delta where d != 0 {
                let c = (pairCounts[key] ?? 0) + d
                if c <= 0 {
                    pairCounts.removeValue(forKey: key)
                } else {
                    pairCounts[key] = c
                    if d > 0 { heap.push(count: c, key: key) }
                }
            }
            pairCounts.removeValue(forKey: best)
        }
    }

    /// The live pair with the highest count, discarding stale heap entries.
    private mutating func popBest() -> (UInt64, Int)? {
        while let top = heap.pop() {
            let current = pairCounts[top.key] ?? 0
            if current == top.count { return (top.key, current) }
            // Counts only grow through a fresh push, so a larger current count is already queued;
            // a smaller one is not, so re-queue it.
            if current > 0 && current < top.count { heap.push(count: current, key: top.key) }
        }
        return nil
    }

    /// `word` with every non-overlapping (a, b), left to right, replaced by `merged`; nil if absent.
    static func replace(_ word: [Int32], _ a: Int32, _ b: Int32, with merged: Int32) -> [Int32]? {
        var out: [Int32] = []
        var found = false
        var k = 0
        let n = word.count
        while k < n {
            if k + 1 < n && word[k] == a && word[k + 1] == b {
                if !found {
                    found = true
                    out.reserveCapacity(n - 1)
                    out.append(contentsOf: word[0..<k])
                }
                out.append(merged)
                k += 2
            } else {
                if found { out.append(word[k]) }
                k += 1
            }
        }
        return found ? out : nil
    }
}

/// A binary max-heap of (count, pair key); among equal counts the smaller key comes first.
struct PairHeap {
    private var items: [(count: Int, key: UInt64)] = []

    @inline(__always)
    private func above(_ x: (count: Int, key: UInt64), _ y: (count: Int, key: UInt64)) -> Bool {
        x.count != y.count ? x.count > y.count : x.key < y.key
    }

    mutating func push(count: Int, key: UInt64) {
        items.append((count, key))
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard above(items[i], items[parent]) else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> (count: Int, key: UInt64)? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        if items.isEmpty { return first }
        items[0] = last
        var i = 0
        let n = items.count
        while true {
            let l = 2 * i + 1
            let r = l + 1
            var best = i
            if l < n && above(items[l], items[best]) { best = l }
            if r < n && above(items[r], items[best]) { best = r }
            if best == i { break }
            items.swapAt(i, best)
            i = best
        }
        return first
    }
}
