// Shape legend: R rows, I input width, O output width, P = ⌈O/16⌉ panels of 16 output columns.

/// A linear layer's weight [O, I] (the `nn.Linear` layout) and bias [O], re-laid once for the
/// decoding kernels: P panels of 16 output columns, each [I, 16] (for every input p the 16
/// columns' weights side by side), so one vector FMA advances 16 outputs by one input.
///
/// The results are `linearRows`'s, bit for bit (`PackedLinearTests`). `linearRows` (and the
/// few-rows GEMM) computes each output as 8 FMA chains over the inputs p ≡ 0…7 (mod 8) in the
/// 8 lanes of one vector, sums the lanes ((0+4)+(2+6))+((1+5)+(3+7)), then adds the last I % 8
/// products and the bias. Here chain l of 16 outputs is one vector: the same FMAs in the same
/// order, the same final sums, only vertical. Each vector load of weights then feeds three rows
/// (24 accumulators in AVX-512's 32 registers) instead of feeding one output, and no lane sum
/// is left per output: ~2.5x fewer instructions per multiply-add than the dot-product tiles.
///
/// Packing costs a copy of the weights (built by `Transformer`'s inference weights, once per
/// model, not per call) and stays valid only while the weights do not change.
public final class PackedLinear: @unchecked Sendable {
    /// I, the input width.
    public let inputs: Int
    /// O, the output width.
    public let outputs: Int
    /// P, panels of 16 outputs (the last one padded with zero weights).
    let panels: Int
    let weights: Storage  // [P, I, 16]
    let bias: Storage     // [P·16]: zero where the layer has none (added all the same, as `linearRows` adds 0)

    /// Packs `weight` [O, I] and `bias` [O] (or none).
    public init(weight: Tensor, bias: Tensor?) {
        precondition(weight.rank == 2, "PackedLinear: weight must be [out, in], got \(weight.shape)")
        let (o, i) = (weight.dim(0), weight.dim(1))
        precondition(bias.map { $0.count == o } ?? true, "PackedLinear: bias of \(bias?.count ?? 0) for \(o) outputs")
        (inputs, outputs, panels) = (i, o, (o + 15) / 16)
        weights = Storage(count: panels * i * 16, repeating: 0)
        self.bias = Storage(count: panels * 16, repeating: 0)
        let (w, pw) = (weight.data, weights.pointer)
        for j in 0..<o {
            let (q, lane) = (j / 16, j % 16)
            let dst = pw + q * i * 16 + lane
            for p in 0..<i { dst[p * 16] = w[j * i + p] }
        }
        if let bias { self.bias.pointer.update(from: bias.data, count: o) }
    }

    /// The inference twin of a linear layer, as `linearRows`: `out[r] = epilogue(x[r]·Wᵀ + b)`
    /// for every row of `x` [R, I]; sets `out.count` to R (`.accumulate` adds into its R rows).
    /// Products of at least 2^20 multiply-adds are split over threads by pairs of panels
    /// (outside a parallel section); every output's arithmetic is the same whatever the split.
    public func apply(_ x: Rows, into out: Rows, _ epilogue: RowsEpilogue = .store) {
        precondition(x.width == inputs && out.width == outputs, "PackedLinear: rows of \(x.width) -> \(out.width), layer \(inputs) -> \(outputs)")
        precondition(x !== out, "PackedLinear: input and output must be different rows")
        let m = x.count
        if epilogue == .accumulate {
            precondition(out.count == m, "PackedLinear: accumulating \(m) rows into \(out.count)")
        } else {
            out.reserve(m)
            out.count = m
        }
        if m == 0 || outputs == 0 { return }
        let (px, po) = (SharedPointer(x.pointer), SharedPointer(out.pointer))
        let body: @Sendable (Range<Int>) -> Void = { [self] panelRange in
            forEachPanel(x: px.base, rows: m, panels: panelRange) { r, q, sums in
                store(sums, row: r, panel: q, into: po.base, epilogue)
            }
        }
        splitPanels(panels, multiplyAdds: m * outputs * inputs, body)
    }

    /// The products of `x` [R, I] with the weights, bias added, one block of at most
    /// `blockColumns` outputs at a time (a multiple of 16): `body(columns, logits)` gets each
    /// block's values as rows [R, columns.count] (row stride `blockColumns`) in `scratch`,
    /// valid until `body` returns. For a consumer that folds a vocabulary projection into its
    /// own reduction (an argmax, a log-sum-exp and a top-k) without holding all [R, O] values;
    /// runs on the calling thread.
    public func forEachColumnBlock(_ x: Rows, blockColumns: Int, scratch: Rows,
                                   _ body: (Range<Int>, UnsafePointer<Float>) -> Void) {
        precondition(x.width == inputs && blockColumns > 0 && blockColumns % 16 == 0 && scratch.width == blockColumns,
                     "PackedLinear.forEachColumnBlock: rows of \(x.width), blocks of \(blockColumns), scratch rows of \(scratch.width)")
        let m = x.count
        if m == 0 || outputs == 0 { return }
        scratch.reserve(m)
        scratch.count = m
        let perBlock = blockColumns / 16
        var q0 = 0
        while q0 < panels {
            let q1 = min(panels, q0 + perBlock)
            forEachPanel(x: x.pointer, rows: m, panels: q0..<q1) { r, q, sums in
                let v = sums + load16(bias.pointer + q * 16)
                UnsafeMutableRawPointer(scratch.pointer + r * blockColumns + (q - q0) * 16).storeBytes(of: v, as: SIMD16<Float>.self)
            }
            body(q0 * 16..<min(outputs, q1 * 16), scratch.pointer)
            q0 = q1
        }
    }

    /// Runs the row tiles (3 rows, then 2 or 1) of every row of `x` against panel `q` and hands
    /// each row's 16 sums (before the bias) to `sink`.
    @inline(__always)
    private func forEachTile(x: UnsafeMutablePointer<Float>, rows m: Int, panel q: Int,
                             _ sink: (Int, SIMD16<Float>) -> Void) {
        let k = inputs
        let w = UnsafePointer(weights.pointer + q * k * 16)
        var r = 0
        while r + 3 <= m {
            let s = packedTile3(k: k, a0: x + r * k, a1: x + (r + 1) * k, a2: x + (r + 2) * k, w: w)
            sink(r, s.0); sink(r + 1, s.1); sink(r + 2, s.2)
            r += 3
        }
        tailRows(x: x, from: r, rows: m, w: w) { sink($0, $1) }
    }

    /// `forEachTile` for panels `q` and `q + 1` together: 3 rows x 32 columns per tile
    /// (`packedTile3x2`); `sink(row, panel, sums)`.
    @inline(__always)
    private func forEachTilePair(x: UnsafeMutablePointer<Float>, rows m: Int, panel q: Int,
                                 _ sink: (Int, Int, SIMD16<Float>) -> Void) {
        let k = inputs
        let (w0, w1) = (UnsafePointer(weights.pointer + q * k * 16), UnsafePointer(weights.pointer + (q + 1) * k * 16))
        var r = 0
        while r + 3 <= m {
            let s = packedTile3x2(k: k, a0: x + r * k, a1: x + (r + 1) * k, a2: x + (r + 2) * k, w0: w0, w1: w1)
            sink(r, q, s.0); sink(r, q + 1, s.1); sink(r + 1, q, s.2); sink(r + 1, q + 1, s.3); sink(r + 2, q, s.4); sink(r + 2, q + 1, s.5)
            r += 3
        }
        tailRows(x: x, from: r, rows: m, w: w0) { sink($0, q, $1) }
        tailRows(x: x, from: r, rows: m, w: w1) { sink($0, q + 1, $1) }
    }

    /// The last 1 or 2 rows (from `r` to `m`) against panel `w`.
    @inline(__always)
    private func tailRows(x: UnsafeMutablePointer<Float>, from r: Int, rows m: Int, w: UnsafePointer<Float>,
                          _ sink: (Int, SIMD16<Float>) -> Void) {
        let k = inputs
        if m - r == 2 {
            let s = packedTile2(k: k, a0: x + r * k, a1: x + (r + 1) * k, w: w)
            sink(r, s.0); sink(r + 1, s.1)
        } else if m - r == 1 {
            sink(r, packedTile1(k: k, a0: x + r * k, w: w))
        }
    }

    /// Every panel in `panels`: `sink(row, panel, sums)`. Pairs of panels (`packedTile3x2`) while
    /// two panels fit in L1 with room to spare (I ≤ 192: 24 KiB), since its chain passes read each
    /// panel four times; wider inputs take one panel at a time (`packedTile3`), which streams it once.
    @inline(__always)
    private func forEachPanel(x: UnsafeMutablePointer<Float>, rows m: Int, panels: Range<Int>,
                              _ sink: (Int, Int, SIMD16<Float>) -> Void) {
        var q = panels.lowerBound
        while inputs <= 192 && q + 2 <= panels.upperBound {
            forEachTilePair(x: x, rows: m, panel: q, sink)
            q += 2
        }
        while q < panels.upperBound {
            forEachTile(x: x, rows: m, panel: q) { sink($0, q, $1) }
            q += 1
        }
    }

    /// Adds the bias to row `r`'s sums of panel `q`, applies `epilogue` and writes the columns that exist.
    @inline(__always)
    private func store(_ sums: SIMD16<Float>, row r: Int, panel q: Int, into out: UnsafeMutablePointer<Float>,
                       _ epilogue: RowsEpilogue) {
        storePanel(sums + load16(bias.pointer + q * 16), to: out + r * outputs + q * 16, count: min(16, outputs - q * 16), epilogue)
    }
}

/// Applies `epilogue` to a panel's 16 finished values `v` (bias added) and writes the first
/// `count` of them to `dst` (all 16 with vector stores): shared by the float32 and int8 layers.
@inline(__always)
func storePanel(_ v: SIMD16<Float>, to dst: UnsafeMutablePointer<Float>, count: Int, _ epilogue: RowsEpilogue) {
    var v = v
    if count == 16 {
        let raw = UnsafeMutableRawPointer(dst)
        switch epilogue {
        case .store: break
        // linearRows' max(0, v): v where v >= 0, else 0 (a NaN gives 0 there too).
        case .relu: v.replace(with: 0, where: .!(v .>= 0))
        case .accumulate: v = raw.loadUnaligned(as: SIMD16<Float>.self) + v
        }
        raw.storeBytes(of: v, as: SIMD16<Float>.self)
    } else {
        for c in 0..<count {
            switch epilogue {
            case .store: dst[c] = v[c]
            case .relu: dst[c] = max(0, v[c])
            case .accumulate: dst[c] = dst[c] + v[c]
            }
        }
    }
}

@inline(__always)
func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(__always)
func load16(_ p: UnsafeMutablePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

/// The 8 chains of one output vector summed as `dotFinish` sums its lanes.
@inline(__always)
func sumChains(_ c0: SIMD16<Float>, _ c1: SIMD16<Float>, _ c2: SIMD16<Float>, _ c3: SIMD16<Float>,
               _ c4: SIMD16<Float>, _ c5: SIMD16<Float>, _ c6: SIMD16<Float>, _ c7: SIMD16<Float>) -> SIMD16<Float> {
    ((c0 + c4) + (c2 + c6)) + ((c1 + c5) + (c3 + c7))
}

/// Three rows against one panel `w` [I, 16]: 24 chains in registers, each weight load feeding
/// three FMAs. Returns the three rows' 16 sums (no bias).
@inline(never)
func packedTile3(k: Int, a0: UnsafePointer<Float>, a1: UnsafePointer<Float>, a2: UnsafePointer<Float>,
                 w: UnsafePointer<Float>) -> (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>) {
    var x0 = SIMD16<Float>(), x1 = SIMD16<Float>(), x2 = SIMD16<Float>(), x3 = SIMD16<Float>()
    var x4 = SIMD16<Float>(), x5 = SIMD16<Float>(), x6 = SIMD16<Float>(), x7 = SIMD16<Float>()
    var y0 = SIMD16<Float>(), y1 = SIMD16<Float>(), y2 = SIMD16<Float>(), y3 = SIMD16<Float>()
    var y4 = SIMD16<Float>(), y5 = SIMD16<Float>(), y6 = SIMD16<Float>(), y7 = SIMD16<Float>()
    var z0 = SIMD16<Float>(), z1 = SIMD16<Float>(), z2 = SIMD16<Float>(), z3 = SIMD16<Float>()
    var z4 = SIMD16<Float>(), z5 = SIMD16<Float>(), z6 = SIMD16<Float>(), z7 = SIMD16<Float>()
    let k8 = k & ~7
    var (pa, pb, pc, pw) = (a0, a1, a2, w)
    var p = 0
    while p < k8 {
        var v = load16(pw)
        x0.addProduct(SIMD16(repeating: pa[0]), v); y0.addProduct(SIMD16(repeating: pb[0]), v); z0.addProduct(SIMD16(repeating: pc[0]), v)
        v = load16(pw + 16)
        x1.addProduct(SIMD16(repeating: pa[1]), v); y1.addProduct(SIMD16(repeating: pb[1]), v); z1.addProduct(SIMD16(repeating: pc[1]), v)
        v = load16(pw + 32)
        x2.addProduct(SIMD16(repeating: pa[2]), v); y2.addProduct(SIMD16(repeating: pb[2]), v); z2.addProduct(SIMD16(repeating: pc[2]), v)
        v = load16(pw + 48)
        x3.addProduct(SIMD16(repeating: pa[3]), v); y3.addProduct(SIMD16(repeating: pb[3]), v); z3.addProduct(SIMD16(repeating: pc[3]), v)
        v = load16(pw + 64)
        x4.addProduct(SIMD16(repeating: pa[4]), v); y4.addProduct(SIMD16(repeating: pb[4]), v); z4.addProduct(SIMD16(repeating: pc[4]), v)
        v = load16(pw + 80)
        x5.addProduct(SIMD16(repeating: pa[5]), v); y5.addProduct(SIMD16(repeating: pb[5]), v); z5.addProduct(SIMD16(repeating: pc[5]), v)
        v = load16(pw + 96)
        x6.addProduct(SIMD16(repeating: pa[6]), v); y6.addProduct(SIMD16(repeating: pb[6]), v); z6.addProduct(SIMD16(repeating: pc[6]), v)
        v = load16(pw + 112)
        x7.addProduct(SIMD16(repeating: pa[7]), v); y7.addProduct(SIMD16(repeating: pb[7]), v); z7.addProduct(SIMD16(repeating: pc[7]), v)
        pa += 8; pb += 8; pc += 8; pw += 128
        p += 8
    }
    var (sx, sy, sz) = (sumChains(x0, x1, x2, x3, x4, x5, x6, x7), sumChains(y0, y1, y2, y3, y4, y5, y6, y7),
                        sumChains(z0, z1, z2, z3, z4, z5, z6, z7))
    while p < k {
        let v = load16(w + p * 16)
        sx.addProduct(SIMD16(repeating: a0[p]), v); sy.addProduct(SIMD16(repeating: a1[p]), v); sz.addProduct(SIMD16(repeating: a2[p]), v)
        p += 1
    }
    return (sx, sy, sz)
}

/// Two rows against one panel (16 chains); see `packedTile3`.
@inline(never)
func packedTile2(k: Int, a0: UnsafePointer<Float>, a1: UnsafePointer<Float>, w: UnsafePointer<Float>)
    -> (SIMD16<Float>, SIMD16<Float>) {
    var x0 = SIMD16<Float>(), x1 = SIMD16<Float>(), x2 = SIMD16<Float>(), x3 = SIMD16<Float>()
    var x4 = SIMD16<Float>(), x5 = SIMD16<Float>(), x6 = SIMD16<Float>(), x7 = SIMD16<Float>()
    var y0 = SIMD16<Float>(), y1 = SIMD16<Float>(), y2 = SIMD16<Float>(), y3 = SIMD16<Float>()
    var y4 = SIMD16<Float>(), y5 = SIMD16<Float>(), y6 = SIMD16<Float>(), y7 = SIMD16<Float>()
    let k8 = k & ~7
    var (pa, pb, pw) = (a0, a1, w)
    var p = 0
    while p < k8 {
        var v = load16(pw)
        x0.addProduct(SIMD16(repeating: pa[0]), v); y0.addProduct(SIMD16(repeating: pb[0]), v)
        v = load16(pw + 16)
        x1.addProduct(SIMD16(repeating: pa[1]), v); y1.addProduct(SIMD16(repeating: pb[1]), v)
        v = load16(pw + 32)
        x2.addProduct(SIMD16(repeating: pa[2]), v); y2.addProduct(SIMD16(repeating: pb[2]), v)
        v = load16(pw + 48)
        x3.addProduct(SIMD16(repeating: pa[3]), v); y3.addProduct(SIMD16(repeating: pb[3]), v)
        v = load16(pw + 64)
        x4.addProduct(SIMD16(repeating: pa[4]), v); y4.addProduct(SIMD16(repeating: pb[4]), v)
        v = load16(pw + 80)
        x5.addProduct(SIMD16(repeating: pa[5]), v); y5.addProduct(SIMD16(repeating: pb[5]), v)
        v = load16(pw + 96)
        x6.addProduct(SIMD16(repeating: pa[6]), v); y6.addProduct(SIMD16(repeating: pb[6]), v)
        v = load16(pw + 112)
        x7.addProduct(SIMD16(repeating: pa[7]), v); y7.addProduct(SIMD16(repeating: pb[7]), v)
        pa += 8; pb += 8; pw += 128
        p += 8
    }
    var (sx, sy) = (sumChains(x0, x1, x2, x3, x4, x5, x6, x7), sumChains(y0, y1, y2, y3, y4, y5, y6, y7))
    while p < k {
        let v = load16(w + p * 16)
        sx.addProduct(SIMD16(repeating: a0[p]), v); sy.addProduct(SIMD16(repeating: a1[p]), v)
        p += 1
    }
    return (sx, sy)
}

/// One row against one panel (8 chains); see `packedTile3`.
@inline(never)
func packedTile1(k: Int, a0: UnsafePointer<Float>, w: UnsafePointer<Float>) -> SIMD16<Float> {
    var x0 = SIMD16<Float>(), x1 = SIMD16<Float>(), x2 = SIMD16<Float>(), x3 = SIMD16<Float>()
    var x4 = SIMD16<Float>(), x5 = SIMD16<Float>(), x6 = SIMD16<Float>(), x7 = SIMD16<Float>()
    let k8 = k & ~7
    var (pa, pw) = (a0, w)
    var p = 0
    while p < k8 {
        x0.addProduct(SIMD16(repeating: pa[0]), load16(pw))
        x1.addProduct(SIMD16(repeating: pa[1]), load16(pw + 16))
        x2.addProduct(SIMD16(repeating: pa[2]), load16(pw + 32))
        x3.addProduct(SIMD16(repeating: pa[3]), load16(pw + 48))
        x4.addProduct(SIMD16(repeating: pa[4]), load16(pw + 64))
        x5.addProduct(SIMD16(repeating: pa[5]), load16(pw + 80))
        x6.addProduct(SIMD16(repeating: pa[6]), load16(pw + 96))
        x7.addProduct(SIMD16(repeating: pa[7]), load16(pw + 112))
        pa += 8; pw += 128
        p += 8
    }
    var s = sumChains(x0, x1, x2, x3, x4, x5, x6, x7)
    while p < k {
        s.addProduct(SIMD16(repeating: a0[p]), load16(w + p * 16))
        p += 1
    }
    return s
}

/// Three rows against two panels `w0`, `w1` (32 outputs): the chains run two at a time, l and
/// l + 4, with their sums kept as `sumChains` adds them, so at most 24 accumulators and partial
/// sums are live, and each vector of weights or broadcast of an input feeds two FMAs (against
/// one and a third in `packedTile3`: fewer loads per FMA). Returns row 0's sums of panels 0
/// and 1, then row 1's, then row 2's; the same bits as `packedTile3` on each panel.
@inline(never)
func packedTile3x2(k: Int, a0: UnsafePointer<Float>, a1: UnsafePointer<Float>, a2: UnsafePointer<Float>,
                   w0: UnsafePointer<Float>, w1: UnsafePointer<Float>)
    -> (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>) {
    typealias Six = (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>)
    let k8 = k & ~7
    /// Chains l and l + 4 of the six outputs, each over p ≡ l (mod 8), returned as c_l + c_(l+4).
    @inline(__always) func pair(_ l: Int) -> Six {
        var (x0, x1, x2, x3, x4, x5) = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
        var (y0, y1, y2, y3, y4, y5) = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
        var (p, v, u) = (l, w0 + l * 16, w1 + l * 16)
        while p < k8 {
            let (v0, u0, v4, u4) = (load16(v), load16(u), load16(v + 64), load16(u + 64))
            let (b0, b1, b2) = (SIMD16(repeating: a0[p]), SIMD16(repeating: a1[p]), SIMD16(repeating: a2[p]))
            x0.addProduct(b0, v0); x1.addProduct(b0, u0); x2.addProduct(b1, v0); x3.addProduct(b1, u0); x4.addProduct(b2, v0); x5.addProduct(b2, u0)
            let (c0, c1, c2) = (SIMD16(repeating: a0[p + 4]), SIMD16(repeating: a1[p + 4]), SIMD16(repeating: a2[p + 4]))
            y0.addProduct(c0, v4); y1.addProduct(c0, u4); y2.addProduct(c1, v4); y3.addProduct(c1, u4); y4.addProduct(c2, v4); y5.addProduct(c2, u4)
            p += 8; v += 128; u += 128
        }
        return (x0 + y0, x1 + y1, x2 + y2, x3 + y3, x4 + y4, x5 + y5)
    }
    @inline(__always) func add(_ a: Six, _ b: Six) -> Six { (a.0 + b.0, a.1 + b.1, a.2 + b.2, a.3 + b.3, a.4 + b.4, a.5 + b.5) }
    let even = add(pair(0), pair(2))   // (c0 + c4) + (c2 + c6)
    let odd = add(pair(1), pair(3))    // (c1 + c5) + (c3 + c7)
    var s = add(even, odd)
    var p = k8
    while p < k {
        let (v, u) = (load16(w0 + p * 16), load16(w1 + p * 16))
        let (b0, b1, b2) = (SIMD16(repeating: a0[p]), SIMD16(repeating: a1[p]), SIMD16(repeating: a2[p]))
        s.0.addProduct(b0, v); s.1.addProduct(b0, u); s.2.addProduct(b1, v); s.3.addProduct(b1, u); s.4.addProduct(b2, v); s.5.addProduct(b2, u)
        p += 1
    }
    return s
}

/// Runs `body` over panels `0..<panels` of a decoding linear layer (float32 or int8): on the
/// calling thread below 2^20 multiply-adds (about 10 µs of work per thread: less does not repay
/// waking one), else split over the kernel threads by pairs of panels.
func splitPanels(_ panels: Int, multiplyAdds: Int, _ body: @Sendable (Range<Int>) -> Void) {
    if multiplyAdds < 1 << 20 || Threads.count == 1 {
        body(0..<panels)
    } else {
        parallelChunks((panels + 1) / 2, minChunk: 1) { pairs in body((2 * pairs.lowerBound)..<min(panels, 2 * pairs.upperBound)) }
    }
}
