import Engine
import Foundation
import Model
import Text
import Training

/// Training throughput on the configurations of the PyTorch reference (`../shared/bench/torch_ref.py
/// bench-train`): random batches of sentences 8–20 tokens long on each side, padded per batch;
/// forward + backward + Adam step, label smoothing 0.1, dropout 0.1. Prints tokens/s (real source
/// + target tokens over the timed steps, as the reference counts them), the median step, the last
/// loss (equal for 1 and 2 threads when kernels are thread-count invariant), the share of the
/// timed steps' wall time spent inside GEMM calls (`GEMMTimer`: the rest is element-wise work,
/// attention softmax, layer norm, Adam, allocation) and the process's peak resident memory
/// (cumulative: run one config per process to compare memory).
func benchTrain(_ bench: Bench) {
    struct Config {
        let name: String; let d, layers, heads, ff, vocab, sentences, targetTokens, warmup, steps: Int; var tied = false
        /// torch_ref.py bench-train's flags for the same shapes and batches.
        var torch: [String] {
            name == "preset_ref"
                ? ["--config", "small", "--d-model", "\(d)", "--layers", "\(layers)", "--heads", "\(heads)", "--d-ff", "\(ff)",
                   "--src-vocab", "\(vocab)", "--tgt-vocab", "\(vocab)", "--tie-output", "--batch-tokens", "\(targetTokens)",
                   "--steps", "\(steps)", "--warmup", "\(max(2, warmup))"]
                : ["--config", name, "--steps", "\(steps)", "--warmup", "\(max(2, warmup))"]
        }
    }
    let configs = [
        Config(name: "tiny", d: 64, layers: 2, heads: 4, ff: 256, vocab: 1000, sentences: 64, targetTokens: 0, warmup: 3, steps: 30),
        Config(name: "small", d: 256, layers: 3, heads: 4, ff: 1024, vocab: 8000, sentences: 0, targetTokens: 4096, warmup: 2, steps: 20),
        // train's preset (d 128, 3+3 layers, d_ff 512, 4,000 tied) on the reference's batches:
        // 1,500 target tokens of 8-20-token sentences, padded per batch, ~4,100 padded tokens,
        // as many as train's 4,096-token budget.
        Config(name: "preset_ref", d: 128, layers: 3, heads: 4, ff: 512, vocab: 4000, sentences: 0, targetTokens: 1500, warmup: 3,
               steps: 30, tied: true),
    ]
    for full in configs where bench.wants("train_\(full.name)") {
        var c = full
        if bench.options.quick {  // a smoke run: enough steps to see the figures, not to trust them
            c = Config(name: full.name, d: full.d, layers: full.layers, heads: full.heads, ff: full.ff, vocab: full.vocab,
                       sentences: full.sentences, targetTokens: full.targetTokens, warmup: 1, steps: full.name == "tiny" ? 5 : 3,
                       tied: full.tied)
        }
        for threads in bench.options.threads {
            bench.waitForIdle()
            Threads.count = threads
            var rng = RandomGenerator(seed: 1)
            func length() -> Int { 8 + Int(rng.next() % 13) }
            // The reference draws (source, target) lengths and keeps adding sentences while the
            // target tokens stay within the budget (small) or up to a sentence count (tiny).
            func batch() -> (src: [Int32], s: Int, tin: [Int32], tout: [Int32], t: Int, b: Int, tokens: Int) {
                var pairs: [(Int, Int)] = []
                var tt = 0
                while true {
                    let (ls, lt) = (length(), length())
                    if c.sentences > 0 { if pairs.count >= c.sentences { break } } else if tt + lt > c.targetTokens { break }
                    pairs.append((ls, lt)); tt += lt
                }
                let sources = pairs.map { p in (0..<p.0).map { _ in Int32(4 + rng.next() % UInt64(c.vocab - 4)) } }
                let targets = pairs.map { p in (0..<(p.1 - 1)).map { _ in Int32(4 + rng.next() % UInt64(c.vocab - 4)) } }
                let (src, s) = padBatch(sources)
                let (tin, t) = padBatch(targets.map { [SpecialTokens.begin] + $0 })
                let (tout, _) = padBatch(targets.map { $0 + [SpecialTokens.end] })
                return (src, s, tin, tout, t, pairs.count, pairs.reduce(0) { $0 + $1.0 + $1.1 })
            }
            let config = ModelConfig(sourceVocabSize: c.vocab, targetVocabSize: c.vocab, modelDim: c.d, heads: c.heads,
                                     encoderLayers: c.layers, decoderLayers: c.layers, feedForwardDim: c.ff, dropout: 0.1, maxLength: 64,
                                     tieOutputEmbedding: c.tied)
            let model = Transformer(config, seed: 1)
            let adam = Adam(model.parameters(), config: OptimizerConfig())
            let batches = (0..<(c.warmup + c.steps)).map { _ in batch() }
            var times: [Double] = []
            var tokens = 0
            var loss: Float = 0
            var before = CPUSample.now()
            Storage.resetPeak()
            for (i, b) in batches.enumerated() {
                if i == c.warmup { GEMMTimer.reset(); GEMMTimer.isEnabled = true; before = CPUSample.now() }
                let t0 = DispatchTime.now().uptimeNanoseconds
                let ce = model.loss(TokenBatch(size: b.b, source: b.src, sourceLength: b.s, targetInput: b.tin, targetOutput: b.tout,
                                               targetLength: b.t), labelSmoothing: 0.1, ForwardContext(training: true, seed: UInt64(i)))
                ce.loss.backward()
                adam.update(lr: 1e-4)
                loss = ce.loss.item
                if i >= c.warmup {
                    times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
                    tokens += b.tokens
                }
            }
            GEMMTimer.isEnabled = false
            let after = CPUSample.now()
            let load = after.otherLoad(since: before)
            let cores = after.ownCores(since: before)
            let total = times.reduce(0, +)
            let matmulShare = Double(GEMMTimer.nanoseconds) / 1e9 / total
            let sorted = times.sorted()
            printJSON([("bench", "train_\(c.name)"), ("threads", threads), ("params", model.parameterCount),
                       ("tokens_per_s", Double(tokens) / total), ("median_step_ms", sorted[sorted.count / 2] * 1e3),
                       ("steps", c.steps), ("matmul_share", matmulShare), ("last_loss", Double(loss)), ("peak_rss_mib", peakResidentMiB()),
                       ("peak_live_tensor_mib", Double(Storage.peakBytes) / 1048576), ("cores_busy", cores), ("load", load)])
            let key = "\(c.name), \(threads) thread\(threads == 1 ? "" : "s")"
            Summary.train[key] = (Double(tokens) / total, cores, load)
            if threads == bench.options.threads.max() {
                torchTrain(bench, name: "train_\(c.name)", key: key, threads: threads, arguments: c.torch)
            }
        }
    }
}

/// The process's peak resident set so far (getrusage ru_maxrss, KiB on Linux), in MiB.
func peakResidentMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}
