import Engine
import Model
import XCTest

final class IncrementalDecodingTests: XCTestCase {
    /// Two shapes: head width 8 with the output layer, and head width 4 / widths not multiples
    /// of 8 (the kernels' scalar tails) with tied embeddings.
    let configs = [
        ModelConfig(sourceVocabSize: 13, targetVocabSize: 11, modelDim: 16, heads: 2, encoderLayers: 2,
                    decoderLayers: 2, feedForwardDim: 24, dropout: 0.1, maxLength: 12),
        ModelConfig(sourceVocabSize: 13, targetVocabSize: 11, modelDim: 12, heads: 3, encoderLayers: 1,
                    decoderLayers: 2, feedForwardDim: 20, dropout: 0, maxLength: 12, tieOutputEmbedding: true),
    ]
    // Three sources of lengths 5, 2 and 4, padded with 0 to 5.
    let source: [Int32] = [4, 5, 6, 7, 3, 8, 3, 0, 0, 0, 9, 10, 11, 3, 0]
    // Target inputs: <s> then tokens; row 1 "finishes" and is fed <pad> from position 3 on.
    let target: [[Int32]] = [[2, 5, 6, 7, 8, 9], [2, 4, 10, 0, 0, 0], [2, 9, 9, 4, 5, 6]]

    /// Logits at position `t` of the full decoder run over `prefixes` (each t + 1 tokens).
    func fullLogits(_ model: Transformer, _ prefixes: [[Int32]], source: [Int32], batch: Int, length: Int) -> [[Float]] {
        Graph.noGrad {
            let ctx = ForwardContext(training: false)
            let t = prefixes[0].count
            let (memory, mask) = model.encode(source, batch: batch, length: length, ctx)
            let states = model.decode(prefixes.flatMap { $0 }, batch: batch, length: t, memory: memory, sourceMask: mask, ctx)
            let z = model.logits(states).values  // [B, t, V]
            let v = model.config.targetVocabSize
            return (0..<batch).map { b in Array(z[((b * t) + t - 1) * v..<((b * t) + t) * v]) }
        }
    }

    func assertClose(_ a: [Float], _ b: [Float], _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, message, file: file, line: line)
        let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThan(worst, 1e-4, message, file: file, line: line)
    }

    func testCachedStepsEqualTheFullDecoderWithPadding() {
        for (n, config) in configs.enumerated() {
            let model = Transformer(config, seed: UInt64(10 + n))
            let cache = model.startDecoding(source: source, batch: 3, length: 5, maxSteps: 6)
            XCTAssertEqual(cache.rows, 3)
            for t in 0..<6 {
                XCTAssertEqual(cache.step, t)
                let z = Graph.noGrad { model.decodeStep(target.map { $0[t] }, cache: cache) }
                XCTAssertEqual(z.shape, [3, config.targetVocabSize])
                let full = fullLogits(model, target.map { Array($0[0...t]) }, source: source, batch: 3, length: 5)
                let v = config.targetVocabSize
                for b in 0..<3 { assertClose(Array(z.values[b * v..<(b + 1) * v]), full[b], "config \(n) step \(t) row \(b)") }
            }
        }
    }

    func testSelectReordersAndDuplicatesRows() {
        let model = Transformer(configs[0], seed: 21)
        let cache = model.startDecoding(source: source, batch: 3, length: 5, maxSteps: 6)
        for t in 0..<3 { _ = model.decodeStep(target.map { $0[t] }, cache: cache) }
        // Row 0 continues sentence 2's prefix, rows 1-3 sentence 0's (a row count change too).
        let picks = [2, 0, 0, 0]
        cache.select(rows: picks)
        XCTAssertEqual(cache.rows, 4)
        var prefixes = picks.map { Array(target[$0][0..<3]) }
        let picked = picks.flatMap { Array(source[($0 * 5)..<($0 * 5 + 5)]) }
        let next: [[Int32]] = [[4, 5], [6, 7], [8, 9], [10, 6]]
        for s in 0..<2 {
            let z = model.decodeStep(next.map { $0[s] }, cache: cache)
            for i in 0..<4 { prefixes[i].append(next[i][s]) }
            let full = fullLogits(model, prefixes, source: picked, batch: 4, length: 5)
            let v = configs[0].targetVocabSize
            for b in 0..<4 { assertClose(Array(z.values[b * v..<(b + 1) * v]), full[b], "after select, step \(s) row \(b)") }
        }
        // Shrinking to one row keeps that row's state.
        cache.select(rows: [3])
        let z = model.decodeStep([7], cache: cache)
        prefixes[3].append(7)
        assertClose(z.values, fullLogits(model, [prefixes[3]], source: Array(source[0..<5]), batch: 1, length: 5)[0], "after shrinking")
    }

    func testRowsDoNotDependOnTheirBatch() {
        // The decoding kernels compute each row alone: a sentence's logits are bitwise the same
        // decoded alone (no padding) or in a padded batch of three.
        let model = Transformer(configs[0], seed: 31)
        let batch = model.startDecoding(source: source, batch: 3, length: 5, maxSteps: 4)
        let alone = model.startDecoding(source: [8, 3], batch: 1, length: 2, maxSteps: 4)
        let v = configs[0].targetVocabSize
        for t in 0..<4 {
            let zb = model.decodeStep(target.map { $0[t] }, cache: batch)
            let za = model.decodeStep([target[1][t]], cache: alone)
            XCTAssertEqual(Array(zb.values[v..<(2 * v)]), za.values, "step \(t)")
        }
    }

    func testObserverSeesAttentionWeights() {
        let model = Transformer(configs[0], seed: 41)
        let cache = model.startDecoding(source: source, batch: 3, length: 5, maxSteps: 3)
        var seen: [(String, [Int], [Float])] = []
        cache.observer = { name, what, t in
            XCTAssertEqual(what, "weights")
            seen.append((name, t.shape, t.values))
        }
        _ = model.decodeStep([2, 2, 2], cache: cache)
        _ = model.decodeStep([5, 6, 7], cache: cache)
        XCTAssertEqual(seen.count, 2 * 2 * 2)  // steps x layers x (self, cross)
        let (name, shape, w) = seen[seen.count - 1]
        XCTAssertEqual(name, "decoder.layers.1.cross")
        XCTAssertEqual(shape, [3, 2, 1, 5])
        // Row 1 (source length 2) gives no weight to its 3 padding positions; rows sum to 1.
        for head in 0..<2 {
            let row = Array(w[(2 + head) * 5..<(3 + head) * 5])
            XCTAssertEqual(Array(row[2...]), [0, 0, 0])
            XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-5)
        }
        XCTAssertEqual(seen[4].1, [3, 2, 1, 2], "self-attention at step 1 sees 2 positions")
    }
}
