// Element-wise updates of a model's parameters after a backward pass: Adam's step and the
// weights' moving average. Each runs as one parallel section over all parameters together (a
// model has dozens of tensors, most too small to be worth a thread on their own), cut into
// chunks of whole elements, so the result does not depend on the thread count.

/// The scalars of one Adam update (Kingma & Ba), bias corrections included.
public struct AdamStep: Sendable {
    /// β₁ and β₂, the moments' decay rates.
    public var beta1, beta2: Float
    /// The learning rate divided by the first moment's bias correction 1 − β₁^t.
    public var alpha: Float
    /// The second moment's bias correction 1 − β₂^t.
    public var secondCorrection: Float
    /// ε in the denominator.
    public var epsilon: Float
    /// Factor applied to every gradient first (the global-norm clipping), 1 for none.
    public var gradientScale: Float

    /// The step's scalars, given as the optimizer computes them.
    public init(beta1: Float, beta2: Float, alpha: Float, secondCorrection: Float, epsilon: Float, gradientScale: Float) {
        (self.beta1, self.beta2, self.alpha, self.secondCorrection) = (beta1, beta2, alpha, secondCorrection)
        (self.epsilon, self.gradientScale) = (epsilon, gradientScale)
    }
}

/// Adam: for every parameter with a gradient, g = scale·grad; m = β₁m + (1−β₁)g;
/// v = β₂v + (1−β₂)g²; w −= α·m / (√(v / (1−β₂^t)) + ε). `m[i]` and `v[i]` belong to
/// `parameters[i]`. Parameters without a gradient are left alone. Gradients are not cleared.
public func adamUpdate(_ parameters: [Tensor], m: [Tensor], v: [Tensor], _ s: AdamStep) {
    precondition(m.count == parameters.count && v.count == parameters.count, "adamUpdate: one m and one v per parameter")
    let live = parameters.indices.filter { parameters[$0].grad != nil }
    let segments = live.map { i in
        (w: SharedPointer(parameters[i].data), g: SharedPointer(parameters[i].grad!.data), m: SharedPointer(m[i].data),
         v: SharedPointer(v[i].data))
    }
    let (b1, b2, alpha, c2, eps, scale) = (s.beta1, s.beta2, s.alpha, s.secondCorrection, s.epsilon, s.gradientScale)
    parallelSegments(live.map { parameters[$0].count }, minChunk: 1 << 16) { k, range in
        let (pw, pg, pm, pv) = segments[k]
        for j in range {
            let gj = pg[j] * scale
            let mj = b1 * pm[j] + (1 - b1) * gj
            let vj = b2 * pv[j] + (1 - b2) * gj * gj
            pm[j] = mj; pv[j] = vj
            pw[j] -= alpha * mj / ((vj / c2).squareRoot() + eps)
        }
    }
}

/// The weights' exponential moving average: `average[i] = decay · average[i] + (1 − decay) · values[i]`.
public func movingAverage(_ average: [Tensor], toward values: [Tensor], decay d: Float) {
    precondition(average.count == values.count && zip(average, values).allSatisfy { $0.count == $1.count }, "movingAverage: shapes differ")
    let e = 1 - d
    let segments = zip(average, values).map { (a: SharedPointer($0.data), w: SharedPointer($1.data)) }
    parallelSegments(average.map(\.count), minChunk: 1 << 16) { k, range in
        let (pa, pw) = segments[k]
        for j in range { pa[j] = d * pa[j] + e * pw[j] }
    }
}
