import CLI
import Checkpoint
import Foundation
import Pages

// `inspect`: what is in a checkpoint, read without any model code. Exit status: 0 fine,
// 1 the file is damaged/missing or a check failed, 2 a mistake on the command line.
let parser = FlagParser(command: "inspect", usage: "inspect PATH [flags]   (PATH: a .safetensors file, or a training folder: its best, else latest)", flags: [
    Flag("verify", nil, "Full integrity check: every checksum, plus the metadata a model needs. Prints OK or exactly what is wrong (exit 1).", group: "Modes (default: a summary)"),
    Flag("diff", "OTHER", "Compare with another checkpoint tensor by tensor: shapes, ‖a−b‖/‖a‖, max |a−b|.", group: "Modes (default: a summary)"),
    Flag("tensor", "NAME", "Print one tensor's shape, statistics and values.", group: "Modes (default: a summary)"),
    Flag("html", nil, "Write the run folder's training report, PATH/report.html (curves, samples, attention; offline), as train does at every validation. Works for any run folder, old ones too.", group: "Modes (default: a summary)"),
    Flag("limit", "N", "With --tensor: how many values to print (default 64; 0 prints all).", group: "Output"),
    Flag("all", nil, "List optimizer (Adam) tensors one by one too, not just in one line.", group: "Output"),
    Flag("json", nil, "Print the result as one JSON object with stable, sorted keys.", group: "Output"),
])

let flags: ParsedFlags
let limit: Int
do {
    flags = try parser.parse(Array(CommandLine.arguments.dropFirst()))
    if flags.has("help") { print(parser.help); exit(0) }
    guard flags.positionals.count == 1 else {
        throw UsageError(flags.positionals.isEmpty ? "give the checkpoint to inspect: a .safetensors file or a training folder"
                                                   : "give one checkpoint path, got \(flags.positionals.count): \(flags.positionals.joined(separator: " "))")
    }
    let modes = ["verify", "diff", "tensor", "html"].filter { flags.has($0) }
    if modes.count > 1 { throw UsageError("--\(modes[0]) and --\(modes[1]) cannot be combined; run inspect once for each") }
    if flags.has("limit") && !flags.has("tensor") { throw UsageError("--limit applies to --tensor NAME only") }
    limit = try flags.int("limit", atLeast: 0) ?? 64
} catch {
    parser.fail(error)
}

let path = flags.positionals[0]
let asJSON = flags.has("json")
let all = flags.has("all")

/// Prints the report and returns the exit status.
func run() throws -> Int32 {
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
        print(asJSON ? try JSONOutput.string(d.json(all: all)) : d.text(all: all).joined(separator: "\n"))
    } else if let name = flags.string("tensor") {
        let t = try TensorDump(file, name: name, limit: limit)
        print(asJSON ? try JSONOutput.string(t.json) : t.text().joined(separator: "\n"))
    } else {
        let s = Summary(file)
        print(asJSON ? try JSONOutput.string(s.json(all: all)) : s.text(all: all).joined(separator: "\n"))
    }
    return 0
}

do {
    exit(try run())
} catch {
    // The library names the setting that would fix an error, not a flag: say how here.
    let hint = (error as? CheckpointError)?.setting == .checkpoint ? " (train one with `train --out \(path)`)" : ""
    printError("inspect: error: \(error)\(hint)")
    exit(1)
}
