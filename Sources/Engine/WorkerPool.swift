import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

// The threads behind `parallelFor` and `parallelChunks`.
//
// A training step runs hundreds of parallel sections, most of them 20–500 µs long, separated by
// short serial stretches. With `DispatchQueue.concurrentPerform` each section woke a worker
// that had gone to sleep: the wake-up costs microseconds when the machine is idle, and when any
// other process holds the second core the worker arrives late, the caller waits for it, and
// training ran on about one core (the issue measured 1.03 cores busy beside niced processes).
// These workers stay awake between sections: after a section each spins for `spinTime` on the
// section counter before sleeping on a condition variable, so the next section of the same step
// starts on both cores at once. Work is handed out one iteration at a time (an atomic ticket),
// so a late worker only takes what the caller has not yet done. Which thread runs an iteration
// never changes its result: kernels write disjoint outputs.

/// A fixed set of worker threads that run the iterations of one parallel section at a time
/// together with the calling thread.
final class WorkerPool: @unchecked Sendable {
    /// The pool the kernels use.
    static let shared = WorkerPool()

    /// How long an idle worker keeps checking for the next section before it sleeps (seconds).
    /// Spinning shows as CPU time: `cores_busy` counts it.
    static let spinTime = 0.000_2

    /// (section number << 40) | (iterations << 20) | next iteration to hand out: one word, so a
    /// claim compares an index with its own section's size. (With the size in a separate
    /// variable, a worker could read the old section's exhausted index and the next section's
    /// size in the moment between the caller writing the two, claim an index that does not
    /// exist, run the next section's body with it and let that section end one iteration early.)
    private let ticket = Atomic<Int>(0)
    /// Sections of at most this many iterations run on the pool.
    static let maxIterations = 1 << 20
    /// Iterations handed out but not finished.
    private let pending = Atomic<Int>(0)
    /// Workers still allowed to join the current section (`Threads.count` − 1 at its start).
    private let seats = Atomic<Int>(0)
    /// Workers waiting on `wake`.
    private let sleepers = Atomic<Int>(0)
    /// Held by the thread whose section is running; another thread's section then runs elsewhere.
    private let busy = Atomic<Bool>(false)
    /// The current section's body; written before its ticket is published, read only by a
    /// thread that has claimed one of its iterations (so the caller is still waiting on it).
    nonisolated(unsafe) private var body: ((Int) -> Void)?
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Worker threads started so far (grows to `Threads.count` − 1; never shrinks).
    private var started = 0

    private init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
    }

    /// Runs `body(i)` for `i` in `0..<n` on the calling thread and up to `helpers` workers;
    /// returns when every iteration has finished. False (nothing run) when another thread's
    /// section is in progress: the caller then runs it some other way.
    func run(_ n: Int, helpers: Int, _ body: (Int) -> Void) -> Bool {
        guard n < Self.maxIterations else { return false }
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        defer { busy.store(false, ordering: .releasing) }
        while started < helpers { startWorker() }
        withoutActuallyEscaping(body) { body in
            self.body = body
            pending.store(n, ordering: .relaxed)
            seats.store(helpers, ordering: .relaxed)
            let section = ((ticket.load(ordering: .relaxed) >> 40) + 1) & 0x7F_FFFF
            ticket.store(section << 40 | n << 20, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(mutex)
                pthread_cond_broadcast(wake)
                pthread_mutex_unlock(mutex)
            }
            claim(section: section)
            // A helper still finishing an iteration; yield now and then in case it waits for
            // this core (more kernel threads than cores).
            var spins = 0
            while pending.load(ordering: .acquiring) > 0 {
                spins += 1
                if spins & 1023 == 0 { sched_yield() }
            }
            self.body = nil
        }
        return true
    }

    /// Runs iterations of section `section` until none are left to hand out.
    private func claim(section: Int) {
        while true {
            let t = ticket.load(ordering: .acquiring)
            let (i, n) = (t & 0xF_FFFF, (t >> 20) & 0xF_FFFF)
            guard t >> 40 == section, i < n else { return }
            guard ticket.compareExchange(expected: t, desired: t + 1, ordering: .acquiringAndReleasing).exchanged else { continue }
            body!(i)
            pending.subtract(1, ordering: .releasing)
        }
    }

    private func startWorker() {
        started += 1
        // The sections the new worker need not help with: those before the one about to start.
        let seen = ticket.load(ordering: .relaxed) >> 40
        let thread = Thread { [self] in work(after: seen) }
        thread.name = "tiny-translator worker \(started)"
        thread.start()
    }

    /// A worker's life: wait for a new section (spinning, then sleeping), take a seat, help.
    private func work(after section: Int) {
        markParallelThread()
        var seen = section
        while true {
            var section = ticket.load(ordering: .acquiring) >> 40
            // Spinning on a core another thread needs would slow it down: only spin when there
            // is a core for each kernel thread.
            if section == seen && Threads.count <= Threads.available {
                let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(Self.spinTime * 1e9)
                var spins = 0
                while section == seen {
                    spins += 1
                    if spins & 255 == 0 && DispatchTime.now().uptimeNanoseconds > deadline { break }
                    section = ticket.load(ordering: .acquiring) >> 40
                }
            }
            if section == seen {
                pthread_mutex_lock(mutex)
                sleepers.add(1, ordering: .sequentiallyConsistent)
                while ticket.load(ordering: .sequentiallyConsistent) >> 40 == seen { pthread_cond_wait(wake, mutex) }
                sleepers.subtract(1, ordering: .relaxed)
                pthread_mutex_unlock(mutex)
                section = ticket.load(ordering: .acquiring) >> 40
            }
            seen = section
            if seats.subtract(1, ordering: .relaxed).newValue >= 0 { claim(section: section) }
        }
    }
}
