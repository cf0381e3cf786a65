import CLI
import Foundation
import TinyTranslator

/// The prompt `translate` offers when standard input and output are a terminal and no sentence
/// was given: each line is translated as typed (with the decoding flags given), with line
/// editing and history (`LineEditor`). A line starting with `:` and a letter is a command.
struct Prompt {
    let translator: Translator
    let options: TranslationOptions
    let flags: ParsedFlags
    let console: Console
    /// Explain every sentence typed (translate --explain without a sentence).
    var explainEach = false

    static let commands = """
        Type a sentence and press Enter to translate it. Commands:
          :explain SENTENCE   what attention did for it (as translate --explain)
          :pieces SENTENCE    the source pieces the model reads (<unk>: unknown)
          :help               this list
          :quit               leave (also :q, :exit, Ctrl-D)
        Keys: ← → Home End Backspace to edit, ↑ ↓ for earlier lines, Ctrl-C drops the line.
        """

    func run() throws {
        console.line("Type a sentence to translate (:help for commands, Ctrl-D or :quit to leave).")
        let editor = LineEditor()
        while let line = editor.readLine(prompt: "> ") {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            guard text.hasPrefix(":"), let first = text.dropFirst().first, first.isLetter else {
                if explainEach { explain(text) } else { translate(text) }
                continue
            }
            let word = String(text.dropFirst().prefix { !$0.isWhitespace })
            let argument = text.dropFirst(1 + word.count).trimmingCharacters(in: .whitespaces)
            switch word {
            case "quit", "q", "exit":
                return
            case "help", "h":
                console.line(Prompt.commands)
            case "explain", "pieces":
                guard !argument.isEmpty else { console.error("give a sentence after :\(word), e.g. :\(word) The cat sleeps."); continue }
                if word == "pieces" { console.line(translator.pieces(argument).joined(separator: " ")) } else { explain(argument) }
            default:
                console.error("unknown command ':\(word)'; :help lists the commands (a sentence that starts with ':' needs a space after it)")
            }
        }
    }

    private func explain(_ sentence: String) {
        warnAboutUnknownInput([sentence], translator: translator, console: console)
        let translation = translator.translate([sentence], options)
        do {
            let view = try runExplain(translator, sources: [sentence], translations: translation, options: options, flags: flags, console: console)
            if let view { FileHandle.standardOutput.write(Data(view.utf8)) }
        } catch {
            console.error("error: \(withFlags(error))")
        }
    }

    /// Translates one typed sentence and prints it as the batch mode would (n-best lines with
    /// --n-best), warning first when the model mostly cannot read it.
    private func translate(_ sentence: String) {
        warnAboutUnknownInput([sentence], translator: translator, console: console)
        let t = translator.translate([sentence], options)
        if options.noRepeatNgram == 0 && options.sampling == nil { noteLoops(t, console: console) }
        FileHandle.standardOutput.write(Data(translationText(t, nBest: flags.has("n-best")).utf8))
    }
}
