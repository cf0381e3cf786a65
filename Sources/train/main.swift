import CLI
import Foundation
import TinyTranslator

// `train`: learns a translation model from a parallel corpus and writes checkpoints.
let flags: ParsedFlags
var config: TrainConfig
do {
    flags = try parser.parse(Array(CommandLine.arguments.dropFirst()))
    parser.handleStandardFlags(flags)
    if let extra = flags.positionals.first { throw UsageError("unexpected argument '\(extra)' (flags start with --)") }
    config = try makeConfig(flags)
} catch {
    parser.fail(error)
}

// `--resume` continues a run with its own settings: the flags build on the saved ones, and any
// that would change what the run is (rather than when it stops or saves) is refused by name.
if flags.has("resume") {
    let saved: TrainConfig?
    do { saved = try savedRunConfig(in: config.out) } catch {
        printError("train: error: \(error)\(flagHint(error))")
        exit(1)
    }
    if let saved {
        do {
            config = try makeConfig(flags, base: saved)
            let refused = unchangeableOnResume(saved: saved, requested: config)
            if !refused.isEmpty {
                throw UsageError("--resume continues the run in \(config.out) with the settings it was started with, so it cannot change "
                                 + refused.joined(separator: ", ")
                                 + ". Drop \(refused.count == 1 ? "that flag" : "those flags") (only the stopping and saving flags and --threads may change), or start a new run with another --out")
            }
        } catch {
            parser.fail(error)
        }
    }
}

let console = Console()
console.quiet = flags.has("quiet")
StopSignal.install()
// A file-size limit (ulimit -f) would otherwise kill us with SIGXFSZ mid-write; ignored, the
// write fails with EFBIG and the checkpoint code reports it like a full disk, keeping old files.
signal(SIGXFSZ, SIG_IGN)
do {
    let outcome = try train(config, resume: flags.has("resume"), log: console.line, progress: console.progress)
    let (reason, s) = (outcome.reason, outcome.state)
    if case .nonFinite(let message) = reason {
        // The message already says what happened and which checkpoint is kept.
        console.line(message + " (--lr, --warmup)")
        exit(3)
    }
    console.line(String(format: "stopped: %@ at step %d after %.1f min of training; best validation BLEU %.2f at step %d",
                        stopText(reason), s.step, s.trainSeconds / 60, s.bestBLEU ?? 0, s.bestStep ?? 0))
    if let line = weightsVerdict(s) { console.line(line) }
    switch reason {
    case .nonFinite: exit(3)
    case .signal(let sig): exit(128 + sig)
    default: exit(0)
    }
} catch {
    console.error("train: error: \(error)\(flagHint(error))")
    exit(1)
}

/// Why training stopped, in terms of this tool's flags.
func stopText(_ reason: StopReason) -> String {
    switch reason {
    case .steps: return "reached --steps"
    case .epochs: return "reached --epochs"
    case .minutes: return "reached --minutes"
    case .patience: return "validation BLEU stopped improving (--patience)"
    default: return reason.description
    }
}

/// With `--ema`: which weights scored better at the last validation, and how to translate with
/// the other ones. On short runs the average often lags the raw weights.
func weightsVerdict(_ s: TrainingState) -> String? {
    guard let last = s.history.last, let raw = last.rawBLEU else { return nil }
    let scores = String(format: "BLEU %.2f averaged (--ema), %.2f raw", last.bleu, raw)
    if raw > last.bleu {
        return "weights at step \(last.step): \(scores): the raw weights did better; translate uses the average unless given --raw-weights"
    }
    return "weights at step \(last.step): \(scores): the average did \(raw == last.bleu ? "as well" : "better"); translate uses it (--raw-weights for the raw ones)"
}

/// The flags that change the setting a library error says would fix it (the library's messages
/// name settings, not flags), e.g. " (--resume)".
func flagHint(_ error: Error) -> String {
    switch (error as? TrainingError)?.setting {
    case .output?: return " (--out)"
    case .resume?: return " (--resume; --out)"
    case .trainingData?: return " (--data FILE.tsv, or --source FILE and --target FILE)"
    case .learningRate?: return " (--lr, --warmup)"
    case .validation?: return " (--valid FILE, or --valid-source and --valid-target)"
    default: break
    }
    if (error as? CheckpointError)?.setting == .outputFolder { return " (--out)" }
    return ""
}
