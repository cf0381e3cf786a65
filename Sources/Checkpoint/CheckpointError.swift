/// Everything that can go wrong reading, writing or locating a checkpoint.
///
/// Every error names the file it concerns, says what is wrong and what to do about it, so a
/// message printed by `train`, `translate` or `inspect` is actionable on its own.
/// `kind` lets callers and tests react to the class of problem without parsing text. Messages
/// name no command-line flag: `setting` says which setting would fix it, and the tools add how.
public struct CheckpointError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The class of problem.
    public enum Kind: String, Sendable, Equatable {
        /// The file or directory does not exist.
        case fileNotFound
        /// The file is not a safetensors file at all (e.g. a text file).
        case notSafeTensors
        /// The file ends before the header or data it declares.
        case truncated
        /// The JSON header is malformed or has an unexpected structure.
        case invalidHeader
        /// A tensor uses a dtype other than F32.
        case unsupportedDType
        /// Data offsets overlap, leave gaps, fall outside the data, or disagree with the shape.
        case badOffsets
        /// A tensor's bytes do not match the checksum recorded when it was written.
        case dataChecksumMismatch
        /// The header (metadata or tensor table) does not match its recorded checksum.
        case headerChecksumMismatch
        /// The file was written by an unknown (newer) version of this format.
        case unsupportedFormat
        /// The caller passed something that cannot be written (duplicate names, bad shape...).
        case invalidArgument
        /// An operating-system call failed (permissions, disk full, I/O error).
        case io
        /// Another process holds the training lock on a checkpoint directory.
        case locked
        /// A directory holds no checkpoint to load.
        case noCheckpoint
        /// A checkpoint directory's `checkpoints.json` index cannot be decoded.
        case invalidIndex
    }

    /// The class of problem, e.g. `.truncated`.
    public let kind: Kind
    /// The file or directory concerned, e.g. "checkpoints/run1/step-00001000.safetensors".
    public let path: String
    /// What is wrong, e.g. "file is 1200 bytes but its header declares 4096".
    public let problem: String
    /// What to do about it, e.g. "re-copy the file or pick an older checkpoint".
    public let remedy: String
    /// Names of the damaged tensors, for `.dataChecksumMismatch` (empty otherwise).
    public let tensors: [String]
    /// The setting that would fix it, if one does.
    public let setting: Setting?

    /// A setting a user can change to get past the error.
    public enum Setting: String, Sendable, Equatable {
        /// The folder a training run writes its checkpoints to.
        case outputFolder
        /// The checkpoint file or folder to read (where a model would first have to be trained).
        case checkpoint
    }

    /// An error of `kind` about `path`: what is wrong, what to do, the damaged tensors if any,
    /// and the setting that would fix it if one would.
    public init(_ kind: Kind, path: String, problem: String, remedy: String, tensors: [String] = [], setting: Setting? = nil) {
        self.kind = kind
        self.path = path
        self.problem = problem
        self.remedy = remedy
        self.tensors = tensors
        self.setting = setting
    }

    /// "PATH: problem; remedy", printable as is.
    public var description: String { "\(path): \(problem); \(remedy)" }
}
