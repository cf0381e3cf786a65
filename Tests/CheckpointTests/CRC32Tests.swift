import Checkpoint
import XCTest

final class CRC32Tests: XCTestCase {
    /// Bit-at-a-time CRC-32 straight from the definition, to check the sliced tables against.
    private func referenceCRC(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0xEDB8_8320 : c >> 1 }
        }
        return ~c
    }

    func testStandardCheckValue() {
        // The published check value of CRC-32/ISO-HDLC for the ASCII string "123456789".
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(CRC32.checksum([UInt8]()), 0)
    }

    func testMatchesBitwiseReferenceForAllLengthsAndSplits() {
        var rng = SplitMix64(state: 42)
        for length in 0..<80 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            XCTAssertEqual(CRC32.checksum(bytes), referenceCRC(bytes), "length \(length)")
            // Feeding in two pieces, at an unaligned split, must give the same CRC.
            let cut = length / 3
            var crc = CRC32()
            bytes[..<cut].withUnsafeBytes { crc.update($0) }
            bytes[cut...].withUnsafeBytes { crc.update($0) }
            XCTAssertEqual(crc.value, referenceCRC(bytes), "split \(cut) of \(length)")
        }
    }
}
