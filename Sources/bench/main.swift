import Foundation

// `bench [--quick] [--only gemm,train] [--threads 1,2] [--runs N] [--idle-wait S]`: one JSON line
// per measurement on stdout (`bench --help` lists them). New benchmarks: write
// `benchX(_ bench: Bench)` and add it below.
do {
    let bench = Bench(options: try BenchOptions(arguments: Array(CommandLine.arguments.dropFirst())))
    bench.waitForIdle()
    benchGEMM(bench)
    benchTrain(bench)
    benchTrainPreset(bench)
    benchDecode(bench)
    benchDecodePreset(bench)
    try benchStartup(bench)
    let summary = Summary.text(threads: bench.options.threads)
    if !summary.isEmpty { FileHandle.standardError.write(Data(("\n" + summary + "\n").utf8)) }
} catch is BenchHelp {
    print(BenchOptions.help)
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(2)
}
