import Foundation
import Engine

/// Command-line options shared by all benchmarks.
struct BenchOptions {
    /// Thread counts to measure, e.g. `--threads 1,2` (default: 1 and all cores).
    var threads: [Int] = Array(Set([1, max(1, ProcessInfo.processInfo.activeProcessorCount)])).sorted()
    /// Benchmark name filter, e.g. `--only gemm` (nil: run everything).
    var only: Set<String>? = nil
    /// Timed runs per measurement after warm-up, e.g. `--runs 15`.
    var runs = 11
    /// Longest wait for the machine to go quiet before measuring, e.g. `--idle-wait 30` seconds.
    var idleWait = 30.0
    /// `--quick`: a smoke run (fewer runs, steps and repetitions, no idle wait) that checks
    /// everything works in about a minute; its figures are rough.
    var quick = false
    /// The preset-shaped trained model `decode_preset` translates with (`make bench-model` trains it).
    var presetModel = "checkpoints/bench-preset"
    /// The sentences `decode_preset` translates: the first 1,000 of this TSV's source column.
    var presetData = "data/test.tsv"
    /// `--gemm-shapes`: after `train_preset`, a table on stderr of the step's GEMM time by
    /// product shape (calls, ms per step, share, GFLOP/s), so speed work aims at what costs.
    var gemmShapes = false
    /// The Python that runs the PyTorch reference and CTranslate2 (skipped, with a note, when
    /// it or its packages are missing).
    var python = "python3"
    /// The PyTorch reference script.
    var torchReference = "../shared/bench/torch_ref.py"

    static let help = """
        usage: bench [--quick] [--only NAME,...] [--threads 1,2] [--runs N]
                     [--idle-wait SECONDS] [--preset-model DIR] [--preset-data TSV]
                     [--python PYTHON] [--torch-ref FILE] [--gemm-kernel K]
                     [--gemm-shapes]

        Prints one JSON line per measurement on stdout (`make bench | jq`), then the
        side-by-side tables (ours, PyTorch, CTranslate2, ratios, load) on stderr.
        Each line has the benchmark name, its parameters, the median (and min) time,
        the number of timed runs and `load`: CPU cores other processes used while it
        ran (figures with load > 0.2 are disturbed). The PyTorch reference
        (torch_ref.py) and CTranslate2 (scripts/bench_ct2.py) run as child processes
        of --python; where they are missing their lines say "not installed".

        Benchmarks (--only takes names or families: `gemm` selects gemm, gemm_linear…):
          gemm, gemm_linear, gemm_preset, gemm_decode, gemm_attn
                             GEMM GFLOP/s on square and model shapes (gemm_preset:
                             the preset's training products)
          train_tiny, train_small
                             training tokens/s, median step, matmul_share, peak RSS
                             (torch_ref.py bench-train --config tiny|small)
          train_preset       training tokens/s and cores_busy (CPU time / wall time)
                             on train's default shapes (d 128, 3+3 layers, BPE 4000
                             per side, tied output, 4096-token batches from Text's
                             Batcher)
          train_preset_ref   the preset's shapes on the reference's batches (8-20
                             tokens, 1,500 target tokens a batch, padded per batch),
                             beside torch_ref.py bench-train with the same shapes
          decode_small       greedy, beam-5 and uncached greedy decoding of a
                             10-token sentence to 20 tokens, ms per sentence
                             (torch_ref.py bench-decode --config small)
          decode_preset      the first 1,000 sentences of --preset-data through
                             --preset-model (make bench-model): greedy and beam 5,
                             1 and all threads, each precision, seconds, sentences/s
                             and BLEU; CTranslate2 on the same checkpoint and
                             sentences (scripts/bench_ct2.py) with the share of its
                             outputs identical to ours; peak memory of `translate`
          translate_startup  one `translate` process with a small-config checkpoint,
                             start to exit (torch_ref.py bench-startup --config small)

        Flags:
          --quick            smoke run: 3 runs, few training steps, 5 decodes, 3
                             translate runs, no idle wait (about a minute when idle;
                             figures are rough)
          --only NAMES       run only these benchmarks or families, comma-separated
          --threads LIST     thread counts to measure (default: 1 and all cores)
          --runs N           timed runs per measurement (default 11; decoding uses
                             max(20, N))
          --idle-wait S      wait up to S seconds for other processes to go quiet
                             before each benchmark (default 30; also --wait-idle)
          --preset-model DIR the trained preset model for decode_preset
                             (default checkpoints/bench-preset)
          --preset-data TSV  its sentences (default data/test.tsv)
          --python PYTHON    runs torch_ref.py and scripts/bench_ct2.py
                             (default python3)
          --torch-ref FILE   the PyTorch reference
                             (default ../shared/bench/torch_ref.py)
          --gemm-kernel K    6x16 (8-lane vectors) or 6x32 (16-lane, AVX-512) for
                             full GEMM tiles (default: 6x32 where the CPU has
                             avx512f); the results are the same bits
          --gemm-shapes      after train_preset, print its step's GEMM time by
                             product shape (calls, ms per step, share of the step,
                             GFLOP/s) on stderr
        """

    /// Parses `arguments` (without the program name); errors name the bad flag and the fix.
    init(arguments: [String]) throws {
        var it = arguments.makeIterator()
        while let flag = it.next() {
            func value() throws -> String {
                guard let v = it.next() else { throw BenchError("flag \(flag) needs a value") }
                return v
            }
            switch flag {
            case "--threads":
                let parts = try value().split(separator: ",").map { Int($0) }
                guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? 0) > 0 }) else {
                    throw BenchError("--threads wants positive integers like 1,2")
                }
                threads = parts.compactMap { $0 }
            case "--only":
                only = Set(try value().split(separator: ",").map(String.init))
            case "--runs":
                guard let r = Int(try value()), r > 0 else { throw BenchError("--runs wants a positive integer, e.g. --runs 11") }
                runs = r
            case "--idle-wait", "--wait-idle":
                guard let s = Double(try value()), s >= 0 else { throw BenchError("--idle-wait wants seconds >= 0, e.g. --idle-wait 30") }
                idleWait = s
            case "--quick":
                quick = true
            case "--preset-model":
                presetModel = try value()
            case "--preset-data":
                presetData = try value()
            case "--python":
                python = try value()
            case "--torch-ref":
                torchReference = try value()
            case "--gemm-kernel":
                switch try value() {
                case "6x16": GEMMBlocking.widePairs = false
                case "6x32": GEMMBlocking.widePairs = true
                case let other: throw BenchError("--gemm-kernel wants 6x16 or 6x32, got \(other)")
                }
            case "--gemm-shapes":
                gemmShapes = true
            case "-h", "--help":
                throw BenchHelp()
            default:
                throw BenchError("unknown flag \(flag); try --help")
            }
        }
        if quick {
            if !arguments.contains("--runs") { runs = 3 }
            if !arguments.contains("--idle-wait") { idleWait = 0 }
        }
    }
}

/// Thrown by `--help`: main prints `BenchOptions.help` and exits 0.
struct BenchHelp: Error {}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = "bench: " + message }
}

/// Times closures and prints one JSON line per measurement, so results are easy to collect
/// and compare (`make bench | jq`). Add a benchmark by calling `measure` from a new function.
struct Bench {
    let options: BenchOptions

    /// True when benchmark `name` passes the `--only` filter.
    /// `--only gemm` selects "gemm" and its family ("gemm_linear", "gemm_attn", ...).
    func wants(_ name: String) -> Bool {
        guard let only = options.only else { return true }
        return only.contains { name == $0 || name.hasPrefix($0 + "_") }
    }

    /// Runs `body` to warm up, then `options.runs` timed runs; each run repeats `body` enough
    /// times to last >= 10 ms so tiny kernels are not lost in timer noise. Prints name,
    /// `fields`, the median time per call, `flops / median` as GFLOP/s (when flops > 0) and
    /// the load from other processes during the timed runs.
    func measure(name: String, fields: [(String, Any)], flops: Double = 0, _ body: () -> Void) {
        let w0 = DispatchTime.now().uptimeNanoseconds
        body()
        let once = Double(DispatchTime.now().uptimeNanoseconds - w0) / 1e9
        let reps = max(1, Int(0.01 / max(once, 1e-9)))
        for _ in 0..<min(reps, 100) { body() }
        var times: [Double] = []
        let before = CPUSample.now()
        for _ in 0..<options.runs {
            let t0 = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<reps { body() }
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9 / Double(reps))
        }
        let load = CPUSample.now().otherLoad(since: before)
        times.sort()
        let median = times[times.count / 2]
        var out: [(String, Any)] = [("bench", name)] + fields
        if flops > 0 { out.append(("gflops", flops / median / 1e9)) }
        out += [("median_ms", median * 1e3), ("min_ms", times[0] * 1e3), ("runs", options.runs),
                ("load", load)]
        printJSON(out)
    }

    /// Prints one measurement from per-run wall times in `seconds`: name, `fields`, median and
    /// min in ms, the number of runs and the other processes' `load` while they ran.
    func report(name: String, fields: [(String, Any)], seconds: [Double], load: Double, extra: [(String, Any)] = []) {
        let sorted = seconds.sorted()
        printJSON([("bench", name)] + fields + [("median_ms", sorted[sorted.count / 2] * 1e3), ("min_ms", sorted[0] * 1e3)]
                  + extra + [("runs", sorted.count), ("load", load)])
    }

    /// Waits up to `options.idleWait` seconds until other processes use < 0.2 cores; if the
    /// machine stays busy, says so on stderr and goes on (each line's `load` tells the cost).
    func waitForIdle() {
        let deadline = Date().addingTimeInterval(options.idleWait)
        var load = Double.nan
        while Date() < deadline {
            let s = CPUSample.now()
            Thread.sleep(forTimeInterval: 0.5)
            load = CPUSample.now().otherLoad(since: s)
            if load < 0.2 || load.isNaN { return }
        }
        if options.idleWait > 0 {
            let note = "bench: machine still busy after \(options.idleWait) s (other load \(String(format: "%.2f", load)) cores); measuring anyway\n"
            FileHandle.standardError.write(Data(note.utf8))
        }
    }
}

/// Prints `fields` as one JSON object line, in order; doubles get 2-3 significant decimals.
func printJSON(_ fields: [(String, Any)]) {
    let body = fields.map { key, value -> String in
        let v: String
        switch value {
        case let d as Double: v = d.isFinite ? String(format: d >= 10 ? "%.2f" : "%.3f", d) : "null"
        case let i as Int: v = String(i)
        case let b as Bool: v = b ? "true" : "false"
        default: v = "\"\(value)\""
        }
        return "\"\(key)\":\(v)"
    }
    print("{" + body.joined(separator: ",") + "}")
    fflush(nil)  // all streams: keeps lines flowing when piped, without touching the global `stdout`
}
