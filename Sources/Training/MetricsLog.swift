import Foundation

/// Appends one JSON object per line to `metrics.jsonl` beside the checkpoints, flushed each line
/// so a crash loses at most the line being written. `kind` says what a line is: "start" or
/// "resume" (a session began, with its settings), "train" (about a second of updates: loss,
/// learning rate, tokens/s, gradient norm, skipped updates so far), "skip" (an update skipped
/// for a non-finite loss or gradient), "valid" (a validation, with its sample translations).
/// The training report (`report.html`) is drawn from it.
final class MetricsLog {
    private let handle: FileHandle

    init(url: URL) throws {
        if !FileManager.default.fileExists(atPath: url.path) {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw TrainingError("cannot create \(url.path): check that the folder is writable")
            }
        }
        do {
            handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
        } catch {
            throw TrainingError("cannot open \(url.path) for appending: \(error.localizedDescription)")
        }
    }

    deinit { try? handle.close() }

    /// Writes `fields` as one JSON line (keys sorted for stable diffs).
    func write(_ fields: [String: Any]) {
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) else { return }
        try? handle.write(contentsOf: data + Data("\n".utf8))
    }
}

/// Human-friendly durations: "42s", "3m05s", "1h02m".
func formatDuration(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "?" }
    let s = Int(seconds.rounded())
    if s < 60 { return "\(s)s" }
    if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
    return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
}
