import Foundation
import Training
import XCTest

/// A fresh temporary folder for one test, removed afterwards.
func temporaryDirectory(_ name: String = #function) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("tt-\(name.filter(\.isLetter))-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A small English→French TSV (a grammar of a few words) for fast end-to-end training tests.
func writeToyCorpus(to url: URL, pairs: Int, seed: UInt64) throws {
    let nouns = [("cat", "chat"), ("dog", "chien"), ("car", "voiture"), ("house", "maison")]
    let adjectives = [("red", "rouge"), ("big", "grand"), ("small", "petit")]
    var lines: [String] = []
    var x = seed
    for _ in 0..<pairs {
        x = x &* 6364136223846793005 &+ 1442695040888963407
        let n = nouns[Int((x >> 33) % UInt64(nouns.count))]
        let a = adjectives[Int((x >> 40) % UInt64(adjectives.count))]
        lines.append("the \(a.0) \(n.0)\tle \(n.1) \(a.1)")
    }
    try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
}

/// A training configuration for a tiny model on `data` that finishes in about a second.
func tinyTrainConfig(data: URL, out: URL, steps: Int) -> TrainConfig {
    var c = TrainConfig()
    c.data = data.path
    c.out = out.path
    c.validHoldOut = 20
    c.tokenizer.kind = .word
    c.tokenizer.minFrequency = 1
    // One shared vocabulary, an untied output and no averaging: `train`'s real-corpus defaults
    // would change what these second-long runs learn; tests that need them set them.
    c.tokenizer.shared = true
    c.model.tieOutputEmbedding = false
    c.emaDecay = nil
    c.model.modelDim = 16
    c.model.heads = 2
    c.model.encoderLayers = 1
    c.model.decoderLayers = 1
    c.model.feedForwardDim = 32
    c.model.maxLength = 32
    c.batchTokens = 200
    c.optimizer.warmupSteps = 10
    c.optimizer.learningRate = 3e-3
    c.steps = steps
    c.validEvery = 1000
    c.bleuSentences = 10
    c.threads = 2
    return c
}

/// The records of one `kind` ("train", "valid", …) in a run folder's metrics.jsonl, oldest first.
func metricsRecords(in out: String, kind: String) throws -> [[String: Any]] {
    try String(contentsOfFile: out + "/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        .compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        .filter { $0["kind"] as? String == kind }
}
