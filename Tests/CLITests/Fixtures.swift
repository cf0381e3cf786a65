#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// Tiny corpora and one small trained run shared by the tests (trained once per test process).
enum Fixture {
    static let english = ["the", "a", "red", "big", "small", "cat", "dog", "car", "house", "sees", "likes", "has", "my", "old"]
    static let french = ["le", "un", "rouge", "grand", "petit", "chat", "chien", "voiture", "maison", "voit", "aime", "a", "mon", "vieux"]

    /// `count` deterministic `source<TAB>target` pairs: word-for-word "translations" built from
    /// two small lexicons, enough for a word tokenizer and a few training steps.
    static func pairs(_ count: Int, seed: UInt64 = 7) -> [(String, String)] {
        var state = seed
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        return (0..<count).map { _ in
            let idx = (0..<(3 + next(4))).map { _ in next(english.count) }
            return (idx.map { english[$0] }.joined(separator: " "), idx.map { french[$0] }.joined(separator: " "))
        }
    }

    static func tsv(_ count: Int = 240) -> String {
        pairs(count).map { "\($0.0)\t\($0.1)\n" }.joined()
    }

    /// Flags for a model small enough that a few steps take well under a second. Unless
    /// `realCorpusDefaults`, the run also turns off what `train` does by default for a real
    /// corpus (weight averaging, tied output, separate vocabularies, a high peak rate): after
    /// 5 updates an averaged model is still the initial one and translates to empty lines,
    /// which the translate tests cannot use.
    static func trainFlags(data: String, out: String, steps: Int = 5, validEvery: Int = 2, realCorpusDefaults: Bool = false) -> [String] {
        ["--data", data, "--out", out, "--tokenizer", "word", "--min-frequency", "1",
         "--model-dim", "16", "--heads", "2", "--layers", "1", "--max-length", "32",
         "--steps", "\(steps)", "--valid-every", "\(validEvery)", "--valid-size", "20", "--bleu-sentences", "4",
         "--batch-tokens", "256", "--threads", "1", "--quiet"]
            + (realCorpusDefaults ? [] : ["--ema", "0", "--no-tie-output", "--no-separate-vocab", "--lr", "0.001", "--warmup", "4000"])
    }

    nonisolated(unsafe) private static var trained: URL?

    /// A folder holding a finished 5-step run (`step-00000002/4/5.safetensors`, `best.safetensors`,
    /// `checkpoints.json`), trained on first use. Tests copy it before damaging anything.
    static func trainedRun() throws -> URL {
        if let trained { return trained }
        let tmp = FileManager.default.temporaryDirectory
        // Remove what earlier test processes left behind (each is named after its PID).
        for name in (try? FileManager.default.contentsOfDirectory(atPath: tmp.path)) ?? [] where name.hasPrefix("clitests-shared-") {
            if let pid = Int32(name.dropFirst("clitests-shared-".count)), kill(pid, 0) != 0 {
                try? FileManager.default.removeItem(at: tmp.appendingPathComponent(name))
            }
        }
        let root = tmp.appendingPathComponent("clitests-shared-\(getpid())")
        try? FileManager.default.removeItem(at: root)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let data = try Scratch.write(tsv(), to: root, "train.tsv")
        let r = try CLI.run("train", trainFlags(data: data, out: root.appendingPathComponent("run").path), in: root)
        guard r.status == 0, !r.signaled else { throw XCTSkip("could not train the shared fixture: \(r)") }
        trained = root.appendingPathComponent("run")
        return trained!
    }

    /// A private copy of the trained run in `dir`.
    static func copyOfRun(in dir: URL, name: String = "run") throws -> URL {
        let copy = dir.appendingPathComponent(name)
        try FileManager.default.copyItem(at: try trainedRun(), to: copy)
        return copy
    }
}
