import Foundation
import Engine

/// The fixed sinusoidal position table (Vaswani et al. 2017, §3.5), not a parameter:
/// PE[pos, 2i] = sin(pos / 10000^(2i/D)), PE[pos, 2i+1] = cos(pos / 10000^(2i/D)).
/// Each pair of dimensions is a clock at its own frequency, so relative offsets are linear
/// functions of the encoding and attention can learn "the word two to the left".
public enum PositionalEncoding {
    /// The table for positions 0..<length, [length, D].
    public static func table(length: Int, dim: Int) -> Tensor {
        var values = [Float](repeating: 0, count: length * dim)
        for pos in 0..<length {
            for i in stride(from: 0, to: dim, by: 2) {
                let angle = Double(pos) / pow(10_000, Double(i) / Double(dim))
                values[pos * dim + i] = Float(sin(angle))
                if i + 1 < dim { values[pos * dim + i + 1] = Float(cos(angle)) }
            }
        }
        return Tensor(shape: [length, dim], values: values)  // [L, D]
    }
}
