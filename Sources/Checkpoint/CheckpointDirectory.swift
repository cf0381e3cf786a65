#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A training run's checkpoint folder (e.g. checkpoints/NAME):
/// `step-00001200.safetensors` files (latest K kept), `best.safetensors` (best validation score),
/// `checkpoints.json` (the index) and `train.lock` (see `TrainingLock`).
///
/// Every file is replaced atomically and old files are deleted only after the new checkpoint and
/// the index are safely on disk, so a crash at any moment leaves at least one complete checkpoint.
/// Not safe for two writers at once: hold a `TrainingLock` on the directory while saving.
public final class CheckpointDirectory {
    /// The folder, e.g. checkpoints/run1.
    public let url: URL
    /// Retention settings, e.g. keep the latest 3.
    public let policy: CheckpointPolicy
    /// The index as last written (or loaded from an earlier run in the same folder).
    public private(set) var index: CheckpointIndex

    /// The index file, "checkpoints.json".
    public static let indexFileName = "checkpoints.json"
    /// The best checkpoint's name, "best.safetensors".
    public static let bestFileName = "best.safetensors"

    /// Opens `url`, creating it if needed and loading an existing `checkpoints.json` (so a resumed
    /// run keeps its best). Throws `.invalidIndex` if that file is unreadable, `.invalidArgument`
    /// if `policy.keepLatest < 1`.
    public init(url: URL, policy: CheckpointPolicy = CheckpointPolicy()) throws {
        self.url = url
        self.policy = policy
        guard policy.keepLatest >= 1 else {
            throw CheckpointError(.invalidArgument, path: url.path, problem: "keepLatest is \(policy.keepLatest)",
                                  remedy: "keep at least 1 checkpoint")
        }
        if POSIX.exists(url.path), !POSIX.isDirectory(url.path) {
            throw CheckpointError(.io, path: url.path, problem: "exists and is not a directory",
                                  remedy: "choose another output folder or move the file away", setting: .outputFolder)
        }
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw CheckpointError(.io, path: url.path, problem: "cannot create the checkpoint directory (\(error.localizedDescription))",
                                  remedy: "check the permissions of its parent directory", setting: .outputFolder)
        }
        let indexURL = url.appendingPathComponent(Self.indexFileName)
        if POSIX.exists(indexURL.path) {
            do {
                index = try JSONDecoder().decode(CheckpointIndex.self, from: Data(AtomicFile.readAll(indexURL)))
            } catch {
                throw CheckpointError(.invalidIndex, path: indexURL.path, problem: "cannot decode the checkpoint index (\(error))",
                                      remedy: "delete or fix it; the .safetensors files next to it are unaffected")
            }
        } else {
            index = CheckpointIndex()
        }
    }

    /// File name for a step, e.g. "step-00001234.safetensors" (zero-padded so names sort by step).
    public static func fileName(step: Int) -> String {
        let digits = String(step)
        return "step-" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits + ".safetensors"
    }

    /// Saves `file` as the checkpoint for `step`; makes it `best.safetensors` if
    /// `validationScore` is finite and strictly better than the best so far; rewrites the index;
    /// then deletes step files beyond the latest `policy.keepLatest`. Returns the step file's URL.
    /// A non-finite score (NaN, inf) is recorded as nil and never becomes best.
    @discardableResult
    public func save(_ file: SafeTensorsFile, step: Int, validationScore: Double?, higherIsBetter: Bool) throws -> URL {
        guard step >= 0 else {
            throw CheckpointError(.invalidArgument, path: url.path, problem: "step \(step) is negative", remedy: "pass the training step (0 or more)")
        }
        let name = Self.fileName(step: step)
        let stepURL = url.appendingPathComponent(name)
        try SafeTensors.write(file, to: stepURL)

        let score = validationScore.flatMap { $0.isFinite ? $0 : nil }
        let entry = CheckpointIndex.Entry(file: name, step: step, score: score)
        // Save order, not step order: a run resumed from an earlier step must not have its new
        // checkpoints pruned in favour of a stale later step from before.
        let entries = index.checkpoints.filter { $0.step != step } + [entry]

        var best = POSIX.exists(url.appendingPathComponent(Self.bestFileName).path) ? index.best : nil
        if let score, best?.score.map({ higherIsBetter ? score > $0 : score < $0 }) ?? true {
            try AtomicFile.link(stepURL, to: url.appendingPathComponent(Self.bestFileName))
            best = entry
        }

        let kept = Array(entries.suffix(policy.keepLatest))
        let dropped = entries.dropLast(policy.keepLatest)
        let newIndex = CheckpointIndex(checkpoints: kept, best: best, higherIsBetter: higherIsBetter)
        try writeIndex(newIndex)
        index = newIndex

        // Only now, with the new checkpoint and index durable, is it safe to delete old files.
        for old in dropped where old.file != name {
            let path = url.appendingPathComponent(old.file).path
            if unlink(path) != 0 && errno != ENOENT { throw POSIX.error("delete the old checkpoint", path) }
        }
        if !dropped.isEmpty { try POSIX.fsyncDirectory(url.path) }
        return stepURL
    }

    /// Deletes what saves killed midway (SIGKILL, power loss) left behind: their temporary
    /// files (see `AtomicFile`); the checkpoints themselves are intact. Only safe while this
    /// process holds the folder's `TrainingLock`, so that no other save is in flight. Returns
    /// the names removed.
    @discardableResult
    public func removeLeftoverTemporaryFiles() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return names.filter(AtomicFile.isTemporaryName).filter { unlink(url.appendingPathComponent($0).path) == 0 }
    }

    /// The most recently saved step file (per the index), else the highest step on disk, or nil.
    public func latest() -> URL? {
        if let last = index.checkpoints.last {
            let u = url.appendingPathComponent(last.file)
            if POSIX.exists(u.path) { return u }
        }
        return Self.latestStepFile(in: url)
    }

    /// `best.safetensors` if it exists, or nil.
    public func best() -> URL? {
        let b = url.appendingPathComponent(Self.bestFileName)
        return POSIX.exists(b.path) ? b : nil
    }

    /// Turns a user's `--checkpoint` argument into a file: a file is taken as is; a directory
    /// gives its `best.safetensors`, else its newest step file. Throws `.fileNotFound` or
    /// `.noCheckpoint` with a message saying how to make one.
    public static func resolve(_ path: String) throws -> URL {
        let u = URL(fileURLWithPath: path)
        guard POSIX.exists(path) else {
            throw CheckpointError(.fileNotFound, path: path, problem: "no such file or directory",
                                  remedy: "check the path, or train a model into it first", setting: .checkpoint)
        }
        if !POSIX.isDirectory(path) { return u }
        let best = u.appendingPathComponent(bestFileName)
        if POSIX.exists(best.path) { return best }
        if let latest = latestStepFile(in: u) { return latest }
        throw CheckpointError(.noCheckpoint, path: path, problem: "no checkpoint in \(path)",
                              remedy: "train a model into it first", setting: .checkpoint)
    }

    /// Step parsed from a name like "step-00001234.safetensors", or nil.
    public static func step(ofFileName name: String) -> Int? {
        guard name.hasPrefix("step-"), name.hasSuffix(".safetensors") else { return nil }
        let digits = name.dropFirst(5).dropLast(12)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(digits)
    }

    private static func latestStepFile(in dir: URL) -> URL? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return nil }
        let newest = names.compactMap { n in step(ofFileName: n).map { (n, $0) } }.max { $0.1 < $1.1 }
        return newest.map { dir.appendingPathComponent($0.0) }
    }

    private func writeIndex(_ index: CheckpointIndex) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do { data = try encoder.encode(index) } catch {
            throw CheckpointError(.io, path: url.path, problem: "cannot encode the index (\(error))", remedy: "report this bug")
        }
        try AtomicFile.write(Array(data) + [0x0A], to: url.appendingPathComponent(Self.indexFileName))
    }
}
