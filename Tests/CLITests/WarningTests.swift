import Foundation
import XCTest

/// Issue 16, rows 5 and 6: honest warnings. A sentence the model mostly cannot read is named
/// with counts; `--no-repeat-ngram` stops loops; a corpus too small to hold out validation pairs
/// is refused; the run summary says which weights scored better and `translate --raw-weights`
/// uses the raw ones.
final class WarningTests: XCTestCase {
    private func translate(_ args: [String], checkpoint: String? = nil) throws -> CLI.Result {
        let run = try Fixture.trainedRun()
        return try CLI.run("translate", ["--checkpoint", checkpoint ?? run.path, "--threads", "1", "--quiet"] + args, in: run.deletingLastPathComponent())
    }

    func testMostlyUnknownInputIsWarnedAboutWithCounts() throws {
        let r = try translate(["the red cat", "漢字 ☃ Ωμέγα", "zyzzyva quokka the"])
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertEqual(r.stdout.split(separator: "\n", omittingEmptySubsequences: false).count, 4, "still one line each: \(r)")
        XCTAssertTrue(r.stderr.contains("translate: warning: sentence 2 is mostly unknown to the model: 8 of 8 characters never occur in its vocabulary (漢 字 ☃ Ω μ έ γ α)"), "\(r)")
        XCTAssertTrue(r.stderr.contains("3 of 3 pieces are <unk>"), "\(r)")
        XCTAssertTrue(r.stderr.contains("sentence 3 is mostly unknown to the model") && r.stderr.contains("2 of 3 pieces are <unk>"), "\(r)")
        XCTAssertFalse(r.stderr.contains("sentence 1 "), "\(r)")
        // The same warning in front of --score, and for one sentence without a number.
        let one = try translate(["漢字"])
        XCTAssertTrue(one.stderr.contains("the sentence is mostly unknown"), "\(one)")
    }

    func testNoRepeatNgramKeepsEveryNgramUnique() throws {
        // The 5-update fixture model loops; long sentences make it loop more.
        let sentences = (0..<12).map { i in Fixture.pairs(12, seed: 99)[i].0 + " " + Fixture.pairs(12, seed: 5)[i].0 }
        let plain = try translate(sentences)
        XCTAssertEqual(plain.status, 0, "\(plain)")
        func repeats(_ text: String, n: Int) -> Int {
            text.split(separator: "\n").filter { line in
                let w = line.split(separator: " ").map(String.init)
                guard w.count >= n else { return false }
                let grams = (0...(w.count - n)).map { w[$0..<($0 + n)].joined(separator: " ") }
                return Set(grams).count < grams.count
            }.count
        }
        XCTAssertGreaterThan(repeats(plain.stdout, n: 2), 0, "the fixture should loop without the guard: \(plain.stdout)")
        XCTAssertTrue(plain.stderr.contains("repeats '") && plain.stderr.contains("--no-repeat-ngram 3 forbids repeats"), "a note names the loops: \(plain)")
        // (Sampling with the guard is tested token by token in TrainingTests.StepDecodingTests:
        // words and tokens differ where the model outputs a bare "▁".)
        for extra in [[], ["--beam", "3"]] {
            let guarded = try translate(["--no-repeat-ngram", "2"] + extra + sentences)
            XCTAssertEqual(guarded.status, 0, "\(guarded)")
            XCTAssertEqual(repeats(guarded.stdout, n: 2), 0, "\(extra): a bigram repeats: \(guarded.stdout)")
            XCTAssertFalse(guarded.stderr.contains("repeats '"), "\(guarded)")
            XCTAssertEqual(guarded.stdout.split(separator: "\n").count, sentences.count)
        }
    }

    func testATinyCorpusIsNotValidatedOnNothing() throws {
        let dir = try Scratch.directory(self)
        let tiny = try Scratch.write(Fixture.tsv(3), to: dir, "tiny.tsv")
        var flags = Fixture.trainFlags(data: tiny, out: dir.appendingPathComponent("run").path, steps: 2)
        flags.removeSubrange(flags.firstIndex(of: "--valid-size")!...flags.firstIndex(of: "--valid-size")! + 1)
        let r = try CLI.run("train", flags, in: dir)
        assertFails(r, status: 1, mentions: ["tiny.tsv has 3 sentence pairs", "too few to hold out validation pairs", "--valid FILE"])
        XCTAssertFalse(r.stdout.contains("ppl 1.00"), "\(r)")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("run").path)) ?? []
        XCTAssertFalse(files.contains { $0.hasSuffix(".safetensors") }, "no checkpoint of a run that validates on nothing: \(files)")
        // Fewer pairs than asked for: held out with a warning.
        let small = try Scratch.write(Fixture.tsv(60), to: dir, "small.tsv")
        var more = Fixture.trainFlags(data: small, out: dir.appendingPathComponent("small").path, steps: 2)
        more[more.firstIndex(of: "--valid-size")! + 1] = "500"
        let w = try CLI.run("train", more, in: dir)
        XCTAssertEqual(w.status, 0, "\(w)")
        XCTAssertTrue(w.stdout.contains("warning: holding out 6 pairs for validation, not 500"), "\(w)")
    }

    func testTheSummaryComparesAveragedAndRawWeightsAndTranslateCanUseEither() throws {
        let dir = try Scratch.directory(self)
        let data = try Scratch.write(Fixture.tsv(), to: dir, "train.tsv")
        let run = dir.appendingPathComponent("ema")
        var flags = Fixture.trainFlags(data: data, out: run.path, steps: 6, validEvery: 6)
        flags[flags.firstIndex(of: "--ema")! + 1] = "0.9"
        let r = try CLI.run("train", flags, in: dir)
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertTrue(r.stdout.contains("weights at step 6: BLEU"), "\(r)")
        XCTAssertTrue(r.stdout.contains("averaged (--ema)") && r.stdout.contains(" raw: "), "\(r)")
        let loaded = try CLI.run("translate", ["--checkpoint", run.path, "a cat"], in: dir)
        XCTAssertTrue(loaded.stderr.contains("the averaged weights (--raw-weights for the raw ones)"), "translate says it uses the average: \(loaded)")
        let tsv = try Scratch.write(Fixture.tsv(8), to: dir, "pairs.tsv")
        let average = try translate(["--score", "--tsv", tsv], checkpoint: run.path)
        let raw = try translate(["--score", "--tsv", tsv, "--raw-weights"], checkpoint: run.path)
        XCTAssertEqual(average.status, 0, "\(average)")
        XCTAssertEqual(raw.status, 0, "\(raw)")
        XCTAssertNotEqual(average.stdout, raw.stdout, "--raw-weights scores with other weights")
        // A run without averaging has no raw copy to choose.
        let none = try translate(["--raw-weights", "a cat"])
        assertFails(none, status: 1, mentions: ["holds no raw weights", "did not average", "--raw-weights"])
    }
}
