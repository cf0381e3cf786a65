import Checkpoint
import Foundation
import XCTest

final class RoundTripTests: XCTestCase {
    func testBitwiseRoundTripOfAwkwardValuesNamesAndMetadata() throws {
        let url = try makeTempDir(self).appendingPathComponent("a.safetensors")
        let original = awkwardFile()
        try SafeTensors.write(original, to: url)
        let back = try SafeTensors.read(from: url)
        assertSameContent(original, back)
        XCTAssertEqual(back.integrity, .verified)
        XCTAssertEqual(back.tensor(named: "décodeur.权重.🙂")?.shape, [2, 0, 5])
        XCTAssertEqual(back.tensor(named: "scalar")?.values.count, 1)
        XCTAssertNil(back.tensor(named: "missing"))
    }

    func testHeaderLayoutIsAlignedContiguousAndInWriteOrder() throws {
        let url = try makeTempDir(self).appendingPathComponent("a.safetensors")
        let original = awkwardFile()
        try SafeTensors.write(original, to: url)
        let bytes = [UInt8](try Data(contentsOf: url))
        let n = Int(bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        XCTAssertEqual(n % 8, 0, "header length must keep the data 8-byte aligned")
        let headerBytes = Array(bytes[8..<(8 + n)])
        // Checked with Foundation's parser, independent of the module's own JSON reader.
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any])
        let text = String(decoding: headerBytes, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("{"))
        let trailing = text[text.index(after: try XCTUnwrap(text.lastIndex(of: "}")))...]
        XCTAssertTrue(trailing.allSatisfy { $0 == " " }, "padding must be spaces")

        var expectedBegin = 0
        var lastPosition = text.startIndex
        for t in original.tensors {
            let entry = try XCTUnwrap(json[t.name] as? [String: Any], t.name)
            XCTAssertEqual(entry["dtype"] as? String, "F32")
            XCTAssertEqual(entry["shape"] as? [Int], t.shape)
            let offsets = try XCTUnwrap(entry["data_offsets"] as? [Int])
            XCTAssertEqual(offsets, [expectedBegin, expectedBegin + 4 * t.values.count], t.name)
            XCTAssertEqual(Array(bytes[(8 + n + offsets[0])..<(8 + n + offsets[1])]), leBytes(t.values), t.name)
            expectedBegin = offsets[1]
            // Keys appear in the header in the caller's order.
            let key = try XCTUnwrap(text.range(of: "\"\(t.name)\":{"), t.name)
            XCTAssertGreaterThan(key.lowerBound, lastPosition)
            lastPosition = key.lowerBound
        }
        XCTAssertEqual(8 + n + expectedBegin, bytes.count, "data must end exactly at the end of the file")
        let meta = try XCTUnwrap(json["__metadata__"] as? [String: String])
        XCTAssertEqual(meta["format"], "tiny-translator/1")
        XCTAssertNotNil(meta["checksums"])
        XCTAssertNotNil(meta["header_crc32"])
        XCTAssertEqual(meta["unicode ключ"], original.metadata["unicode ключ"])
    }

    func testReadHeaderDescribesTensorsWithoutData() throws {
        let url = try makeTempDir(self).appendingPathComponent("a.safetensors")
        let original = awkwardFile()
        try SafeTensors.write(original, to: url)
        let header = try SafeTensors.readHeader(from: url)
        XCTAssertEqual(header.tensors.map(\.name), original.tensors.map(\.name))
        XCTAssertEqual(header.tensors.map(\.shape), original.tensors.map(\.shape))
        XCTAssertEqual(header.tensors.map(\.elementCount), original.tensors.map(\.values.count))
        XCTAssertEqual(header.fileSize, try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int)
        XCTAssertEqual(header.format, "tiny-translator/1")
        XCTAssertEqual(header.metadata, original.metadata, "integrity keys are not user metadata")
        XCTAssertEqual(Set(header.checksums.keys), Set(original.tensors.map(\.name)))
    }

    func testRewritingAFileReplacesIntegrityKeysInsteadOfKeepingStaleOnes() throws {
        let dir = try makeTempDir(self)
        var file = awkwardFile()
        file.metadata["format"] = "pt"
        file.metadata["checksums"] = "{\"bogus\":\"00000000\"}"
        try SafeTensors.write(file, to: dir.appendingPathComponent("a.safetensors"))
        var back = try SafeTensors.read(from: dir.appendingPathComponent("a.safetensors"))
        XCTAssertEqual(back.integrity, .verified)
        XCTAssertNil(back.metadata["checksums"])
        back.tensors[0].values[11] = 7
        try SafeTensors.write(back, to: dir.appendingPathComponent("b.safetensors"))
        let again = try SafeTensors.read(from: dir.appendingPathComponent("b.safetensors"))
        assertSameContent(back, again)
    }

    func testInvalidTensorListsAreRefusedWithoutCreatingAFile() throws {
        let dir = try makeTempDir(self)
        let url = dir.appendingPathComponent("bad.safetensors")
        let cases: [[NamedTensor]] = [
            [NamedTensor(name: "a", shape: [2], values: [1]),],
            [NamedTensor(name: "a", shape: [1], values: [1]), NamedTensor(name: "a", shape: [1], values: [2])],
            [NamedTensor(name: "", shape: [1], values: [1])],
            [NamedTensor(name: "__metadata__", shape: [1], values: [1])],
            [NamedTensor(name: "neg", shape: [-1, -2], values: [1, 2])],
        ]
        for tensors in cases {
            assertCheckpointError(.invalidArgument) { try SafeTensors.write(SafeTensorsFile(tensors: tensors), to: url) }
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])
    }

    func testLargeCheckpointRoundTripsBitwise() throws {
        // ~50 MB across a few tensors, like a real checkpoint; checks the bulk paths, not speed.
        let url = try makeTempDir(self).appendingPathComponent("big.safetensors")
        var rng = SplitMix64(state: 7)
        let sizes = [4_000_000, 6_000_000, 2_500_000, 17]
        let tensors = sizes.enumerated().map { i, n in
            NamedTensor(name: "layer.\(i).weight", shape: [n], values: (0..<n).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: rng.next())) })
        }
        let file = SafeTensorsFile(tensors: tensors, metadata: ["step": "1"])
        let t0 = Date()
        try SafeTensors.write(file, to: url)
        let t1 = Date()
        let back = try SafeTensors.read(from: url)
        let t2 = Date()
        assertSameContent(file, back)
        let mb = Double(sizes.reduce(0, +) * 4) / 1e6
        print(String(format: "[checkpoint] %.1f MB: write %.0f ms (incl. fsync), read+verify %.0f ms", mb,
                     t1.timeIntervalSince(t0) * 1000, t2.timeIntervalSince(t1) * 1000))
    }
}
