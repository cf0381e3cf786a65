import Engine

/// Additive attention masks: 0 where attention is allowed, −∞ where it is not.
public enum Masks {
    /// Padding mask over keys, [B, 1, 1, S]: position s of sentence b is hidden when
    /// `tokens[b·S + s] == pad`. Broadcasts over heads and query positions.
    public static func padding(_ tokens: [Int32], batch: Int, length: Int, pad: Int32) -> Tensor {
        Tensor(shape: [batch, 1, 1, length], values: tokens.map { $0 == pad ? -Float.infinity : 0 })
    }

    /// Causal mask for decoder self-attention, [T, T]: query t sees keys 0...t only, so
    /// training on a whole target sentence cannot peek at the words it must predict.
    public static func causal(_ length: Int) -> Tensor {
        var v = [Float](repeating: 0, count: length * length)
        for t in 0..<length { for s in (t + 1)..<max(t + 1, length) { v[t * length + s] = -.infinity } }
        return Tensor(shape: [length, length], values: v)
    }

    /// Causal and key-padding together, [B, 1, T, T].
    public static func causalPadding(_ tokens: [Int32], batch: Int, length: Int, pad: Int32) -> Tensor {
        var v = [Float](repeating: 0, count: batch * length * length)
        for b in 0..<batch {
            for t in 0..<length {
                for s in 0..<length where s > t || tokens[b * length + s] == pad {
                    v[(b * length + t) * length + s] = -.infinity
                }
            }
        }
        return Tensor(shape: [batch, 1, length, length], values: v)
    }

    /// The inference twin of `padding`: per token, whether attention hides it as a key (it is
    /// `pad`). The key caches turn these into the same 0 / −∞ mask values.
    public static func hiddenKeys(_ tokens: [Int32], pad: Int32) -> [Bool] { tokens.map { $0 == pad } }
}
