import Checkpoint
import Foundation

/// What a run folder says about its training, read for the report: `metrics.jsonl` (training
/// and validation lines; since this version also the settings at each start or resume, skipped
/// updates, and each validation's sample translations), `attention.jsonl`, `checkpoints.json`,
/// and the settings stored in the best (else latest) checkpoint. Anything missing — an older run,
/// a folder without checkpoints — leaves its part empty and adds a note saying why.
struct RunHistory {
    var train: [[String: Any]] = []
    var valid: [[String: Any]] = []
    /// Starts, resumes and skipped updates, in order.
    var events: [[String: Any]] = []
    var trainConfig: Any?
    var modelConfig: Any?
    var best: CheckpointIndex.Entry?
    var attention: [AttentionSnapshot] = []
    var notes: [String] = []

    static let metricsFileName = "metrics.jsonl"

    init(folder: URL) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDir), isDir.boolValue else {
            throw ReportError("\(folder.path) is not a folder: give the run folder that `train --out` wrote")
        }
        let metricsURL = folder.appendingPathComponent(Self.metricsFileName)
        let metrics = FileManager.default.contents(atPath: metricsURL.path)
        let hasCheckpoints = FileManager.default.fileExists(atPath: folder.appendingPathComponent(CheckpointDirectory.indexFileName).path)
        guard metrics != nil || hasCheckpoints else {
            throw ReportError("\(folder.path) has no \(Self.metricsFileName) and no \(CheckpointDirectory.indexFileName): not a training folder (train --out DIR writes them)")
        }
        if let metrics { readMetrics(metrics) } else { notes.append("No \(Self.metricsFileName) in this folder: no curves to draw.") }
        readCheckpoints(folder)
        if let log = AttentionSnapshot.read(folder: folder) {
            attention = log.records
            if log.damaged > 0 { notes.append("\(log.damaged) unreadable line(s) of \(AttentionSnapshot.fileName) skipped.") }
        } else {
            notes.append("No \(AttentionSnapshot.fileName): this run was made by an older train, which did not record the attention of a validation sentence at each validation.")
        }
    }

    private mutating func readMetrics(_ data: Data) {
        var damaged = 0
        for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            guard let obj = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any], let kind = obj["kind"] as? String else {
                damaged += 1
                continue
            }
            let step = obj["step"] as? Int ?? 0
            switch kind {
            case "train": train.append(obj)
            case "valid": valid.append(obj)
            case "start", "resume":
                // A resumed run continues from its checkpoint: what the stopped session logged
                // after that step was lost with it and is redone, so it is dropped here.
                if kind == "resume" {
                    let dropped = train.filter { ($0["step"] as? Int ?? 0) > step }.count + valid.filter { ($0["step"] as? Int ?? 0) > step }.count
                    train.removeAll { ($0["step"] as? Int ?? 0) > step }
                    valid.removeAll { ($0["step"] as? Int ?? 0) > step }
                    events.removeAll { ($0["kind"] as? String) == "skip" && ($0["step"] as? Int ?? 0) > step }
                    if dropped > 0 { notes.append("The session before the resume at step \(step) logged \(dropped) line(s) past its last checkpoint; they were redone and are not drawn.") }
                }
                events.append(obj)
                if let c = obj["config"] { trainConfig = c }
            case "skip": events.append(obj)
            default: break
            }
        }
        if damaged > 0 { notes.append("\(damaged) unreadable line(s) of \(Self.metricsFileName) skipped (a line cut short by a crash, for instance).") }
        if !events.contains(where: { ["start", "resume"].contains($0["kind"] as? String) }) {
            notes.append("This run was made by an older train: its \(Self.metricsFileName) has no start or resume markers, skipped updates or sample translations; the charts show what it has.")
        } else if !valid.isEmpty && !valid.contains(where: { $0["samples"] != nil }) {
            notes.append("No sample translations were recorded.")
        }
        if !train.isEmpty && !train.contains(where: { $0["grad_norm"] != nil }) {
            notes.append("No gradient norms were recorded.")
        }
    }

    private mutating func readCheckpoints(_ folder: URL) {
        let indexURL = folder.appendingPathComponent(CheckpointDirectory.indexFileName)
        if let data = FileManager.default.contents(atPath: indexURL.path) {
            best = (try? JSONDecoder().decode(CheckpointIndex.self, from: data))?.best
        }
        // The settings, from the checkpoint itself (its header only: no tensor is read).
        guard let url = try? CheckpointDirectory.resolve(folder.path), let header = try? SafeTensors.readHeader(from: url, verify: false) else {
            if trainConfig == nil { notes.append("No readable checkpoint in this folder: the settings are unknown.") }
            return
        }
        func parse(_ key: String) -> Any? { header.metadata[key].flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } }
        if trainConfig == nil { trainConfig = parse("train_config") }
        modelConfig = parse("model_config")
    }

    /// The best validation: the checkpoint index's best step, else the highest BLEU logged.
    var bestStep: Int? {
        if let best { return best.step }
        return valid.max { ($0["bleu"] as? Double ?? -1) < ($1["bleu"] as? Double ?? -1) }?["step"] as? Int
    }
}
