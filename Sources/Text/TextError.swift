import Foundation

/// Everything the Text module can reject, each with enough context to fix the input.
///
/// `description` names the file and line (where there is one), what is wrong and what to do,
/// so command-line tools can print it as-is.
public enum TextError: Error, CustomStringConvertible, LocalizedError, Equatable {
    /// The file does not exist.
    case fileNotFound(path: String)
    /// The file exists but could not be read (directory, permissions, I/O error).
    case unreadable(path: String, reason: String)
    /// The file has no content (zero bytes, or only a BOM, blank lines and whitespace).
    case emptyFile(path: String)
    /// A Moses pair whose two files do not have the same number of lines.
    case lineCountMismatch(sourcePath: String, sourceLines: Int, targetPath: String, targetLines: Int)
    /// A TSV line without a tab, so there is no target column.
    case missingColumn(path: String, line: Int)
    /// A line whose bytes are not valid UTF-8.
    case invalidUTF8(path: String, line: Int)
    /// A line longer than a reader accepts (`limit` bytes).
    case lineTooLong(path: String, line: Int, limit: Int)
    /// Every line was skipped (empty side or too long); `summary` says how many of each.
    case noUsablePairs(path: String, summary: String)
    /// A configuration value that cannot work (e.g. a zero token budget).
    case invalidConfig(field: String, reason: String)
    /// One sentence pair needs more tokens than a whole batch may hold.
    case sentenceExceedsBudget(pairIndex: Int, tokens: Int, budget: Int)
    /// A serialised tokenizer that could not be decoded.
    case invalidTokenizerJSON(reason: String)
    /// No training text to learn a tokenizer from.
    case emptyTrainingText

    /// What is wrong, where, and what to do.
    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "\(path): file not found. Check the path (relative paths are taken from the current directory)."
        case .unreadable(let path, let reason):
            return "\(path): could not be read (\(reason)). Check the file's permissions and that it is a regular file."
        case .emptyFile(let path):
            return "\(path): the file is empty. Give a corpus with at least one non-blank line."
        case .lineCountMismatch(let sp, let sl, let tp, let tl):
            return "\(sp) has \(sl) lines but \(tp) has \(tl) lines: Moses-style files must be line-aligned. "
                + "Re-export the pair so line N of one is the translation of line N of the other."
        case .missingColumn(let path, let line):
            return "\(path):\(line): only one column; expected `source<TAB>target`. "
                + "Separate the two sides with a tab character (not spaces), or delete the line."
        case .invalidUTF8(let path, let line):
            return "\(path):\(line): the line is not valid UTF-8. Convert the file to UTF-8 "
                + "(e.g. `iconv -f latin1 -t utf-8`) or delete the line."
        case .lineTooLong(let path, let line, let limit):
            return "\(path):\(line): the line is longer than \(limit) bytes. Split it into sentences, one per line."
        case .noUsablePairs(let path, let summary):
            return "\(path): no usable sentence pairs (\(summary)). Check the file format, "
                + "or raise the maximum line length if every line was too long."
        case .invalidConfig(let field, let reason):
            return "invalid configuration `\(field)`: \(reason)."
        case .sentenceExceedsBudget(let index, let tokens, let budget):
            return "batch budget smaller than one sentence: pair #\(index) needs \(tokens) tokens "
                + "(source + target input) but a batch may hold only \(budget). "
                + "Raise the token budget or lower the maximum sentence length."
        case .invalidTokenizerJSON(let reason):
            return "the saved tokenizer could not be read: \(reason). The checkpoint may be corrupt or "
                + "from an incompatible version; retrain the tokenizer."
        case .emptyTrainingText:
            return "no training text to learn a tokenizer from. Give a corpus with at least one non-empty pair."
        }
    }

    /// The same, for `localizedDescription`.
    public var errorDescription: String? { description }
}
