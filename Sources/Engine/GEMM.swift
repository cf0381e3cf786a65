/// Public single-precision GEMM entry points and how they spread work over threads.
///
/// Work is split only over disjoint blocks of C (rows or columns, or whole batch items),
/// never over k, and each C element's arithmetic is independent of where the split falls,
/// so results are bitwise identical for any `Threads.count`.

extension GEMMOperands: @unchecked Sendable {}
// Safe to share across the parallelFor workers: each worker writes a disjoint rectangle of C
// and only reads A and B, which nobody writes during the call.

/// Products below this many flops (2*m*n*k) run on the calling thread: a dispatch round trip
/// costs ~10-20 µs, about what a 128x128x64 product takes on one core.
let gemmParallelMinFlops = 2 * 128 * 128 * 64

/// Narrowest strip worth giving a thread a second (third, fourth) of: see `gemmThreaded`.
let gemmMinStrip = 256

/// C = alpha * op(A) * op(B) + beta * C, row-major. op(A) is [m, k], op(B) is [k, n], C is [m, n].
/// transA: A is stored as [k, m] (lda >= m); otherwise [m, k] (lda >= k). Same for B.
/// beta == 0 must overwrite C without reading it (C may hold garbage/NaN); beta == 1 accumulates.
///
/// Packed, cache-blocked, 6x16 FMA micro-kernel (sizes in `GEMMBlocking`); m < 6 streams B
/// in place instead (decoding). Uses `Threads.count` threads for products of at least
/// ~2 MFLOP (128x128x64); smaller ones run inline. k == 0 or alpha == 0 gives C = beta * C
/// without reading A or B. Non-positive m or n is a no-op. The pointers and leading
/// dimensions are trusted: they must describe memory of the stated shapes. When
/// `GEMMTimer.isEnabled`, the call's wall time is added to `GEMMTimer.nanoseconds`.
public func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                  a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                  beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    let ops = GEMMOperands(transA: transA, transB: transB, k: max(0, k), alpha: alpha,
                           a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    let started = GEMMTimer.start()
    gemmThreaded(ops, m: m, n: n, threads: Threads.count)
    GEMMTimer.stop(started, GEMMShape(batch: 1, m: m, n: n, k: k, transA: transA, transB: transB))
}

/// `batch` independent GEMMs; matrix i uses a + i*strideA, b + i*strideB, c + i*strideC
/// (strideB may be 0 to share one B across the batch).
///
/// Many small items (e.g. per-head attention products) are spread over threads a whole item
/// at a time; a few large items are run one after another, each multithreaded. Timed as one
/// call by `GEMMTimer`.
public func sgemmBatched(batch: Int, transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                         a: UnsafePointer<Float>, lda: Int, strideA: Int,
                         b: UnsafePointer<Float>, ldb: Int, strideB: Int,
                         beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, strideC: Int) {
    if batch <= 0 || m <= 0 || n <= 0 { return }
    let started = GEMMTimer.start()
    defer { GEMMTimer.stop(started, GEMMShape(batch: batch, m: m, n: n, k: k, transA: transA, transB: transB)) }
    let ops = GEMMOperands(transA: transA, transB: transB, k: max(0, k), alpha: alpha,
                           a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    @Sendable func item(_ i: Int) -> GEMMOperands {
        var o = ops
        o.a += i * strideA; o.b += i * strideB; o.c += i * strideC
        return o
    }
    let threads = Threads.count
    let itemFlops = 2 * m * n * max(1, k)
    let perItem = batch < 4 * threads && itemFlops >= gemmParallelMinFlops
    if threads == 1 || perItem || batch * itemFlops < gemmParallelMinFlops {
        for i in 0..<batch { gemmThreaded(item(i), m: m, n: n, threads: perItem ? threads : 1) }
        return
    }
    // A few chunks per thread, handed out dynamically, so a core shared with another process
    // does not hold everyone up; each chunk is whole items, so results stay thread-invariant.
    let chunks = min(4 * threads, batch)
    let per = (batch + chunks - 1) / chunks
    parallelFor(chunks) { chunk in
        // chunks · per may exceed batch (10 items, 8 chunks of 2): trailing chunks are empty.
        for i in stride(from: chunk * per, to: min(batch, (chunk + 1) * per), by: 1) {
            gemmThreaded(item(i), m: m, n: n, threads: 1)
        }
    }
}

/// Runs one GEMM, cutting C into row or column strips (whichever dimension has more
/// micro-tiles; 1 to 4 per thread), each computed by `gemmRectangle` (or `gemmFewRows` when
/// m < 6) on whichever worker takes it.
func gemmThreaded(_ ops: GEMMOperands, m: Int, n: Int, threads: Int) {
    if m <= 0 || n <= 0 { return }
    if ops.k == 0 || ops.alpha == 0 {
        gemmScale(c: ops.c, ldc: ops.ldc, rows: 0..<m, cols: 0..<n, beta: ops.beta)
        return
    }
    let mr = GEMMBlocking.mr, nr = GEMMBlocking.nr
    let tilesM = (m + mr - 1) / mr, tilesN = (n + nr - 1) / nr
    let splitRows = tilesM >= tilesN
    let tiles = splitRows ? tilesM : tilesN
    let flops = 2 * m * n * ops.k
    // Big products get up to 4 strips per thread, handed out dynamically: when another process
    // holds a core, the other thread picks up more strips instead of everyone waiting for the
    // slowed one. Each strip re-packs the whole shared operand, which costs about 8 / (strip
    // width) of the strip's FMA time, so strips stay >= 256 rows/columns (~3%).
    let length = splitRows ? m : n
    let perThread = max(1, min(4, length / (threads * gemmMinStrip)))
    let parts = flops < gemmParallelMinFlops || threads == 1 ? 1 : min(perThread * threads, tiles)
    let fewRows = m < mr
    if parts <= 1 {
        if fewRows {
            gemmFewRows(ops, rows: 0..<m, cols: 0..<n)
        } else {
            gemmRectangle(ops, rows: 0..<m, cols: 0..<n)
        }
        return
    }
    // Strips are whole micro-tiles so only the last strip has edge tiles.
    let tilesPer = (tiles + parts - 1) / parts
    parallelFor(parts) { p in
        if splitRows {
            let lo = p * tilesPer * mr
            gemmRectangle(ops, rows: min(m, lo)..<min(m, lo + tilesPer * mr), cols: 0..<n)
        } else {
            let lo = p * tilesPer * nr
            let cols = min(n, lo)..<min(n, lo + tilesPer * nr)
            if fewRows {
                gemmFewRows(ops, rows: 0..<m, cols: cols)
            } else {
                gemmRectangle(ops, rows: 0..<m, cols: cols)
            }
        }
    }
}
