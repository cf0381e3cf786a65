import Engine
import Foundation

// No-grad kernels for incremental decoding, where each step pushes only a few rows (one per
// sentence or beam) through every weight matrix.
//
// With so few rows a packed GEMM spends more time packing the weights than multiplying, so
// `linearRows` reads each weight row of the `[out, in]` (nn.Linear) layout once, in place, and
// takes dot products with every input row. Every output element is accumulated in the same
// order (8-lane FMA partial sums over the input axis, a fixed horizontal sum, the scalar tail,
// then the bias) whatever the row count, the blocking or the thread split, so a sentence
// decodes to the same bits alone or in a batch of any size.

typealias Lanes = SIMD8<Float>

@inline(__always) private func load(_ p: UnsafePointer<Float>) -> Lanes {
    UnsafeRawPointer(p).loadUnaligned(as: Lanes.self)
}

/// The one way every dot product is finished: lanes summed pairwise in a fixed order, then
/// the tail (depth not a multiple of 8) with scalar FMAs, then the bias.
@inline(__always) private func finish(_ acc: Lanes, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                                      from: Int, to depth: Int, bias: Float) -> Float {
    let h4 = acc.lowHalf + acc.highHalf
    let h2 = h4.lowHalf + h4.highHalf
    var s = h2[0] + h2[1]
    var j = from
    while j < depth { s = s.addingProduct(x[j], w[j]); j += 1 }
    return s + bias
}

/// How `linearRows` combines its result with what is already in `out`.
enum RowsEpilogue {
    /// out = x·Wᵀ + b
    case store
    /// out = max(0, x·Wᵀ + b) (the feed-forward hidden layer)
    case relu
    /// out = out + (x·Wᵀ + b) (a residual connection: the sublayer's output added to the stream)
    case accumulate
}

/// out[i, o] (row stride `n`) = epilogue(Σ_j x[i, j]·w[o, j] + bias[o]) for i < m, o < n,
/// with x `[m, depth]` and w `[n, depth]` row-major. Spread over threads by output columns
/// when the product is big enough to repay a dispatch.
func linearRows(_ x: UnsafePointer<Float>, rows m: Int, depth: Int, weight w: UnsafePointer<Float>,
                bias: UnsafePointer<Float>?, outputs n: Int, into out: UnsafeMutablePointer<Float>,
                _ epilogue: RowsEpilogue) {
    if m <= 0 || n <= 0 { return }
    let (px, pw, po) = (SharedPointer(x), SharedPointer(w), SharedPointer(out))
    let pb = bias.map { SharedPointer($0) }
    let body: @Sendable (Range<Int>) -> Void = { cols in
        // Blocks of 64 weight rows (64 KiB at depth 256) stay in L2 while all input rows pass.
        var o0 = cols.lowerBound
        while o0 < cols.upperBound {
            let o1 = min(cols.upperBound, o0 + 64)
            linearBlock(px.base, m: m, depth: depth, w: pw.base, bias: pb?.base, cols: o0..<o1, n: n, out: po.base, epilogue)
            o0 = o1
        }
    }
    if m * n * depth < 1 << 17 || Threads.count == 1 {
        body(0..<n)
    } else {
        parallelChunks(n, minChunk: 16, body)
    }
}

@inline(__always) private func store(_ v: Float, _ p: UnsafeMutablePointer<Float>, _ e: RowsEpilogue) {
    switch e {
    case .store: p.pointee = v
    case .relu: p.pointee = max(0, v)
    case .accumulate: p.pointee = p.pointee + v
    }
}

/// Output columns `cols` for all m rows: 4 rows x 2 columns at a time (8 accumulators, loads
/// shared), then single rows against 4 columns, then single dot products.
private func linearBlock(_ x: UnsafeMutablePointer<Float>, m: Int, depth: Int, w: UnsafeMutablePointer<Float>,
                         bias: UnsafeMutablePointer<Float>?, cols: Range<Int>, n: Int,
                         out: UnsafeMutablePointer<Float>, _ e: RowsEpilogue) {
    let d8 = depth & ~7
    @inline(__always) func b(_ o: Int) -> Float { bias?[o] ?? 0 }
    var i = 0
    while i + 4 <= m {
        let (x0, x1, x2, x3) = (x + i * depth, x + (i + 1) * depth, x + (i + 2) * depth, x + (i + 3) * depth)
        var o = cols.lowerBound
        while o + 2 <= cols.upperBound {
            let (w0, w1) = (w + o * depth, w + (o + 1) * depth)
            var (a00, a01, a10, a11) = (Lanes(), Lanes(), Lanes(), Lanes())
            var (a20, a21, a30, a31) = (Lanes(), Lanes(), Lanes(), Lanes())
            var j = 0
            while j < d8 {
                let (v0, v1) = (load(w0 + j), load(w1 + j))
                let u0 = load(x0 + j); a00 = a00.addingProduct(u0, v0); a01 = a01.addingProduct(u0, v1)
                let u1 = load(x1 + j); a10 = a10.addingProduct(u1, v0); a11 = a11.addingProduct(u1, v1)
                let u2 = load(x2 + j); a20 = a20.addingProduct(u2, v0); a21 = a21.addingProduct(u2, v1)
                let u3 = load(x3 + j); a30 = a30.addingProduct(u3, v0); a31 = a31.addingProduct(u3, v1)
                j += 8
            }
            let r = out + i * n + o
            store(finish(a00, x0, w0, from: d8, to: depth, bias: b(o)), r, e)
            store(finish(a01, x0, w1, from: d8, to: depth, bias: b(o + 1)), r + 1, e)
            store(finish(a10, x1, w0, from: d8, to: depth, bias: b(o)), r + n, e)
            store(finish(a11, x1, w1, from: d8, to: depth, bias: b(o + 1)), r + n + 1, e)
            store(finish(a20, x2, w0, from: d8, to: depth, bias: b(o)), r + 2 * n, e)
            store(finish(a21, x2, w1, from: d8, to: depth, bias: b(o + 1)), r + 2 * n + 1, e)
            store(finish(a30, x3, w0, from: d8, to: depth, bias: b(o)), r + 3 * n, e)
            store(finish(a31, x3, w1, from: d8, to: depth, bias: b(o + 1)), r + 3 * n + 1, e)
            o += 2
        }
        if o < cols.upperBound {
            for r in i..<(i + 4) { single(x + r * depth, w + o * depth, depth, d8, b(o), out + r * n + o, e) }
        }
        i += 4
    }
    while i < m {
        let xr = x + i * depth
        var o = cols.lowerBound
        while o + 4 <= cols.upperBound {
            let (w0, w1, w2, w3) = (w + o * depth, w + (o + 1) * depth, w + (o + 2) * depth, w + (o + 3) * depth)
            var (a0, a1, a2, a3) = (Lanes(), Lanes(), Lanes(), Lanes())
            var j = 0
            while j < d8 {
                let u = load(xr + j)
                a0 = a0.addingProduct(u, load(w0 + j)); a1 = a1.addingProduct(u, load(w1 + j))
                a2 = a2.addingProduct(u, load(w2 + j)); a3 = a3.addingProduct(u, load(w3 + j))
                j += 8
            }
            let r = out + i * n + o
            store(finish(a0, xr, w0, from: d8, to: depth, bias: b(o)), r, e)
            store(finish(a1, xr, w1, from: d8, to: depth, bias: b(o + 1)), r + 1, e)
            store(finish(a2, xr, w2, from: d8, to: depth, bias: b(o + 2)), r + 2, e)
            store(finish(a3, xr, w3, from: d8, to: depth, bias: b(o + 3)), r + 3, e)
            o += 4
        }
        while o < cols.upperBound {
            single(xr, w + o * depth, depth, d8, b(o), out + i * n + o, e)
            o += 1
        }
        i += 1
    }
}

@inline(__always) private func single(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ depth: Int, _ d8: Int,
                                      _ bias: Float, _ out: UnsafeMutablePointer<Float>, _ e: RowsEpilogue) {
    var a = Lanes()
    var j = 0
    while j < d8 { a = a.addingProduct(load(x + j), load(w + j)); j += 8 }
    store(finish(a, x, w, from: d8, to: depth, bias: bias), out, e)
}

/// Layer norm of each of `rows` rows of width `d`, as `Engine.layerNorm` computes it
/// (biased variance, the same loop order), written to `out`.
func layerNormRows(_ x: UnsafePointer<Float>, rows: Int, width d: Int, gamma: UnsafePointer<Float>,
                   beta: UnsafePointer<Float>, eps: Float, into out: UnsafeMutablePointer<Float>) {
    for row in 0..<rows {
        _ = layerNormRow(x + row * d, width: d, gamma: gamma, beta: beta, eps: eps, into: out + row * d)
    }
}
