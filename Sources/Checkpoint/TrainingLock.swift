#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// An exclusive lock on a checkpoint directory for the lifetime of one training run.
///
/// Two `train` processes writing the same `--out` folder would interleave checkpoints and fight
/// over `best.safetensors`. The lock is `flock(2)` on `DIR/train.lock`: the kernel drops it when
/// the descriptor closes or the process dies, even by SIGKILL, so a crash never leaves a stale
/// lock to clean up. The file holds the owner's PID only to make the refusal message useful; it
/// is never deleted (deleting a flock'd file lets two processes lock different inodes).
public final class TrainingLock {
    /// The lock file, e.g. "checkpoints/run1/train.lock".
    public let url: URL
    private var fd: Int32

    /// Locks `directory` (created if missing) or throws `.locked` naming the holder's PID.
    public init(directory: URL) throws {
        let dir = directory.path
        if !POSIX.exists(dir) {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        url = directory.appendingPathComponent("train.lock")
        fd = try POSIX.open(url.path, O_RDWR | O_CREAT, action: "open the training lock file")
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            var buf = [UInt8](repeating: 0, count: 32)
            let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
            close(fd)
            fd = -1
            if code == EWOULDBLOCK {
                let text = String(decoding: buf.prefix(max(0, n)), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                let holder = Int(text).map { "pid \($0)" } ?? "unknown pid"
                throw CheckpointError(.locked, path: dir, problem: "\(dir) is in use by another train (\(holder))",
                                      remedy: "wait for it to finish, stop it, or choose another output folder", setting: .outputFolder)
            }
            throw POSIX.error("lock", url.path, code: code)
        }
        let pid = Array("\(getpid())\n".utf8)
        if ftruncate(fd, 0) == 0 {
            // Best effort: the PID only decorates the message another process shows.
            _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        }
    }

    /// Throws unless the lock file at `url` is still the one this process locked. If the folder
    /// was deleted or replaced while training ran (e.g. `rm -rf` and a new run in the same place),
    /// saving would write into somebody else's run; the trainer checks this before every save.
    public func verifyStillHeld() throws {
        var mine = stat(), there = stat()
        guard fd >= 0, fstat(fd, &mine) == 0, stat(url.path, &there) == 0,
              mine.st_dev == there.st_dev, mine.st_ino == there.st_ino else {
            let dir = url.deletingLastPathComponent().path
            throw CheckpointError(.locked, path: dir, problem: "\(dir) was removed or replaced while this run was training",
                                  remedy: "nothing was written there; start again in another output folder, or resume from a copy of the old folder",
                                  setting: .outputFolder)
        }
    }

    /// True while this object holds the lock.
    public var isHeld: Bool { fd >= 0 }

    /// Releases the lock now instead of at deinit / process exit.
    public func release() {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
    }

    deinit { release() }
}
