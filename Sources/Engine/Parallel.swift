import Dispatch
import Foundation

/// How many threads the heavy kernels use, and a `parallelFor` over them.
///
/// Every kernel splits work into disjoint output ranges and never splits a reduction
/// across threads, so results are bitwise identical for any thread count.
public enum Threads {
    // Set once at start-up (by `train --threads`, `bench`, tests) before kernels run;
    // read-only afterwards, so the unchecked global is race-free in practice.
    nonisolated(unsafe) private static var _count = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Worker threads for heavy ops (e.g. 2 on this machine). Clamped to at least 1.
    public static var count: Int {
        get { _count }
        set { _count = max(1, newValue) }
    }
}

/// Runs `body(i)` for every `i` in `0..<n`, spread over `Threads.count` threads, and returns
/// when all are done. With one thread (or `n == 1`) it runs inline with no dispatch cost.
@inlinable
public func parallelFor(_ n: Int, _ body: @Sendable (Int) -> Void) {
    if n <= 0 { return }
    if n == 1 || Threads.count == 1 {
        for i in 0..<n { body(i) }
        return
    }
    DispatchQueue.concurrentPerform(iterations: n, execute: body)
}

/// Runs `body(range)` over `0..<n` cut into at most `Threads.count` contiguous chunks, each at
/// least `minChunk` long. Use for element-wise loops where per-item dispatch would cost too much.
@inlinable
public func parallelChunks(_ n: Int, minChunk: Int = 16_384, _ body: @Sendable (Range<Int>) -> Void) {
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

/// A raw pointer that may cross into `parallelFor` closures.
///
/// Raw pointers are not `Sendable` in Swift 6; this wrapper is safe because every parallel
/// kernel gives each thread a disjoint range of rows/elements to write, and reads only
/// memory that no thread writes during that call.
public struct SharedPointer<T>: @unchecked Sendable {
    public let base: UnsafeMutablePointer<T>
    @inlinable public init(_ base: UnsafeMutablePointer<T>) { self.base = base }
    @inlinable public init(_ base: UnsafePointer<T>) { self.base = UnsafeMutablePointer(mutating: base) }
    @inlinable public subscript(i: Int) -> T {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }
    @inlinable public func advanced(by n: Int) -> UnsafeMutablePointer<T> { base + n }
}
