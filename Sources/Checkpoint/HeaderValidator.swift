/// Turns a parsed JSON header into a `SafeTensorsHeader`, rejecting anything not exactly as the
/// format (and, for our own files, the integrity record) requires.
///
/// Strictness is the point: a header damaged by a flipped byte usually stays *almost* valid, and
/// every check here (unknown keys, non-integer numbers, gaps between tensors, checksums) is one
/// more chance to refuse the file instead of loading wrong weights.
enum HeaderValidator {
    static func validate(_ root: JSONValue, path: String) throws(CheckpointError) -> SafeTensorsHeader {
        func bad(_ problem: String) -> CheckpointError {
            CheckpointError(.invalidHeader, path: path, problem: problem, remedy: "re-copy the file or use another checkpoint")
        }
        guard case .object(let members) = root else { throw bad("header is not a JSON object") }
        var metadata: [String: String] = [:]
        var tensors: [TensorEntry] = []
        for (key, value) in members {
            if key == "__metadata__" {
                guard case .object(let items) = value else { throw bad("__metadata__ is \(value.kindName), not an object") }
                for (k, v) in items {
                    guard case .string(let s) = v else { throw bad("metadata \"\(k)\" is \(v.kindName), not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard case .object(let fields) = value else { throw bad("tensor \"\(key)\" is \(value.kindName), not an object") }
            var dtype: String?
            var shape: [Int]?
            var offsets: [Int]?
            for (f, v) in fields {
                switch f {
                case "dtype":
                    guard case .string(let s) = v else { throw bad("tensor \"\(key)\" dtype is \(v.kindName)") }
                    dtype = s
                case "shape":
                    guard let dims = integers(v) else { throw bad("tensor \"\(key)\" shape is not a list of non-negative integers") }
                    shape = dims
                case "data_offsets":
                    guard let o = integers(v), o.count == 2 else { throw bad("tensor \"\(key)\" data_offsets is not [begin, end]") }
                    offsets = o
                default:
                    throw bad("tensor \"\(key)\" has unknown field \"\(f)\"")
                }
            }
            guard let dtype, let shape, let offsets else { throw bad("tensor \"\(key)\" lacks dtype, shape or data_offsets") }
            if dtype != "F32" {
                throw CheckpointError(.unsupportedDType, path: path, problem: "tensor \"\(key)\" has dtype \(dtype); only F32 is supported",
                                      remedy: "convert the weights to float32 before saving (e.g. numpy .astype('float32'))")
            }
            if offsets[1] < offsets[0] {
                throw CheckpointError(.badOffsets, path: path, problem: "tensor \"\(key)\" data_offsets \(offsets) end before they begin",
                                      remedy: "re-copy the file or use another checkpoint")
            }
            tensors.append(TensorEntry(name: key, dtype: dtype, shape: shape, dataOffsets: offsets[0]..<offsets[1]))
        }
        // Data order, not JSON key order, is the write order (other writers sort keys).
        tensors.sort { ($0.dataOffsets.lowerBound, $0.dataOffsets.upperBound) < ($1.dataOffsets.lowerBound, $1.dataOffsets.upperBound) }
        return SafeTensorsHeader(tensors: tensors, metadata: metadata, format: nil, checksums: [:], headerLength: 0, fileSize: 0)
    }

    /// Tensors must tile the data section exactly: start at 0, no gaps or overlaps, each range
    /// as long as its shape needs, the last ending at the end of the file.
    static func checkOffsets(_ header: inout SafeTensorsHeader, path: String) throws(CheckpointError) {
        let remedy = "re-copy the file or use another checkpoint"
        var expected = 0
        for t in header.tensors {
            guard let count = SafeTensors.elementCount(t.shape) else {
                throw CheckpointError(.badOffsets, path: path, problem: "tensor \"\(t.name)\" shape \(t.shape) is too large", remedy: remedy)
            }
            if t.dataOffsets.lowerBound != expected {
                let what = t.dataOffsets.lowerBound < expected ? "overlaps the previous tensor" : "leaves a gap after the previous tensor"
                throw CheckpointError(.badOffsets, path: path,
                                      problem: "tensor \"\(t.name)\" starts at data byte \(t.dataOffsets.lowerBound) and \(what) (expected \(expected))",
                                      remedy: remedy)
            }
            if t.dataOffsets.count != 4 * count {
                throw CheckpointError(.badOffsets, path: path,
                                      problem: "tensor \"\(t.name)\" spans \(t.dataOffsets.count) bytes but shape \(t.shape) of F32 needs \(4 * count)",
                                      remedy: remedy)
            }
            expected = t.dataOffsets.upperBound
        }
        let available = header.fileSize - header.dataStart
        if expected > available {
            throw CheckpointError(.truncated, path: path,
                                  problem: "file is \(header.fileSize) bytes but its tensors need \(header.dataStart + expected)",
                                  remedy: remedy)
        }
        if expected < available {
            throw CheckpointError(.badOffsets, path: path,
                                  problem: "\(available - expected) bytes follow the last tensor (the header does not describe them)",
                                  remedy: remedy)
        }
    }

    /// Recognises our integrity record, checks the header CRC (when `verify`) and strips the
    /// record from the user-visible metadata. Files without any record are left as they are.
    static func checkIntegrity(_ header: inout SafeTensorsHeader, path: String, verify: Bool) throws(CheckpointError) {
        let meta = header.metadata
        let format = meta[IntegrityRecord.formatKey]
        let ours = format?.hasPrefix(IntegrityRecord.formatPrefix) ?? false
        let hasRecord = meta[IntegrityRecord.checksumsKey] != nil || meta[IntegrityRecord.headerKey] != nil
        func damaged(_ problem: String) -> CheckpointError {
            CheckpointError(.headerChecksumMismatch, path: path, problem: problem,
                            remedy: "the header is damaged; use another checkpoint or re-copy this one")
        }
        if !ours {
            if hasRecord { throw damaged("header has checksums but no valid \"format\" tag (found \(format.map { "\"\($0)\"" } ?? "none"))") }
            return
        }
        guard let format, format == IntegrityRecord.currentFormat else {
            throw CheckpointError(.unsupportedFormat, path: path,
                                  problem: "written in format \"\(format ?? "")\", but this build reads \"\(IntegrityRecord.currentFormat)\"",
                                  remedy: "use a newer build of tiny-translator (or the header is damaged: use another checkpoint)")
        }
        guard let crcText = meta[IntegrityRecord.headerKey], let expected = IntegrityRecord.parseHex(crcText) else {
            throw damaged("the header checksum is missing or malformed")
        }
        if verify, IntegrityRecord.headerCRC(metadata: meta, tensors: header.tensors) != expected {
            throw damaged("header (metadata or tensor table) does not match its CRC32")
        }
        guard let sumsText = meta[IntegrityRecord.checksumsKey], case .object(let items)? = parseJSON(sumsText) else {
            throw damaged("the tensor checksum table is missing or not a JSON object")
        }
        var sums: [String: UInt32] = [:]
        for (name, v) in items {
            guard case .string(let s) = v, let crc = IntegrityRecord.parseHex(s) else { throw damaged("checksum of \"\(name)\" is malformed") }
            sums[name] = crc
        }
        if Set(sums.keys) != Set(header.tensors.map(\.name)) {
            throw damaged("the checksum table does not list exactly the tensors in the file")
        }
        header.format = format
        header.checksums = sums
        for key in IntegrityRecord.reservedKeys { header.metadata[key] = nil }
    }

    private static func parseJSON(_ text: String) -> JSONValue? {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { try? JSONParser.parse($0) }
    }

    /// A JSON array of integers in 0...Int.max/8, or nil.
    private static func integers(_ v: JSONValue) -> [Int]? {
        guard case .array(let items) = v else { return nil }
        var out: [Int] = []
        for item in items {
            guard case .number(let text) = item, let n = Int(text), n >= 0, n <= Int.max / 8 else { return nil }
            out.append(n)
        }
        return out
    }
}
