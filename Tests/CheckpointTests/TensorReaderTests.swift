import Checkpoint
import Foundation
import XCTest

/// `TensorReader` reads single tensors into caller memory and checks the rest by checksum only;
/// it must read what `SafeTensors.read` reads and catch the same damage.
final class TensorReaderTests: XCTestCase {
    /// A file with a tensor larger than the reader's chunk (256 KiB), one with an odd length
    /// (not a multiple of 16 bytes) and an empty one.
    private func writeSample(_ dir: URL) throws -> (URL, SafeTensorsFile) {
        let big = (0..<100_003).map { Float($0 % 977) * 0.5 - 3 }
        let file = SafeTensorsFile(tensors: [
            NamedTensor(name: "big", shape: [100_003], values: big),
            NamedTensor(name: "odd", shape: [3], values: [1, -2, 3.5]),
            NamedTensor(name: "empty", shape: [0], values: []),
        ], metadata: ["note": "x"])
        let url = dir.appendingPathComponent("r.safetensors")
        try SafeTensors.write(file, to: url)
        return (url, file)
    }

    func testReadsWhatSafeTensorsReads() throws {
        let (url, file) = try writeSample(try makeTempDir(self))
        let reader = try TensorReader(url: url)
        XCTAssertTrue(reader.verifies)
        XCTAssertEqual(reader.header.metadata, file.metadata)
        for t in file.tensors {
            let e = try XCTUnwrap(reader.entry(named: t.name))
            var got = [Float](repeating: .nan, count: t.values.count)
            let ok = try got.withUnsafeMutableBufferPointer { try reader.read(e, into: $0) }
            XCTAssertTrue(ok, t.name)
            XCTAssertEqual(got.map(\.bitPattern), t.values.map(\.bitPattern), t.name)
            XCTAssertTrue(try reader.check(e), t.name)
        }
    }

    func testDamageIsCaughtByReadAndByCheck() throws {
        let (url, _) = try writeSample(try makeTempDir(self))
        var bytes = [UInt8](try Data(contentsOf: url))
        let header = try SafeTensors.readHeader(from: url)
        let big = try XCTUnwrap(header.tensors.first { $0.name == "big" })
        // A flipped bit past the first chunk: the streamed checksum must cover every chunk.
        bytes[header.dataStart + big.dataOffsets.lowerBound + 300_000] ^= 0x04
        try Data(bytes).write(to: url)
        let reader = try TensorReader(url: url)
        var buffer = [Float](repeating: 0, count: big.elementCount)
        XCTAssertFalse(try buffer.withUnsafeMutableBufferPointer { try reader.read(big, into: $0) })
        XCTAssertFalse(try reader.check(big))
        XCTAssertTrue(try reader.check(try XCTUnwrap(reader.entry(named: "odd"))), "only the damaged tensor fails")
    }

    func testVerifyOffReadsWithoutChecking() throws {
        let (url, file) = try writeSample(try makeTempDir(self))
        let reader = try TensorReader(url: url, verify: false)
        XCTAssertFalse(reader.verifies)
        let e = try XCTUnwrap(reader.entry(named: "odd"))
        var got = [Float](repeating: 0, count: 3)
        XCTAssertTrue(try got.withUnsafeMutableBufferPointer { try reader.read(e, into: $0) })
        XCTAssertEqual(got, file.tensors[1].values)
    }
}
