// Shape legend: R rows, I input width, O output width.

/// How `linearRows` combines x·Wᵀ + b with what is already in the output row.
public enum RowsEpilogue: Sendable {
    /// out = x·Wᵀ + b
    case store
    /// out = max(0, x·Wᵀ + b) (the feed-forward hidden layer)
    case relu
    /// out = out + (x·Wᵀ + b) (a residual connection: the sublayer's output added to the stream)
    case accumulate
}

/// The bias and epilogue of `linearRows`, applied to each finished dot product.
struct LinearDotSink: DotSink {
    let bias: UnsafePointer<Float>?
    let epilogue: RowsEpilogue
    @inline(__always) func store(_ dot: Float, column: Int, at c: UnsafeMutablePointer<Float>) {
        let v = dot + (bias?[column] ?? 0)
        switch epilogue {
        case .store: c.pointee = v
        case .relu: c.pointee = max(0, v)
        case .accumulate: c.pointee = c.pointee + v
        }
    }
}

/// The inference twin of a linear layer (`matmul(x, weight, transposeB: true) + bias`, then a
/// ReLU or a residual add): `out[i] = epilogue(x[i]·Wᵀ + b)` for every row of `x` [R, I], with
/// `weight` [O, I] (the `nn.Linear` layout) and `bias` [O] or nil. Sets `out.count` to R.
///
/// Decoding pushes a few rows (one per sentence or beam) through every weight matrix, where a
/// packed GEMM spends more time packing the weight than multiplying: this reads each weight row
/// once, in place, with the few-rows GEMM's dot-product tiles (`dotProducts`). Every output
/// element is accumulated in the same order whatever the row count, the tiling or the thread
/// split, so a sentence decodes to the same bits alone or in a batch of any size. Products big
/// enough to repay a dispatch (≥ 2^17 multiply-adds, e.g. a vocabulary projection) are split
/// over threads by output columns.
public func linearRows(_ x: Rows, weight: Tensor, bias: Tensor?, into out: Rows, _ epilogue: RowsEpilogue = .store) {
    precondition(weight.rank == 2 && weight.dim(1) == x.width, "linearRows: weight \(weight.shape) does not take rows of \(x.width)")
    let (m, n, depth) = (x.count, weight.dim(0), x.width)
    precondition(out.width == n, "linearRows: output rows of \(out.width), weight gives \(n)")
    precondition(bias.map { $0.count == n } ?? true, "linearRows: bias of \(bias?.count ?? 0) for \(n) outputs")
    precondition(x !== out, "linearRows: input and output must be different rows")
    if epilogue == .accumulate {
        precondition(out.count == m, "linearRows: accumulating \(m) rows into \(out.count)")
    } else {
        out.reserve(m)
        out.count = m
    }
    if m == 0 || n == 0 { return }
    let (px, pw, po) = (SharedPointer(x.pointer), SharedPointer(weight.data), SharedPointer(out.pointer))
    let pb = bias.map { SharedPointer($0.data) }
    let body: @Sendable (Range<Int>) -> Void = { cols in
        dotProducts(a: px.base, m: m, k: depth, b: pw.base, ldb: depth, cols: cols, c: po.base, ldc: n,
                    LinearDotSink(bias: pb.map { UnsafePointer($0.base) }, epilogue: epilogue))
    }
    if m * n * depth < 1 << 17 || Threads.count == 1 {
        body(0..<n)
    } else {
        parallelChunks(n, minChunk: 16, body)
    }
}
