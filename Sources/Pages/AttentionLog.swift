import Checkpoint
import Foundation

/// `attention.jsonl` in a run folder: at every validation, `train` translates one fixed
/// validation sentence and appends its cross-attention (every decoder layer, mean of the heads),
/// so the training report can show the alignment appear as training goes on.
public struct AttentionSnapshot: Codable, Sendable, Equatable {
    public static let fileName = "attention.jsonl"

    /// The training step of the validation, e.g. 1200.
    public var step: Int
    /// Which validation pair (0-based), the same in every record of a run.
    public var index: Int
    public var source: String
    public var reference: String
    /// The model's translation at this step (greedy).
    public var translation: String
    public var sourceTokens: [String]
    /// `<s>` then the translation's tokens: the rows of the maps.
    public var decoderInputTokens: [String]
    /// The translation's tokens (then `</s>` when the model stopped by itself): row t predicts token t.
    public var outputTokens: [String]
    /// layers[l][t][s]: cross-attention weight of decoder layer l (from 0), mean of the heads,
    /// from row t (decoder position) to source token s.
    public var layers: [[[Float]]]

    public init(step: Int, index: Int, source: String, reference: String, translation: String, sourceTokens: [String],
                decoderInputTokens: [String], outputTokens: [String], layers: [[[Float]]]) {
        (self.step, self.index, self.source, self.reference, self.translation) = (step, index, source, reference, translation)
        (self.sourceTokens, self.decoderInputTokens, self.outputTokens, self.layers) = (sourceTokens, decoderInputTokens, outputTokens, layers)
    }

    /// One line of `attention.jsonl` (weights to 3 decimals: a picture, a few kB per validation).
    public var line: String {
        PageJSON.fields(["step": .int(step), "index": .int(index), "source": .string(source), "reference": .string(reference),
                         "translation": .string(translation), "sourceTokens": .strings(sourceTokens),
                         "decoderInputTokens": .strings(decoderInputTokens), "outputTokens": .strings(outputTokens),
                         "layers": .floatGrid(layers, .decimals(3))]).text + "\n"
    }

    /// Appends `self` to the folder's log.
    public func append(to folder: URL) throws {
        let url = folder.appendingPathComponent(Self.fileName)
        if !FileManager.default.fileExists(atPath: url.path) {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw ReportError("cannot create \(url.path): check that the folder is writable")
            }
        }
        do {
            let handle = try FileHandle(forWritingTo: url)
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(line.utf8))
        } catch {
            throw ReportError("cannot append to \(url.path): \(error.localizedDescription)")
        }
    }

    /// The records of a folder's log, one per step (a step logged twice, by a run resumed from an
    /// earlier checkpoint, keeps its last record), in step order; and how many lines were unreadable.
    public static func read(folder: URL) -> (records: [AttentionSnapshot], damaged: Int)? {
        guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(fileName).path) else { return nil }
        var byStep: [Int: AttentionSnapshot] = [:], damaged = 0
        let decoder = JSONDecoder()
        for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            if let r = try? decoder.decode(AttentionSnapshot.self, from: Data(line)) { byStep[r.step] = r } else { damaged += 1 }
        }
        return (byStep.values.sorted { $0.step < $1.step }, damaged)
    }

    /// Keeps only the records up to `step` (a resumed run redoes the steps after its checkpoint).
    public static func truncate(folder: URL, after step: Int) throws {
        let url = folder.appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: url.path) else { return }
        let decoder = JSONDecoder()
        let kept = data.split(separator: UInt8(ascii: "\n")).filter { line in
            guard let r = try? decoder.decode(AttentionSnapshot.self, from: Data(line)) else { return false }
            return r.step <= step
        }
        guard kept.count != data.split(separator: UInt8(ascii: "\n")).count else { return }
        var bytes: [UInt8] = []
        for line in kept { bytes += line; bytes.append(UInt8(ascii: "\n")) }
        try ReportError.wrap(url) { try AtomicFile.write(bytes, to: url) }
    }
}

/// A report that cannot be made or saved: the message says what and what to do.
public struct ReportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }

    static func wrap(_ url: URL, _ body: () throws -> Void) throws {
        do { try body() } catch let e as ReportError { throw e } catch {
            throw ReportError("cannot write \(url.path): \(error)")
        }
    }
}
