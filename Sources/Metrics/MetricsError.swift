/// Why a metric could not be computed. Each message says what is wrong and how to fix it.
public enum MetricsError: Error, Equatable, CustomStringConvertible {
    /// A reference stream does not have one line per hypothesis.
    case referenceCountMismatch(stream: Int, lines: Int, hypotheses: Int)
    /// No reference was given at all.
    case noReferences
    /// A config field is outside its valid range.
    case invalidConfig(field: String, value: String, expected: String)

    public var description: String {
        switch self {
        case let .referenceCountMismatch(stream, lines, hypotheses):
            return "Metrics: reference stream \(stream) has \(lines) lines but there are "
                + "\(hypotheses) hypotheses; references are given as streams (sacreBLEU's layout: "
                + "references[k][i] is the k-th reference of hypothesis i), each with exactly one "
                + "line per hypothesis"
        case .noReferences:
            return "Metrics: no references were given; pass at least one reference stream "
                + "(for a single reference per sentence: references: [refs])"
        case let .invalidConfig(field, value, expected):
            return "Metrics: config field `\(field)` is \(value); it must be \(expected)"
        }
    }
}

/// Checks sacreBLEU's reference layout: `references[k][i]` is the k-th reference of hypothesis i.
func checkStreams(_ references: [[String]], hypotheses: Int) throws {
    guard !references.isEmpty else { throw MetricsError.noReferences }
    for (k, stream) in references.enumerated() where stream.count != hypotheses {
        throw MetricsError.referenceCountMismatch(stream: k, lines: stream.count, hypotheses: hypotheses)
    }
}
