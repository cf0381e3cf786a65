import Foundation
import Synchronization

#if os(Linux)
// <malloc.h> is not part of the Glibc module map; the symbol is stable glibc ABI.
@_silgen_name("mallopt") private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif

/// A contiguous block of Float32 values, allocated once and freed when the last tensor using it
/// goes away. A class around a raw pointer (not a Swift `Array`) so hot loops never pay for
/// bounds checks or copy-on-write, and views (`reshape`) can share it.
public final class Storage: @unchecked Sendable {
    /// Number of Float32 values.
    public let count: Int
    /// The values, 64-byte aligned (one cache line; whole SIMD loads never straddle two).
    public let pointer: UnsafeMutablePointer<Float>

    // Atomic: decoding allocates its caches on several threads at once (`parallelTasks`).
    private static let _liveBytes = Atomic<Int>(0)
    private static let _peakBytes = Atomic<Int>(0)
    /// Bytes held by all live storages now (tests use it to prove graphs are freed).
    public static var liveBytes: Int { _liveBytes.load(ordering: .relaxed) }
    /// The most bytes ever live at once since start or the last `resetPeak()`.
    public static var peakBytes: Int { _peakBytes.load(ordering: .relaxed) }
    /// Starts a new peak measurement from the bytes live now.
    public static func resetPeak() { _peakBytes.store(liveBytes, ordering: .relaxed) }

    private static func noteAllocated(_ bytes: Int) {
        let live = _liveBytes.add(bytes, ordering: .relaxed).newValue
        var peak = _peakBytes.load(ordering: .relaxed)
        while live > peak {
            let (exchanged, original) = _peakBytes.compareExchange(expected: peak, desired: live, ordering: .relaxed)
            if exchanged { break }
            peak = original
        }
    }

    /// Big tensors come and go every training step. glibc serves allocations above 128 KiB
    /// with fresh mmap pages that the kernel must zero on first touch; raising the threshold
    /// keeps them in the heap for reuse (measured: page faults were ~2% of a training step).
    private static let allocatorTuned: Bool = {
        #if os(Linux)
        _ = glibcMallopt(-3, 1 << 30)  // M_MMAP_THRESHOLD
        _ = glibcMallopt(-1, 1 << 30)  // M_TRIM_THRESHOLD
        #endif
        return true
    }()

    /// Uninitialised storage: every caller overwrites all of it before reading.
    public init(uninitializedCount count: Int) {
        _ = Storage.allocatorTuned
        self.count = count
        Storage.noteAllocated(count * 4)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(1, count) * 4, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(1, count))
    }

    /// Storage filled with `value`.
    public convenience init(count: Int, repeating value: Float) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: value, count: count)
    }

    deinit {
        Storage._liveBytes.subtract(count * 4, ordering: .relaxed)
        UnsafeMutableRawPointer(pointer).deallocate()
    }

    /// The values as a buffer (no copy).
    @inlinable public var buffer: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: pointer, count: count)
    }
}

/// An n-dimensional Float32 array, row-major, that remembers how it was computed.
///
/// When gradient recording is on (see `Graph`) and an input requires a gradient, every op
/// attaches a `Node` to its output: the inputs plus a closure that, given the gradient of the
/// output, adds the gradients of the inputs. `backward()` walks those nodes in reverse
/// topological order. Parameters are leaf tensors with `requiresGrad == true`.
public final class Tensor {
    /// Dimensions, outermost first, e.g. `[B, T, D]`.
    public let shape: [Int]
    /// The values (shared with views made by `reshape`).
    public let storage: Storage
    /// Accumulated gradient, same shape; created on first use by `backward()`.
    public internal(set) var grad: Tensor?
    /// Whether gradients flow to (and through) this tensor.
    public var requiresGrad: Bool
    /// How this tensor was computed; `nil` for leaves and after `backward()` freed the graph.
    var node: Node?

    /// Wraps existing storage. `shape` must describe exactly `storage.count` values.
    public init(shape: [Int], storage: Storage, requiresGrad: Bool = false) {
        precondition(shape.reduce(1, *) == storage.count, "shape \(shape) does not match \(storage.count) values")
        self.shape = shape
        self.storage = storage
        self.requiresGrad = requiresGrad
    }

    /// A tensor of the given shape whose values the caller will overwrite entirely.
    public convenience init(uninitializedShape shape: [Int]) {
        self.init(shape: shape, storage: Storage(uninitializedCount: shape.reduce(1, *)))
    }

    /// A tensor filled with `value`.
    public convenience init(shape: [Int], repeating value: Float, requiresGrad: Bool = false) {
        self.init(shape: shape, storage: Storage(count: shape.reduce(1, *), repeating: value), requiresGrad: requiresGrad)
    }

    /// A tensor holding a copy of `values` (row-major).
    public convenience init(shape: [Int], values: [Float], requiresGrad: Bool = false) {
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not match \(values.count) values")
        let s = Storage(uninitializedCount: values.count)
        values.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { s.pointer.initialize(from: base, count: values.count) }
        }
        self.init(shape: shape, storage: s, requiresGrad: requiresGrad)
    }

    /// A scalar (shape `[]`).
    public convenience init(scalar: Float) { self.init(shape: [], values: [scalar]) }

    /// A tensor of zeros (a trainable leaf with `requiresGrad`).
    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        Tensor(shape: shape, repeating: 0, requiresGrad: requiresGrad)
    }

    /// A tensor of ones.
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 1) }

    /// Values drawn from N(0, std²) with the given generator (deterministic for a seed).
    public static func randomNormal(_ shape: [Int], std: Float, rng: inout RandomGenerator, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        for i in 0..<t.count { t.storage.pointer[i] = rng.nextNormal() * std }
        t.requiresGrad = requiresGrad
        return t
    }

    /// Values drawn uniformly from [-bound, bound).
    public static func randomUniform(_ shape: [Int], bound: Float, rng: inout RandomGenerator, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        for i in 0..<t.count { t.storage.pointer[i] = (rng.nextFloat() * 2 - 1) * bound }
        t.requiresGrad = requiresGrad
        return t
    }

    /// Number of values.
    @inlinable public var count: Int { storage.count }
    /// Number of dimensions.
    public var rank: Int { shape.count }
    /// Pointer to the first value.
    @inlinable public var data: UnsafeMutablePointer<Float> { storage.pointer }
    /// A copy of the values as an array (for tests, printing and checkpoints; not for hot loops).
    public var values: [Float] { Array(storage.buffer) }
    /// The single value of a one-element tensor.
    public var item: Float {
        precondition(count == 1, "item needs a one-element tensor, got shape \(shape)")
        return storage.pointer[0]
    }

    /// Size of dimension `axis`; negative axes count from the end.
    public func dim(_ axis: Int) -> Int { shape[axis < 0 ? shape.count + axis : axis] }

    /// Forgets the accumulated gradient (call between optimizer steps).
    public func zeroGrad() { grad = nil }

    /// The gradient buffer, created zero-filled on first use; backward closures add into it.
    public func gradPointer() -> UnsafeMutablePointer<Float> {
        if let g = grad { return g.data }
        let g = Tensor(shape: shape, repeating: 0)
        grad = g
        return g.data
    }

    /// A new leaf tensor with the same values, cut off from the graph.
    public func detached() -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        t.data.update(from: data, count: count)
        return t
    }
}

extension Tensor: CustomStringConvertible {
    /// Shape and the first 8 values.
    public var description: String {
        let head = values.prefix(8).map { String(format: "%.4g", $0) }.joined(separator: ", ")
        return "Tensor(\(shape), [\(head)\(count > 8 ? ", …" : "")])"
    }
}
