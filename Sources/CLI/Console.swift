import Foundation

/// Output for the command-line tools: result lines on stdout (unbuffered, so logs stream when
/// piped), and a live progress line on stderr that redraws in place on a terminal and is
/// printed as ordinary lines (at most one every `logInterval` seconds) otherwise.
public final class Console: @unchecked Sendable {
    // Used from the one thread that runs the tool's main loop.
    private var progressShown = false
    private let interactive = isatty(STDERR_FILENO) != 0
    /// Suppress the progress line entirely (e.g. `--quiet`).
    public var quiet = false

    public init() {}

    /// Prints a line on stdout (ending any progress line first).
    public func line(_ s: String) {
        endProgress()
        FileHandle.standardOutput.write(Data((s + "\n").utf8))
    }

    /// Prints a line on stderr.
    public func error(_ s: String) {
        endProgress()
        FileHandle.standardError.write(Data((s + "\n").utf8))
    }

    /// Shows `s` as the live progress line.
    public func progress(_ s: String) {
        guard !quiet else { return }
        if interactive {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(s)".utf8))
            progressShown = true
        } else if Date().timeIntervalSince(lastLogged) >= logInterval {
            // Piped into a log: one line every `logInterval` seconds instead of a redraw per second.
            lastLogged = Date()
            FileHandle.standardOutput.write(Data((s + "\n").utf8))
        }
    }

    private var lastLogged = Date.distantPast
    /// Seconds between progress lines when the output is not a terminal, e.g. 10.
    public var logInterval: TimeInterval = 10

    private func endProgress() {
        if progressShown { FileHandle.standardError.write(Data("\n".utf8)); progressShown = false }
    }
}
