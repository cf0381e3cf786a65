#if canImport(Glibc)
import Glibc
#endif
import Foundation

extension SafeTensors {
    /// Largest header accepted; the reference implementation uses the same 100 MB cap. A larger
    /// value in the first 8 bytes means the file is something else (e.g. text).
    static let maxHeaderLength = 100_000_000

    /// Reads and validates the header only (no tensor data): names, shapes, offsets, metadata,
    /// file size. With `verify`, our files' header checksum is checked too (cheap).
    public static func readHeader(from url: URL, verify: Bool = true) throws -> SafeTensorsHeader {
        let path = url.path
        let fd = try POSIX.open(path, O_RDONLY, action: "open the checkpoint")
        defer { close(fd) }
        return try parseHeader(fd: fd, path: path, verify: verify)
    }

    /// Reads a whole file, validating its structure and (with `verify`, for files written by
    /// this module) every checksum. `integrity` in the result says what was checked.
    public static func read(from url: URL, verify: Bool = true) throws -> SafeTensorsFile {
        let path = url.path
        let fd = try POSIX.open(path, O_RDONLY, action: "open the checkpoint")
        defer { close(fd) }
        let header = try parseHeader(fd: fd, path: path, verify: verify)
        var tensors: [NamedTensor] = []
        tensors.reserveCapacity(header.tensors.count)
        var damaged: [String] = []
        for e in header.tensors {
            let count = e.elementCount
            var failure: Error?
            var ok = true
            // One pread per tensor straight into the Float storage: no staging copy of the file.
            let values = [Float](unsafeUninitializedCapacity: count) { buf, n in
                do { ok = try readTensor(fd: fd, header: header, entry: e, into: UnsafeMutableBufferPointer(rebasing: buf[0..<count]), path: path, verify: verify) }
                catch { failure = error }
                n = count
            }
            if let failure { throw failure }
            if !ok { damaged.append(e.name) }
            tensors.append(NamedTensor(name: e.name, shape: e.shape, values: values))
        }
        if !damaged.isEmpty { throw damagedError(path: path, tensors: damaged) }
        let integrity: Integrity = header.format == nil ? .noChecksums : (verify ? .verified : .notVerified)
        return SafeTensorsFile(tensors: tensors, metadata: header.metadata, integrity: integrity)
    }

    /// Reads the length prefix and JSON header from `fd` and validates the whole table of contents.
    static func parseHeader(fd: Int32, path: String, verify: Bool) throws -> SafeTensorsHeader {
        let size = try POSIX.size(fd, path: path)
        func err(_ kind: CheckpointError.Kind, _ problem: String, _ remedy: String) -> CheckpointError {
            CheckpointError(kind, path: path, problem: problem, remedy: remedy)
        }
        let recopy = "re-copy the file or use another checkpoint"
        if size < 8 {
            throw err(.truncated, "file is \(size) bytes, too short for the 8-byte header length of a safetensors file", recopy)
        }
        var lengthLE: UInt64 = 0
        _ = try withUnsafeMutableBytes(of: &lengthLE) { (raw: UnsafeMutableRawBufferPointer) throws -> Int in
            try POSIX.readFully(fd, into: raw, at: 0, path: path)
        }
        let length = UInt64(littleEndian: lengthLE)
        if length > UInt64(maxHeaderLength) || length < 2 {
            throw err(.notSafeTensors, "not a safetensors file (its first 8 bytes give a header length of \(length))",
                      "give the path of a .safetensors checkpoint")
        }
        let n = Int(length)
        if 8 + n > size {
            throw err(.truncated, "file is \(size) bytes but its header alone needs \(8 + n)", recopy)
        }
        var json = [UInt8](repeating: 0, count: n)
        let got = try json.withUnsafeMutableBytes { (raw: UnsafeMutableRawBufferPointer) throws -> Int in
            try POSIX.readFully(fd, into: raw, at: 8, path: path)
        }
        if got < n { throw err(.truncated, "file ended inside the header", recopy) }
        if json.first(where: { $0 != 0x20 }) != UInt8(ascii: "{") {
            throw err(.notSafeTensors, "not a safetensors file (the header does not start with '{')",
                      "give the path of a .safetensors checkpoint")
        }
        let root: JSONValue
        do {
            root = try json.withUnsafeBufferPointer { (buf: UnsafeBufferPointer<UInt8>) throws -> JSONValue in
                try JSONParser.parse(buf)
            }
        } catch let error as JSONSyntaxError {
            throw err(.invalidHeader, "header JSON is invalid at byte \(8 + error.offset): \(error.message)", recopy)
        }
        var header = try HeaderValidator.validate(root, path: path)
        header.headerLength = n
        header.fileSize = size
        try HeaderValidator.checkOffsets(&header, path: path)
        try HeaderValidator.checkIntegrity(&header, path: path, verify: verify)
        return header
    }
}
