/// How many checkpoints a training run keeps.
public struct CheckpointPolicy: Codable, Sendable, Equatable {
    /// Most recent step files kept; older ones are deleted after a newer save succeeds, e.g. 3.
    /// `best.safetensors` is kept in addition, whatever its step.
    public var keepLatest: Int

    /// Keep the latest `keepLatest` step files.
    public init(keepLatest: Int = 3) { self.keepLatest = keepLatest }
}

/// The contents of `checkpoints.json`: which files a checkpoint directory holds and why.
///
/// Written atomically after every save so tools (and people) can see steps and scores without
/// opening the tensors. The files on disk stay the source of truth: `latest()` and `resolve`
/// look at the directory itself, so a stale or missing index never hides a checkpoint.
public struct CheckpointIndex: Codable, Sendable, Equatable {
    /// One saved checkpoint file.
    public struct Entry: Codable, Sendable, Equatable {
        /// File name inside the directory, e.g. "step-00001200.safetensors".
        public var file: String
        /// Training step it was taken at, e.g. 1200.
        public var step: Int
        /// Validation score at that step (e.g. BLEU 23.4), nil if none was computed.
        public var score: Double?

        /// One saved checkpoint.
        public init(file: String, step: Int, score: Double?) {
            self.file = file
            self.step = step
            self.score = score
        }
    }

    /// Retained step files in save order, most recent last, e.g. the last 3.
    public var checkpoints: [Entry]
    /// The checkpoint `best.safetensors` holds (its step file may since have been deleted).
    public var best: Entry?
    /// Whether a larger score is better (BLEU) or worse (loss), as of the last save.
    public var higherIsBetter: Bool

    /// An index of `checkpoints`, oldest first, and the best.
    public init(checkpoints: [Entry] = [], best: Entry? = nil, higherIsBetter: Bool = true) {
        self.checkpoints = checkpoints
        self.best = best
        self.higherIsBetter = higherIsBetter
    }
}
