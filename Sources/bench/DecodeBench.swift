import Engine
import Foundation
import Model
import Training

/// The small model configuration of the PyTorch reference (`torch_ref.py --config small`):
/// d_model 256, 4 heads, 3+3 layers, d_ff 1024, 8000/8000 vocabulary, untied output projection.
func smallModelConfig() -> ModelConfig {
    ModelConfig(sourceVocabSize: 8000, targetVocabSize: 8000, modelDim: 256, heads: 4, encoderLayers: 3,
                decoderLayers: 3, feedForwardDim: 1024, dropout: 0.1)
}

/// Decoding latency with the small config and random weights, as `torch_ref.py bench-decode
/// --config small`: one 10-token source sentence decoded to exactly 20 tokens (`forceLength`,
/// like the reference's `force=True`, so random weights cannot stop early), ms per sentence.
///
/// `greedy` and `beam5` use the key/value cache (`startDecoding` / `decodeStep`: the encoder
/// runs once, each step feeds one token per hypothesis); `greedy_uncached` re-runs the whole
/// decoder over the prefix at every step, as the reference does with `nn.Transformer`, to show
/// what the cache buys. The weights are packed for the decoding kernels once, outside the timing
/// (as `translate` does when it loads a model).
func benchDecode(_ bench: Bench) {
    guard bench.wants("decode_small") else { return }
    let model = Transformer(smallModelConfig(), seed: 1)
    var rng = RandomGenerator(seed: 1)
    let source: [[Int32]] = [(0..<10).map { _ in Int32(4 + rng.next() % 7996) }]
    let outTokens = 20
    let reps = bench.options.quick ? 5 : max(20, bench.options.runs)
    // Packed once, as `translate` does at load: the timings are the decoding's.
    let weights = model.inferenceWeights()
    let cases: [(mode: String, reps: Int, run: () -> Int)] = [
        ("greedy", reps, { model.greedyDecode(source, maxLength: { _ in outTokens }, forceLength: true, weights: weights)[0].count }),
        ("beam5", reps, { beamSearch(model, sources: source, beam: 5, maxLength: { _ in outTokens }, forceLength: true,
                                           weights: weights)[0][0].tokens.count }),
        ("greedy_uncached", max(3, reps / 2), { model.greedyDecodeUncached(source, maxLength: { _ in outTokens }, forceLength: true)[0].count }),
    ]
    for threads in bench.options.threads {
        Threads.count = threads
        for c in cases {
            for _ in 0..<3 { _ = c.run() }  // warm-up: page in the weights, grow the allocator
            var times: [Double] = []
            let before = CPUSample.now()
            for _ in 0..<c.reps {
                let t0 = DispatchTime.now().uptimeNanoseconds
                let n = c.run()
                times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
                precondition(n == outTokens, "decode_small: \(c.mode) produced \(n) tokens, expected \(outTokens)")
            }
            let load = CPUSample.now().otherLoad(since: before)
            bench.report(name: "decode_small", fields: [("config", "small"), ("mode", c.mode), ("threads", threads),
                                                        ("src_len", source[0].count), ("out_tokens", outTokens)],
                         seconds: times, load: load)
        }
    }
}
