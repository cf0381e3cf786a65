import CLI
import Checkpoint
import Foundation
import Pages
import TinyTranslator

// `inspect`: what is in a checkpoint, read without any model code.
let parser = FlagParser(command: "inspect", usage: "inspect PATH [flags]", summary: """
    Shows what a checkpoint holds, read without any model code: PATH is a .safetensors file, or \
    a training folder (its best checkpoint, else its latest). By default a compact summary \
    (file, model, tokenizer, training, parameters per module, validation history, run settings); \
    --all adds every tensor's statistics and the loss curve.
    """, flags: [
    Flag("checkpoint", "PATH", "The checkpoint, as translate names it (instead of the PATH argument).", group: "Input"),
    Flag("verify", nil, "Full integrity check: every checksum, plus the metadata a model needs. Prints OK or exactly what is wrong (exit 1).", group: "Modes (default: a summary)"),
    Flag("diff", "OTHER", "Compare with another checkpoint tensor by tensor: shapes, ‖a−b‖/‖a‖, max |a−b|. Exit status as diff's: 0 the same, 1 different, 2 trouble.", group: "Modes (default: a summary)"),
    Flag("tensor", "NAME", "Print one tensor's shape, statistics and values.", group: "Modes (default: a summary)"),
    Flag("train-config", nil, "Print the run's settings (its train_config) in train's --config format: save it and run `train --config FILE --out NEW` to train the same run again.", group: "Modes (default: a summary)"),
    Flag("html", nil, "Write the run folder's training report, PATH/report.html (curves, samples, attention; offline), as train does at every validation. Works for any run folder, old ones too.", group: "Modes (default: a summary)"),
    Flag("average", nil, "Average the weights of the checkpoints given as arguments (inspect --average A B C --out F): a model that often translates better than any one of them. Averages the weights translate uses (with --ema, the averaged ones); --raw-weights averages the raw ones.", group: "Modes (default: a summary)"),
    Flag("out", "FILE", "With --average: the file to write (a new .safetensors file; an existing one is never replaced).", group: "Output", aliases: ["output"]),
    Flag("raw-weights", nil, "With --average: average the raw training weights (raw.*) a run with --ema keeps.", group: "Output"),
    Flag("limit", "N", "With --tensor: how many values to print (default 64; 0 prints all).", group: "Output"),
    Flag("all", nil, "List every tensor (the optimizer's too) and the loss curve, not just the compact summary; with --diff, every name.", group: "Output"),
    Flag("json", nil, "Print the result as one JSON object with stable, sorted keys.", group: "Output"),
], epilogue: """
    Examples:
      inspect checkpoints/demo
      inspect --verify run/step-00001200.safetensors
      inspect checkpoints/a --diff checkpoints/b
      inspect --average A B C --out average.safetensors

    Exit status: 0 fine, 1 the file is damaged or missing or a check failed, 2 usage error; \
    with --diff, 0 the same, 1 different, 2 trouble (a file damaged or missing, or a usage error).
    """, version: tinyTranslatorVersion)

let flags: ParsedFlags
let limit: Int
let paths: [String]
do {
    flags = try parser.parse(Array(CommandLine.arguments.dropFirst()))
    parser.handleStandardFlags(flags)
    paths = (flags.string("checkpoint").map { [$0] } ?? []) + flags.positionals
    let modes = ["verify", "diff", "tensor", "html", "average", "train-config"].filter { flags.has($0) }
    if modes.count > 1 { throw UsageError("--\(modes[0]) and --\(modes[1]) cannot be combined; run inspect once for each") }
    if flags.has("average") {
        guard paths.count >= 2 else { throw UsageError("--average needs two or more checkpoints to average, e.g. inspect --average A B C --out F") }
        guard let out = flags.string("out") else { throw UsageError("--average needs --out FILE, the file to write") }
        if out == "-" { throw UsageError("--out - : a checkpoint is written to a file, not standard output") }
        if flags.has("json") || flags.has("all") { throw UsageError("--\(flags.has("json") ? "json" : "all") does nothing with --average: drop it") }
    } else {
        if flags.has("out") { throw UsageError("--out applies to --average only (the reports go to standard output)") }
        if flags.has("raw-weights") { throw UsageError("--raw-weights applies to --average only") }
        if flags.has("checkpoint") && !flags.positionals.isEmpty {
            throw UsageError("give the checkpoint either as an argument or with --checkpoint, not both")
        }
        guard paths.count == 1 else {
            throw UsageError(paths.isEmpty ? "give the checkpoint to inspect: a .safetensors file or a training folder"
                                           : "give one checkpoint path, got \(paths.count): \(paths.joined(separator: " ")) (--diff OTHER compares two)")
        }
        if paths[0] == "-" { throw UsageError("a checkpoint cannot be read from standard input: give its file or folder") }
    }
    if flags.has("limit") && !flags.has("tensor") { throw UsageError("--limit applies to --tensor NAME only") }
    limit = try flags.int("limit", atLeast: 0) ?? 64
} catch {
    // diff's convention: 2 for trouble, which a usage error is too.
    parser.fail(error)
}

let asJSON = flags.has("json")
let all = flags.has("all")

/// Prints the report and returns the exit status.
func run() throws -> Int32 {
    let path = paths[0]
    if flags.has("average") {
        let written = try averageCheckpoints(paths, rawWeights: flags.has("raw-weights"), to: flags.string("out")!)
        print(written)
        return 0
    }
    if flags.has("html") {
        // A checkpoint file's report is its folder's.
        var folder = URL(fileURLWithPath: path)
        if path.hasSuffix(".safetensors") { folder.deleteLastPathComponent() }
        let url = try TrainingReport.write(folder: folder)
        print("wrote \(url.path): open it in a browser (it needs no network)")
        return 0
    }
    if flags.has("verify") {
        let v = Verification(path)
        print(asJSON ? try JSONOutput.string(v.json) : v.lines.joined(separator: "\n"))
        return v.ok ? 0 : 1
    }
    let file = try InspectedFile.load(path)
    if let other = flags.string("diff") {
        let d = Diff(file, try InspectedFile.load(other))
        print(asJSON ? try JSONOutput.string(d.json(all: all)) : d.text(all: all, width: Terminal.columns()).joined(separator: "\n"))
        return d.identical ? 0 : 1
    } else if let name = flags.string("tensor") {
        let t = try TensorDump(file, name: name, limit: limit)
        print(asJSON ? try JSONOutput.string(t.json) : t.text().joined(separator: "\n"))
    } else if flags.has("train-config") {
        guard let text = file.file.metadata[CheckpointKeys.trainConfig] else {
            throw InspectError("\(file.url.path) holds no train_config (it was not written by train), so there are no run settings to print")
        }
        let config = try JSONDecoder().decode(TrainConfig.self, from: Data(text.utf8))
        print(config.configFileJSON, terminator: "")
    } else {
        let s = Summary(file)
        print(asJSON ? try JSONOutput.string(s.json(all: all)) : s.text(all: all, width: Terminal.columns()).joined(separator: "\n"))
    }
    return 0
}

do {
    exit(try run())
} catch {
    // The library names the setting that would fix an error, not a flag: say how here.
    let hint = (error as? CheckpointError)?.setting == .checkpoint ? " (train one with `train --out \(paths[0])`)" : ""
    printError("inspect: error: \(error)\(hint)")
    exit(flags.has("diff") ? 2 : 1)
}
