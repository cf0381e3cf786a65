import Checkpoint
import Foundation
import Text
import XCTest

/// Thousands of randomly damaged checkpoints and corpora fed to the readers in-process: each
/// must be rejected with the module's typed error or read back exactly/consistently; never a crash.
final class FuzzTests: XCTestCase {
    /// A small deterministic generator so a failure can be replayed from its iteration number.
    private struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E3779B97F4A7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
            z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
            return z ^ (z >> 31)
        }
        mutating func int(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }
    }

    /// One random kind of damage: flipped bits (often in the header), truncation, garbage
    /// appended or inserted, a forged header length, or a deleted range.
    private func damage(_ original: [UInt8], _ rng: inout Rng, headerEnd: Int) -> [UInt8] {
        var b = original
        switch rng.int(7) {
        case 0, 1:
            for _ in 0...rng.int(3) {
                let i = rng.int(2) == 0 ? rng.int(headerEnd) : rng.int(b.count)
                b[i] ^= UInt8(1 << rng.int(8))
            }
        case 2: b.removeLast(1 + rng.int(b.count - 1))
        case 3: b += (0...rng.int(64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        case 4:
            let len = UInt64(rng.int(3) == 0 ? Int(rng.next() >> 1) : headerEnd - 8 + rng.int(65) - 32)
            withUnsafeBytes(of: len.littleEndian) { for k in 0..<8 { b[k] = $0[k] } }
        case 5: b.insert(contentsOf: (0...rng.int(8)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: rng.int(headerEnd))
        default:
            let at = rng.int(b.count)
            b.removeSubrange(at..<min(b.count, at + 1 + rng.int(200)))
        }
        return b
    }

    func testDamagedCheckpointsAreRejectedOrReadExactly() throws {
        let dir = try Scratch.directory(self)
        let url = dir.appendingPathComponent("base.safetensors")
        let tensors = [NamedTensor(name: "encoder.embedding.weight", shape: [12, 8], values: (0..<96).map { Float($0) * 0.25 - 3 }),
                       NamedTensor(name: "output.bias", shape: [12], values: (0..<12).map { Float($0) }),
                       NamedTensor(name: "scalar", shape: [], values: [42])]
        try SafeTensors.write(SafeTensorsFile(tensors: tensors, metadata: ["model_config": "{\"modelDim\":8}", "tokenizers": "{}"]), to: url)
        let original = [UInt8](try Data(contentsOf: url))
        let headerEnd = 8 + (0..<8).reduce(0) { $0 | Int(original[$1]) << (8 * $1) }
        let reference = try SafeTensors.read(from: url)

        var rng = Rng(state: 2024)
        var rejected: [CheckpointError.Kind: Int] = [:]
        var accepted = 0
        let target = dir.appendingPathComponent("damaged.safetensors")
        for iteration in 0..<2500 {
            let bytes = damage(original, &rng, headerEnd: headerEnd)
            try Data(bytes).write(to: target)
            do {
                let file = try SafeTensors.read(from: target, verify: true)
                accepted += 1
                XCTAssertEqual(file.tensors, reference.tensors, "iteration \(iteration): accepted with different tensors")
                XCTAssertEqual(file.metadata, reference.metadata, "iteration \(iteration): accepted with different metadata")
            } catch let e as CheckpointError {
                rejected[e.kind, default: 0] += 1
                XCTAssertTrue(e.description.hasPrefix(target.path), "iteration \(iteration): message does not name the file: \(e)")
            } catch {
                XCTFail("iteration \(iteration): untyped error \(error)")
            }
        }
        print("damaged checkpoints: \(accepted) read back identical; rejected: \(rejected.map { "\($0.key.rawValue) \($0.value)" }.sorted().joined(separator: ", "))")
        XCTAssertGreaterThan(rejected.values.reduce(0, +), 2000)
    }

    func testDamagedCorporaAreRejectedOrReadConsistently() throws {
        let dir = try Scratch.directory(self)
        let base = Array(("\u{FEFF}" + Fixture.tsv(20) + "Ça va ?\tÇa va ?\r\nnaïve café\tcafé naïf\textra\n").utf8)
        let palette: [UInt8] = [0x09, 0x0A, 0x0D, 0x20, 0x00, 0xFF, 0xC3, 0x80, 0xE2, 0xEF, 0xBB, 0xBF]
        var rng = Rng(state: 99)
        var outcomes: [String: Int] = [:]
        let config = CorpusReaderConfig(maxCharacters: 40)
        for iteration in 0..<2000 {
            var b = base
            for _ in 0...rng.int(4) {
                switch rng.int(4) {
                case 0: b.insert(palette[rng.int(palette.count)], at: rng.int(b.count + 1))
                case 1: if !b.isEmpty { b[rng.int(b.count)] = UInt8(truncatingIfNeeded: rng.next()) }
                case 2: if !b.isEmpty { let at = rng.int(b.count); b.removeSubrange(at..<min(b.count, at + 1 + rng.int(80))) }
                default: b.insert(contentsOf: Array(repeating: UInt8(ascii: "x"), count: rng.int(120)), at: rng.int(b.count + 1))
                }
            }
            let tsv = try Scratch.write(b, to: dir, "fuzz.tsv")
            // The same bytes as a Moses pair: the first half of the lines against the rest.
            let lines = b.split(separator: 0x0A, omittingEmptySubsequences: false)
            let half = lines.count / 2
            let src = try Scratch.write(Array(lines[..<half].joined(separator: [0x0A])), to: dir, "fuzz.src")
            let tgt = try Scratch.write(Array(lines[half...].joined(separator: [0x0A])), to: dir, "fuzz.tgt")
            for (kind, read) in [("tsv", { try ParallelCorpus.readTSV(path: tsv, config: config) }),
                                 ("moses", { try ParallelCorpus.readMoses(sourcePath: src, targetPath: tgt, config: config) })] {
                do {
                    let corpus = try read()
                    outcomes["\(kind) read", default: 0] += 1
                    XCTAssertFalse(corpus.pairs.isEmpty, "\(kind) \(iteration)")
                    XCTAssertEqual(corpus.stats.pairsKept, corpus.pairs.count, "\(kind) \(iteration)")
                    for p in corpus.pairs {
                        for side in [p.source, p.target] {
                            // A Moses line may hold tabs (it is all one side); a TSV side may not.
                            XCTAssertFalse(side.contains("\n") || (kind == "tsv" && side.contains("\t")), "\(kind) \(iteration): separator inside \(side.debugDescription)")
                            XCTAssertFalse(side.allSatisfy { $0.isWhitespace }, "\(kind) \(iteration): blank side kept")
                            XCTAssertLessThanOrEqual(side.unicodeScalars.count, 40, "\(kind) \(iteration): over-long side kept")
                            XCTAssertFalse(side.hasPrefix("\u{FEFF}"), "\(kind) \(iteration): BOM kept")
                        }
                    }
                } catch let e as TextError {
                    let name = "\(e)".contains("not valid UTF-8") ? "utf8" : "\(e)".contains("one column") ? "column" : "other"
                    outcomes["\(kind) rejected (\(name))", default: 0] += 1
                } catch {
                    XCTFail("\(kind) \(iteration): untyped error \(error)")
                }
            }
        }
        print("damaged corpora: \(outcomes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
    }
}
