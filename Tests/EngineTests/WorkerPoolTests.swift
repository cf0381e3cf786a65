import Dispatch
import Engine
import Foundation
import Synchronization
import XCTest

/// The pool behind every parallel section (`WorkerPool`): each iteration runs exactly once
/// whatever the thread count, nesting or concurrent callers, and a section's iterations really
/// run side by side — including the first section after a worker is started (a worker once took
/// that section for one it had already seen and left the caller alone with it).
final class WorkerPoolTests: XCTestCase {
    private var saved = Threads.count
    override func setUp() { saved = Threads.count }
    override func tearDown() { Threads.count = saved }

    /// Runs `sections` sections of 1–37 iterations; the first whose iterations did not each run
    /// once, or nil.
    private static func firstWrongSection(sections: Int, seed: Int) -> Int? {
        let runs = Atomic<Int>(0)
        for s in 0..<sections {
            let n = 1 + (s * 7 + seed) % 37
            runs.store(0, ordering: .relaxed)
            let seen = parallelMap(n) { i in
                runs.add(1, ordering: .relaxed)
                return i
            }
            // Each index once (a skipped one would crash parallelMap), and no iteration twice.
            if seen != Array(0..<n) || runs.load(ordering: .relaxed) != n { return s }
        }
        return nil
    }

    func testEveryIterationRunsOnceAtAnyThreadCount() {
        for threads in [1, 2, 3, 8] {
            Threads.count = threads
            // Many short sections in a row: the moment between two sections is where races live.
            XCTAssertNil(Self.firstWrongSection(sections: threads == 2 ? 20_000 : 500, seed: threads), "\(threads) threads")
        }
    }

    func testNestedSectionsRunInlineAndCompletely() {
        Threads.count = 2
        let inner = parallelMap(6) { i in parallelMap(5) { j in i * 10 + j }.reduce(0, +) }
        XCTAssertEqual(inner, (0..<6).map { i in (0..<5).map { i * 10 + $0 }.reduce(0, +) })
    }

    func testTwoCallersAtOnceBothFinish() {
        Threads.count = 2
        // One caller holds the pool; the other runs its sections another way. Both must finish
        // with every iteration run once.
        let wrong = Mutex<[Int?]>([nil, nil])
        DispatchQueue.concurrentPerform(iterations: 2) { k in
            let w = Self.firstWrongSection(sections: 300, seed: k)
            wrong.withLock { $0[k] = w }
        }
        XCTAssertEqual(wrong.withLock { $0 }, [nil, nil])
    }

    func testASectionsIterationsRunSideBySideFromTheFirstSection() {
        // A thread count no other test uses, so workers are started here: the very first
        // section must already be shared. Each iteration waits (up to 10 s) until all have
        // started, which only happens if `n` threads run them at the same time.
        let n = 6
        Threads.count = n
        for section in 0..<3 {
            let started = Atomic<Int>(0)
            let together = parallelMap(n) { _ in
                started.add(1, ordering: .relaxed)
                let deadline = Date().addingTimeInterval(10)
                while started.load(ordering: .relaxed) < n && Date() < deadline { sched_yield() }
                return started.load(ordering: .relaxed) == n
            }
            XCTAssertEqual(together, Array(repeating: true, count: n), "section \(section): iterations did not run side by side")
        }
    }
}
