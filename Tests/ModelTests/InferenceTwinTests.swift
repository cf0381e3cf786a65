import Engine
import Model
import XCTest

/// Every inference twin against its graph twin, directly: `Linear`, `LayerNorm`, `FeedForward`,
/// the embedding, `MultiHeadAttention`, the encoder (`encodeRows` vs `encode`) and the decoder
/// (`decodeStep` vs `decode` + `logits`).
///
/// Bitwise where both modes do the same arithmetic: the layer-norm and embedding rows always,
/// and every twin when the graph's matrix products have fewer than 6 rows (one short sentence):
/// the GEMM then takes its few-rows path, whose dot-product tiles `linearRows` and
/// `attendCached` share, and `weights·V` accumulates in the same order as the cached kernel.
///
/// With more rows the graph's products run the packed GEMM, which sums each dot product in
/// another order, so values agree to rounding. Tolerance: float32 rounds each operation to 2^-24
/// relative; dot products of ≤ 24 terms summed in another order differ by a few 1e-7 of their
/// magnitude, and two layers with layer norms carry that through to the logits (measured worst
/// here: 1.3e-6 on values up to 4). `tolerance` = 2e-5 absolute leaves a margin of 15x and still
/// fails on any real difference (a wrong mask, position or weight moves values by ≳ 1e-2).
final class InferenceTwinTests: XCTestCase {
    let tolerance: Float = 2e-5

    /// Head width 8 (the SIMD width) and head width 6 / widths not multiples of 8 (the kernels'
    /// scalar tails), untied and tied.
    let configs = [
        ModelConfig(sourceVocabSize: 13, targetVocabSize: 11, modelDim: 16, heads: 2, encoderLayers: 2,
                    decoderLayers: 2, feedForwardDim: 24, dropout: 0.1, maxLength: 12),
        ModelConfig(sourceVocabSize: 13, targetVocabSize: 11, modelDim: 18, heads: 3, encoderLayers: 2,
                    decoderLayers: 1, feedForwardDim: 20, dropout: 0, maxLength: 12, tieOutputEmbedding: true),
    ]

    /// A model with every parameter random, norm gains and biases included (a fresh model has
    /// them at 1 and 0, where a mix-up of gain and bias would go unnoticed).
    func randomModel(_ config: ModelConfig, seed: UInt64) -> Transformer {
        let model = Transformer(config, seed: seed)
        var rng = RandomGenerator(seed: seed &+ 100)
        for (name, tensor) in model.parameters() {
            let (base, spread): (Float, Float) = name.hasSuffix("norm.weight") ? (1, 0.3) : name.hasSuffix(".bias") ? (0, 0.2) : (0, 0)
            if spread == 0 { continue }
            let noise = Tensor.randomUniform(tensor.shape, bound: spread, rng: &rng)
            for i in 0..<tensor.count { tensor.data[i] = base + noise.data[i] }
        }
        return model
    }

    func randomTensor(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        return .randomUniform(shape, bound: 1.5, rng: &rng)
    }

    func assertEqualBits(_ a: [Float], _ b: [Float], _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, message, file: file, line: line)
        // == rather than bit patterns: a sum of +0 and -0 may come out as either zero.
        let bad = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }
        XCTAssertNil(bad, "\(message): first difference at \(bad?.offset ?? -1): \(bad?.element.0 ?? 0) vs \(bad?.element.1 ?? 0)",
                     file: file, line: line)
    }

    func assertClose(_ a: [Float], _ b: [Float], _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, message, file: file, line: line)
        let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThan(worst, tolerance, message, file: file, line: line)
        XCTAssertTrue(a.allSatisfy(\.isFinite), "\(message): non-finite values", file: file, line: line)
    }

    func rows(_ t: Tensor) -> Rows { Rows(copying: t, width: t.dim(-1)) }

    func testLinearLayerNormAndEmbeddingTwins() {
        var weights = WeightInitializer.random(seed: 3)
        for (inDim, outDim) in [(16, 24), (13, 7)] {
            let linear = Linear(inDim, outDim, weights: &weights)
            for i in 0..<outDim { linear.bias!.data[i] = Float(i % 5) * 0.1 - 0.2 }
            for r in [1, 2, 3, 4, 5, 6, 9, 37] {
                let x = randomTensor([r, inDim], seed: UInt64(r))
                let stream = randomTensor([r, outDim], seed: UInt64(100 + r))
                let graph = Graph.noGrad { (plain: linear(x), relu: relu(linear(x)), residual: stream + linear(x)) }
                let (plain, activated, accumulated) = (Rows(capacity: r, width: outDim), Rows(capacity: r, width: outDim), rows(stream))
                let twin = linear.inference(.float32)
                twin(rows(x), into: plain)
                twin(rows(x), into: activated, .relu)
                twin(rows(x), into: accumulated, .accumulate)
                let check = r < 6 ? assertEqualBits : assertClose
                check(plain.tensor().values, graph.plain.values, "linear \(inDim)->\(outDim), \(r) rows", #filePath, #line)
                check(activated.tensor().values, graph.relu.values, "linear + ReLU, \(r) rows", #filePath, #line)
                check(accumulated.tensor().values, graph.residual.values, "stream + linear, \(r) rows", #filePath, #line)
            }
        }
        // Layer norm and the embedding do the same arithmetic in both modes, for any row count.
        let norm = LayerNorm(13, epsilon: 1e-5)
        for i in 0..<13 { norm.weight.data[i] = 1 + Float(i) * 0.05; norm.bias.data[i] = Float(i % 3) * 0.1 }
        let x = randomTensor([37, 13], seed: 5)
        let normed = Rows(capacity: 1, width: 13)
        norm.infer(rows(x), into: normed)
        assertEqualBits(normed.tensor().values, Graph.noGrad { norm(x) }.values, "layer norm")
        let table = randomTensor([9, 13], seed: 6)
        let positions = PositionalEncoding.table(length: 8, dim: 13)
        let ids: [Int32] = [3, 0, 8, 8, 1, 4]
        let embedded = Rows(capacity: 0, width: 13)
        let scale = Float(13).squareRoot()
        embedRows(table, ids: ids, scale: scale, positions: positions, position: { $0 % 3 }, into: embedded)
        let graph = Graph.noGrad { embedding(table, ids: ids, shape: [2, 3]) * scale + positions.slice(axis: 0, 0..<3) }
        assertEqualBits(embedded.tensor().values, graph.values, "embedding")
    }

    func testFeedForwardTwin() {
        var weights = WeightInitializer.random(seed: 4)
        let ff = FeedForward(16, 24, dropout: 0.1, weights: &weights)
        for r in [4, 11] {
            let x = randomTensor([r, 16], seed: 9), stream = randomTensor([r, 16], seed: 10)
            let graph = Graph.noGrad { stream + ff(x, ForwardContext(training: false)) }
            let y = rows(stream)
            ff.infer(rows(x), ff.inference(.float32), hiddenRows: Rows(capacity: 1, width: 24), addingTo: y)
            (r < 6 ? assertEqualBits : assertClose)(y.tensor().values, graph.values, "feed-forward, \(r) rows", #filePath, #line)
        }
    }

    /// Queries of one sentence over keys of another with padding: the cached attention (keys
    /// stored once, one query row at a time) against the graph's, output and weights.
    func testAttentionTwin() {
        for (n, config) in configs.enumerated() {
            var weights = WeightInitializer.random(seed: 20 + UInt64(n))
            let d = config.modelDim
            let attention = MultiHeadAttention(d, heads: config.heads, dropout: 0.1, name: "twin", weights: &weights)
            for (t, s, padded) in [(4, 5, 2), (9, 7, 3)] {
                let x = randomTensor([1, t, d], seed: 30), memory = randomTensor([1, s, d], seed: 31)
                let keyTokens: [Int32] = (0..<s).map { $0 < s - padded ? 5 : 0 }
                var graphWeights: Tensor?
                let graph = Graph.noGrad {
                    attention(x, memory: memory, mask: Masks.padding(keyTokens, batch: 1, length: s, pad: 0),
                              ForwardContext(training: false) { _, what, tensor in if what == "weights" { graphWeights = tensor } })
                }  // [1, T, D]
                let cache = KeyValueCache(blocks: 1, heads: config.heads, headDim: d / config.heads, capacity: s)
                let scratch = InferenceScratch(rows: 1, config)
                let twin = attention.inference(.float32)
                attention.storeKeysValues(of: rows(memory), twin, in: cache, hidden: Masks.hiddenKeys(keyTokens, pad: 0),
                                          at: { (0, $0) }, scratch)
                var twinWeights: Tensor?
                let out = rows(Tensor.zeros([t, d]))
                attention.infer(rows(x), twin, over: cache, blocks: [Int](repeating: 0, count: t), count: s, scratch,
                                observer: { _, _, w in twinWeights = w }, addingTo: out)
                let check = t < 6 && s < 6 ? assertEqualBits : assertClose
                check(out.tensor().values, graph.values, "config \(n), \(t) queries over \(s) keys", #filePath, #line)
                // [T, H, 1, S] against the graph's [1, H, T, S].
                let (h, tw, gw) = (config.heads, twinWeights!.values, graphWeights!.values)
                var reordered: [Float] = []
                for q in 0..<t {
                    for head in 0..<h {
                        let start: Int = (head * t + q) * s
                        reordered += gw[start..<(start + s)]
                    }
                }
                check(tw, reordered, "config \(n): attention weights", #filePath, #line)
                XCTAssertTrue(tw.enumerated().allSatisfy { $0.offset % s < s - padded || $0.element == 0 }, "padding got weight")
            }
        }
    }

    /// `encodeRows` against `encode`: one 5-token sentence (bitwise) and a padded batch of three.
    func testEncoderRowsEqualTheGraphEncoder() {
        for (n, config) in configs.enumerated() {
            let model = randomModel(config, seed: 40 + UInt64(n))
            for (source, batch, length) in [([4, 5, 6, 7, 3] as [Int32], 1, 5),
                                            ([4, 5, 6, 7, 3, 8, 9, 8, 3, 0, 0, 0, 9, 10, 11, 12, 3, 0] as [Int32], 3, 6)] {
                let graph = Graph.noGrad { model.encode(source, batch: batch, length: length, ForwardContext(training: false)).memory }
                let (memory, hidden) = model.encodeRows(source, batch: batch, length: length)
                XCTAssertEqual(hidden, source.map { $0 == 0 })
                (batch * length < 6 ? assertEqualBits : assertClose)(memory.tensor().values, graph.values,
                                                                     "config \(n), batch \(batch)", #filePath, #line)
            }
        }
    }

    /// `decodeStep` against the graph decoder over the whole prefix, at every step: one
    /// sentence of 5 source tokens and 5 steps (bitwise), and a batch of three with padding.
    func testDecoderStepEqualsTheGraphDecoder() {
        for (n, config) in configs.enumerated() {
            let model = randomModel(config, seed: 50 + UInt64(n))
            let cases: [([Int32], Int, Int, [[Int32]])] = [
                ([4, 5, 6, 7, 3], 1, 5, [[2, 5, 6, 7, 8]]),
                ([4, 5, 6, 7, 3, 8, 3, 0, 0, 0, 9, 10, 11, 3, 0], 3, 5, [[2, 5, 6, 7, 8, 9], [2, 4, 10, 0, 0, 0], [2, 9, 9, 4, 5, 6]]),
            ]
            for (source, batch, length, targets) in cases {
                let cache = model.startDecoding(source: source, batch: batch, length: length, maxSteps: targets[0].count)
                let v = config.targetVocabSize
                for t in 0..<targets[0].count {
                    let step = model.decodeStep(targets.map { $0[t] }, cache: cache).values  // [B, V]
                    let graph = Graph.noGrad { () -> [Float] in
                        let ctx = ForwardContext(training: false)
                        let (memory, mask) = model.encode(source, batch: batch, length: length, ctx)
                        let states = model.decode(targets.flatMap { $0[0...t] }, batch: batch, length: t + 1, memory: memory,
                                                  sourceMask: mask, ctx)  // [B, t+1, D]
                        let z = model.logits(states).values  // [B, t+1, V]
                        var last: [Float] = []
                        for b in 0..<batch {
                            let start: Int = (b * (t + 1) + t) * v
                            last += z[start..<(start + v)]
                        }
                        return last
                    }
                    let small = batch * max(length, t + 1) < 6
                    (small ? assertEqualBits : assertClose)(step, graph, "config \(n), batch \(batch), step \(t)", #filePath, #line)
                }
            }
        }
    }
}
