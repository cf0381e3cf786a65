import Dispatch
import Foundation

/// How many threads the heavy kernels use, and a `parallelFor` over them.
///
/// Every kernel splits work into disjoint output ranges and never splits a reduction
/// across threads, so results are bitwise identical for any thread count.
public enum Threads {
    /// The cores this process may use (e.g. 2 on this machine): the default thread count of the
    /// kernels, of `train` and of `translate`.
    public static let available = max(1, ProcessInfo.processInfo.activeProcessorCount)

    // Set once at start-up (by `train --threads`, `bench`, tests) before kernels run;
    // read-only afterwards, so the unchecked global is race-free in practice.
    nonisolated(unsafe) private static var _count = available

    /// Worker threads for heavy ops, `available` unless set (e.g. `--threads`). Clamped to at least 1.
    public static var count: Int {
        get { _count }
        set { _count = max(1, newValue) }
    }
}

/// Runs `body(i)` for every `i` in `0..<n`, spread over `Threads.count` threads, and returns
/// when all are done. With one thread (or `n == 1`) it runs inline with no dispatch cost.
func parallelFor(_ n: Int, _ body: @Sendable (Int) -> Void) {
    if n <= 0 { return }
    if n == 1 || Threads.count == 1 {
        for i in 0..<n { body(i) }
        return
    }
    DispatchQueue.concurrentPerform(iterations: n, execute: body)
}

/// Runs `body(range)` over `0..<n` cut into at most `Threads.count` contiguous chunks, each at
/// least `minChunk` long. Use for element-wise loops where per-item dispatch would cost too much.
func parallelChunks(_ n: Int, minChunk: Int = 16_384, _ body: @Sendable (Range<Int>) -> Void) {
    if n <= 0 { return }
    let chunks = min(Threads.count, max(1, n / max(1, minChunk)))
    if chunks == 1 { body(0..<n); return }
    let per = (n + chunks - 1) / chunks
    DispatchQueue.concurrentPerform(iterations: chunks) { c in
        let lo = c * per
        let hi = min(n, lo + per)
        if lo < hi { body(lo..<hi) }
    }
}

/// Runs `body(segment, range)` over segments of the given lengths (e.g. the parameters of a
/// model) as one parallel section: the concatenation is cut into at most `Threads.count` chunks
/// of at least `minChunk` elements, and each chunk visits its part of every segment it covers.
func parallelSegments(_ lengths: [Int], minChunk: Int, _ body: @Sendable (Int, Range<Int>) -> Void) {
    var starts = [0]
    for n in lengths { starts.append(starts.last! + n) }
    let ends = starts
    parallelChunks(ends.last!, minChunk: minChunk) { chunk in
        // The first segment that ends after the chunk starts.
        var k = 0
        while ends[k + 1] <= chunk.lowerBound { k += 1 }
        while k < lengths.count && ends[k] < chunk.upperBound {
            let lo = max(chunk.lowerBound, ends[k]) - ends[k], hi = min(chunk.upperBound, ends[k + 1]) - ends[k]
            if lo < hi { body(k, lo..<hi) }
            k += 1
        }
    }
}

/// `body(i)` for every `i` in `0..<n` spread over the kernel threads, results in index order:
/// for work that is not arithmetic on tensors (e.g. reading a checkpoint's tensors in parallel).
public func parallelMap<T: Sendable>(_ n: Int, _ body: @Sendable (Int) -> T) -> [T] {
    if n <= 0 { return [] }
    let results = UnsafeMutablePointer<T?>.allocate(capacity: n)
    results.initialize(repeating: nil, count: n)
    defer { results.deinitialize(count: n); results.deallocate() }
    let shared = SharedPointer(results)
    parallelFor(n) { i in shared[i] = body(i) }
    return (0..<n).map { results[$0]! }
}

/// A raw pointer that may cross into `parallelFor` closures.
///
/// Raw pointers are not `Sendable` in Swift 6; this wrapper is safe because every parallel
/// kernel gives each thread a disjoint range of rows/elements to write, and reads only
/// memory that no thread writes during that call.
struct SharedPointer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
    @inline(__always) init(_ base: UnsafeMutablePointer<T>) { self.base = base }
    @inline(__always) init(_ base: UnsafePointer<T>) { self.base = UnsafeMutablePointer(mutating: base) }
    @inline(__always) subscript(i: Int) -> T {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }
}
