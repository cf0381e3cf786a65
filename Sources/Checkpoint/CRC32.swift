/// CRC-32 (IEEE 802.3, the polynomial used by zlib, PNG and gzip), computed slicing-by-8.
///
/// Checkpoint files record one CRC per tensor so a flipped bit on disk or in transit is caught
/// and attributed to the tensor it damaged. Slicing-by-8 consumes 8 bytes per step with eight
/// 256-entry tables, ~4-6x faster than the byte-at-a-time table loop, so a 50 MB checkpoint
/// costs a few tens of milliseconds to check. The check value of "123456789" is 0xCBF43926.
public struct CRC32: Sendable {
    private var state: UInt32 = 0xFFFF_FFFF

    /// A fresh checksum of zero bytes.
    public init() {}

    /// The CRC of everything fed to `update` so far.
    public var value: UInt32 { state ^ 0xFFFF_FFFF }

    /// The CRC of `bytes` in one call.
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }

    /// The CRC of a byte array in one call.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }

    /// Extends the checksum with `bytes`; feeding data in pieces gives the same result as at once.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        var crc = state
        let n = bytes.count
        var i = 0
        CRC32.tables.withUnsafeBufferPointer { t in
            while i + 8 <= n {
                let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                let lo = UInt32(truncatingIfNeeded: word) ^ crc
                let hi = UInt32(truncatingIfNeeded: word >> 32)
                crc = t[7 &* 256 &+ Int(lo & 0xFF)]
                    ^ t[6 &* 256 &+ Int((lo >> 8) & 0xFF)]
                    ^ t[5 &* 256 &+ Int((lo >> 16) & 0xFF)]
                    ^ t[4 &* 256 &+ Int(lo >> 24)]
                    ^ t[3 &* 256 &+ Int(hi & 0xFF)]
                    ^ t[2 &* 256 &+ Int((hi >> 8) & 0xFF)]
                    ^ t[1 &* 256 &+ Int((hi >> 16) & 0xFF)]
                    ^ t[Int(hi >> 24)]
                i &+= 8
            }
            while i < n {
                let byte = base.load(fromByteOffset: i, as: UInt8.self)
                crc = t[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
                i &+= 1
            }
        }
        state = crc
    }

    /// Table k maps a byte to its CRC contribution when followed by k zero bytes.
    private static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for b in 0..<256 {
            var c = UInt32(b)
            for _ in 0..<8 { c = (c & 1) != 0 ? (0xEDB8_8320 ^ (c >> 1)) : (c >> 1) }
            t[b] = c
        }
        for k in 1..<8 {
            for b in 0..<256 {
                let prev = t[(k - 1) * 256 + b]
                t[k * 256 + b] = t[Int(prev & 0xFF)] ^ (prev >> 8)
            }
        }
        return t
    }()
}
