import Engine

// Shape legend: R rows, I input width, O output width, D model width, V target vocabulary.

/// How the decoding kernels store and multiply a model's linear layers.
public enum InferencePrecision: String, Sendable, CaseIterable {
    /// float32 weights re-laid in panels (`PackedLinear`): the same numbers as the graph.
    case float32
    /// int8 weights with one scale per output row, inputs quantised per row as the layer runs,
    /// exact int32 sums (`QuantizedLinear`): 4x fewer weight bytes, outputs close to float32's
    /// but not equal (`translate --int8`).
    case int8
}

/// A linear layer as the decoding kernels run it: `out = epilogue(x·Wᵀ + b)` for each row.
/// Built from the layer's weight [O, I] and bias [O] by `Linear.inference(_:)`; a copy, so it
/// must be built again after the weights change (each decoding call builds its own, or is given
/// one by a caller whose weights are fixed, e.g. a `Translator`).
public struct InferenceLinear: Sendable {
    /// The precision it was built with.
    public let precision: InferencePrecision
    private let packed: PackedLinear?
    private let quantized: QuantizedLinear?

    /// The decoding form of weight [O, I] and bias [O] (or none).
    public init(weight: Tensor, bias: Tensor?, _ precision: InferencePrecision) {
        self.precision = precision
        switch precision {
        case .float32: (packed, quantized) = (PackedLinear(weight: weight, bias: bias), nil)
        case .int8: (packed, quantized) = (nil, QuantizedLinear(weight: weight, bias: bias))
        }
    }

    /// I.
    public var inputs: Int { packed?.inputs ?? quantized!.inputs }
    /// O.
    public var outputs: Int { packed?.outputs ?? quantized!.outputs }

    /// `out[r] = epilogue(x[r]·Wᵀ + b)` for every row of `x` [R, I]; sets `out.count` to R.
    public func callAsFunction(_ x: Rows, into out: Rows, _ epilogue: RowsEpilogue = .store) {
        if let packed { packed.apply(x, into: out, epilogue) } else { quantized!.apply(x, into: out, epilogue) }
    }

    /// The rows' outputs [R, O] one block of `blockColumns` columns at a time, for a consumer
    /// that folds them into its own reduction (see `PackedLinear.forEachColumnBlock`).
    public func forEachColumnBlock(_ x: Rows, blockColumns: Int, scratch: Rows, _ body: (Range<Int>, UnsafePointer<Float>) -> Void) {
        if let packed {
            packed.forEachColumnBlock(x, blockColumns: blockColumns, scratch: scratch, body)
        } else {
            quantized!.forEachColumnBlock(x, blockColumns: blockColumns, scratch: scratch, body)
        }
    }
}

extension Transformer {
    /// Every weight the inference twin reads, in the decoding kernels' layouts: built once per
    /// model (or per decoding call while the weights still change, as during training) and
    /// shared, read-only, by any number of decodings on any threads.
    public final class InferenceWeights: Sendable {
        /// The precision of the linear layers.
        public let precision: InferencePrecision
        /// Per encoder layer.
        public let encoder: [EncoderLayer.Inference]
        /// Per decoder layer.
        public let decoder: [DecoderLayer.Inference]
        /// The projection of decoder states to logits [D -> V]: `output`, or the target
        /// embedding when tied (no bias).
        public let output: InferenceLinear

        init(_ model: Transformer, _ precision: InferencePrecision) {
            self.precision = precision
            encoder = model.encoderLayers.map { $0.inference(precision) }
            decoder = model.decoderLayers.map { $0.inference(precision) }
            output = model.output?.inference(precision)
                ?? InferenceLinear(weight: model.targetEmbedding, bias: nil, precision)
        }
    }

    /// The weights of the inference twin as the decoding kernels read them (a copy: build again
    /// after the weights change). `encodeRows`, `startDecoding` and the searches build one
    /// when not given one.
    public func inferenceWeights(_ precision: InferencePrecision = .float32) -> InferenceWeights {
        InferenceWeights(self, precision)
    }
}
