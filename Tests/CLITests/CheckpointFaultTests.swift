import Checkpoint
import Foundation
import XCTest

/// Damaged or unsuitable checkpoints: `translate`, `inspect --verify` and `train --resume` each
/// say what is wrong with which file, exit 1, and change nothing on disk.
final class CheckpointFaultTests: XCTestCase {
    /// One way of damaging the latest step file of a run, and what every tool must then say.
    private struct Damage {
        var name: String
        var mentions: [String]
        var apply: (URL) throws -> Void
    }

    /// The step file `train --resume` would pick (the index's last entry).
    private func latestStep(_ run: URL) throws -> URL {
        let names = try FileManager.default.contentsOfDirectory(atPath: run.path).filter { $0.hasPrefix("step-") }.sorted()
        return run.appendingPathComponent(try XCTUnwrap(names.last))
    }

    private static func rewrite(_ url: URL, _ change: (inout SafeTensorsFile) -> Void) throws {
        var file = try SafeTensors.read(from: url)
        change(&file)
        try SafeTensors.write(file, to: url)
    }

    private static func editBytes(_ url: URL, _ change: (inout [UInt8]) -> Void) throws {
        var bytes = [UInt8](try Data(contentsOf: url))
        change(&bytes)
        try Data(bytes).write(to: url)
    }

    private static func headerLength(_ b: [UInt8]) -> Int { (0..<8).reduce(0) { $0 | Int(b[$1]) << (8 * $1) } }

    private static func range(of text: String, in bytes: [UInt8]) -> Range<Int>? {
        let needle = Array(text.utf8)
        guard bytes.count >= needle.count else { return nil }
        for i in 0...(bytes.count - needle.count) where bytes[i] == needle[0] && Array(bytes[i..<(i + needle.count)]) == needle {
            return i..<(i + needle.count)
        }
        return nil
    }

    private let damages: [Damage] = [
        Damage(name: "not safetensors", mentions: ["not a safetensors file"]) { url in
            try Data("source\ttarget\nthis is a corpus, not a model\n".utf8).write(to: url)
        },
        Damage(name: "truncated", mentions: ["bytes"]) { url in
            try editBytes(url) { $0.removeLast($0.count / 3) }
        },
        Damage(name: "flipped data byte", mentions: ["does not match its crc32", "damaged"]) { url in
            try editBytes(url) { $0[$0.count - 10] ^= 0x40 }
        },
        Damage(name: "flipped header byte", mentions: ["header", "crc32"]) { url in
            // A letter inside the tokenizer JSON: the JSON stays well-formed, only the checksum can tell.
            try editBytes(url) { b in
                let r = range(of: "maison", in: Array(b.prefix(8 + headerLength(b))))!
                b[r.lowerBound + 1] ^= 0x01
            }
        },
        Damage(name: "unknown format version", mentions: ["written in format \"tiny-translator/9\"", "newer build"]) { url in
            try editBytes(url) { b in
                let r = range(of: "tiny-translator/1", in: b)!
                b[r.upperBound - 1] = UInt8(ascii: "9")
            }
        },
        Damage(name: "tensor missing", mentions: ["decoder.embedding.weight", "missing"]) { url in
            try rewrite(url) { $0.tensors.removeAll { $0.name == "decoder.embedding.weight" } }
        },
        Damage(name: "tensor of the wrong shape", mentions: ["decoder.embedding.weight", "shape"]) { url in
            try rewrite(url) { f in
                let i = f.tensors.firstIndex { $0.name == "decoder.embedding.weight" }!
                f.tensors[i].shape = [f.tensors[i].shape[1], f.tensors[i].shape[0]]
            }
        },
        Damage(name: "tokenizer missing", mentions: ["tokenizers"]) { url in
            try rewrite(url) { $0.metadata["tokenizers"] = nil }
        },
    ]

    func testEveryToolSaysWhatIsWrongAndKeepsTheFiles() throws {
        let dir = try Scratch.directory(self)
        for damage in damages {
            let run = try Fixture.copyOfRun(in: dir, name: damage.name.replacingOccurrences(of: " ", with: "-"))
            let step = try latestStep(run)
            try damage.apply(step)
            let before = Scratch.snapshot(run)
            let fileName = step.lastPathComponent

            let t = try CLI.run("translate", ["--checkpoint", step.path, "--threads", "1", "the red cat"], in: dir)
            assertFails(t, status: 1, mentions: ["translate: error:", fileName] + damage.mentions)
            XCTAssertTrue(t.stdout.isEmpty, "\(damage.name): translated from a damaged file: \(t)")

            let v = try CLI.run("inspect", ["--verify", step.path], in: dir)
            XCTAssertEqual(v.status, 1, "\(damage.name): \(v)")
            XCTAssertTrue(v.stdout.hasPrefix("FAILED: "), "\(damage.name): \(v)")
            for m in damage.mentions {
                XCTAssertTrue(v.stdout.lowercased().contains(m.lowercased()), "\(damage.name): inspect lacks '\(m)': \(v)")
            }

            let r = try CLI.run("train", ["--out", run.path, "--resume", "--steps", "8", "--threads", "1", "--quiet"], in: dir)
            assertFails(r, status: 1, mentions: ["train: error:", fileName] + damage.mentions)

            XCTAssertEqual(Scratch.snapshot(run), before, "\(damage.name): a failed command changed the run folder")
            // The table in the report: what each tool said.
            func first(_ s: String) -> String { String(s.split(separator: "\n").first ?? "") }
            print("| \(damage.name) | \(first(t.stderr)) | \(v.stdout.split(separator: "\n").dropFirst().first ?? "") | \(first(r.stderr)) |")
        }
    }

    func testMissingCheckpoint() throws {
        let dir = try Scratch.directory(self)
        let t = try CLI.run("translate", ["--checkpoint", "gone/model.safetensors", "hello"], in: dir)
        assertFails(t, status: 1, mentions: ["gone/model.safetensors", "no such file", "train --out"])
        let v = try CLI.run("inspect", ["--verify", "gone"], in: dir)
        XCTAssertEqual(v.status, 1, "\(v)")
        XCTAssertTrue(v.stdout.contains("no such file"), "\(v)")
        let empty = dir.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        assertFails(try CLI.run("translate", ["--checkpoint", empty.path, "hi"], in: dir), status: 1, mentions: ["no checkpoint in"])
        let r = try CLI.run("train", ["--out", empty.path, "--resume", "--steps", "3"], in: dir)
        assertFails(r, status: 1, mentions: ["no checkpoint", "start a new run instead", "--resume"])
    }

    func testTheUndamagedRunPassesEveryCheck() throws {
        let run = try Fixture.trainedRun()
        for name in try FileManager.default.contentsOfDirectory(atPath: run.path) where name.hasSuffix(".safetensors") {
            let v = try CLI.run("inspect", ["--verify", run.appendingPathComponent(name).path], in: run.deletingLastPathComponent())
            XCTAssertEqual(v.status, 0, "\(name): \(v)")
            XCTAssertTrue(v.stdout.hasPrefix("OK: "), "\(v)")
        }
    }
}
