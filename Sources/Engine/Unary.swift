import Foundation

/// Element-wise functions y = f(x) with gradient g · f'(x, y): activations (ReLU, GELU) and the
/// pieces the fused kernels are tested against (exp, log, square root, tanh, powers).
///
/// The backward may read the output values y (exp's derivative is y itself); it keeps the
/// output's `Storage`, not the output tensor, so no retain cycle forms.
@inline(__always)
func unary(_ a: Tensor, _ f: @escaping @Sendable (Float) -> Float,
           derivative: @escaping @Sendable (_ x: Float, _ y: Float) -> Float) -> Tensor {
    let out = Tensor(uninitializedShape: a.shape)
    let (pa, po) = (SharedPointer(a.data), SharedPointer(out.data))
    parallelChunks(a.count, minChunk: 8192) { r in for i in r { po[i] = f(pa[i]) } }
    let y = out.storage
    return out.record([a]) { g in
        let (pg, ga, py) = (SharedPointer(g.data), SharedPointer(a.gradPointer()), SharedPointer(y.pointer))
        parallelChunks(g.count, minChunk: 8192) { r in for i in r { ga[i] += pg[i] * derivative(pa[i], py[i]) } }
    }
}

/// max(0, x). Written out rather than through `unary`: the feed-forward block runs it on the
/// widest activations of the model, and the plain loops vectorise (the backward closure of
/// `unary` calls its `derivative` closure per element).
public func relu(_ a: Tensor) -> Tensor {
    let out = Tensor(uninitializedShape: a.shape)
    let (pa, po) = (SharedPointer(a.data), SharedPointer(out.data))
    parallelChunks(a.count, minChunk: 8192) { r in for i in r { po[i] = max(0, pa[i]) } }
    return out.record([a]) { g in
        let (pg, (gradA, assign)) = (SharedPointer(g.data), a.gradForWriting())
        let ga = SharedPointer(gradA)
        parallelChunks(g.count, minChunk: 8192) { r in for i in r { ga[i] = (assign ? 0 : ga[i]) + (pa[i] > 0 ? pg[i] : 0) } }
    }
}

/// GELU, tanh approximation (as in BERT/GPT-2): 0.5 x (1 + tanh(√(2/π)(x + 0.044715 x³))).
public func gelu(_ a: Tensor) -> Tensor {
    let c: Float = 0.797_884_56  // sqrt(2/pi)
    return unary(a, { x in 0.5 * x * (1 + tanhf(c * (x + 0.044715 * x * x * x))) }, derivative: { x, _ in
        let u = c * (x + 0.044715 * x * x * x)
        let t = tanhf(u)
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x)
    })
}

/// e^x element-wise.
public func exp(_ a: Tensor) -> Tensor { unary(a, { expf($0) }, derivative: { _, y in y }) }
/// ln x element-wise.
public func log(_ a: Tensor) -> Tensor { unary(a, { logf($0) }, derivative: { x, _ in 1 / x }) }
/// √x element-wise.
public func sqrt(_ a: Tensor) -> Tensor { unary(a, { sqrtf($0) }, derivative: { _, y in 0.5 / y }) }
/// tanh x element-wise.
public func tanh(_ a: Tensor) -> Tensor { unary(a, { tanhf($0) }, derivative: { _, y in 1 - y * y }) }

/// x^p for a constant exponent p.
public func pow(_ a: Tensor, _ p: Float) -> Tensor {
    unary(a, { powf($0, p) }, derivative: { x, _ in p * powf(x, p - 1) })
}
