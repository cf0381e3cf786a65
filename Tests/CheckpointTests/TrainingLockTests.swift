import Checkpoint
import Foundation
import XCTest

final class TrainingLockTests: XCTestCase {
    func testSecondHolderIsRefusedWithThePidUntilReleased() throws {
        let dir = try makeTempDir(self).appendingPathComponent("run")
        let first = try TrainingLock(directory: dir)
        XCTAssertTrue(first.isHeld)
        let pid = ProcessInfo.processInfo.processIdentifier
        XCTAssertEqual(try String(contentsOf: first.url, encoding: .utf8), "\(pid)\n")
        // flock belongs to the open file description, so a second open in this process conflicts.
        let e = assertCheckpointError(.locked) { try TrainingLock(directory: dir) }
        XCTAssertTrue(e?.problem.contains("is in use by another train (pid \(pid))") ?? false, e?.description ?? "")
        first.release()
        XCTAssertFalse(first.isHeld)
        let second = try TrainingLock(directory: dir)
        XCTAssertTrue(second.isHeld)
    }

    func testLockOfAKilledProcessIsFreedByTheKernel() throws {
        let python = URL(fileURLWithPath: "/usr/bin/env")
        let dir = try makeTempDir(self)
        let lockPath = dir.appendingPathComponent("train.lock").path
        let child = Process()
        child.executableURL = python
        child.arguments = ["python3", "-c", """
            import fcntl, os, sys, time
            f = open(sys.argv[1], "a+")
            fcntl.flock(f, fcntl.LOCK_EX)
            f.truncate(0); f.write(str(os.getpid())); f.flush()
            print("locked", flush=True)
            time.sleep(60)
            """, lockPath]
        let out = Pipe()
        child.standardOutput = out
        child.standardError = FileHandle.nullDevice
        do { try child.run() } catch { throw XCTSkip("python3 not available: \(error)") }
        let line = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        guard line.hasPrefix("locked") else {
            child.terminate()
            throw XCTSkip("python3 could not take the lock (output: \(line))")
        }
        let e = assertCheckpointError(.locked) { try TrainingLock(directory: dir) }
        XCTAssertTrue(e?.problem.contains("pid \(child.processIdentifier)") ?? false, e?.description ?? "")
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        XCTAssertTrue(try TrainingLock(directory: dir).isHeld, "SIGKILL must not leave a stale lock")
    }
}

final class TrainingLockReplacementTests: XCTestCase {
    /// A folder deleted and recreated under a running trainer is not written into.
    func testReplacedFolderIsDetected() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lock-replaced-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let lock = try TrainingLock(directory: dir)
        XCTAssertNoThrow(try lock.verifyStillHeld())
        try FileManager.default.removeItem(at: dir)
        XCTAssertThrowsError(try lock.verifyStillHeld())
        let newcomer = try TrainingLock(directory: dir)  // a new run takes the same path
        XCTAssertThrowsError(try lock.verifyStillHeld()) { XCTAssertTrue("\($0)".contains("removed or replaced"), "\($0)") }
        XCTAssertNoThrow(try newcomer.verifyStillHeld())
    }
}
