// Shape legend: R rows (tokens being decoded: sentences x beams, or a batch's source positions),
// W width of one row.

/// Activations for the no-grad inference kernels (`linearRows`, `layerNormRows`, `embedRows`,
/// `attendCached`): `count` rows of `width` floats, row-major, in storage with room for
/// `capacity` rows that is reused from one decoding step to the next, so a step allocates
/// nothing. The graph twin of a `Rows` is a `Tensor` of shape [R, W]; `tensor()` copies one out.
///
/// Kernels read `count` rows of their input and set their output's `count` to match.
public final class Rows {
    /// Floats per row (W), e.g. d_model.
    public let width: Int
    /// Rows the storage has room for.
    public private(set) var capacity: Int
    /// Rows in use (R), at most `capacity`.
    public var count: Int {
        didSet { precondition(count >= 0 && count <= capacity, "Rows.count \(count) outside 0...\(capacity)") }
    }
    private(set) var storage: Storage

    /// Room for `capacity` rows of `width` floats; `count` starts at `capacity`. Values are unset.
    public init(capacity: Int, width: Int) {
        precondition(capacity >= 0 && width >= 0, "Rows needs a non-negative shape, got \(capacity) x \(width)")
        self.width = width
        self.capacity = capacity
        self.count = capacity
        storage = Storage(uninitializedCount: capacity * width)
    }

    /// Rows holding a copy of `tensor`'s values, read as [count / width, width].
    public convenience init(copying tensor: Tensor, width: Int) {
        precondition(width > 0 && tensor.count % width == 0, "a tensor of \(tensor.count) values is not rows of \(width)")
        self.init(capacity: tensor.count / width, width: width)
        pointer.update(from: tensor.data, count: tensor.count)
    }

    /// Rows that are `tensor`'s values, read as [count / width, width] (shared, not copied):
    /// a kernel writing them writes the tensor, e.g. the logits `linearRows` computes.
    public init(sharing tensor: Tensor, width: Int) {
        precondition(width > 0 && tensor.count % width == 0, "a tensor of \(tensor.count) values is not rows of \(width)")
        self.width = width
        capacity = tensor.count / width
        count = capacity
        storage = tensor.storage
    }

    /// Makes room for at least `rows` rows, keeping the values of the rows in use.
    public func reserve(_ rows: Int) {
        guard rows > capacity else { return }
        let grown = Storage(uninitializedCount: rows * width)
        grown.pointer.update(from: storage.pointer, count: count * width)
        storage = grown
        capacity = rows
    }

    /// A copy of the rows in use as a tensor [count, width].
    public func tensor() -> Tensor {
        let t = Tensor(uninitializedShape: [count, width])
        t.data.update(from: pointer, count: count * width)
        return t
    }

    /// The first value of row 0 (engine kernels only).
    var pointer: UnsafeMutablePointer<Float> { storage.pointer }

    /// Row `i`'s first value (engine kernels only).
    @inline(__always) func row(_ i: Int) -> UnsafeMutablePointer<Float> { storage.pointer + i * width }
}
