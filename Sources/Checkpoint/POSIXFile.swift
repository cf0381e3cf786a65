#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin wrappers over POSIX calls that turn errno into `CheckpointError`s naming the path.
///
/// Plain file descriptors (not FileHandle) because atomic replacement needs fsync of the file
/// and its directory, exclusive creation and flock, and because one `read`/`write` per tensor
/// straight from/to the Float storage avoids any intermediate copies.
enum POSIX {
    /// The current errno as text, e.g. "Permission denied (errno 13)".
    static func errnoText(_ code: Int32 = errno) -> String {
        "\(String(cString: strerror(code))) (errno \(code))"
    }

    /// An `.io` error (or `.fileNotFound` for ENOENT) for a failed call on `path`.
    static func error(_ action: String, _ path: String, code: Int32 = errno, remedy: String? = nil) -> CheckpointError {
        if code == ENOENT {
            return CheckpointError(.fileNotFound, path: path, problem: "cannot \(action): no such file or directory",
                                   remedy: remedy ?? "check the path")
        }
        let hint: String
        switch code {
        case EACCES, EPERM, EROFS: hint = "check the permissions of the file and its directory"
        case ENOSPC, EDQUOT, EFBIG: hint = "free some disk space (or raise the quota/file-size limit) and retry"
        case EISDIR: hint = "the path is a directory; give a file path"
        default: hint = "check the path and the disk"
        }
        return CheckpointError(.io, path: path, problem: "cannot \(action): \(errnoText(code))", remedy: remedy ?? hint)
    }

    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o644, action: String) throws(CheckpointError) -> Int32 {
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            if errno != EINTR { throw error(action, path) }
        }
    }

    /// Writes all of `bytes`, retrying short writes and EINTR.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(CheckpointError) {
        guard var p = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let n = Glibc.write(fd, p, left)
            if n < 0 {
                if errno == EINTR { continue }
                throw error("write", path)
            }
            if n == 0 { throw error("write", path, code: ENOSPC) }
            p += n
            left -= n
        }
    }

    /// Fills `buffer` from `offset`; returns the count actually read (short only at end of file).
    static func readFully(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int, path: String) throws(CheckpointError) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var done = 0
        while done < buffer.count {
            let n = pread(fd, base + done, buffer.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw error("read", path)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    static func fsync(_ fd: Int32, path: String) throws(CheckpointError) {
        while Glibc.fsync(fd) != 0 {
            // Some filesystems cannot sync a directory; that is not a reason to fail a save.
            if errno == EINVAL || errno == EROFS { return }
            if errno != EINTR { throw error("flush to disk", path) }
        }
    }

    /// Flushes a directory entry change (rename, unlink, link) to disk.
    static func fsyncDirectory(_ dir: String) throws(CheckpointError) {
        let fd = try open(dir, O_RDONLY | O_DIRECTORY, action: "open the directory")
        defer { close(fd) }
        try fsync(fd, path: dir)
    }

    /// File size via fstat.
    static func size(_ fd: Int32, path: String) throws(CheckpointError) -> Int {
        var st = stat()
        if fstat(fd, &st) != 0 { throw error("stat", path) }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            throw CheckpointError(.io, path: path, problem: "is a directory, not a file",
                                  remedy: "give the path of a .safetensors file")
        }
        return Int(st.st_size)
    }

    /// True if `path` exists and is a directory.
    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// True if `path` exists (any type).
    static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    /// The directory part of a path, e.g. "a/b" for "a/b/c.safetensors", "." for "c".
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let dir = String(path[..<slash])
        return dir.isEmpty ? "/" : dir
    }

    /// The last component of a path, e.g. "c.safetensors".
    static func fileName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}
