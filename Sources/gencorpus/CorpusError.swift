/// Errors the generator reports; each message says what is wrong and what to do.
enum CorpusError: Error, CustomStringConvertible {
    case usage(String)
    case generation(String)
    case io(path: String, problem: String)

    var description: String {
        switch self {
        case .usage(let message): "gencorpus: \(message)\nRun `gencorpus --help` for usage."
        case .generation(let message): "gencorpus: internal grammar error: \(message)"
        case .io(let path, let problem): "gencorpus: \(path): \(problem)"
        }
    }
}
