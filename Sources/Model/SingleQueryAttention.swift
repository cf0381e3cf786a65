import Engine
import Foundation

/// Where one attention's cached keys and values live: `rows` blocks of `[H, capacity, K]`
/// floats each (the `[B, H, capacity, K]` layout), an additive key mask of `capacity` floats
/// per block, and which block each decoding row reads (beams of one sentence share the
/// encoder's block; self-attention rows read their own).
struct CachedKeys {
    var keys: UnsafeMutablePointer<Float>
    var values: UnsafeMutablePointer<Float>
    /// 0 where a key may be attended, −∞ where not (source padding, `<pad>` target tokens).
    var mask: UnsafeMutablePointer<Float>
    /// Key slots reserved per head (S for the encoder, the step limit for self-attention).
    var capacity: Int
}

extension CachedKeys: @unchecked Sendable {}
// Shared read-only across the row-parallel workers of `attendSingleQuery`.

/// softmax(q·Kᵀ/√K + mask)·V for one query per row and head over the first `count` cached keys,
/// heads merged into `out` `[rows, H·K]`. Row r reads block `blockOf[r]` of `cache`.
///
/// The softmax is computed as `Engine.softmax` does (scale, add mask, subtract the row maximum,
/// exp, normalise; a row with every key masked gives zero weights), so cached decoding agrees
/// with the full decoder to rounding. Each row's weights are left in `weights` `[rows, H, count]`
/// for observers.
func attendSingleQuery(_ q: UnsafePointer<Float>, rows: Int, heads: Int, headDim k: Int, cache: CachedKeys,
                       blockOf: [Int], count: Int, weights: UnsafeMutablePointer<Float>,
                       into out: UnsafeMutablePointer<Float>) {
    if rows <= 0 || heads <= 0 { return }
    let scale = 1 / Float(k).squareRoot()
    let d = heads * k
    let (pq, pw, po) = (SharedPointer(q), SharedPointer(weights), SharedPointer(out))
    let k8 = k & ~7
    blockOf.withUnsafeBufferPointer { blocks in
        let pblocks = SharedPointer(blocks.baseAddress!)
        let body: @Sendable (Range<Int>) -> Void = { rr in
            for r in rr {
                let block = pblocks[r]
                let mask = cache.mask + block * cache.capacity
                for h in 0..<heads {
                    let qh = pq.base + r * d + h * k
                    let base = (block * heads + h) * cache.capacity * k
                    let (kh, vh) = (cache.keys + base, cache.values + base)
                    let w = pw.base + (r * heads + h) * count
                    var mx = -Float.infinity
                    for j in 0..<count {
                        let kj = kh + j * k
                        var acc = Lanes()
                        var c = 0
                        while c < k8 {
                            acc = acc.addingProduct(UnsafeRawPointer(qh + c).loadUnaligned(as: Lanes.self),
                                                    UnsafeRawPointer(kj + c).loadUnaligned(as: Lanes.self))
                            c += 8
                        }
                        let h4 = acc.lowHalf + acc.highHalf
                        let h2 = h4.lowHalf + h4.highHalf
                        var s = h2[0] + h2[1]
                        while c < k { s = s.addingProduct(qh[c], kj[c]); c += 1 }
                        let v = scale * s + mask[j]
                        w[j] = v
                        mx = max(mx, v)
                    }
                    let oh = po.base + r * d + h * k
                    guard softmaxRowInPlace(w, count: count, max: mx) else {
                        for c in 0..<k { oh[c] = 0 }
                        continue
                    }
                    // Weighted sum of the value rows, 8 output lanes at a time.
                    var c = 0
                    while c < k8 {
                        var acc = Lanes()
                        for j in 0..<count where w[j] != 0 {
                            acc = acc.addingProduct(Lanes(repeating: w[j]), UnsafeRawPointer(vh + j * k + c).loadUnaligned(as: Lanes.self))
                        }
                        UnsafeMutableRawPointer(oh + c).storeBytes(of: acc, as: Lanes.self)
                        c += 8
                    }
                    while c < k {
                        var s: Float = 0
                        for j in 0..<count where w[j] != 0 { s = s.addingProduct(w[j], vh[j * k + c]) }
                        oh[c] = s
                        c += 1
                    }
                }
            }
        }
        if rows * heads * count * k < 1 << 15 || Threads.count == 1 {
            body(0..<rows)
        } else {
            parallelChunks(rows, minChunk: 1, body)
        }
    }
}
