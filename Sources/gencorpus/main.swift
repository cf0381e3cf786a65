import Foundation
import Random

// gencorpus: writes or verifies the shipped English -> French toy corpus in data/.

// Declared before `usage`: top-level globals in main.swift initialise in source order.
/// The seed of the shipped corpus (the Transformer paper's arXiv date).
let defaultSeed: UInt64 = 20_170_612

let usage = """
    Usage: gencorpus --out DIR [--seed N]    write DIR/{train,valid,test}.tsv
           gencorpus --check DIR [--seed N]  exit 0 if DIR's files match what would
                                             be generated
           gencorpus --sample N [--seed N]   print N random pairs of each split, for
                                             proof-reading
           gencorpus --help
    Output is deterministic: the same seed gives byte-identical files on every
    machine.
    Default seed: \(defaultSeed).
    """

enum Command { case out(String), check(String), sample(Int), help }

func parse(_ args: [String]) throws -> (Command, UInt64) {
    var command: Command?
    var seed = defaultSeed
    var i = 0
    func value(_ flag: String) throws -> String {
        guard i + 1 < args.count else { throw CorpusError.usage("\(flag) needs a value") }
        i += 1
        return args[i]
    }
    while i < args.count {
        let arg = args[i]
        switch arg {
        case "--out": command = .out(try value(arg))
        case "--check": command = .check(try value(arg))
        case "--sample":
            let v = try value(arg)
            guard let n = Int(v), n > 0 else { throw CorpusError.usage("--sample needs a positive count, got \"\(v)\"") }
            command = .sample(n)
        case "--seed":
            let v = try value(arg)
            guard let s = UInt64(v) else { throw CorpusError.usage("--seed needs a non-negative integer, got \"\(v)\"") }
            seed = s
        case "--help", "-h": command = .help
        default: throw CorpusError.usage("unknown argument \"\(arg)\"")
        }
        i += 1
    }
    guard let command else { throw CorpusError.usage("say --out DIR, --check DIR or --sample N") }
    return (command, seed)
}

/// Writes atomically so an interrupted run never leaves a half-written split behind.
func write(_ corpus: Corpus, to dir: String) throws {
    do {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    } catch {
        throw CorpusError.io(path: dir, problem: "cannot create directory (\(error.localizedDescription)); check the path and permissions")
    }
    for file in corpus.files {
        let path = (dir as NSString).appendingPathComponent(file.name)
        do {
            try Data(file.text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CorpusError.io(path: path, problem: "cannot write (\(error.localizedDescription)); check free space and permissions")
        }
    }
}

/// Returns the names of files in `dir` that differ from (or are missing compared to) `corpus`.
func differences(_ corpus: Corpus, in dir: String) -> [String] {
    corpus.files.compactMap { file in
        let path = (dir as NSString).appendingPathComponent(file.name)
        guard let data = FileManager.default.contents(atPath: path) else { return "\(path) (missing)" }
        return data == Data(file.text.utf8) ? nil : path
    }
}

func run() -> Int32 {
    do {
        let (command, seed) = try parse(Array(CommandLine.arguments.dropFirst()))
        switch command {
        case .help:
            print(usage)
        case .out(let dir):
            let corpus = try Corpus.generate(seed: seed)
            try write(corpus, to: dir)
            print("wrote \(dir)/train.tsv, valid.tsv, test.tsv (seed \(seed))")
            print(Stats.report(corpus))
        case .check(let dir):
            let corpus = try Corpus.generate(seed: seed)
            let bad = differences(corpus, in: dir)
            guard bad.isEmpty else {
                FileHandle.standardError.write(Data("gencorpus: \(bad.joined(separator: ", ")) differ from what gencorpus generates with seed \(seed); run `make corpus` to regenerate\n".utf8))
                return 1
            }
            print("\(dir): train.tsv, valid.tsv, test.tsv match seed \(seed)")
        case .sample(let n):
            let corpus = try Corpus.generate(seed: seed)
            var rng = SplitMix64(seed: seed &+ 1)
            for (name, pairs) in [("train", corpus.train), ("valid", corpus.valid), ("test", corpus.test)] {
                print("== \(name)")
                for _ in 0..<min(n, pairs.count) {
                    let p = pairs[rng.below(pairs.count)]
                    print(p.english + "\t" + p.french)
                }
            }
        }
        return 0
    } catch {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        // Exit 2 for a bad command line, 1 for anything else, as most Unix tools do.
        if case CorpusError.usage = error { return 2 }
        return 1
    }
}

exit(run())
