import Engine

/// GEMM throughput: square cubes (the headline figure) plus the model's typical shapes —
/// linear layers forward ([B*T, d] x [d, 4d]) and backward (dX = dY * W^T, dW = X^T * dY),
/// and batched per-head attention (scores Q * K^T, then P * V, and 16^3 tiles).
func benchGEMM(_ bench: Bench) {
    for size in [256, 512, 1024] where bench.wants("gemm") {
        for threads in bench.options.threads {
            gemmCase(bench, name: "gemm", batch: 1, m: size, n: size, k: size,
                     transB: false, threads: threads)
        }
    }
    if bench.wants("gemm_linear") {
        for threads in bench.options.threads {
            gemmCase(bench, name: "gemm_linear", batch: 1, m: 1000, n: 2048, k: 512,
                     transB: false, threads: threads)
            gemmCase(bench, name: "gemm_linear", batch: 1, m: 1000, n: 512, k: 2048,
                     transB: true, threads: threads)
            gemmCase(bench, name: "gemm_linear", batch: 1, m: 512, n: 2048, k: 1000,
                     transA: true, transB: false, threads: threads)
            gemmCase(bench, name: "gemm_linear", batch: 1, m: 1000, n: 64, k: 512,
                     transB: true, threads: threads)
        }
    }
    if bench.wants("gemm_preset") {
        // The preset's training products (`bench --only train_preset --gemm-shapes` ranks
        // them): a 2,400-token side through the d 128 and d_ff 512 layers, forward, dX and dW.
        let t = 2400
        for threads in bench.options.threads {
            for (m, n, k, transA, transB) in [(t, 128, 128, false, false), (t, 128, 128, false, true), (128, 128, t, true, false),
                                              (t, 512, 128, false, false), (t, 128, 512, false, true), (512, 128, t, true, false)] {
                gemmCase(bench, name: "gemm_preset", batch: 1, m: m, n: n, k: k, transA: transA, transB: transB, threads: threads)
            }
        }
    }
    if bench.wants("gemm_decode") {
        // Greedy/beam decoding: a few rows against the output projection [d, vocab] or the
        // tied embedding [vocab, d] (transB).
        for threads in bench.options.threads {
            for m in [1, 4] {
                gemmCase(bench, name: "gemm_decode", batch: 1, m: m, n: 8000, k: 256,
                         transB: false, threads: threads)
                gemmCase(bench, name: "gemm_decode", batch: 1, m: m, n: 8000, k: 256,
                         transB: true, threads: threads)
            }
        }
    }
    if bench.wants("gemm_rows") {
        // The decoding kernels on the preset's layers (d 128, d_ff 512, 4,000 tied outputs):
        // `linearRows` (dot-product tiles on the weights as stored) against `PackedLinear`
        // (weights re-laid in 16-column panels), the same bits; one kernel thread.
        for (rows, inputs, outputs) in [(64, 128, 128), (64, 128, 512), (64, 512, 128), (64, 128, 4000), (5, 128, 4000), (1, 128, 4000)] {
            rowsCase(bench, rows: rows, inputs: inputs, outputs: outputs)
        }
    }
    if bench.wants("gemm_attn") {
        for threads in bench.options.threads {
            gemmCase(bench, name: "gemm_attn", batch: 256, m: 20, n: 20, k: 64,
                     transB: true, threads: threads)
            gemmCase(bench, name: "gemm_attn", batch: 256, m: 20, n: 64, k: 20,
                     transB: false, threads: threads)
            gemmCase(bench, name: "gemm_attn", batch: 1024, m: 16, n: 16, k: 16,
                     transB: false, threads: threads)
        }
    }
}

/// Measures `batch` products op(A) x op(B) -> [m, n] (A stored [k, m] when transA, B stored
/// [n, k] when transB).
private func gemmCase(_ bench: Bench, name: String, batch: Int, m: Int, n: Int, k: Int,
                      transA: Bool = false, transB: Bool, threads: Int) {
    let saved = Threads.count
    Threads.count = threads
    defer { Threads.count = saved }
    let a = UnsafeMutablePointer<Float>.allocate(capacity: batch * m * k)
    let b = UnsafeMutablePointer<Float>.allocate(capacity: batch * k * n)
    let c = UnsafeMutablePointer<Float>.allocate(capacity: batch * m * n)
    defer { a.deallocate(); b.deallocate(); c.deallocate() }
    for i in 0..<(batch * m * k) { a[i] = Float(i % 7) * 0.25 - 0.75 }
    for i in 0..<(batch * k * n) { b[i] = Float(i % 5) * 0.5 - 1 }
    var fields: [(String, Any)] = []
    if batch > 1 { fields.append(("batch", batch)) }
    fields += [("m", m), ("n", n), ("k", k), ("transA", transA), ("transB", transB), ("threads", threads)]
    let flops = 2.0 * Double(batch) * Double(m) * Double(n) * Double(k)
    bench.measure(name: name, fields: fields, flops: flops) {
        if batch == 1 {
            sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1, a: a, lda: transA ? m : k,
                  b: b, ldb: transB ? k : n, beta: 0, c: c, ldc: n)
        } else {
            sgemmBatched(batch: batch, transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1,
                         a: a, lda: transA ? m : k, strideA: m * k, b: b, ldb: transB ? k : n, strideB: k * n,
                         beta: 0, c: c, ldc: n, strideC: m * n)
        }
    }
}

/// `linearRows` and `PackedLinear.apply` on `rows` rows of a linear layer `inputs` -> `outputs`.
private func rowsCase(_ bench: Bench, rows: Int, inputs: Int, outputs: Int) {
    let saved = Threads.count
    Threads.count = 1
    defer { Threads.count = saved }
    var rng = RandomGenerator(seed: 1)
    let weight = Tensor.randomUniform([outputs, inputs], bound: 1, rng: &rng)
    let bias = Tensor.randomUniform([outputs], bound: 1, rng: &rng)
    let x = Rows(copying: Tensor.randomUniform([rows, inputs], bound: 1, rng: &rng), width: inputs)
    let out = Rows(capacity: rows, width: outputs)
    let packed = PackedLinear(weight: weight, bias: bias)
    let flops = 2.0 * Double(rows * inputs * outputs)
    let fields: [(String, Any)] = [("rows", rows), ("in", inputs), ("out", outputs), ("threads", 1)]
    bench.measure(name: "gemm_rows", fields: fields + [("kernel", "linearRows")], flops: flops) {
        linearRows(x, weight: weight, bias: bias, into: out)
    }
    bench.measure(name: "gemm_rows", fields: fields + [("kernel", "packed")], flops: flops) { packed.apply(x, into: out) }
    guard outputs >= 1000 else { return }
    // A vocabulary projection folded into what the searches need (512-column blocks).
    let scratch = Rows(capacity: rows, width: 512)
    let (argmax, beam) = (RowArgmax(rows: rows), RowLogSumExpTopK(rows: rows, keep: 10))
    bench.measure(name: "gemm_rows", fields: fields + [("kernel", "packed_blocks")], flops: flops) {
        packed.forEachColumnBlock(x, blockColumns: 512, scratch: scratch) { _, _ in }
    }
    bench.measure(name: "gemm_rows", fields: fields + [("kernel", "packed_argmax")], flops: flops) {
        argmax.reset(rows: rows)
        packed.forEachColumnBlock(x, blockColumns: 512, scratch: scratch) { columns, z in
            for r in 0..<rows { argmax.fold(row: r, z + r * 512, columns: columns) }
        }
    }
    bench.measure(name: "gemm_rows", fields: fields + [("kernel", "packed_logsumexp_top10")], flops: flops) {
        beam.reset(rows: rows)
        packed.forEachColumnBlock(x, blockColumns: 512, scratch: scratch) { columns, z in
            for r in 0..<rows { beam.fold(row: r, z + r * 512, columns: columns) }
        }
    }
}
