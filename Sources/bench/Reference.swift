import Foundation

/// The PyTorch reference (`torch_ref.py bench-train`, run by `--python`) on the shapes of one of
/// our training benchmarks, at `threads` threads: prints its JSON figures as one line of ours
/// (`engine: pytorch`) and records tokens/s for the closing table under `key`. Where Python,
/// torch or the script is missing, the line and the table say so instead.
func torchTrain(_ bench: Bench, name: String, key: String, threads: Int, arguments: [String]) {
    let script = bench.options.torchReference
    let note: String
    if !FileManager.default.fileExists(atPath: script) {
        note = "not found (\(script); --torch-ref FILE)"
    } else {
        let args = [script, "bench-train"] + arguments
            + ["--threads", String(threads), "--wait-idle", String(Int(bench.options.idleWait))]
        do {
            let folder = FileManager.default.temporaryDirectory
            let run = try spawnAndWait(bench.options.python, args, folder: folder, samplePeakMemory: true)
            if run.succeeded, let line = run.stdout.split(separator: "\n").last,
               let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
               let tokens = json["tokens_per_s"] as? Double {
                let load = json["load"] as? Double
                let step = (json["step_ms"] as? [String: Any])?["median"] as? Double
                let batch = json["avg_batch"] as? [String: Any]
                printJSON([("bench", name), ("engine", "pytorch"), ("threads", threads), ("tokens_per_s", tokens),
                           ("median_step_ms", step ?? Double.nan), ("sentences_per_batch", (batch?["sents"] as? Double) ?? Double.nan),
                           ("pad_fraction", (json["pad_fraction"] as? Double) ?? Double.nan),
                           // Sampled here: the child's own ru_maxrss includes this process's memory (see ChildRun).
                           ("peak_rss_mib", run.peakResidentMiB ?? Double.nan), ("load", load ?? Double.nan)])
                Summary.torch[key] = (tokens, nil, load)
                return
            }
            note = run.stderr.contains("No module named") ? "not installed (\(bench.options.python) -m pip install torch)"
                : "failed: \(run.stderr.split(separator: "\n").last.map(String.init) ?? "no output")"
        } catch {
            note = "not installed (\(bench.options.python) not found)"
        }
    }
    printJSON([("bench", name), ("engine", "pytorch"), ("threads", threads), ("error", note)])
    Summary.torch[key] = (nil, note, nil)
}
