import CLI
import Foundation
import TinyTranslator

/// The prompt `translate` offers when stdin and stdout are a terminal and no sentence was given:
/// each line is translated as typed; `:explain SENTENCE` explains one; an empty line or
/// end of input (Ctrl-D) quits.
func interactive(_ translator: Translator, options: TranslationOptions, flags: ParsedFlags, console: Console) throws {
    console.line("Type a sentence to translate (\":explain SENTENCE\" to see the attention; empty line or Ctrl-D to quit).")
    // Greedy, whatever --beam says: the prompt is for quick looks.
    let greedy = TranslationOptions(maxLengthRatio: options.maxLengthRatio)
    while true {
        FileHandle.standardOutput.write(Data("> ".utf8))
        guard let line = readLine(strippingNewline: true), !line.trimmingCharacters(in: .whitespaces).isEmpty else { return }
        let explainIt = line.hasPrefix(":explain ")
        let sentence = explainIt ? String(line.dropFirst(":explain ".count)) : line
        let translation = translator.translate([sentence], greedy)[0]
        if explainIt {
            try runExplain(translator, sources: [sentence], translations: [translation], options: greedy, flags: flags, console: console)
        } else {
            console.line(translation.text)
        }
    }
}
