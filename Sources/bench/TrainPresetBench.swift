import Engine
import Foundation
import Model
import Random
import Text
import Training

/// Training on the shapes users train by default (`train`'s preset: d_model 128, 4 heads, 3+3
/// layers, d_ff 512, 4,000-token vocabularies per side, tied output, label smoothing 0.1,
/// dropout 0.1, weight averaging 0.999, batches of 4,096 source + target tokens incl. padding
/// formed by Text's `Batcher` as `train` forms them), on random sentence pairs of 3–24 tokens.
/// Prints tokens/s (real tokens) and `cores_busy`: the process's CPU time over the wall time of
/// the timed steps (2.0 = both cores of this machine busy all the time).
func benchTrainPreset(_ bench: Bench) {
    guard bench.wants("train_preset") else { return }
    let (warmup, steps) = bench.options.quick ? (1, 4) : (3, 30)
    // `train`'s defaults, read once, so the bench measures the preset users get and cannot drift.
    let preset = TrainConfig()
    var rng = SplitMix64(seed: 7)
    let vocab = 4000
    func sentence() -> [Int32] { (0..<(3 + rng.next(below: 22))).map { _ in Int32(4 + rng.next(below: vocab - 4)) } }
    let pairs = (0..<6000).map { _ in TokenizedPair(source: sentence(), target: sentence()) }
    guard let batcher = try? Batcher(pairs: pairs, config: BatchConfig(maxTokens: preset.batchTokens, maxLength: 255, seed: 1)) else { return }
    let batches = Array(batcher.batches(epoch: 0).prefix(warmup + steps))
    for threads in bench.options.threads {
        bench.waitForIdle()
        Threads.count = threads
        var config = preset.model
        (config.sourceVocabSize, config.targetVocabSize) = (vocab, vocab)
        let model = Transformer(config, seed: 1)
        let adam = Adam(model.parameters(), config: preset.optimizer)
        let average = preset.emaDecay.map { WeightAverage(model.parameters(), decay: $0) }  // nil: averaging off
        var (tokens, loss) = (0, Float(0))
        var before = CPUSample.now()
        for (i, batch) in batches.enumerated() {
            if i == warmup {
                before = CPUSample.now()
                GEMMTimer.reset(); GEMMTimer.isEnabled = bench.options.gemmShapes
            }
            let ce = model.loss(batch.tokens, labelSmoothing: preset.labelSmoothing, ForwardContext(training: true, seed: UInt64(i)))
            ce.loss.backward()
            _ = adam.gradientNorm()
            adam.update(lr: 1e-3)
            average?.update(step: i + 1)
            loss = ce.loss.item
            if i >= warmup { tokens += batch.sourceTokens + batch.targetTokens }
        }
        let after = CPUSample.now()
        GEMMTimer.isEnabled = false
        let seconds = after.wall - before.wall
        if bench.options.gemmShapes {
            let fixed: Set<Int> = [config.modelDim, config.feedForwardDim, config.modelDim / config.heads, vocab,
                                   512 /* ProjectedCrossEntropy's default chunkRows */]
            printGEMMShapes(title: "train_preset, \(threads) thread\(threads == 1 ? "" : "s")", fixed: fixed,
                            steps: batches.count - warmup, seconds: seconds)
        }
        printJSON([("bench", "train_preset"), ("threads", threads), ("params", model.parameterCount),
                   ("tokens_per_s", Double(tokens) / seconds), ("cores_busy", after.ownCores(since: before)),
                   ("steps", batches.count - warmup), ("last_loss", Double(loss)), ("load", after.otherLoad(since: before))])
        Summary.train["preset (train's batches), \(threads) thread\(threads == 1 ? "" : "s")"] =
            (Double(tokens) / seconds, after.ownCores(since: before), after.otherLoad(since: before))
    }
}

/// Prints `GEMMTimer.byShape` as a table on stderr, costliest first: calls and ms per step,
/// share of the timed wall time, GFLOP/s. Sizes that follow the batch (tokens, sentences,
/// lengths) change every step, so every size not in `fixed` (the model's own: d_model, d_ff,
/// vocabulary, head size, ...) shows as `*` and the shapes that then read the same are summed.
func printGEMMShapes(title: String, fixed: Set<Int>, steps: Int, seconds: Double) {
    var groups: [String: (nanoseconds: Double, calls: Int, flops: Double)] = [:]
    for (shape, time) in GEMMTimer.byShape {
        let key = shape.formatted { fixed.contains($0) ? "\($0)" : "*" }
        let old = groups[key] ?? (0, 0, 0)
        groups[key] = (old.nanoseconds + Double(time.nanoseconds), old.calls + time.calls, old.flops + shape.flops * Double(time.calls))
    }
    let rows = groups.sorted { $0.value.nanoseconds > $1.value.nanoseconds }
    let total = rows.reduce(0.0) { $0 + $1.value.nanoseconds } / 1e9
    var text = "\nGEMM time by shape, \(title) (* = a size that follows the batch): "
    text += String(format: "%.0f%% of the step in GEMM\n", 100 * total / seconds)
    text += "  shape                          calls/step  ms/step   share  GFLOP/s\n"
    for (key, group) in rows {
        let ms = group.nanoseconds / 1e6 / Double(steps)
        text += "  " + key.padding(toLength: max(30, key.count), withPad: " ", startingAt: 0)
        text += String(format: " %10.1f %8.2f %6.1f%% %8.1f\n", Double(group.calls) / Double(steps), ms,
                       100 * group.nanoseconds / 1e9 / seconds, group.flops / group.nanoseconds)
    }
    FileHandle.standardError.write(Data(text.utf8))
}
