import Engine
import XCTest

/// One-line gradient check: fails with the worst element named.
func assertGradients(_ inputs: [Tensor], atol: Float = 1e-3, rtol: Float = 1e-2,
                     file: StaticString = #filePath, line: UInt = #line, _ f: () -> Tensor) {
    let r = GradientCheck.run(inputs: inputs, atol: atol, rtol: rtol, f)
    XCTAssertTrue(r.passed, "gradient check failed: \(r)", file: file, line: line)
}

/// A fused op and its composed twin must agree on outputs and on every input's gradient.
func assertSameAsComposed(_ inputs: [Tensor], tolerance: Float = 1e-5,
                          file: StaticString = #filePath, line: UInt = #line,
                          fused: () -> Tensor, composed: () -> Tensor) {
    var rng = RandomGenerator(seed: 99)
    func run(_ f: () -> Tensor) -> ([Float], [[Float]]) {
        for x in inputs { x.requiresGrad = true; x.zeroGrad() }
        let y = f()
        let w = Tensor.randomNormal(y.shape, std: 1, rng: &rng)
        (y * w).sum().backward()
        let grads = inputs.map { $0.grad?.values ?? [] }
        return (y.values, grads)
    }
    let saved = rng
    let (y1, g1) = run(fused)
    rng = saved
    let (y2, g2) = run(composed)
    XCTAssertEqual(y1.count, y2.count, file: file, line: line)
    let dy = zip(y1, y2).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
    XCTAssertLessThanOrEqual(dy, tolerance, "outputs differ", file: file, line: line)
    for (k, (a, b)) in zip(g1, g2).enumerated() {
        let dg = zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
        XCTAssertLessThanOrEqual(dg, tolerance, "gradient of input \(k) differs", file: file, line: line)
    }
}

func randn(_ shape: [Int], seed: UInt64, std: Float = 1) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    return Tensor.randomNormal(shape, std: std, rng: &rng)
}
