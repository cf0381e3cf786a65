import Foundation

/// The terminal the tools print to: how wide it is, and whether a stream is one.
public enum Terminal {
    /// Columns to fit output to: `$COLUMNS` when set, else the terminal's width when `fd` is a
    /// terminal (TIOCGWINSZ), else 80 (piped or redirected output). At least 40.
    public static func columns(for fd: Int32 = STDOUT_FILENO) -> Int {
        if let c = ProcessInfo.processInfo.environment["COLUMNS"], let n = Int(c), n > 0 { return max(40, n) }
        var size = winsize()
        if isatty(fd) != 0, ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return max(40, Int(size.ws_col)) }
        return 80
    }

    /// True when `fd` is a terminal (not a file or a pipe).
    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) != 0 }
}

/// A file the tools write: `-` or nil means standard output; a regular file is replaced whole
/// (written to a temporary file beside it, then renamed), so a failed write never leaves half a
/// file. Anything else that exists — `/dev/null`, a named pipe, a symbolic link — is written
/// through, never replaced: renaming over `/dev/null` would turn it into a regular file for the
/// whole machine. The error names the path and what to check.
public func writeOutput(_ text: String, to path: String?) throws {
    guard let path, path != "-" else {
        FileHandle.standardOutput.write(Data(text.utf8))
        return
    }
    var info = stat()
    if lstat(path, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG {
        let fd = open(path, O_WRONLY | O_TRUNC)
        guard fd >= 0 else { throw OutputError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw OutputError(path: path, reason: String(cString: strerror(errno))) }
            offset += n
        }
        return
    }
    do {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
        throw OutputError(path: path, reason: (error as NSError).localizedFailureReason ?? error.localizedDescription)
    }
}

/// A file the tool could not write.
public struct OutputError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "cannot write \(path) (\(reason)); check that its folder exists and is writable, or give another path" }
}
