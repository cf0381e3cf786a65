/// The integrity record this module stores in `__metadata__`, and how it is computed.
///
/// Three keys, all plain strings so any safetensors reader still loads the file:
/// - `format`: "tiny-translator/1", the layout/checksum scheme version;
/// - `checksums`: a JSON object string mapping each tensor name to the CRC32 of its raw
///   little-endian bytes as 8 lowercase hex digits, e.g. {"decoder.out.bias":"1a2b3c4d"};
/// - `header_crc32`: the CRC32 of a canonical encoding of every other metadata entry *and* the
///   tensor table (names, dtypes, shapes, offsets), so a flipped byte anywhere in the header is
///   detected even where the JSON stays well-formed (e.g. a digit in a shape or a metadata value).
enum IntegrityRecord {
    static let formatKey = "format"
    static let checksumsKey = "checksums"
    static let headerKey = "header_crc32"
    /// Prefix identifying our files; other tools use `format` too (torch writes "pt").
    static let formatPrefix = "tiny-translator/"
    static let currentFormat = "tiny-translator/1"
    static let reservedKeys: Set<String> = [formatKey, checksumsKey, headerKey]

    /// CRC32 of the canonical header: metadata (minus `header_crc32`) sorted by UTF-8 bytes, then
    /// the tensor table in data order; every string and number is length-prefixed / fixed-width
    /// so no two different headers share an encoding.
    static func headerCRC(metadata: [String: String], tensors: [TensorEntry]) -> UInt32 {
        var out: [UInt8] = []
        func u64(_ v: Int) { withUnsafeBytes(of: UInt64(truncatingIfNeeded: v).littleEndian) { out.append(contentsOf: $0) } }
        func str(_ s: String) { u64(s.utf8.count); out.append(contentsOf: s.utf8) }
        let entries = metadata.filter { $0.key != headerKey }
            .sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        u64(entries.count)
        for (k, v) in entries { str(k); str(v) }
        u64(tensors.count)
        for t in tensors {
            str(t.name)
            str(t.dtype)
            u64(t.shape.count)
            for d in t.shape { u64(d) }
            u64(t.dataOffsets.lowerBound)
            u64(t.dataOffsets.upperBound)
        }
        return CRC32.checksum(out)
    }

    static func hex(_ v: UInt32) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 8 - s.count) + s
    }

    /// Parses exactly 8 hex digits, the form `hex` writes.
    static func parseHex(_ s: String) -> UInt32? {
        guard s.utf8.count == 8 else { return nil }
        return UInt32(s, radix: 16)
    }
}
