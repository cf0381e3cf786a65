/// Checks backward rules against central finite differences (as llm.c checks every gradient).
///
/// The output of `f` is projected onto fixed random weights R before summing, L = Σ f(x) ⊙ R,
/// so a rule that is only right for the plain sum (softmax's gradient of Σ y is zero!) still
/// fails. Each input element is nudged by ±h and the numerical slope (L₊ − L₋)/2h compared with
/// the analytic gradient.
public enum GradientCheck {
    /// The worst disagreement found.
    public struct Result: CustomStringConvertible {
        /// max over elements of |analytic − numeric| / (atol + rtol·max(|analytic|, |numeric|)); ≤ 1 passes.
        public let worstRatio: Float
        /// The largest absolute difference seen.
        public let maxAbsError: Float
        /// Where the worst ratio occurred, e.g. "input 1 [17]: analytic 0.513 numeric 0.498".
        public let worst: String
        /// True when every gradient agrees with its finite difference within tolerance.
        public var passed: Bool { worstRatio <= 1 }
        /// The worst disagreement, for failure messages.
        public var description: String { "worst ratio \(worstRatio), max abs error \(maxAbsError) at \(worst)" }
    }

    /// Float32 central differences with h = 1e-2 carry truncation error O(h²) and rounding error
    /// about 1e-7·|L|/h, so the default tolerance is atol 1e-3 plus rtol 1e-2.
    public static func run(inputs: [Tensor], step h: Float = 1e-2, atol: Float = 1e-3, rtol: Float = 1e-2,
                           seed: UInt64 = 7, _ f: () -> Tensor) -> Result {
        var rng = RandomGenerator(seed: seed)
        let probe = Graph.noGrad { f() }
        let weights = Tensor.randomNormal(probe.shape, std: 1, rng: &rng)
        func projected() -> Double {
            let y = Graph.noGrad { f() }
            var s = 0.0
            for i in 0..<y.count { s += Double(y.data[i]) * Double(weights.data[i]) }
            return s
        }
        for x in inputs { x.requiresGrad = true; x.zeroGrad() }
        (f() * weights).sum().backward()
        var worstRatio: Float = 0, maxAbs: Float = 0, worst = "nowhere"
        for (k, x) in inputs.enumerated() {
            let analytic = x.grad?.values ?? [Float](repeating: 0, count: x.count)
            for i in 0..<x.count {
                let saved = x.data[i]
                x.data[i] = saved + h
                let plus = projected()
                x.data[i] = saved - h
                let minus = projected()
                x.data[i] = saved
                let numeric = Float((plus - minus) / Double(2 * h))
                let diff = abs(analytic[i] - numeric)
                let ratio = diff / (atol + rtol * max(abs(analytic[i]), abs(numeric)))
                maxAbs = max(maxAbs, diff)
                if ratio > worstRatio || ratio.isNaN {
                    worstRatio = ratio.isNaN ? .infinity : ratio
                    worst = "input \(k) \(x.shape) [\(i)]: analytic \(analytic[i]) numeric \(numeric)"
                }
            }
            x.zeroGrad()
        }
        return Result(worstRatio: worstRatio, maxAbsError: maxAbs, worst: worst)
    }
}
