#if canImport(Glibc)
import Glibc
#endif
import Checkpoint
import Engine
import Foundation
import Model
import Text
import Training

/// End-to-end time of one `translate` command with a small-config checkpoint, as a user sees
/// it: process start, checkpoint read and verification, model rebuild, tokenising, decoding one
/// ten-word sentence, printing, exit. The PyTorch counterpart is `torch_ref.py bench-startup
/// --config small` (which builds a random model instead of reading a file, so it pays no I/O).
///
/// The checkpoint is written once into a temporary folder the way `train` writes one: random
/// small-config weights plus Adam's m and v (so the file is ~3x the model, ~140 MB), word
/// tokenizers over a made-up 8000-word vocabulary, and the training config and state as
/// metadata. One untimed run warms the page cache (a user translating right after training
/// finds the file cached too); then `runs` timed runs, median wall ms. `load_ms` is the
/// checkpoint load time `translate` itself reports.
func benchStartup(_ bench: Bench) throws {
    guard bench.wants("translate_startup") else { return }
    let translate = executableDirectory().appendingPathComponent("translate")
    guard FileManager.default.isExecutableFile(atPath: translate.path) else {
        throw BenchError("translate_startup needs the translate executable next to bench (\(translate.path)); build it with `swift build -c release` or `make build`")
    }
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bench-startup-\(getpid())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let fileBytes = try writeSmallCheckpoint(into: folder)
    let sentence = (0..<10).map { "w\($0 * 797 % 7995)" }.joined(separator: " ")
    let runs = bench.options.quick ? 3 : max(5, bench.options.runs)
    for threads in bench.options.threads {
        let arguments = ["--checkpoint", folder.path, "--threads", String(threads), sentence]
        _ = try runTranslate(translate, arguments, folder: folder)  // warm-up: page cache, dynamic loader
        var times: [Double] = []
        var loads: [Double] = []
        let before = CPUSample.now()
        for _ in 0..<runs {
            let (seconds, loadMs) = try runTranslate(translate, arguments, folder: folder)
            times.append(seconds)
            if let loadMs { loads.append(loadMs) }
        }
        let load = CPUSample.now().otherLoad(since: before)
        loads.sort()
        bench.report(name: "translate_startup", fields: [("config", "small"), ("threads", threads),
                                                         ("file_mib", Double(fileBytes) / 1_048_576)],
                     seconds: times, load: load, extra: loads.isEmpty ? [] : [("load_ms", loads[loads.count / 2])])
    }
}

/// Writes `best.safetensors` as `train` would for the small config; returns its size in bytes.
private func writeSmallCheckpoint(into folder: URL) throws -> Int {
    let config = smallModelConfig()
    let model = Transformer(config, seed: 1)
    let adam = Adam(model.parameters(), config: OptimizerConfig())
    // 4 special tokens + the lone space marker + 7995 words = 8000 on each side.
    let words = [PreTokenizer.marker] + (0..<(config.sourceVocabSize - 5)).map { PreTokenizer.marker + "w\($0)" }
    let tokenizer = AnyTokenizer.word(WordTokenizer(normalizer: Normalizer(), preTokenizer: PreTokenizer(),
                                                    vocabulary: Vocabulary(tokens: words)))
    precondition(tokenizer.vocabulary.count == config.sourceVocabSize, "fake vocabulary has \(tokenizer.vocabulary.count) tokens")
    let tokenizers = TokenizerPair(spec: TokenizerSpec(kind: .word, minFrequency: 1, shared: false), source: tokenizer, target: tokenizer)
    var trainConfig = TrainConfig()
    trainConfig.model = config
    trainConfig.tokenizer = tokenizers.spec
    var state = TrainingState()
    state.step = 1000
    let url = folder.appendingPathComponent(CheckpointDirectory.bestFileName)
    try SafeTensors.write(makeCheckpoint(model: model, optimizer: adam, tokenizers: tokenizers, trainConfig: trainConfig, state: state), to: url)
    let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int
    return size ?? 0
}

/// Runs `translate` once; returns its wall time in seconds and the load time it reported on stderr.
private func runTranslate(_ executable: URL, _ arguments: [String], folder: URL) throws -> (Double, Double?) {
    let run = try spawnAndWait(executable.path, arguments, folder: folder)
    guard run.succeeded, !run.stdout.isEmpty else { throw BenchError("translate failed: \(run.stderr)") }
    var loadMs: Double?
    if let r = run.stderr.range(of: #"in (\d+) ms"#, options: .regularExpression) {
        loadMs = Double(run.stderr[r].dropFirst(3).dropLast(3))
    }
    return (run.seconds, loadMs)
}
