import Checkpoint
import Foundation
import XCTest

/// What users of Marian and fairseq expect besides: `translate --score` (the log-probability of
/// given references), sampling with a temperature, and checkpoint averaging (`inspect --average`).
final class ScoreSampleAverageTests: XCTestCase {
    private func translate(_ args: [String], checkpoint: String? = nil, in dir: URL? = nil) throws -> CLI.Result {
        let run = try Fixture.trainedRun()
        return try CLI.run("translate", ["--checkpoint", checkpoint ?? run.path, "--threads", "1", "--quiet"] + args,
                           in: dir ?? run.deletingLastPathComponent())
    }

    /// Beam search with length penalty 0 scores its best hypothesis by log P(tokens, </s>):
    /// scoring that hypothesis as a reference must give the same number.
    func testScoreAgreesWithTheBeamSearchsOwnScore() throws {
        let dir = try Scratch.directory(self)
        let sentences = Fixture.pairs(6, seed: 3).map(\.0)
        let nbest = try translate(["--beam", "3", "--n-best", "1", "--length-penalty", "0"] + sentences)
        XCTAssertEqual(nbest.status, 0, "\(nbest)")
        let all = nbest.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        XCTAssertEqual(all.count, sentences.count, "\(nbest)")
        // A hypothesis with <unk> or a bare "▁" (two spaces) does not read back as the same tokens,
        // and an empty one is no pair.
        let kept = zip(sentences, all).filter { h in
            let text = h.1[2]
            return !text.isEmpty && !text.contains("<unk>") && !text.contains("  ") && !text.hasPrefix(" ") && !text.hasSuffix(" ")
        }
        let (sources, rows) = (kept.map(\.0), kept.map(\.1))
        XCTAssertGreaterThanOrEqual(rows.count, 2, "\(nbest)")
        let tsv = try Scratch.write(zip(sources, rows).map { "\($0.0)\t\($0.1[2])\n" }.joined(), to: dir, "hyp.tsv")
        let scored = try translate(["--score", "--tsv", tsv], in: dir)
        XCTAssertEqual(scored.status, 0, "\(scored)")
        let lines = scored.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        XCTAssertEqual(lines.count, rows.count, "\(scored)")
        for (row, line) in zip(rows, lines) {
            let beamScore = try XCTUnwrap(Double(row[1])), total = try XCTUnwrap(Double(line[0]))
            XCTAssertEqual(total, beamScore, accuracy: 2e-3, "score of \(row[2]): \(line)")
            let perToken = line[2].split(separator: " ").compactMap { Double($0) }
            XCTAssertEqual(perToken.reduce(0, +), total, accuracy: 1e-3 * Double(perToken.count), "the tokens sum to the total")
            XCTAssertEqual(try XCTUnwrap(Double(line[1])), total / Double(perToken.count), accuracy: 1e-3, "the average is per token")
            XCTAssertTrue(perToken.allSatisfy { $0 <= 0 }, "log-probabilities: \(line)")
        }
        XCTAssertTrue(scored.stderr.contains("scored \(rows.count) references"), "\(scored)")
        // --reference with sentences as arguments: the same numbers.
        let refs = try Scratch.write(rows.map { "\($0[2])\n" }.joined(), to: dir, "refs.txt")
        let viaReference = try translate(["--score", "--reference", refs] + sources, in: dir)
        XCTAssertEqual(viaReference.stdout, scored.stdout)
    }

    func testSamplingIsSeededAndBatchIndependent() throws {
        let sentences = Fixture.pairs(5, seed: 11).map(\.0)
        let greedy = try translate(sentences)
        let a = try translate(["--sample", "--seed", "7"] + sentences)
        let b = try translate(["--sample", "--seed", "7", "--batch", "1"] + sentences)
        let c = try translate(["--sample", "--seed", "8"] + sentences)
        XCTAssertEqual(a.stdout, b.stdout, "a sentence draws the same sample whatever its batch")
        XCTAssertNotEqual(a.stdout, c.stdout, "another seed, other samples")
        XCTAssertNotEqual(a.stdout, greedy.stdout, "an untrained model's distribution is wide: samples differ from greedy")
        let n = try translate(["--sample", "--n-best", "4", sentences[0]])
        let lines = n.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 4, "\(n)")
        XCTAssertTrue(lines.allSatisfy { $0.hasPrefix("1\t-") }, "four samples of sentence 1, each with its log-probability: \(n)")
    }

    func testAveragedCheckpointLoadsVerifiesAndIsTheMean() throws {
        let dir = try Scratch.directory(self)
        let run = try Fixture.copyOfRun(in: dir)
        let a = run.appendingPathComponent("step-00000004.safetensors").path, b = run.appendingPathComponent("step-00000005.safetensors").path
        let out = dir.appendingPathComponent("avg.safetensors").path
        let r = try CLI.run("inspect", ["--average", a, b, "--out", out], in: dir)
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertTrue(r.stdout.contains("the mean of 2 checkpoints") && r.stdout.contains("steps 4, 5"), "\(r)")
        let verify = try CLI.run("inspect", ["--verify", out], in: dir)
        XCTAssertEqual(verify.status, 0, "\(verify)")
        XCTAssertEqual(try translate(["a cat"], checkpoint: out).status, 0)
        let (fa, fb, avg) = (try SafeTensors.read(from: URL(fileURLWithPath: a)), try SafeTensors.read(from: URL(fileURLWithPath: b)),
                             try SafeTensors.read(from: URL(fileURLWithPath: out)))
        let name = "decoder.layers.0.cross.query.weight"
        let (x, y, m) = (try XCTUnwrap(fa.tensor(named: name)).values, try XCTUnwrap(fb.tensor(named: name)).values, try XCTUnwrap(avg.tensor(named: name)).values)
        for i in x.indices { XCTAssertEqual(m[i], Float((Double(x[i]) + Double(y[i])) / 2), accuracy: 1e-7) }
        XCTAssertFalse(avg.tensors.contains { $0.name.hasPrefix("adam.") }, "no optimizer state in an average")
        // An existing file is never replaced; mixing models is refused.
        let before = try Data(contentsOf: URL(fileURLWithPath: out))
        assertFails(try CLI.run("inspect", ["--average", a, b, "--out", out], in: dir), status: 1, mentions: ["already exists"])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out)), before)
        let data = try Scratch.write(Fixture.tsv(), to: dir, "train.tsv")
        var flags = Fixture.trainFlags(data: data, out: dir.appendingPathComponent("wide").path, steps: 2)
        flags[flags.firstIndex(of: "--model-dim")! + 1] = "8"
        XCTAssertEqual(try CLI.run("train", flags, in: dir).status, 0)
        assertFails(try CLI.run("inspect", ["--average", a, dir.appendingPathComponent("wide").path, "--out", dir.appendingPathComponent("x.safetensors").path], in: dir),
                    status: 1, mentions: ["model_config", "same model"])
        assertFails(try CLI.run("inspect", ["--average", a, "--out", "y.safetensors"], in: dir), status: 2, mentions: ["two or more checkpoints"])
    }
}
