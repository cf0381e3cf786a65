/// CRC-32 (IEEE 802.3, the polynomial used by zlib, PNG and gzip), computed slicing-by-16.
///
/// Checkpoint files record one CRC per tensor so a flipped bit on disk or in transit is caught
/// and attributed to the tensor it damaged. Slicing-by-16 consumes 16 bytes per step with
/// sixteen 256-entry tables (16 KiB, resident in L1). Only 4 of a step's 16 lookups depend on the
/// running CRC; XORing the other 12 first, as a tree, lets them overlap the previous step, which
/// halves the step's critical path (2.3 -> 4.2 GB/s on one core here, against a linear XOR chain).
/// `translate` checks every tensor of a ~140 MB training checkpoint at start-up, so this speed
/// is most of its load time. The check value of "123456789" is 0xCBF43926.
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
            while i + 16 <= n {
                let w0 = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                let w1 = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self))
                let b = UInt32(truncatingIfNeeded: w0 >> 32)
                let c = UInt32(truncatingIfNeeded: w1)
                let d = UInt32(truncatingIfNeeded: w1 >> 32)
                // Bytes 4...15 do not depend on the running CRC: XOR their 12 lookups first (in
                // a tree), so they overlap the previous step; only the last 4 wait for `crc`.
                let hi = (t[11 &* 256 &+ Int(b & 0xFF)] ^ t[10 &* 256 &+ Int((b >> 8) & 0xFF)])
                    ^ (t[9 &* 256 &+ Int((b >> 16) & 0xFF)] ^ t[8 &* 256 &+ Int(b >> 24)])
                let mid = (t[7 &* 256 &+ Int(c & 0xFF)] ^ t[6 &* 256 &+ Int((c >> 8) & 0xFF)])
                    ^ (t[5 &* 256 &+ Int((c >> 16) & 0xFF)] ^ t[4 &* 256 &+ Int(c >> 24)])
                let lo = (t[3 &* 256 &+ Int(d & 0xFF)] ^ t[2 &* 256 &+ Int((d >> 8) & 0xFF)])
                    ^ (t[1 &* 256 &+ Int((d >> 16) & 0xFF)] ^ t[Int(d >> 24)])
                let a = UInt32(truncatingIfNeeded: w0) ^ crc
                let head = (t[15 &* 256 &+ Int(a & 0xFF)] ^ t[14 &* 256 &+ Int((a >> 8) & 0xFF)])
                    ^ (t[13 &* 256 &+ Int((a >> 16) & 0xFF)] ^ t[12 &* 256 &+ Int(a >> 24)])
                crc = head ^ ((hi ^ mid) ^ lo)
                i &+= 16
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
        var t = [UInt32](repeating: 0, count: 16 * 256)
        for b in 0..<256 {
            var c = UInt32(b)
            for _ in 0..<8 { c = (c & 1) != 0 ? (0xEDB8_8320 ^ (c >> 1)) : (c >> 1) }
            t[b] = c
        }
        for k in 1..<16 {
            for b in 0..<256 {
                let prev = t[(k - 1) * 256 + b]
                t[k * 256 + b] = t[Int(prev & 0xFF)] ^ (prev >> 8)
            }
        }
        return t
    }()
}
