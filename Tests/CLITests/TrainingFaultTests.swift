#if canImport(Glibc)
import Glibc
#endif
import Checkpoint
import Foundation
import XCTest

/// Faults while training: SIGKILL, SIGINT/SIGTERM, a full disk, an unwritable --out, NaN losses,
/// and a second `train` on the same folder. Whatever happens, the checkpoints already written
/// stay complete and `--resume` continues from the latest.
final class TrainingFaultTests: XCTestCase {
    private func corpus(_ dir: URL) throws -> String { try Scratch.write(Fixture.tsv(), to: dir, "train.tsv") }

    /// Every step file and best.safetensors in `run` passes a full checksum check.
    private func assertAllCheckpointsIntact(_ run: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: run.path).filter { $0.hasSuffix(".safetensors") && !$0.hasPrefix(".") }
        XCTAssertFalse(names.isEmpty, "no checkpoint in \(run.path)", file: file, line: line)
        for name in names {
            XCTAssertNoThrow(try SafeTensors.read(from: run.appendingPathComponent(name), verify: true), name, file: file, line: line)
        }
    }

    private func savedStep(_ run: URL) throws -> Int {
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("checkpoints.json"))) as? [String: Any]
        let last = (index?["checkpoints"] as? [[String: Any]])?.last
        return try XCTUnwrap(last?["step"] as? Int)
    }

    func testSIGKILLDuringCheckpointWritesThenResume() throws {
        let dir = try Scratch.directory(self)
        let run = dir.appendingPathComponent("run")
        let data = try corpus(dir)
        var hitWrite = 0
        // Kill at a different moment each round; as soon as a temporary checkpoint file appears
        // the kill lands mid-write (it is fsynced before the rename, so it lives a while).
        for round in 0..<3 {
            var flags = Fixture.trainFlags(data: data, out: run.path, steps: 100_000, validEvery: 1)
            if round > 0 { flags += ["--resume"] }
            let child = try CLI.Child(try CLI.binary("train"), flags, in: dir)
            var seenTemp = false
            _ = child.waitUntil(timeout: 20) {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: run.path)) ?? []
                let tmp = names.contains { $0.hasPrefix(".step-") && $0.contains(".tmp-") }
                let steps = names.filter { $0.hasPrefix("step-") }.count
                seenTemp = tmp && steps >= round + 1
                return seenTemp
            }
            child.signal(SIGKILL)
            let r = child.wait()
            XCTAssertTrue(r.signaled && r.status == SIGKILL, "round \(round): \(r)")
            if seenTemp { hitWrite += 1 }
            try assertAllCheckpointsIntact(run)
            let v = try CLI.run("inspect", ["--verify", run.path], in: dir)
            XCTAssertEqual(v.status, 0, "round \(round): \(v)")
        }
        print("SIGKILL landed during a checkpoint write in \(hitWrite) of 3 rounds")
        XCTAssertGreaterThan(hitWrite, 0, "no kill landed while a temporary checkpoint file existed")
        let before = try savedStep(run)
        let r = try CLI.run("train", ["--out", run.path, "--resume", "--steps", "\(before + 2)", "--threads", "1", "--quiet"], in: dir)
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertTrue(r.stdout.contains("resuming from"), "\(r)")
        XCTAssertEqual(try savedStep(run), before + 2)
        try assertAllCheckpointsIntact(run)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: run.path).filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [], "the resumed run did not clear the killed run's temporary files")
    }

    private func interrupt(with sig: Int32, expect text: String) throws {
        let dir = try Scratch.directory(self)
        let run = dir.appendingPathComponent("run")
        var flags = Fixture.trainFlags(data: try corpus(dir), out: run.path, steps: 100_000, validEvery: 100_000)
        flags.removeAll { $0 == "--quiet" }  // the progress line says training has started
        let child = try CLI.Child(try CLI.binary("train"), flags, in: dir)
        XCTAssertTrue(child.waitUntil { child.stdoutSoFar.contains("step ") }, "training never started")

        // While it runs, a second train on the same folder is refused and changes nothing.
        let before = Scratch.snapshot(run)
        let second = try CLI.run("train", Fixture.trainFlags(data: try corpus(dir), out: run.path) + ["--resume"], in: dir)
        assertFails(second, status: 1, mentions: ["in use by another train", "pid \(child.pid)", "choose another output folder (--out)"])
        XCTAssertEqual(Scratch.snapshot(run).keys.sorted(), before.keys.sorted())

        child.signal(sig)
        let r = child.wait()
        XCTAssertFalse(r.signaled, "\(r)")
        XCTAssertEqual(r.status, 128 + sig, "\(r)")
        XCTAssertTrue(r.stdout.contains("stopped: \(text)"), "\(r)")
        XCTAssertTrue(r.stdout.contains("saved "), "\(r)")
        try assertAllCheckpointsIntact(run)
        let step = try savedStep(run)
        XCTAssertGreaterThan(step, 0)
        let resumed = try CLI.run("train", ["--out", run.path, "--resume", "--steps", "\(step + 1)", "--threads", "1", "--quiet"], in: dir)
        XCTAssertEqual(resumed.status, 0, "\(resumed)")
        XCTAssertEqual(try savedStep(run), step + 1)
    }

    func testSIGINTSavesAndExitsAndTheLockRefusesASecondTrain() throws {
        try interrupt(with: SIGINT, expect: "interrupted (Ctrl-C)")
    }

    func testSIGTERMSavesAndExits() throws {
        try interrupt(with: SIGTERM, expect: "terminated (signal 15)")
    }

    func testDiskFullKeepsThePreviousCheckpoints() throws {
        let dir = try Scratch.directory(self)
        let run = dir.appendingPathComponent("run")
        let first = try CLI.run("train", Fixture.trainFlags(data: try corpus(dir), out: run.path, steps: 2), in: dir)
        XCTAssertEqual(first.status, 0, "\(first)")
        let before = Scratch.snapshot(run)
        let size = try XCTUnwrap(before["step-00000002.safetensors"]).count
        // Files may grow to half a checkpoint: the next save fails part-way through.
        let r = try CLI.runWithFileSizeLimit(kilobytes: size / 2048, "train",
                                             ["--out", run.path, "--resume", "--steps", "4", "--threads", "1", "--quiet"], in: dir)
        assertFails(r, status: 1, mentions: ["train: error:", "step-00000004.safetensors", "file too large", "free some disk space"])
        let after = Scratch.snapshot(run)
        for (name, bytes) in before where name != "metrics.jsonl" {
            XCTAssertEqual(after[name], bytes, "\(name) changed")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: run.path).filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [], "half-written temporary files left behind")
        try assertAllCheckpointsIntact(run)
        let again = try CLI.run("train", ["--out", run.path, "--resume", "--steps", "4", "--threads", "1", "--quiet"], in: dir)
        XCTAssertEqual(again.status, 0, "with space again, resume works: \(again)")
    }

    func testUnwritableOutputFolder() throws {
        let dir = try Scratch.directory(self)
        let blocker = try Scratch.write("a file, not a folder\n", to: dir, "blocker")
        let r = try CLI.run("train", Fixture.trainFlags(data: try corpus(dir), out: blocker + "/run"), in: dir)
        assertFails(r, status: 1, mentions: ["train: error:", "blocker/run", "cannot create"])
        let r2 = try CLI.run("train", Fixture.trainFlags(data: try corpus(dir), out: blocker), in: dir)
        assertFails(r2, status: 1, mentions: ["blocker", "not a directory"])
        XCTAssertEqual(try String(contentsOfFile: blocker, encoding: .utf8), "a file, not a folder\n")
    }

    func testRefusesToOverwriteAnExistingRun() throws {
        let dir = try Scratch.directory(self)
        let run = try Fixture.copyOfRun(in: dir)
        let before = Scratch.snapshot(run)
        let r = try CLI.run("train", Fixture.trainFlags(data: try corpus(dir), out: run.path), in: dir)
        assertFails(r, status: 1, mentions: ["already holds checkpoints", "--resume"])
        XCTAssertEqual(Scratch.snapshot(run), before)
    }

    func testNaNLossesAreSkippedThenStopKeepingTheLastGoodCheckpoint() throws {
        let dir = try Scratch.directory(self)
        let data = try corpus(dir)
        // Two NaN updates in a row at step 3: skipped and counted, training still finishes.
        let a = dir.appendingPathComponent("a")
        let r = try CLI.run("train", Fixture.trainFlags(data: data, out: a.path), in: dir, environment: ["TINY_TRANSLATOR_INJECT_NAN": "3,2"])
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertTrue(r.stdout.contains("skipped update at step 3: loss nan is not finite (2 in a row)"), "\(r)")
        XCTAssertEqual(try savedStep(a), 5)

        // Many in a row from step 3: stop with exit 3, naming where it started; step 2 is kept.
        let b = dir.appendingPathComponent("b")
        let s = try CLI.run("train", Fixture.trainFlags(data: data, out: b.path), in: dir, environment: ["TINY_TRANSLATOR_INJECT_NAN": "3,1000"])
        XCTAssertEqual(s.status, 3, "\(s)")
        XCTAssertTrue(s.stdout.contains("non-finite updates in a row, starting at step 3"), "\(s)")
        XCTAssertTrue(s.stdout.contains("last good checkpoint is kept"), "\(s)")
        XCTAssertEqual(try savedStep(b), 2)
        try assertAllCheckpointsIntact(b)
        let resumed = try CLI.run("train", ["--out", b.path, "--resume", "--steps", "4", "--threads", "1", "--quiet"], in: dir)
        XCTAssertEqual(resumed.status, 0, "\(resumed)")
        XCTAssertEqual(try savedStep(b), 4)
    }
}
