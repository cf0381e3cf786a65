// Shape legend: R rows, I input width, I4 = I rounded up to a multiple of 4, O output width,
// P = ⌈O/16⌉ panels of 16 output columns.

/// A linear layer's weight [O, I] and bias [O] quantised to int8 for decoding (`translate
/// --int8`), CTranslate2's scheme: each weight row symmetric with its own scale
/// (sᵂ[o] = max|W[o]| / 127, W[o, k] ≈ sᵂ[o]·qᵂ[o, k], qᵂ in -127…127), each input row quantised
/// the same way when the layer runs (sˣ = max|x| / 127, round to nearest even), the dot
/// products exact in int32, then `out = Float(acc)·(sˣ·sᵂ[o]) + b[o]` and the epilogue.
///
/// Layout: P panels, each [I4 / 4, 16, 4]: for a group of 4 inputs, the 16 outputs' 4 weights
/// side by side, 64 bytes (the layout of VNNI's `vpdpbusd`). Inputs are stored offset by 128
/// (u = qˣ + 128 in 1…255, zero-extended), so every product is an unsigned 8-bit value times a
/// signed one; `128·Σₖ qᵂ[o, k]`, computed at pack time, is subtracted from each sum, which
/// leaves Σₖ qˣ·qᵂ exactly.
///
/// What the release build (Swift 6.3, `-target-cpu native` on AVX-512 VNNI) makes of the tiles,
/// checked with `objdump`: the four bytes of each weight lane are sign-extended with
/// `vpslld`/`vpsrad`, and because the input is known to fit in 8 unsigned bits, LLVM turns each
/// 32-bit multiply-add into `vpmaddwd` (one 16 × 16-bit product per lane, the other half zero)
/// and folds half of the adds into `vpdpwssd` (per 4 inputs x 32 outputs x 3 rows: 12
/// `vpdpwssd`, 12 `vpmaddwd` + `vpaddd`, 14 shifts, 12 scalar loads + broadcasts of inputs).
/// That is 16 multiply-adds per instruction at best, as many as a float32 FMA, with more around
/// them: the gain over float32 is 4x fewer weight bytes, not arithmetic; it decodes slower. LLVM does
/// not form `vpdpbusd` (64 per instruction) from Swift's SIMD types: it matches that only in
/// horizontal reductions, and Swift has no intrinsics without a C target. Any CPU runs the same
/// Swift (the vector types lower to whatever the target has).
///
/// `quantizedLinearReference` is the plain-loop twin: the same int32 sums (without the offset
/// trick) and the same float operations in the same order, so the results are equal bit for bit
/// (`QuantizedLinearTests`).
public final class QuantizedLinear: @unchecked Sendable {
    /// I, the input width.
    public let inputs: Int
    /// O, the output width.
    public let outputs: Int
    /// P, panels of 16 outputs (the last one padded with zero weights).
    let panels: Int
    /// I4: the input width padded to whole groups of 4 (zero weights, inputs 128).
    let groupedInputs: Int
    let weights: UnsafeMutablePointer<Int8>   // [P, I4/4, 16, 4]
    let scales: Storage                       // [P·16] sᵂ (0 for padding and all-zero rows)
    let bias: Storage                         // [P·16] zero where the layer has none
    let offsets: UnsafeMutablePointer<Int32>  // [P·16] 128·Σₖ qᵂ[o, k]

    /// Quantises `weight` [O, I] (one scale per row) and keeps `bias` [O] (or none) in float32.
    /// A row holding a NaN or an infinity gets scale NaN, so its outputs are NaN, as in float32.
    public init(weight: Tensor, bias: Tensor?) {
        precondition(weight.rank == 2, "QuantizedLinear: weight must be [out, in], got \(weight.shape)")
        let (o, i) = (weight.dim(0), weight.dim(1))
        precondition(bias.map { $0.count == o } ?? true, "QuantizedLinear: bias of \(bias?.count ?? 0) for \(o) outputs")
        (inputs, outputs, panels, groupedInputs) = (i, o, (o + 15) / 16, (i + 3) & ~3)
        let count = panels * groupedInputs * 16
        weights = .allocate(capacity: count)
        weights.initialize(repeating: 0, count: count)
        offsets = .allocate(capacity: panels * 16)
        offsets.initialize(repeating: 0, count: panels * 16)
        scales = Storage(count: panels * 16, repeating: 0)
        self.bias = Storage(count: panels * 16, repeating: 0)
        if let bias { self.bias.pointer.update(from: bias.data, count: o) }
        var row = [UInt8](repeating: 0, count: i)
        for j in 0..<o {
            scales.pointer[j] = row.withUnsafeMutableBufferPointer { quantizeRow(weight.data + j * i, count: i, into: $0.baseAddress!) }
            let base = weights + (j / 16) * groupedInputs * 16 + (j % 16) * 4
            var sum: Int32 = 0
            for k in 0..<i {
                let q = Int32(row[k]) - 128
                base[(k / 4) * 64 + k % 4] = Int8(q)
                sum += q
            }
            offsets[j] = 128 * sum
        }
    }

    deinit {
        weights.deallocate()
        offsets.deallocate()
    }

    /// The quantised weight qᵂ[o, k].
    public func quantizedWeight(_ o: Int, _ k: Int) -> Int8 {
        weights[(o / 16) * groupedInputs * 16 + (k / 4) * 64 + (o % 16) * 4 + k % 4]
    }

    /// The scale sᵂ[o] of output `o`'s weights.
    public func weightScale(_ o: Int) -> Float { scales.pointer[o] }

    /// The bias b[o] (0 without one).
    public func biasValue(_ o: Int) -> Float { bias.pointer[o] }

    /// `out[r] = epilogue(x[r]·Wᵀ + b)` with int8 weights and inputs (see the type's notes) for
    /// every row of `x` [R, I]; sets `out.count` to R (`.accumulate` adds into its R rows).
    /// Products of at least 2^20 multiply-adds are split over threads by pairs of panels, which
    /// does not change any output (integer sums; the same float steps per output).
    public func apply(_ x: Rows, into out: Rows, _ epilogue: RowsEpilogue = .store) {
        precondition(x.width == inputs && out.width == outputs, "QuantizedLinear: rows of \(x.width) -> \(out.width), layer \(inputs) -> \(outputs)")
        precondition(x !== out, "QuantizedLinear: input and output must be different rows")
        let m = x.count
        if epilogue == .accumulate {
            precondition(out.count == m, "QuantizedLinear: accumulating \(m) rows into \(out.count)")
        } else {
            out.reserve(m)
            out.count = m
        }
        if m == 0 || outputs == 0 { return }
        withQuantizedRows(x) { qx, sx in
            let (pq, ps, po) = (SharedPointer(qx), SharedPointer(sx), SharedPointer(out.pointer))
            let body: @Sendable (Range<Int>) -> Void = { [self] panelRange in
                forEachPanel(qx: pq.base, rows: m, panels: panelRange) { r, q, sums in
                    storePanel(dequantize(sums, rowScale: ps[r], panel: q), to: po.base + r * outputs + q * 16,
                               count: min(16, outputs - q * 16), epilogue)
                }
            }
            splitPanels(panels, multiplyAdds: m * outputs * inputs, body)
        }
    }

    /// `PackedLinear.forEachColumnBlock` with int8 weights: the rows' outputs (bias added, no
    /// epilogue) one block of at most `blockColumns` columns (a multiple of 16) at a time, as
    /// rows [R, columns.count] of stride `blockColumns` in `scratch`; on the calling thread.
    public func forEachColumnBlock(_ x: Rows, blockColumns: Int, scratch: Rows,
                                   _ body: (Range<Int>, UnsafePointer<Float>) -> Void) {
        precondition(x.width == inputs && blockColumns > 0 && blockColumns % 16 == 0 && scratch.width == blockColumns,
                     "QuantizedLinear.forEachColumnBlock: rows of \(x.width), blocks of \(blockColumns), scratch rows of \(scratch.width)")
        let m = x.count
        if m == 0 || outputs == 0 { return }
        scratch.reserve(m)
        scratch.count = m
        let perBlock = blockColumns / 16
        withQuantizedRows(x) { qx, sx in
            var q0 = 0
            while q0 < panels {
                let q1 = min(panels, q0 + perBlock)
                forEachPanel(qx: qx, rows: m, panels: q0..<q1) { r, q, sums in
                    let v = dequantize(sums, rowScale: sx[r], panel: q)
                    UnsafeMutableRawPointer(scratch.pointer + r * blockColumns + (q - q0) * 16).storeBytes(of: v, as: SIMD16<Float>.self)
                }
                body(q0 * 16..<min(outputs, q1 * 16), scratch.pointer)
                q0 = q1
            }
        }
    }

    /// Quantises every row of `x` to u = qˣ + 128 ([R, I4], padding 128) with its scale sˣ,
    /// in memory that lives for the call of `body`.
    private func withQuantizedRows(_ x: Rows, _ body: (UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<Float>) -> Void) {
        let m = x.count
        let qx = UnsafeMutablePointer<UInt8>.allocate(capacity: m * groupedInputs)
        let sx = UnsafeMutablePointer<Float>.allocate(capacity: m)
        defer { qx.deallocate(); sx.deallocate() }
        for r in 0..<m {
            let u = qx + r * groupedInputs
            sx[r] = quantizeRow(x.pointer + r * inputs, count: inputs, into: u)
            for k in inputs..<groupedInputs { u[k] = 128 }
        }
        body(qx, sx)
    }

    /// Row `r`'s 16 int32 sums of panel `q` (offset included) as floats: the offset taken off,
    /// `Float(acc)·(sˣ·sᵂ) + b`.
    @inline(__always)
    private func dequantize(_ sums: SIMD16<Int32>, rowScale: Float, panel q: Int) -> SIMD16<Float> {
        let exact = sums &- UnsafeRawPointer(offsets + q * 16).loadUnaligned(as: SIMD16<Int32>.self)
        return SIMD16<Float>(exact) * (SIMD16(repeating: rowScale) * load16(scales.pointer + q * 16)) + load16(bias.pointer + q * 16)
    }

    /// Every panel in `panels` against every row: `sink(row, panel, sums)`; tiles of 3 rows by
    /// 2 panels (each input broadcast feeds two panels), then 3 by 1, then single rows.
    @inline(__always)
    private func forEachPanel(qx: UnsafeMutablePointer<UInt8>, rows m: Int, panels: Range<Int>,
                              _ sink: (Int, Int, SIMD16<Int32>) -> Void) {
        let (k4, stride) = (groupedInputs / 4, groupedInputs)
        var q = panels.lowerBound
        while q < panels.upperBound {
            let w0 = UnsafeRawPointer(weights + q * groupedInputs * 16)
            let pair = q + 1 < panels.upperBound
            let w1 = pair ? UnsafeRawPointer(weights + (q + 1) * groupedInputs * 16) : w0
            var r = 0
            while r + 3 <= m {
                let (a0, a1, a2) = (UnsafePointer(qx + r * stride), UnsafePointer(qx + (r + 1) * stride), UnsafePointer(qx + (r + 2) * stride))
                if pair {
                    let s = int8Tile3x2(k4: k4, a0: a0, a1: a1, a2: a2, w0: w0, w1: w1)
                    sink(r, q, s.0); sink(r, q + 1, s.1); sink(r + 1, q, s.2); sink(r + 1, q + 1, s.3); sink(r + 2, q, s.4); sink(r + 2, q + 1, s.5)
                } else {
                    let s = int8Tile3(k4: k4, a0: a0, a1: a1, a2: a2, w: w0)
                    sink(r, q, s.0); sink(r + 1, q, s.1); sink(r + 2, q, s.2)
                }
                r += 3
            }
            while r < m {
                let a = UnsafePointer(qx + r * stride)
                sink(r, q, int8Tile1(k4: k4, a: a, w: w0))
                if pair { sink(r, q + 1, int8Tile1(k4: k4, a: a, w: w1)) }
                r += 1
            }
            q += pair ? 2 : 1
        }
    }
}

/// Quantises `count` floats symmetrically to q in -127…127 (round to nearest even), writes
/// u = q + 128 (1…255) and returns the scale s = max|x| / 127 (x ≈ s·q): 0 for a row of zeros
/// (all q = 0), NaN for a row holding a NaN or an infinity (all q = 0), so such rows give NaN
/// outputs instead of a crash. 16 lanes at a time: max|x| on the bit patterns (for |x| they
/// order as the values do, and a NaN or an infinity is above every finite value), rounding by
/// adding 1.5·2²³ (exact for |x·127/max| ≤ 127.5: the sum's last bits are the rounded integer).
@inline(__always)
func quantizeRow(_ x: UnsafePointer<Float>, count: Int, into u: UnsafeMutablePointer<UInt8>) -> Float {
    let magic: Float = 12_582_912  // 1.5·2²³
    let magicBits = Int32(bitPattern: magic.bitPattern) - 128
    var top = SIMD16<Int32>()
    var k = 0
    while k + 16 <= count {
        let a = UnsafeRawPointer(x + k).loadUnaligned(as: SIMD16<Int32>.self) & 0x7FFF_FFFF
        top.replace(with: a, where: a .> top)
        k += 16
    }
    var bits = top.max()
    while k < count {
        bits = Swift.max(bits, Int32(bitPattern: x[k].bitPattern) & 0x7FFF_FFFF)
        k += 1
    }
    let amax = Float(bitPattern: UInt32(bits))
    guard amax.isFinite, amax > 0 else {
        u.update(repeating: 128, count: count)
        return amax.isFinite ? 0 : .nan
    }
    let inverse = 127 / amax
    k = 0
    while k + 16 <= count {
        let y = UnsafeRawPointer(x + k).loadUnaligned(as: SIMD16<Float>.self) * SIMD16(repeating: inverse) + SIMD16(repeating: magic)
        let q = unsafeBitCast(y, to: SIMD16<Int32>.self) &- SIMD16(repeating: magicBits)
        UnsafeMutableRawPointer(u + k).storeBytes(of: SIMD16<UInt8>(truncatingIfNeeded: q), as: SIMD16<UInt8>.self)
        k += 16
    }
    while k < count {
        let y = x[k] * inverse + magic
        u[k] = UInt8(truncatingIfNeeded: Int32(bitPattern: y.bitPattern) &- magicBits)
        k += 1
    }
    return amax / 127
}

/// The plain-loop twin of `QuantizedLinear.apply`: the same quantised inputs, the int32 sums
/// Σₖ qˣ·qᵂ one product at a time (no offset), then the same float steps per output.
public func quantizedLinearReference(_ x: Rows, _ layer: QuantizedLinear, into out: Rows, _ epilogue: RowsEpilogue = .store) {
    let (m, n, depth) = (x.count, layer.outputs, layer.inputs)
    if epilogue != .accumulate {
        out.reserve(m)
        out.count = m
    }
    var q = [UInt8](repeating: 0, count: depth)
    for r in 0..<m {
        let sx = q.withUnsafeMutableBufferPointer { quantizeRow(x.pointer + r * depth, count: depth, into: $0.baseAddress!) }
        for o in 0..<n {
            var acc: Int32 = 0
            for k in 0..<depth { acc &+= (Int32(q[k]) - 128) &* Int32(layer.quantizedWeight(o, k)) }
            let v = Float(acc) * (sx * layer.weightScale(o)) + layer.biasValue(o)
            let dst = out.pointer + r * n + o
            switch epilogue {
            case .store: dst.pointee = v
            case .relu: dst.pointee = max(0, v)
            case .accumulate: dst.pointee = dst.pointee + v
            }
        }
    }
}

/// The four sign-extended weights of each lane of a 64-byte group (inputs 4g … 4g+3).
@inline(__always)
func int8Lanes(_ p: UnsafeRawPointer) -> (SIMD16<Int32>, SIMD16<Int32>, SIMD16<Int32>, SIMD16<Int32>) {
    let v = p.loadUnaligned(as: SIMD16<Int32>.self)
    return ((v &<< 24) &>> 24, (v &<< 16) &>> 24, (v &<< 8) &>> 24, v &>> 24)
}

/// An input u (0…255) in every lane; known to fit in 8 unsigned bits, which is what lets LLVM
/// use `vpmaddwd`/`vpdpwssd` for the products.
@inline(__always)
func int8Broadcast(_ p: UnsafePointer<UInt8>, _ k: Int) -> SIMD16<Int32> {
    SIMD16(repeating: Int32(p[k]))
}

/// Three rows of inputs against one panel: each row's 16 sums Σ u·qᵂ.
@inline(never)
func int8Tile3(k4: Int, a0: UnsafePointer<UInt8>, a1: UnsafePointer<UInt8>, a2: UnsafePointer<UInt8>,
               w: UnsafeRawPointer) -> (SIMD16<Int32>, SIMD16<Int32>, SIMD16<Int32>) {
    var (x, y, z) = (SIMD16<Int32>(), SIMD16<Int32>(), SIMD16<Int32>())
    var (pa, pb, pc, pw) = (a0, a1, a2, w)
    for _ in 0..<k4 {
        let (w0, w1, w2, w3) = int8Lanes(pw)
        x &+= w0 &* int8Broadcast(pa, 0); y &+= w0 &* int8Broadcast(pb, 0); z &+= w0 &* int8Broadcast(pc, 0)
        x &+= w1 &* int8Broadcast(pa, 1); y &+= w1 &* int8Broadcast(pb, 1); z &+= w1 &* int8Broadcast(pc, 1)
        x &+= w2 &* int8Broadcast(pa, 2); y &+= w2 &* int8Broadcast(pb, 2); z &+= w2 &* int8Broadcast(pc, 2)
        x &+= w3 &* int8Broadcast(pa, 3); y &+= w3 &* int8Broadcast(pb, 3); z &+= w3 &* int8Broadcast(pc, 3)
        pa += 4; pb += 4; pc += 4; pw += 64
    }
    return (x, y, z)
}

/// Three rows against two panels (32 outputs): row 0's sums of panels 0 and 1, then row 1's,
/// then row 2's. Inputs 4g and 4g+2 go to one set of sums, 4g+1 and 4g+3 to another, added at
/// the end: with a single set LLVM's machine combiner sees a chain of four `vpdpwssd` per sum
/// and splits three of them back into `vpmaddwd` + `vpaddd`.
@inline(never)
func int8Tile3x2(k4: Int, a0: UnsafePointer<UInt8>, a1: UnsafePointer<UInt8>, a2: UnsafePointer<UInt8>,
                 w0: UnsafeRawPointer, w1: UnsafeRawPointer)
    -> (SIMD16<Int32>, SIMD16<Int32>, SIMD16<Int32>, SIMD16<Int32>, SIMD16<Int32>, SIMD16<Int32>) {
    typealias V = SIMD16<Int32>
    var (x0, x1, y0, y1, z0, z1) = (V(), V(), V(), V(), V(), V())
    var (xx0, xx1, yy0, yy1, zz0, zz1) = (V(), V(), V(), V(), V(), V())
    var (pa, pb, pc, pv, pu) = (a0, a1, a2, w0, w1)
    for _ in 0..<k4 {
        let (v, u) = (int8Lanes(pv), int8Lanes(pu))
        var (b0, b1, b2) = (int8Broadcast(pa, 0), int8Broadcast(pb, 0), int8Broadcast(pc, 0))
        x0 &+= v.0 &* b0; x1 &+= u.0 &* b0; y0 &+= v.0 &* b1; y1 &+= u.0 &* b1; z0 &+= v.0 &* b2; z1 &+= u.0 &* b2
        (b0, b1, b2) = (int8Broadcast(pa, 1), int8Broadcast(pb, 1), int8Broadcast(pc, 1))
        xx0 &+= v.1 &* b0; xx1 &+= u.1 &* b0; yy0 &+= v.1 &* b1; yy1 &+= u.1 &* b1; zz0 &+= v.1 &* b2; zz1 &+= u.1 &* b2
        (b0, b1, b2) = (int8Broadcast(pa, 2), int8Broadcast(pb, 2), int8Broadcast(pc, 2))
        x0 &+= v.2 &* b0; x1 &+= u.2 &* b0; y0 &+= v.2 &* b1; y1 &+= u.2 &* b1; z0 &+= v.2 &* b2; z1 &+= u.2 &* b2
        (b0, b1, b2) = (int8Broadcast(pa, 3), int8Broadcast(pb, 3), int8Broadcast(pc, 3))
        xx0 &+= v.3 &* b0; xx1 &+= u.3 &* b0; yy0 &+= v.3 &* b1; yy1 &+= u.3 &* b1; zz0 &+= v.3 &* b2; zz1 &+= u.3 &* b2
        pa += 4; pb += 4; pc += 4; pv += 64; pu += 64
    }
    return (x0 &+ xx0, x1 &+ xx1, y0 &+ yy0, y1 &+ yy1, z0 &+ zz0, z1 &+ zz1)
}

/// One row against one panel.
@inline(never)
func int8Tile1(k4: Int, a: UnsafePointer<UInt8>, w: UnsafeRawPointer) -> SIMD16<Int32> {
    var x = SIMD16<Int32>()
    var (pa, pw) = (a, w)
    for _ in 0..<k4 {
        let (w0, w1, w2, w3) = int8Lanes(pw)
        x &+= w0 &* int8Broadcast(pa, 0)
        x &+= w1 &* int8Broadcast(pa, 1)
        x &+= w2 &* int8Broadcast(pa, 2)
        x &+= w3 &* int8Broadcast(pa, 3)
        pa += 4; pw += 64
    }
    return x
}
