import Checkpoint
import Foundation
import XCTest

/// A fresh empty directory under the system temp dir, removed when the test ends.
func makeTempDir(_ test: XCTestCase) throws -> URL {
    let dir = FileManager.default.temporaryDirectory
        .appendingPathComponent("ckpt-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    test.addTeardownBlock {
        _ = chmod(dir.path, 0o755)
        try? FileManager.default.removeItem(at: dir)
    }
    return dir
}

/// Asserts `body` throws a `CheckpointError` of `kind`; returns it for further checks.
@discardableResult
func assertCheckpointError<T>(_ kind: CheckpointError.Kind, _ body: () throws -> T,
                              file: StaticString = #filePath, line: UInt = #line) -> CheckpointError? {
    do {
        _ = try body()
        XCTFail("expected \(kind), but no error was thrown", file: file, line: line)
    } catch let e as CheckpointError {
        XCTAssertEqual(e.kind, kind, "message: \(e)", file: file, line: line)
        return e
    } catch {
        XCTFail("expected CheckpointError.\(kind), got \(error)", file: file, line: line)
    }
    return nil
}

/// Deterministic pseudo-random generator so fuzz failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476C_E1E5_B9D9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A small file exercising awkward values: NaN payloads, -0, denormals, infinities, an empty
/// tensor, a scalar, unicode names. Names are deliberately not in sorted order.
func awkwardFile() -> SafeTensorsFile {
    let specials: [Float] = [
        Float(bitPattern: 0x7FC0_0001), Float(bitPattern: 0xFFC1_2345), Float(bitPattern: 0x7FA0_0000),
        -0.0, 0.0, Float.leastNonzeroMagnitude, -Float.leastNormalMagnitude / 3, .infinity, -.infinity,
        .greatestFiniteMagnitude, 1.0 / 3.0, -2.5,
    ]
    return SafeTensorsFile(
        tensors: [
            NamedTensor(name: "zeta.weight", shape: [3, 4], values: specials),
            NamedTensor(name: "alpha.empty", shape: [0], values: []),
            NamedTensor(name: "décodeur.权重.🙂", shape: [2, 0, 5], values: []),
            NamedTensor(name: "scalar", shape: [], values: [Float(bitPattern: 0x0000_0001)]),
            NamedTensor(name: "encoder.layers.0.self.query.weight", shape: [5], values: [1, -1, 0.5, 1e-30, 3e38]),
        ],
        metadata: [
            "config": "{\"dModel\": 64, \"note\": \"quote \\\" and backslash \\\\\"}",
            "unicode ключ": "значение — 値 🙂\n\ttab\u{01}ctl",
            "empty": "",
        ])
}

/// Asserts two files hold the same tensors (bitwise, same order) and the same metadata.
func assertSameContent(_ a: SafeTensorsFile, _ b: SafeTensorsFile, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.tensors.map(\.name), b.tensors.map(\.name), file: file, line: line)
    for (x, y) in zip(a.tensors, b.tensors) {
        XCTAssertTrue(x.isBitwiseEqual(to: y), "tensor \(x.name) differs", file: file, line: line)
    }
    XCTAssertEqual(a.metadata, b.metadata, file: file, line: line)
}

/// Writes raw bytes (a hand-made, possibly invalid file) without going through the library.
func writeRaw(_ bytes: [UInt8], to url: URL) throws {
    try Data(bytes).write(to: url)
}

/// A safetensors file built by hand from a header JSON string and data bytes, as another tool
/// would write it (padding to 8 with spaces).
func handMade(header: String, data: [UInt8]) -> [UInt8] {
    var json = Array(header.utf8)
    while json.count % 8 != 0 { json.append(0x20) }
    var out: [UInt8] = []
    withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
    return out + json + data
}

/// Little-endian bytes of floats.
func leBytes(_ values: [Float]) -> [UInt8] {
    values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
}
