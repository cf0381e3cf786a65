import Foundation

/// Reading and writing safetensors files (the Hugging Face format) holding F32 tensors.
///
/// Layout: 8-byte little-endian header length N; N bytes of JSON header
/// `{"__metadata__":{...},"name":{"dtype":"F32","shape":[...],"data_offsets":[b,e]},...}`
/// padded with spaces to a multiple of 8; then the tensors' raw little-endian bytes,
/// contiguous, in the caller's order. Files load with `safetensors.numpy.load_file`.
public enum SafeTensors {
    /// Writes `file` to `url` atomically (see `AtomicFile`), adding the integrity record
    /// (format tag, per-tensor CRC32s, header CRC32). `file.integrity` is ignored.
    /// Throws `.invalidArgument` for duplicate/empty names or a shape that does not match the
    /// value count, and `.io`/`.fileNotFound` if the file cannot be written (old file kept).
    public static func write(_ file: SafeTensorsFile, to url: URL) throws {
        let header = try encodeHeader(file, path: url.path)
        try AtomicFile.write(to: url) { (fd: Int32, tmp: String) throws in
            try header.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws in
                try POSIX.writeAll(fd, raw, path: tmp)
            }
            for t in file.tensors {
                try withLittleEndianBytes(t.values) { (raw: UnsafeRawBufferPointer) throws in
                    try POSIX.writeAll(fd, raw, path: tmp)
                }
            }
        }
    }

    /// The 8-byte length prefix plus the padded JSON header for `file`.
    static func encodeHeader(_ file: SafeTensorsFile, path: String) throws -> [UInt8] {
        var entries: [TensorEntry] = []
        var names = Set<String>()
        var offset = 0
        for t in file.tensors {
            func bad(_ problem: String) -> CheckpointError {
                CheckpointError(.invalidArgument, path: path, problem: "cannot save tensor \"\(t.name)\": \(problem)",
                                remedy: "fix the tensor list passed to SafeTensors.write")
            }
            if t.name.isEmpty || t.name == "__metadata__" { throw bad("the name is empty or reserved") }
            if !names.insert(t.name).inserted { throw bad("the name is used twice") }
            guard let count = elementCount(t.shape) else { throw bad("shape \(t.shape) has a negative or huge dimension") }
            if count != t.values.count { throw bad("shape \(t.shape) holds \(count) values but \(t.values.count) were given") }
            entries.append(TensorEntry(name: t.name, dtype: "F32", shape: t.shape,
                                       dataOffsets: offset..<(offset + 4 * count)))
            offset += 4 * count
        }
        var metadata = file.metadata.filter { !IntegrityRecord.reservedKeys.contains($0.key) }
        metadata[IntegrityRecord.formatKey] = IntegrityRecord.currentFormat
        var sums: [String: String] = [:]
        for t in file.tensors {
            sums[t.name] = IntegrityRecord.hex(withLittleEndianBytes(t.values) { CRC32.checksum($0) })
        }
        metadata[IntegrityRecord.checksumsKey] = JSONWriter.stringObject(sums)
        metadata[IntegrityRecord.headerKey] = IntegrityRecord.hex(IntegrityRecord.headerCRC(metadata: metadata, tensors: entries))

        var json: [UInt8] = [UInt8(ascii: "{")]
        JSONWriter.appendString("__metadata__", to: &json)
        json.append(UInt8(ascii: ":"))
        JSONWriter.appendRaw(JSONWriter.stringObject(metadata), to: &json)
        for e in entries {
            json.append(UInt8(ascii: ","))
            JSONWriter.appendString(e.name, to: &json)
            let shape = e.shape.map(String.init).joined(separator: ",")
            JSONWriter.appendRaw(":{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(e.dataOffsets.lowerBound),\(e.dataOffsets.upperBound)]}", to: &json)
        }
        json.append(UInt8(ascii: "}"))
        // Padding keeps the data section 8-byte aligned, so a memory-mapped reader can use it in place.
        while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }
        var out: [UInt8] = []
        out.reserveCapacity(8 + json.count)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: json)
        return out
    }

    /// Product of the dimensions, or nil if one is negative or the byte size would overflow.
    static func elementCount(_ shape: [Int]) -> Int? {
        var n = 1
        for d in shape {
            if d < 0 { return nil }
            let (p, o) = n.multipliedReportingOverflow(by: d)
            if o || p > Int.max / 8 { return nil }
            n = p
        }
        return n
    }

    /// Runs `body` on the values' bytes in little-endian order: the storage itself on
    /// little-endian hosts (no copy), a byte-swapped copy elsewhere.
    static func withLittleEndianBytes<R>(_ values: [Float], _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        #if _endian(little)
        return try values.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws -> R in try body(raw) }
        #else
        let swapped = values.map { $0.bitPattern.littleEndian }
        return try swapped.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws -> R in try body(raw) }
        #endif
    }
}
