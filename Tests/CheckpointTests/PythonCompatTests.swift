import Checkpoint
import Foundation
import XCTest

/// Files must interoperate with the reference implementation (Python `safetensors`).
/// Skipped when `python3 -c "import safetensors, numpy"` fails.
final class PythonCompatTests: XCTestCase {
    private func python(_ script: String, _ args: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script] + args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    private func requirePython() throws {
        guard let r = try? python("import safetensors, numpy", []), r.status == 0 else {
            throw XCTSkip("python3 with safetensors and numpy is not installed (pip install safetensors numpy)")
        }
    }

    func testPythonLoadsOurFileBitwise() throws {
        try requirePython()
        let url = try makeTempDir(self).appendingPathComponent("swift.safetensors")
        let file = awkwardFile()
        try SafeTensors.write(file, to: url)
        // Python prints each tensor's shape and raw bytes in hex, plus the metadata.
        let script = """
            import sys, json
            from safetensors.numpy import load_file
            from safetensors import safe_open
            t = load_file(sys.argv[1])
            with safe_open(sys.argv[1], framework="np") as f: meta = f.metadata()
            print(json.dumps({"tensors": {k: [list(v.shape), str(v.dtype), v.astype("<f4").tobytes().hex()] for k, v in t.items()}, "meta": meta}))
            """
        let r = try python(script, [url.path])
        XCTAssertEqual(r.status, 0, r.output)
        print("[checkpoint] python load_file of a Swift-written file: \(r.output.prefix(300))...")
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.output.utf8)) as? [String: Any])
        let tensors = try XCTUnwrap(json["tensors"] as? [String: [Any]])
        XCTAssertEqual(Set(tensors.keys), Set(file.tensors.map(\.name)))
        for t in file.tensors {
            let entry = try XCTUnwrap(tensors[t.name], t.name)
            XCTAssertEqual(entry[0] as? [Int], t.shape, t.name)
            XCTAssertEqual(entry[1] as? String, "float32", t.name)
            XCTAssertEqual(entry[2] as? String, leBytes(t.values).map { String(format: "%02x", $0) }.joined(), t.name)
        }
        let meta = try XCTUnwrap(json["meta"] as? [String: String])
        XCTAssertEqual(meta["unicode ключ"], file.metadata["unicode ключ"])
        XCTAssertEqual(meta["format"], "tiny-translator/1")
    }

    func testWeLoadAPythonWrittenFile() throws {
        try requirePython()
        let url = try makeTempDir(self).appendingPathComponent("py.safetensors")
        let script = """
            import sys, numpy as np
            from safetensors.numpy import save_file
            a = np.arange(12, dtype=np.float32).reshape(3, 4) / 7
            b = np.array([-0.0, np.inf, 1e-45], dtype=np.float32)
            c = np.array(2.5, dtype=np.float32)
            save_file({"zz.weight": a, "aa.bias": b, "scalar": c, "empty": np.zeros((0, 3), np.float32)}, sys.argv[1], metadata={"format": "np", "who": "python"})
            for k, v in [("zz.weight", a), ("aa.bias", b), ("scalar", c)]: print(k, v.astype("<f4").tobytes().hex())
            """
        let r = try python(script, [url.path])
        XCTAssertEqual(r.status, 0, r.output)
        let file = try SafeTensors.read(from: url)
        XCTAssertEqual(file.integrity, .noChecksums)
        XCTAssertEqual(file.metadata, ["format": "np", "who": "python"])
        XCTAssertEqual(Set(file.tensors.map(\.name)), ["zz.weight", "aa.bias", "scalar", "empty"])
        XCTAssertEqual(file.tensor(named: "scalar")?.shape, [])
        XCTAssertEqual(file.tensor(named: "empty")?.shape, [0, 3])
        for line in r.output.split(separator: "\n") {
            let parts = line.split(separator: " ")
            let t = try XCTUnwrap(file.tensor(named: String(parts[0])))
            XCTAssertEqual(leBytes(t.values).map { String(format: "%02x", $0) }.joined(), String(parts[1]), t.name)
        }
        print("[checkpoint] Swift read a Python-written file: \(file.tensors.map { "\($0.name) \($0.shape)" })")
    }
}
