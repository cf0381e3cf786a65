import Checkpoint
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A failed save must leave the previous file exactly as it was and no temporary file behind.
final class AtomicWriteTests: XCTestCase {
    private func small(_ v: Float) -> SafeTensorsFile {
        SafeTensorsFile(tensors: [NamedTensor(name: "w", shape: [2], values: [v, v])])
    }

    private func assertOnlyFiles(_ dir: URL, _ names: Set<String>, file: StaticString = #filePath, line: UInt = #line) {
        let present = Set((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
        XCTAssertEqual(present, names, "no temporary files may remain", file: file, line: line)
    }

    func testOverwriteReplacesContentAndLeavesNoTemporaryFile() throws {
        let dir = try makeTempDir(self)
        let url = dir.appendingPathComponent("m.safetensors")
        try SafeTensors.write(small(1), to: url)
        try SafeTensors.write(small(2), to: url)
        XCTAssertEqual(try SafeTensors.read(from: url).tensors[0].values, [2, 2])
        assertOnlyFiles(dir, ["m.safetensors"])
    }

    func testReadOnlyDirectoryKeepsTheOldFile() throws {
        let dir = try makeTempDir(self)
        let url = dir.appendingPathComponent("m.safetensors")
        try SafeTensors.write(small(1), to: url)
        XCTAssertEqual(chmod(dir.path, 0o555), 0)
        defer { _ = chmod(dir.path, 0o755) }
        // Root ignores directory permissions, so the failure cannot be provoked that way.
        let probe = dir.appendingPathComponent("probe")
        if FileManager.default.createFile(atPath: probe.path, contents: nil) {
            try? FileManager.default.removeItem(at: probe)
            throw XCTSkip("running as root: chmod does not make the directory read-only")
        }
        assertCheckpointError(.io) { try SafeTensors.write(small(2), to: url) }
        XCTAssertEqual(try SafeTensors.read(from: url).tensors[0].values, [1, 1])
        assertOnlyFiles(dir, ["m.safetensors"])
    }

    func testFileSizeLimitLikeDiskFullKeepsTheOldFile() throws {
        // RLIMIT_FSIZE makes write(2) fail with EFBIG part-way, like a full disk, even as root.
        let dir = try makeTempDir(self)
        let url = dir.appendingPathComponent("m.safetensors")
        try SafeTensors.write(small(1), to: url)
        let big = SafeTensorsFile(tensors: [NamedTensor(name: "w", shape: [100_000], values: .init(repeating: 3, count: 100_000))])
        var saved = rlimit()
        XCTAssertEqual(getrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved), 0)
        let oldHandler = signal(SIGXFSZ, SIG_IGN)
        var limited = saved
        limited.rlim_cur = 64 * 1024
        XCTAssertEqual(setrlimit(Int32(RLIMIT_FSIZE.rawValue), &limited), 0)
        let e = assertCheckpointError(.io) { try SafeTensors.write(big, to: url) }
        XCTAssertEqual(setrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved), 0)
        signal(SIGXFSZ, oldHandler)
        XCTAssertTrue(e?.remedy.contains("disk space") ?? false, e?.description ?? "")
        XCTAssertEqual(try SafeTensors.read(from: url).tensors[0].values, [1, 1])
        assertOnlyFiles(dir, ["m.safetensors"])
    }

    func testFailedRenameRemovesTheTemporaryFile() throws {
        // A non-empty directory where the file should go makes the final rename fail.
        let dir = try makeTempDir(self)
        let target = dir.appendingPathComponent("m.safetensors")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: false)
        try Data([1]).write(to: target.appendingPathComponent("keep"))
        assertCheckpointError(.io) { try SafeTensors.write(small(1), to: target) }
        assertOnlyFiles(dir, ["m.safetensors"])
        XCTAssertEqual(try Data(contentsOf: target.appendingPathComponent("keep")), Data([1]))
    }

    func testMissingDirectorySaysToCreateIt() throws {
        let url = try makeTempDir(self).appendingPathComponent("no/such/dir/m.safetensors")
        let e = assertCheckpointError(.fileNotFound) { try SafeTensors.write(small(1), to: url) }
        XCTAssertTrue(e?.remedy.contains("create the directory") ?? false, e?.description ?? "")
    }
}
