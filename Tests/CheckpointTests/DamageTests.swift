import Checkpoint
import Foundation
import XCTest

/// Every kind of damaged or foreign file is refused with the right error, never a crash.
final class DamageTests: XCTestCase {
    private func writeSample(_ dir: URL) throws -> (URL, [UInt8]) {
        let url = dir.appendingPathComponent("good.safetensors")
        let file = SafeTensorsFile(
            tensors: [
                NamedTensor(name: "a", shape: [2, 3], values: [1, 2, 3, 4, 5, 6]),
                NamedTensor(name: "b", shape: [4], values: [-1, -2, -3, -4]),
            ],
            metadata: ["step": "1200"])
        try SafeTensors.write(file, to: url)
        return (url, [UInt8](try Data(contentsOf: url)))
    }

    /// Replaces the first occurrence of `old` with `new` (same length) in the file's bytes.
    private func patched(_ bytes: [UInt8], _ old: String, _ new: String) throws -> [UInt8] {
        let o = Array(old.utf8), n = Array(new.utf8)
        precondition(o.count == n.count, "test patch must keep the length")
        let at = try XCTUnwrap((0...(bytes.count - o.count)).first { Array(bytes[$0..<($0 + o.count)]) == o }, "pattern \(old)")
        var out = bytes
        out.replaceSubrange(at..<(at + o.count), with: n)
        return out
    }

    func testMissingFile() throws {
        let url = try makeTempDir(self).appendingPathComponent("nope.safetensors")
        let e = assertCheckpointError(.fileNotFound) { try SafeTensors.read(from: url) }
        XCTAssertTrue(e?.description.contains("nope.safetensors") ?? false)
    }

    func testTextFileIsNotSafeTensors() throws {
        let url = try makeTempDir(self).appendingPathComponent("notes.txt")
        try writeRaw(Array("These are my training notes, not weights.\n".utf8), to: url)
        assertCheckpointError(.notSafeTensors) { try SafeTensors.read(from: url) }
        assertCheckpointError(.notSafeTensors) { try SafeTensors.readHeader(from: url) }
    }

    func testDirectoryIsRefused() throws {
        let dir = try makeTempDir(self)
        assertCheckpointError(.io) { try SafeTensors.read(from: dir) }
    }

    func testTruncationAtEveryPointIsReportedAsTruncated() throws {
        let dir = try makeTempDir(self)
        let (_, bytes) = try writeSample(dir)
        let url = dir.appendingPathComponent("cut.safetensors")
        for cut in 0..<bytes.count {
            try writeRaw(Array(bytes[0..<cut]), to: url)
            assertCheckpointError(.truncated) { try SafeTensors.read(from: url) }
        }
    }

    func testInvalidJSONHeader() throws {
        let url = try makeTempDir(self).appendingPathComponent("x.safetensors")
        try writeRaw(handMade(header: "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]", data: leBytes([1])), to: url)
        let e = assertCheckpointError(.invalidHeader) { try SafeTensors.read(from: url) }
        XCTAssertTrue(e?.problem.contains("byte") ?? false, "the message should locate the problem")
    }

    func testUnsupportedDType() throws {
        let url = try makeTempDir(self).appendingPathComponent("x.safetensors")
        try writeRaw(handMade(header: "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", data: [0, 60, 0, 60]), to: url)
        let e = assertCheckpointError(.unsupportedDType) { try SafeTensors.read(from: url) }
        XCTAssertTrue(e?.problem.contains("F16") ?? false)
    }

    func testBadOffsets() throws {
        let url = try makeTempDir(self).appendingPathComponent("x.safetensors")
        let data = leBytes([1, 2, 3, 4])
        let overlap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}"
        let gap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}"
        let shapeMismatch = "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}"
        let reversed = "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[16,0]}}"
        let trailing = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}"
        for header in [overlap, gap, shapeMismatch, reversed, trailing] {
            try writeRaw(handMade(header: header, data: data), to: url)
            assertCheckpointError(.badOffsets) { try SafeTensors.read(from: url) }
        }
        // Offsets past the end of the data: the file is shorter than its header says.
        let beyond = "{\"a\":{\"dtype\":\"F32\",\"shape\":[8],\"data_offsets\":[0,32]}}"
        try writeRaw(handMade(header: beyond, data: data), to: url)
        assertCheckpointError(.truncated) { try SafeTensors.read(from: url) }
    }

    func testFlippedDataByteNamesTheDamagedTensor() throws {
        let dir = try makeTempDir(self)
        let (url, bytes) = try writeSample(dir)
        var damaged = bytes
        damaged[bytes.count - 3] ^= 0x01 // inside "b", the last tensor
        try writeRaw(damaged, to: url)
        let e = assertCheckpointError(.dataChecksumMismatch) { try SafeTensors.read(from: url) }
        XCTAssertEqual(e?.tensors, ["b"])
        XCTAssertTrue(e?.description.contains("\"b\"") ?? false)
        // verify: false still loads it, and says it was not checked.
        let unchecked = try SafeTensors.read(from: url, verify: false)
        XCTAssertEqual(unchecked.integrity, .notVerified)
    }

    func testWellFormedHeaderEditsAreCaughtByTheHeaderChecksum() throws {
        let dir = try makeTempDir(self)
        let (url, bytes) = try writeSample(dir)
        // Each edit leaves valid JSON and consistent offsets; only the header CRC can notice.
        for (old, new) in [("\"1200\"", "\"1300\""), ("[2,3]", "[3,2]")] {
            try writeRaw(try patched(bytes, old, new), to: url)
            assertCheckpointError(.headerChecksumMismatch) { try SafeTensors.read(from: url) }
            assertCheckpointError(.headerChecksumMismatch) { try SafeTensors.readHeader(from: url) }
        }
    }

    func testUnknownFormatVersion() throws {
        let dir = try makeTempDir(self)
        let (url, bytes) = try writeSample(dir)
        try writeRaw(try patched(bytes, "tiny-translator/1", "tiny-translator/9"), to: url)
        let e = assertCheckpointError(.unsupportedFormat) { try SafeTensors.read(from: url) }
        XCTAssertTrue(e?.problem.contains("tiny-translator/9") ?? false)
    }

    func testForeignFileWithoutChecksumsLoadsAndSaysSo() throws {
        let url = try makeTempDir(self).appendingPathComponent("py.safetensors")
        // As torch/numpy writers do: sorted keys, metadata first, a "format" tag of their own.
        let header = "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}"
        try writeRaw(handMade(header: header, data: leBytes([2, 1])), to: url)
        let file = try SafeTensors.read(from: url)
        XCTAssertEqual(file.integrity, .noChecksums)
        XCTAssertEqual(file.metadata, ["format": "pt"])
        XCTAssertEqual(file.tensors.map(\.name), ["b", "a"], "ordered by data offset")
        XCTAssertEqual(file.tensor(named: "a")?.values, [1])
    }

    func testRandomDamageIsRejectedOrHarmless() throws {
        let dir = try makeTempDir(self)
        let (_, bytes) = try writeSample(dir)
        let original = try SafeTensors.read(from: dir.appendingPathComponent("good.safetensors"))
        let url = dir.appendingPathComponent("fuzz.safetensors")
        var rng = SplitMix64(state: 2024)
        var rejected = 0, harmless = 0
        for round in 0..<300 {
            var damaged = bytes
            switch round % 4 {
            case 0, 1: // one flipped byte anywhere
                damaged[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
            case 2: // a few flipped bits, header-heavy
                for _ in 0..<Int.random(in: 2...4, using: &rng) {
                    damaged[Int.random(in: 0..<min(bytes.count, 200), using: &rng)] ^= 1 << UInt8.random(in: 0...7, using: &rng)
                }
            default: // random garbage written over a stretch
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                for i in at..<min(bytes.count, at + 8) { damaged[i] = UInt8.random(in: 0...255, using: &rng) }
            }
            try writeRaw(damaged, to: url)
            do {
                let back = try SafeTensors.read(from: url)
                // Accepted only if nothing that matters changed (e.g. padding space became a tab).
                assertSameContent(original, back)
                harmless += 1
            } catch is CheckpointError {
                rejected += 1
            } catch {
                XCTFail("round \(round): unexpected error type \(error)")
            }
        }
        XCTAssertGreaterThan(rejected, 250)
        print("[checkpoint] fuzz: \(rejected) rejected, \(harmless) harmless (identical content)")
    }
}
