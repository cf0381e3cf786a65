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

    /// Whether GEMM calls are timed. Turning it on or off keeps the totals.
    public static var isEnabled: Bool {
        get { enabled }
        set { enabled = newValue }
    }

    /// Wall nanoseconds spent inside timed GEMM calls since the last `reset`.
    public static var nanoseconds: UInt64 { total }

    /// Timed GEMM calls since the last `reset` (one per `sgemm` or `sgemmBatched` call).
    public static var calls: Int { count }

    /// Sets the totals back to zero.
    public static func reset() {
        total = 0
        count = 0
    }

    /// The start time of a GEMM call when timing is on, else 0 (meaning "not timed").
    @inline(__always) static func start() -> UInt64 {
        enabled ? now() : 0
    }

    /// Adds the time since `start` (from `start()`) to the total; nothing when it was 0.
    @inline(__always) static func stop(_ start: UInt64) {
        if start != 0 {
            total &+= now() &- start
            count &+= 1
        }
    }

    private static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        // +1 so a clock reading of exactly 0 is never mistaken for "not timed".
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec) &+ 1
    }
}
