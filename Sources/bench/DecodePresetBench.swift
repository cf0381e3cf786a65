import Engine
import Foundation
import Metrics
import Model
import Training

/// Decoding as users run it, beside CTranslate2 on the same weights: the first 1,000 sentences
/// of `--preset-data` (the shipped test split) through `--preset-model`, a trained model of
/// `train`'s preset shape (`make bench-model` trains one: d_model 128, 3+3 layers, BPE ~4,000
/// per side, tied output). Greedy and beam 5 with `translate`'s settings (batches of 64, or 12
/// with beam 5; at most 2 × source + 10 tokens), at each thread count and precision: seconds for
/// the whole set (tokenised input to output ids, model loaded), sentences/s, output tokens,
/// BLEU against the references, cores busy, and whether the outputs equal those of the first
/// thread count (they must). int8 lines add their agreement with float32 (share of identical
/// outputs, BLEU difference). Then scripts/bench_ct2.py times CTranslate2 on the same checkpoint
/// and sentences (float32 and int8) and each of its lines gets the share of its outputs identical
/// to ours. Last, the peak resident memory of one `translate` process on the same 1,000 sentences.
func benchDecodePreset(_ bench: Bench) {
    guard bench.wants("decode_preset") else { return }
    let path = bench.options.presetModel
    guard let loaded = try? loadCheckpoint(path, optimizerState: false) else {
        printJSON([("bench", "decode_preset"), ("error", "no trained preset model at \(path): `make bench-model` trains one, or pass --preset-model DIR")])
        return
    }
    let (model, tokenizers) = (loaded.model, loaded.tokenizers)
    guard let text = try? String(contentsOfFile: bench.options.presetData, encoding: .utf8) else {
        printJSON([("bench", "decode_preset"), ("error", "cannot read \(bench.options.presetData)")])
        return
    }
    let pairs = text.split(separator: "\n").prefix(1000).map { line in
        let f = line.split(separator: "\t", omittingEmptySubsequences: false)
        return (source: String(f[0]), target: f.count > 1 ? String(f[1]) : "")
    }
    let sources = pairs.map { Array(tokenizers.source.encode($0.source).prefix(model.config.maxLength)) }
    let references = pairs.map(\.target)
    let runs = bench.options.quick ? 1 : 3
    let modes: [(name: String, beam: Int?)] = [("greedy", nil), ("beam5", 5)]
    var ours: [String: [[Int32]]] = [:]  // "precision/mode" -> outputs
    var bleus: [String: Double] = [:]
    func bleu(_ outputs: [[Int32]]) -> Double {
        (try? BLEU.corpus(hypotheses: outputs.map { tokenizers.target.decode($0) }, references: [references]).score) ?? .nan
    }
    for precision in InferencePrecision.allCases {
        let weights = model.inferenceWeights(precision)
        for threads in bench.options.threads {
            bench.waitForIdle()
            Threads.count = threads
            for mode in modes {
                let run = { (input: [[Int32]]) -> [[Int32]] in
                    guard let beam = mode.beam else { return translateGreedy(model, input, weights: weights) }
                    return translateBeam(model, input, beam: beam, batchSentences: 64 / beam, weights: weights).map { $0.first?.tokens ?? [] }
                }
                _ = run(Array(sources.prefix(64)))  // warm-up: the allocator, the page cache
                var times: [Double] = []
                var outputs: [[Int32]] = []
                let before = CPUSample.now()
                for _ in 0..<runs {
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    outputs = run(sources)
                    times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
                }
                let after = CPUSample.now()
                let key = "\(precision.rawValue)/\(mode.name)"
                let same = ours[key].map { $0 == outputs } ?? true
                if ours[key] == nil { ours[key] = outputs; bleus[key] = bleu(outputs) }
                var fields: [(String, Any)] = [("bench", "decode_preset"), ("engine", "ours"), ("precision", precision.rawValue),
                                               ("mode", mode.name), ("threads", threads), ("sentences", sources.count)]
                let median = times.sorted()[times.count / 2]
                fields += [("median_s", median), ("min_s", times.min()!), ("sentences_per_s", Double(sources.count) / median),
                           ("out_tokens", outputs.reduce(0) { $0 + $1.count }), ("bleu", bleus[key]!),
                           ("same_as_first_thread_count", same)]
                var identical: Double?
                if precision != .float32, let reference = ours["float32/\(mode.name)"] {
                    identical = share(outputs, reference)
                    fields += [("identical_to_float32", identical!), ("bleu_minus_float32", bleus[key]! - bleus["float32/\(mode.name)"]!)]
                }
                fields += [("cores_busy", after.ownCores(since: before)), ("runs", runs), ("load", after.otherLoad(since: before))]
                printJSON(fields)
                Summary.decode[Summary.decodeKey("ours", precision.rawValue, mode.name, threads)] = (median, identical, after.otherLoad(since: before))
            }
        }
    }
    ctranslate2(bench, ours: ours, sentences: sources.count)
    translateMemory(bench, sentences: pairs.count)
}

/// The share of `a`'s outputs equal to `b`'s, e.g. 0.998.
private func share(_ a: [[Int32]], _ b: [[Int32]]) -> Double {
    Double(zip(a, b).filter { $0 == $1 }.count) / Double(max(1, min(a.count, b.count)))
}

/// Runs scripts/bench_ct2.py and prints its lines with the share of outputs identical to ours.
private func ctranslate2(_ bench: Bench, ours: [String: [[Int32]]], sentences: Int) {
    bench.waitForIdle()
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("bench-ct2-\(getuid())").path
    let threads = bench.options.threads.map(String.init).joined(separator: ",")
    let args = ["scripts/bench_ct2.py", bench.options.presetModel, bench.options.presetData, out, "--threads", threads,
                "--runs", bench.options.quick ? "1" : "3", "--sentences", String(sentences)]
    guard let run = try? spawnAndWait(bench.options.python, args, folder: FileManager.default.temporaryDirectory), run.succeeded else {
        printJSON([("bench", "decode_preset"), ("engine", "ctranslate2"), ("error", "not installed (\(bench.options.python) scripts/bench_ct2.py did not run)")])
        Summary.notes.append("CTranslate2: not installed (\(bench.options.python) scripts/bench_ct2.py did not run)")
        return
    }
    for line in run.stdout.split(separator: "\n") {
        guard var json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
        if let error = json["error"] as? String {
            print(line)
            Summary.notes.append("CTranslate2: \(error)")
            continue
        }
        guard let precision = json["precision"] as? String, let mode = json["mode"] as? String, let t = json["threads"] as? Int,
              let seconds = json["median_s"] as? Double, let file = json["outputs"] as? String,
              let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
        let theirs = text.split(separator: "\n", omittingEmptySubsequences: false).prefix(sentences)
            .map { $0.split(separator: " ").compactMap { Int32($0) } }
        var identical: Double?
        if let mine = ours["\(precision)/\(mode)"] { identical = share(theirs, mine) }
        json["identical_to_ours"] = identical
        json.removeValue(forKey: "outputs")
        let order = ["bench", "engine", "precision", "mode", "threads", "threading", "sentences", "median_s", "min_s", "sentences_per_s",
                     "identical_to_ours", "runs", "load"]
        printJSON(order.compactMap { k in json[k].map { (k, $0 is NSNull ? "null" : $0) } })
        let load = (json["load"] as? Double) ?? .nan
        // With several threads the table shows the faster of CTranslate2's two threadings.
        let key = Summary.decodeKey("ctranslate2", precision, mode, t)
        if Summary.decode[key].map({ seconds < $0.seconds }) ?? true { Summary.decode[key] = (seconds, identical, load) }
    }
}

/// Peak resident memory of one `translate` process translating the same sentences, greedy and
/// beam 5 (model load included).
private func translateMemory(_ bench: Bench, sentences: Int) {
    let translate = executableDirectory().appendingPathComponent("translate").path
    let folder = FileManager.default.temporaryDirectory
    let input = folder.appendingPathComponent("bench-sentences-\(getpid()).txt")
    defer { try? FileManager.default.removeItem(at: input) }
    guard let text = try? String(contentsOfFile: bench.options.presetData, encoding: .utf8) else { return }
    let lines = text.split(separator: "\n").prefix(sentences).map { $0.split(separator: "\t").first.map(String.init) ?? "" }
    try? (lines.joined(separator: "\n") + "\n").write(to: input, atomically: true, encoding: .utf8)
    for beam in [1, 5] {
        var args = ["--checkpoint", bench.options.presetModel, "--input", input.path, "--quiet", "--output", "/dev/null"]
        if beam > 1 { args += ["--beam", String(beam)] }
        guard let run = try? spawnAndWait(translate, args, folder: folder, samplePeakMemory: true), run.succeeded,
              let peak = run.peakResidentMiB else {
            printJSON([("bench", "translate_memory"), ("error", "translate did not run (\(translate))")])
            return
        }
        printJSON([("bench", "translate_memory"), ("mode", beam == 1 ? "greedy" : "beam\(beam)"), ("sentences", lines.count),
                   ("seconds", run.seconds), ("peak_rss_mib", peak)])
        Summary.notes.append(String(format: "translate on %d sentences, %@: peak resident memory %.1f MiB (%.2f s, start to exit)",
                                    lines.count, beam == 1 ? "greedy" : "beam \(beam)", peak, run.seconds))
    }
}
