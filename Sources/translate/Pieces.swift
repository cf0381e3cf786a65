import TinyTranslator

/// `translate --pieces` / `--pieces-target`: what the tokenizer makes of each line, instead of a
/// translation. One output line per input line: the vocabulary tokens of its ids separated by
/// single spaces (`▁` marks a piece that followed a space, `<unk>` a piece not in the vocabulary;
/// a token never contains a space). Lets a learner see what the model reads, and lets another
/// implementation of docs/TOKENIZER.md compare its pieces with ours line by line.
func piecesText(_ lines: [String], translator: Translator, side: Translator.Side) -> String {
    var out = ""
    for line in lines {
        out += translator.pieces(line, side: side).joined(separator: " ")
        out += "\n"
    }
    return out
}
