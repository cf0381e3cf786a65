import CLI
import Foundation
import Model
import Text
import Training

/// The prompt `translate` offers when stdin and stdout are a terminal and no sentence was given:
/// each line is translated as typed; `:explain SENTENCE` explains one; an empty line or
/// end of input (Ctrl-D) quits.
func interactive(model: Transformer, tokenizers: TokenizerPair, info: ExplainModelInfo, flags: ParsedFlags, console: Console) throws {
    console.line("Type a sentence to translate (\":explain SENTENCE\" to see the attention; empty line or Ctrl-D to quit).")
    let ratio = try flags.double("max-length") ?? 2
    while true {
        FileHandle.standardOutput.write(Data("> ".utf8))
        guard let line = readLine(strippingNewline: true), !line.trimmingCharacters(in: .whitespaces).isEmpty else { return }
        let explainIt = line.hasPrefix(":explain ")
        let sentence = explainIt ? String(line.dropFirst(":explain ".count)) : line
        let ids = Array(tokenizers.source.encode(sentence).prefix(model.config.maxLength))
        let limit = Int(Double(ids.count) * ratio) + 10
        let out = model.greedyDecode([ids], maxLength: { _ in limit })[0]
        if explainIt {
            try runExplain(model: model, tokenizers: tokenizers, sources: [sentence], outputs: [out],
                           finished: [out.count < limit], info: info, flags: flags, console: console)
        } else {
            console.line(tokenizers.target.decode(out))
        }
    }
}
