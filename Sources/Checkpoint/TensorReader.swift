#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// An open checkpoint whose tensors are read one at a time, straight into memory the caller
/// owns (e.g. a model's parameter storage), or only checked against their CRC32.
///
/// This is how `translate` starts fast: a training checkpoint is ~3x the model (Adam's m and v
/// ride along). `SafeTensors.read` copies every tensor into a fresh array, which the model then
/// copies again; here the model's tensors land in the model directly and the others stream
/// through one small buffer for their checksum, so every byte is still verified but only the
/// model's bytes are kept. The header is validated exactly as `SafeTensors.read` does
/// (structure, offsets, header CRC). Reads of different tensors may run on several threads.
public final class TensorReader: Sendable {
    /// The validated table of contents and metadata.
    public let header: SafeTensorsHeader
    /// Whether `read` checks each tensor's CRC32 (our files, opened with `verify`).
    public let verifies: Bool
    private let fd: Int32
    private let path: String

    /// Opens `url` and validates its header (with `verify`, also the header checksum).
    public init(url: URL, verify: Bool = true) throws {
        path = url.path
        fd = try POSIX.open(path, O_RDONLY, action: "open the checkpoint")
        do {
            header = try SafeTensors.parseHeader(fd: fd, path: path, verify: verify)
        } catch {
            close(fd)
            throw error
        }
        verifies = verify && header.format != nil
    }

    deinit { close(fd) }

    /// The entry called `name`, or nil.
    public func entry(named name: String) -> TensorEntry? {
        header.tensors.first { $0.name == name }
    }

    /// Reads tensor `entry` (from `header.tensors`) into `destination`, which must hold exactly
    /// `entry.elementCount` floats. Returns false if its data does not match its CRC32 (only
    /// checked when `verifies`), so a caller reading many tensors can name every damaged one
    /// (`SafeTensors.damagedError`); throws `.truncated` if the file ends early.
    /// Safe to call from several threads at once for different tensors.
    public func read(_ entry: TensorEntry, into destination: UnsafeMutableBufferPointer<Float>) throws -> Bool {
        precondition(destination.count == entry.elementCount, "read \(entry.name): destination holds \(destination.count) floats, the tensor \(entry.elementCount)")
        return try SafeTensors.readTensor(fd: fd, header: header, entry: entry, into: destination, path: path, verify: verifies)
    }

    /// Checks tensor `entry` against its CRC32 without keeping its data (true when it matches
    /// or when not `verifies`). Thread-safe like `read`.
    public func check(_ entry: TensorEntry) throws -> Bool {
        verifies ? try SafeTensors.verifyTensor(fd: fd, header: header, entry: entry, path: path) : true
    }

    /// The file's path, for messages.
    public var filePath: String { path }
}

extension SafeTensors {
    /// Bytes read and checksummed per step: small enough that the CRC reads them from L2
    /// right after `pread` wrote them there, instead of from memory in a second pass.
    static let chunkBytes = 1 << 18

    /// Reads one tensor's bytes into `buffer` in L2-sized chunks, each checksummed while still
    /// in cache, converts them to host order and returns whether the CRC32 matched (true when
    /// not verifying or there is no CRC).
    static func readTensor(fd: Int32, header: SafeTensorsHeader, entry e: TensorEntry, into buffer: UnsafeMutableBufferPointer<Float>,
                           path: String, verify: Bool) throws -> Bool {
        let raw = UnsafeMutableRawBufferPointer(buffer)
        let expected = verify ? header.checksums[e.name] : nil
        var crc = CRC32()
        var done = 0
        while done < raw.count {
            let piece = UnsafeMutableRawBufferPointer(rebasing: raw[done..<min(raw.count, done + chunkBytes)])
            let got = try POSIX.readFully(fd, into: piece, at: header.dataStart + e.dataOffsets.lowerBound + done, path: path)
            if got < piece.count { throw truncatedError(path: path, tensor: e.name) }
            if expected != nil { crc.update(UnsafeRawBufferPointer(piece)) }
            done += got
        }
        #if _endian(big)
        for i in buffer.indices { buffer[i] = Float(bitPattern: UInt32(littleEndian: buffer[i].bitPattern)) }
        #endif
        return expected.map { crc.value == $0 } ?? true
    }

    /// Checks one tensor's CRC32 without keeping its data: streams it through one chunk-sized
    /// buffer. Returns whether it matched (true when there is no CRC).
    static func verifyTensor(fd: Int32, header: SafeTensorsHeader, entry e: TensorEntry, path: String) throws -> Bool {
        guard let expected = header.checksums[e.name] else { return true }
        let total = e.dataOffsets.count
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: min(max(1, total), chunkBytes), alignment: 64)
        defer { scratch.deallocate() }
        var crc = CRC32()
        var done = 0
        while done < total {
            let piece = UnsafeMutableRawBufferPointer(rebasing: scratch[0..<min(scratch.count, total - done)])
            let got = try POSIX.readFully(fd, into: piece, at: header.dataStart + e.dataOffsets.lowerBound + done, path: path)
            if got < piece.count { throw truncatedError(path: path, tensor: e.name) }
            crc.update(UnsafeRawBufferPointer(piece))
            done += got
        }
        return crc.value == expected
    }

    static func truncatedError(path: String, tensor: String) -> CheckpointError {
        CheckpointError(.truncated, path: path, problem: "file ended while reading tensor \"\(tensor)\" (it shrank while being read)",
                        remedy: "wait for the writer to finish, or re-copy the file")
    }

    /// The error for tensors whose data does not match their CRC32 (up to five named).
    public static func damagedError(path: String, tensors damaged: [String]) -> CheckpointError {
        let list = damaged.prefix(5).map { "\"\($0)\"" }.joined(separator: ", ") + (damaged.count > 5 ? " and \(damaged.count - 5) more" : "")
        return CheckpointError(.dataChecksumMismatch, path: path,
                               problem: "data of tensor \(list) does not match its CRC32 (the file is damaged)",
                               remedy: "use another checkpoint (e.g. the previous step or best.safetensors) or re-copy this one",
                               tensors: damaged)
    }
}
