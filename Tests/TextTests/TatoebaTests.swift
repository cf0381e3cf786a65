import Foundation
import Text
import XCTest

/// Uses the real Tatoeba corpus beside the checkout when present; skipped otherwise.
final class TatoebaTests: XCTestCase {
    /// ../shared/corpora/tatoeba-eng-fra relative to the package root (found from this file).
    static var corpusDir: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("shared/corpora/tatoeba-eng-fra")
    }

    private func path(_ name: String) throws -> String {
        let p = Self.corpusDir.appendingPathComponent(name).path
        guard FileManager.default.fileExists(atPath: p) else {
            throw XCTSkip("Tatoeba corpus not found at \(p)")
        }
        return p
    }

    func testReadsTrainAndLearnsSmallBPE() throws {
        let start = Date()
        let train = try ParallelCorpus.readTSV(path: path("train.tsv"))
        let readSeconds = Date().timeIntervalSince(start)
        print("Tatoeba train.tsv: \(train.stats) in \(String(format: "%.3f", readSeconds)) s")
        XCTAssertGreaterThan(train.pairs.count, 100_000)
        XCTAssertEqual(train.stats.linesRead, train.pairs.count + train.stats.skipped)

        // A small model on a slice keeps this test to a few seconds.
        let slice = ParallelCorpus(pairs: Array(train.pairs.prefix(20_000)))
        let t0 = Date()
        let pair = try TokenizerPair.learn(spec: TokenizerSpec(kind: .bpe, merges: 1000), corpus: slice)
        print("BPE 1000 merges on 20k pairs: \(String(format: "%.3f", Date().timeIntervalSince(t0))) s, vocab \(pair.source.vocabulary.count)")
        XCTAssertGreaterThan(pair.source.vocabulary.count, 1000)

        let valid = try ParallelCorpus.readTSV(path: path("valid.tsv"))
        let normalizer = pair.source.normalizer
        var exact = 0
        var tokens = 0
        var words = 0
        for p in valid.pairs {
            for s in [p.source, p.target] {
                let ids = pair.source.encode(s)
                tokens += ids.count
                words += normalizer.normalize(s).split(separator: " ").count
                if ids.contains(SpecialTokens.unknown) || pair.source.decode(ids) == normalizer.normalize(s) { exact += 1 }
            }
        }
        XCTAssertEqual(exact, 2 * valid.pairs.count, "every sentence without <unk> decodes exactly")
        // Subwords should compress: well under 3 tokens per whitespace word on held-out text.
        XCTAssertLessThan(Double(tokens) / Double(words), 3.0)
    }

    /// The full-size measurement for the report; opt in with TEXT_BENCH=1 (takes seconds).
    func testBenchmarkFullBPE() throws {
        guard ProcessInfo.processInfo.environment["TEXT_BENCH"] == "1" else {
            throw XCTSkip("set TEXT_BENCH=1 to time 8000 merges on all of Tatoeba")
        }
        let p = try path("train.tsv")
        var t = Date()
        let train = try ParallelCorpus.readTSV(path: p)
        print("read: \(String(format: "%.3f", Date().timeIntervalSince(t))) s, \(train.stats)")
        t = Date()
        let pair = try TokenizerPair.learn(spec: TokenizerSpec(kind: .bpe, merges: 8000), corpus: train)
        print("learn 8000 merges (shared): \(String(format: "%.3f", Date().timeIntervalSince(t))) s, vocab \(pair.source.vocabulary.count)")
        t = Date()
        let encoded = pair.encode(train)
        print("encode corpus: \(String(format: "%.3f", Date().timeIntervalSince(t))) s, \(encoded.reduce(0) { $0 + $1.source.count + $1.target.count }) tokens")
        t = Date()
        // Bigger length-sorting buckets trade batch randomness for less padding.
        for bucket in [4096, 16384, 65536] {
            t = Date()
            let batcher = try Batcher(pairs: encoded, config: BatchConfig(bucketSize: bucket))
            let batches = batcher.batches(epoch: 0)
            let padded = batches.reduce(0) { $0 + $1.paddedTokens }
            let real = batches.reduce(0) { $0 + $1.sourceTokens + $1.targetTokens }
            let share = 100 * Double(padded - real) / Double(padded)
            print("batch epoch, bucket \(bucket): \(String(format: "%.3f", Date().timeIntervalSince(t))) s, \(batches.count) batches, padding \(String(format: "%.1f", share))%")
        }
        t = Date()
        let word = try TokenizerPair.learn(spec: TokenizerSpec(kind: .word), corpus: train)
        print("word vocab: \(String(format: "%.3f", Date().timeIntervalSince(t))) s, vocab \(word.source.vocabulary.count)")
    }
}
