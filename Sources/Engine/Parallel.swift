import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

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

extension Threads {
    /// True on a thread that is running a parallel section's work (`parallelTasks`, a kernel's
    /// chunks): kernels called from there run on that thread instead of opening a nested
    /// section, whose workers would be the ones already busy with the outer one. Decoding uses
    /// this to run whole batches of sentences side by side, each on one thread.
    public static var isInsideParallelSection: Bool { pthread_getspecific(insideParallelKey) != nil }
}

/// Key of the per-thread flag behind `Threads.isInsideParallelSection`.
private let insideParallelKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
}()

/// Marks the calling thread as inside a parallel section for good (the pool's workers).
func markParallelThread() {
    pthread_setspecific(insideParallelKey, UnsafeRawPointer(bitPattern: 1))
}

/// Runs `body(i)` for `i` in `0..<n` on `Threads.count` threads: the pool's (`WorkerPool`), or
/// Dispatch's while another thread's section holds the pool.
private func runSection(_ n: Int, _ body: @Sendable (Int) -> Void) {
    let helpers = min(Threads.count, n) - 1
    if WorkerPool.shared.run(n, helpers: helpers, { i in markedParallel { body(i) } }) { return }
    DispatchQueue.concurrentPerform(iterations: n) { i in markedParallel { body(i) } }
}

/// Runs `body` with the calling thread marked as inside a parallel section.
@inline(__always)
private func markedParallel<T>(_ body: () -> T) -> T {
    let outer = pthread_getspecific(insideParallelKey)
    pthread_setspecific(insideParallelKey, UnsafeRawPointer(bitPattern: 1))
    defer { pthread_setspecific(insideParallelKey, outer) }
    return body()
}

/// Whether a parallel section would run on one thread anyway: one kernel thread, or already
/// inside a section.
@inline(__always)
private var runsInline: Bool { Threads.count == 1 || Threads.isInsideParallelSection }

/// Runs `body(i)` for every `i` in `0..<n`, spread over `Threads.count` threads, and returns
/// when all are done. With one thread, `n == 1` or inside another parallel section it runs
/// inline with no dispatch cost.
func parallelFor(_ n: Int, _ body: @Sendable (Int) -> Void) {
    if n <= 0 { return }
    if n == 1 || runsInline {
        for i in 0..<n { body(i) }
        return
    }
    runSection(n, body)
}

/// Runs `body(i)` for every task `i` in `0..<n` on up to `Threads.count` threads, handing tasks
/// out one at a time as threads become free (so tasks of unequal size balance), and returns
/// when all are done; kernels called by `body` run on its thread. Inline (in order) with one
/// thread or inside another parallel section. For coarse work that is not arithmetic on one
/// tensor: e.g. decoding batches of sentences side by side.
public func parallelTasks(_ n: Int, _ body: @Sendable (Int) -> Void) {
    parallelFor(n, body)
}

/// Runs `body(range)` over `0..<n` cut into at most `Threads.count` contiguous chunks, each at
/// least `minChunk` long. Use for element-wise loops where per-item dispatch would cost too much.
func parallelChunks(_ n: Int, minChunk: Int = 16_384, _ body: @Sendable (Range<Int>) -> Void) {
    if n <= 0 { return }
    let chunks = runsInline ? 1 : min(Threads.count, max(1, n / max(1, minChunk)))
    if chunks == 1 { body(0..<n); return }
    let per = (n + chunks - 1) / chunks
    runSection(chunks) { c in
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
