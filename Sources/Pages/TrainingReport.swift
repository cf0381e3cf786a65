import Checkpoint
import Foundation

/// `report.html` in a run folder: the training at a glance, offline. Training loss (raw and
/// smoothed) with validation loss, BLEU and chrF with the best checkpoint marked, learning rate,
/// tokens/s, gradient norm, skipped updates and resume points, the sample translations of each
/// validation, and the cross-attention of one validation sentence at every validation on a
/// slider. `train` rewrites it at every validation; `inspect --html DIR` makes it for any run
/// folder, old ones included (with a note on what they lack).
public enum TrainingReport {
    public static let fileName = "report.html"

    /// The report of `folder`.
    public static func html(folder: URL) throws -> String {
        let history = try RunHistory(folder: folder)
        let name = folder.standardizedFileURL.lastPathComponent
        return HTMLPage(title: "Training report: \(name)", style: ReportPage.style, body: ReportPage.body(name: name),
                        data: data(history, name: name), script: ReportScript.source).html
    }

    /// Writes `folder/report.html` atomically (a reader sees the old report or the new one,
    /// never half of one) and returns its URL.
    @discardableResult
    public static func write(folder: URL) throws -> URL {
        let url = folder.appendingPathComponent(fileName)
        let page = try html(folder: folder)
        try ReportError.wrap(url) { try AtomicFile.write(Array(page.utf8), to: url) }
        return url
    }

    static func data(_ h: RunHistory, name: String) -> PageJSON {
        func series(_ key: String, _ r: Rounding = .significant(5)) -> PageJSON {
            .array(h.train.map { number($0[key]).map { .number($0, r) } ?? .null })
        }
        let valid = PageJSON.array(h.valid.map { v in
            var f: [(String, PageJSON)] = []
            for (key, short) in [("step", "step"), ("loss", "loss"), ("perplexity", "ppl"), ("bleu", "bleu"), ("chrf", "chrf"),
                                 ("exact_match", "exact"), ("raw_bleu", "rawBleu"), ("train_seconds", "seconds")] {
                if let x = number(v[key]) { f.append((short, .number(x, .significant(5)))) }
            }
            if let samples = v["samples"] as? [[String: Any]] {
                f.append(("samples", .array(samples.map { s in
                    .strings(["source", "reference", "hypothesis"].map { s[$0] as? String ?? "" })
                })))
            }
            return .object(f)
        })
        let events = PageJSON.array(h.events.map { e in
            .fields(["kind": .string(e["kind"] as? String ?? ""), "step": .int(e["step"] as? Int ?? 0),
                     "reason": (e["reason"] as? String).map(PageJSON.string), "time": (e["time"] as? String).map(PageJSON.string)])
        })
        let attention = PageJSON.array(h.attention.map { a in
            .fields(["step": .int(a.step), "source": .string(a.source), "reference": .string(a.reference),
                     "translation": .string(a.translation), "src": .strings(a.sourceTokens), "dec": .strings(a.decoderInputTokens),
                     "out": .strings(a.outputTokens), "layers": .floatGrid(a.layers, .decimals(3))])
        })
        return .fields([
            "kind": .string("tiny-translator training report"), "version": .int(1), "run": .string(name),
            "generated": .string(ISO8601DateFormatter().string(from: Date())),
            "train": .fields(["step": series("step", .decimals(0)), "loss": series("loss"), "lr": series("lr", .significant(4)),
                              "tps": series("tokens_per_s", .decimals(0)), "gradNorm": series("grad_norm", .significant(4)),
                              "skipped": series("skipped", .decimals(0)), "seconds": series("train_seconds", .decimals(1))]),
            "valid": valid, "events": events, "attention": attention,
            "best": h.bestStep.map { .int($0) },
            "trainConfig": h.trainConfig.map(json), "modelConfig": h.modelConfig.map(json),
            "notes": .strings(h.notes),
        ])
    }

    /// A number from JSONSerialization's output, whatever type it chose.
    static func number(_ v: Any?) -> Double? {
        switch v {
        case let d as Double: return d
        case let i as Int: return Double(i)
        case let n as NSNumber: return n.doubleValue
        default: return nil
        }
    }

    /// A JSONSerialization value as page JSON, through JSONSerialization itself: it alone knows
    /// a boolean from the number 1 on every platform.
    static func json(_ v: Any) -> PageJSON {
        guard JSONSerialization.isValidJSONObject(v), let data = try? JSONSerialization.data(withJSONObject: v, options: [.sortedKeys]) else {
            return .null
        }
        return .raw(String(decoding: data, as: UTF8.self))
    }
}
