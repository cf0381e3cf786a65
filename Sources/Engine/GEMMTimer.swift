#if canImport(Glibc)
import Glibc
#endif

/// An opt-in stopwatch around the public GEMM entry points (`sgemm`, `sgemmBatched`), so
/// `bench` can report what share of a training step is matrix multiplication and what share
/// is everything else (the part fused kernels and less copying can still win back).
///
/// Off by default; when off, each GEMM call pays one load and one branch. When on, each call
/// reads the monotonic clock twice and adds the difference to a plain global counter: GEMM
/// calls are issued from one thread at a time (their parallelism is inside them), so the
/// counter is only touched by the calling thread. Do not enable it while several threads
/// issue GEMMs concurrently; the total would race.
public enum GEMMTimer {
    // Set by `bench` between steps; read by the calling thread of every GEMM.
    nonisolated(unsafe) private static var enabled = false
    nonisolated(unsafe) private static var total: UInt64 = 0
    nonisolated(unsafe) private static var count = 0
    nonisolated(unsafe) private static var shapes: [GEMMShape: GEMMShapeTime] = [:]

    /// Whether GEMM calls are timed. Turning it on or off keeps the totals.
    public static var isEnabled: Bool {
        get { enabled }
        set { enabled = newValue }
    }

    /// Wall nanoseconds spent inside timed GEMM calls since the last `reset`.
    public static var nanoseconds: UInt64 { total }

    /// Timed GEMM calls since the last `reset` (one per `sgemm` or `sgemmBatched` call).
    public static var calls: Int { count }

    /// Time and calls per product shape since the last `reset`: which products a step spends
    /// its GEMM time on, and at what rate (`GEMMShapeTime.gflops`).
    public static var byShape: [GEMMShape: GEMMShapeTime] { shapes }

    /// Sets the totals back to zero.
    public static func reset() {
        total = 0
        count = 0
        shapes = [:]
    }

    /// The start time of a GEMM call when timing is on, else 0 (meaning "not timed").
    @inline(__always) static func start() -> UInt64 {
        enabled ? now() : 0
    }

    /// Adds the time since `start` (from `start()`) to the total and to `shape`'s; nothing when
    /// it was 0.
    @inline(__always) static func stop(_ start: UInt64, _ shape: @autoclosure () -> GEMMShape) {
        if start != 0 {
            let elapsed = now() &- start
            total &+= elapsed
            count &+= 1
            shapes[shape(), default: GEMMShapeTime()].add(nanoseconds: elapsed)
        }
    }

    private static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        // +1 so a clock reading of exactly 0 is never mistaken for "not timed".
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec) &+ 1
    }
}

/// One product shape as the caller asked for it: `batch` products of op(A) [m, k] by op(B) [k, n].
public struct GEMMShape: Hashable, Sendable, CustomStringConvertible {
    public var batch: Int, m: Int, n: Int, k: Int
    public var transA: Bool, transB: Bool

    public init(batch: Int, m: Int, n: Int, k: Int, transA: Bool, transB: Bool) {
        (self.batch, self.m, self.n, self.k, self.transA, self.transB) = (batch, m, n, k, transA, transB)
    }

    /// Multiply-adds times two over the whole batch.
    public var flops: Double { 2 * Double(batch) * Double(m) * Double(n) * Double(k) }

    /// E.g. `4x[20,32]·[32,20]ᵀ` (ᵀ marks a transposed operand).
    public var description: String { formatted { "\($0)" } }

    /// The description with each size (batch count, m, n, k) written by `size`, e.g. `*` for the
    /// sizes that follow the batch; a batch of 1 is left out.
    public func formatted(_ size: (Int) -> String) -> String {
        (batch > 1 ? "\(size(batch))x" : "") + "[\(size(m)),\(size(k))]\(transA ? "ᵀ" : "")·[\(size(k)),\(size(n))]\(transB ? "ᵀ" : "")"
    }
}

/// Accumulated wall time and calls of one `GEMMShape`.
public struct GEMMShapeTime: Sendable {
    public private(set) var nanoseconds: UInt64 = 0
    public private(set) var calls = 0

    mutating func add(nanoseconds elapsed: UInt64) {
        nanoseconds &+= elapsed
        calls += 1
    }

    /// The rate `shape` ran at over these calls, in GFLOP/s.
    public func gflops(_ shape: GEMMShape) -> Double {
        nanoseconds == 0 ? 0 : shape.flops * Double(calls) / Double(nanoseconds)
    }
}
