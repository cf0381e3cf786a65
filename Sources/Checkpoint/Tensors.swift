/// One named F32 tensor: what a checkpoint stores per parameter.
public struct NamedTensor: Equatable, Sendable {
    /// Parameter name, e.g. "encoder.layers.0.self.query.weight".
    public var name: String
    /// Dimensions, outermost first, e.g. [512, 512]; [] is a scalar (one value).
    public var shape: [Int]
    /// Row-major values; `values.count` must equal the product of `shape`.
    public var values: [Float]

    /// A named tensor; `values` must fill `shape`.
    public init(name: String, shape: [Int], values: [Float]) {
        self.name = name
        self.shape = shape
        self.values = values
    }

    /// Bitwise equality (NaN payloads and -0.0 included), unlike `==` on Float arrays.
    public func isBitwiseEqual(to other: NamedTensor) -> Bool {
        name == other.name && shape == other.shape && values.count == other.values.count
            && values.withUnsafeBytes { a in other.values.withUnsafeBytes { b in a.elementsEqual(b) } }
    }
}

/// How far a file read was checked against the checksums recorded when it was written.
public enum Integrity: String, Sendable, Equatable {
    /// Our format: the header checksum and every tensor's CRC32 matched.
    case verified
    /// Our format, but the caller passed `verify: false` (structure still fully validated).
    case notVerified
    /// Written by another tool (e.g. Python's safetensors): no checksums to check.
    case noChecksums
}

/// A whole safetensors file: tensors in file order plus string metadata.
public struct SafeTensorsFile: Sendable {
    /// Tensors in the order they are stored (the caller's order when we wrote the file).
    public var tensors: [NamedTensor]
    /// Free-form string metadata, e.g. ["config": "{...}", "step": "1200"]. The integrity
    /// keys this module adds (`format`, `checksums`, `header_crc32`) are removed on read of our
    /// own files and replaced on write.
    public var metadata: [String: String]
    /// What `read` could check; `.verified` for files written here (set by `read`, ignored by `write`).
    public var integrity: Integrity

    /// A file's contents.
    public init(tensors: [NamedTensor], metadata: [String: String] = [:], integrity: Integrity = .notVerified) {
        self.tensors = tensors
        self.metadata = metadata
        self.integrity = integrity
    }

    /// The first tensor called `name`, or nil.
    public func tensor(named name: String) -> NamedTensor? {
        tensors.first { $0.name == name }
    }
}

/// Where one tensor lives in a file, without its data.
public struct TensorEntry: Equatable, Sendable {
    /// Parameter name, e.g. "decoder.out.bias".
    public var name: String
    /// Dtype string as stored, e.g. "F32".
    public var dtype: String
    /// Dimensions, e.g. [8000, 256].
    public var shape: [Int]
    /// Byte range relative to the start of the data section, e.g. 0..<8192000.
    public var dataOffsets: Range<Int>
    /// Number of elements: the product of `shape`.
    public var elementCount: Int { shape.reduce(1, *) }
}

/// A checkpoint's table of contents: what `inspect` shows without loading tensor data.
public struct SafeTensorsHeader: Sendable {
    /// Tensors ordered by their data offsets (the order they were written).
    public var tensors: [TensorEntry]
    /// Metadata with the integrity keys removed for our own files (see `SafeTensorsFile.metadata`).
    public var metadata: [String: String]
    /// The format tag, e.g. "tiny-translator/1", or nil for files written by other tools.
    public var format: String?
    /// CRC32 per tensor name as recorded at write time (empty for other tools' files).
    public var checksums: [String: UInt32]
    /// Size of the JSON header in bytes including padding (N in the file layout).
    public var headerLength: Int
    /// Total file size in bytes: 8 + headerLength + data bytes.
    public var fileSize: Int
    /// Byte offset of the data section in the file (8 + headerLength).
    public var dataStart: Int { 8 + headerLength }
}
