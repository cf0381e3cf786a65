import Checkpoint
import Foundation

/// A checkpoint read for inspection: its table of contents, verified tensors and parsed metadata.
struct InspectedFile {
    /// The path the user gave, e.g. "checkpoints/run1".
    var requested: String
    /// The file actually read, e.g. "checkpoints/run1/best.safetensors".
    var url: URL
    var header: SafeTensorsHeader
    var file: SafeTensorsFile
    var metadata: Metadata

    /// Resolves `path` (a file, or a folder: best, else latest) and reads it with every checksum
    /// checked; a damaged file throws the `CheckpointError` that names the damage.
    static func load(_ path: String) throws -> InspectedFile {
        let url = try CheckpointDirectory.resolve(path)
        let header = try SafeTensors.readHeader(from: url, verify: true)
        let file = try SafeTensors.read(from: url, verify: true)
        return InspectedFile(requested: path, url: url, header: header, file: file, metadata: Metadata(file.metadata))
    }

    /// The file's path for people: relative to the current directory when inside it.
    var displayPath: String {
        let cwd = FileManager.default.currentDirectoryPath
        let prefix = cwd.hasSuffix("/") ? cwd : cwd + "/"
        return url.path.hasPrefix(prefix) ? String(url.path.dropFirst(prefix.count)) : url.path
    }

    /// Whether the user named a folder (so the file was picked for them).
    var isFolder: Bool { url.path != URL(fileURLWithPath: requested).path }

    /// What the read could check, for people.
    var integrityText: String {
        switch file.integrity {
        case .verified: return "verified: header checksum and \(file.tensors.count) tensor CRC32s match"
        case .notVerified: return "not verified"
        case .noChecksums: return "no checksums recorded (written by another tool); structure is valid"
        }
    }

    /// The run folder's `checkpoints.json` (step files kept and the best), if the file sits in one.
    var runIndex: [String: Any]? {
        let indexURL = url.deletingLastPathComponent().appendingPathComponent(CheckpointDirectory.indexFileName)
        guard let data = FileManager.default.contents(atPath: indexURL.path) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }
}

/// A mistake `inspect` reports itself (not a damaged file): message says what and what to do.
struct InspectError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// Edit distance, for "did you mean" suggestions on tensor names.
func editDistance(_ a: String, _ b: String) -> Int {
    let (a, b) = (Array(a.utf8), Array(b.utf8))
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var row = Array(0...b.count)
    for i in 1...a.count {
        var prev = row[0]
        row[0] = i
        for j in 1...b.count {
            let cur = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1))
            prev = cur
        }
    }
    return row[b.count]
}

/// Up to `limit` names closest to `name`: those containing it first, then by edit distance.
func closestNames(to name: String, in names: [String], limit: Int = 3) -> [String] {
    let lower = name.lowercased()
    let scored = names.map { n -> (String, Int) in
        let contains = n.lowercased().contains(lower) || lower.contains(n.lowercased())
        return (n, contains ? -1_000_000 + n.count : editDistance(n, name))
    }
    let cutoff = max(3, name.count / 2)
    return scored.filter { $0.1 <= cutoff }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(limit).map(\.0)
}
