#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Replaces a file atomically: readers see either the complete old file or the complete new one.
///
/// A crash, full disk or kill during a save must never leave a half-written checkpoint where a
/// good one was. So: write a temporary file in the same directory (same filesystem, so rename is
/// atomic), fsync it, rename it over the target, fsync the directory so the rename itself is
/// durable. On any failure the temporary file is removed and the old target is untouched.
public enum AtomicFile {
    /// Writes `bytes` to `url` atomically.
    public static func write(_ bytes: [UInt8], to url: URL) throws {
        try write(to: url) { (fd: Int32, tmp: String) throws in
            try bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws in
                try POSIX.writeAll(fd, raw, path: tmp)
            }
        }
    }

    /// Creates the temporary file, lets `body` write to its descriptor, then commits.
    /// `body` receives the descriptor and the temporary path (for error messages).
    static func write(to url: URL, _ body: (Int32, String) throws -> Void) throws {
        let target = url.path
        let dir = POSIX.directory(of: target)
        let tmp = "\(dir)/" + temporaryName(for: target)
        let fd: Int32
        do throws(CheckpointError) {
            fd = try POSIX.open(tmp, O_WRONLY | O_CREAT | O_EXCL, action: "create a temporary file to save \(target)")
        } catch {
            throw CheckpointError(error.kind == .fileNotFound ? .fileNotFound : .io, path: target,
                                  problem: "cannot save: \(error.problem)",
                                  remedy: error.kind == .fileNotFound
                                      ? "create the directory \(dir) first" : error.remedy)
        }
        var committed = false
        var open = true
        defer {
            if open { close(fd) }
            if !committed { unlink(tmp) }
        }
        try body(fd, tmp)
        try POSIX.fsync(fd, path: tmp)
        open = false
        if close(fd) != 0 { throw POSIX.error("close", tmp) }
        if rename(tmp, target) != 0 {
            throw POSIX.error("replace the file (rename \(POSIX.fileName(of: tmp)) over it)", target)
        }
        committed = true
        try POSIX.fsyncDirectory(dir)
    }

    /// Makes `target` a second name for the existing file `source`, atomically replacing any
    /// old `target`: hard-link to a temporary name, then rename. Falls back to a copy where
    /// hard links are not supported. Used for `best.safetensors`, which costs no extra space.
    public static func link(_ source: URL, to target: URL) throws {
        let dir = POSIX.directory(of: target.path)
        let tmp = "\(dir)/" + temporaryName(for: target.path)
        if Glibc.link(source.path, tmp) == 0 {
            if rename(tmp, target.path) != 0 {
                let err = POSIX.error("replace the file", target.path)
                unlink(tmp)
                throw err
            }
            try POSIX.fsyncDirectory(dir)
            return
        }
        let linkErrno = errno
        guard linkErrno == EPERM || linkErrno == EXDEV || linkErrno == EMLINK || linkErrno == ENOTSUP else {
            throw POSIX.error("link \(source.path) as", target.path, code: linkErrno)
        }
        let bytes = try readAll(source)
        try write(bytes, to: target)
    }

    /// The name of a fresh temporary file beside `target`: ".NAME.tmp-PID-RANDOM" (hidden,
    /// and unique to this process and call).
    static func temporaryName(for target: String) -> String {
        ".\(POSIX.fileName(of: target)).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// Whether `name` is one of those temporary names, i.e. a save that never finished.
    static func isTemporaryName(_ name: String) -> Bool {
        guard name.hasPrefix("."), let marker = name.range(of: ".tmp-", options: .backwards) else { return false }
        let suffix = name[marker.upperBound...].split(separator: "-", omittingEmptySubsequences: false)
        return suffix.count == 2 && suffix.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
    }

    /// The whole file, read with one pass of `pread`.
    static func readAll(_ url: URL) throws -> [UInt8] {
        let path = url.path
        let fd = try POSIX.open(path, O_RDONLY, action: "open")
        defer { close(fd) }
        let size = try POSIX.size(fd, path: path)
        var got = 0
        var failure: CheckpointError?
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buf, count in
            do throws(CheckpointError) { got = try POSIX.readFully(fd, into: UnsafeMutableRawBufferPointer(buf), at: 0, path: path) }
            catch { failure = error }
            count = failure == nil ? got : 0
        }
        if let failure { throw failure }
        return bytes
    }
}
