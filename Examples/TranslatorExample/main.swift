// The README's example of using the TinyTranslator library from another package, built with the
// project (so it always compiles against the public API) and run by CLITests.LibraryExampleTests.
//
//     TranslatorExample CHECKPOINT SENTENCE...
import Foundation
import TinyTranslator

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 2 else {
    print("usage: TranslatorExample CHECKPOINT SENTENCE...")
    exit(2)
}
do {
    let translator = try Translator(checkpoint: arguments[0])
    let sentences = Array(arguments.dropFirst())

    // Greedy decoding: one translation per sentence.
    for translation in translator.translate(sentences) {
        print(translation.text)
    }

    // Beam search: the 3 best hypotheses of the first sentence, with their scores.
    let beam = translator.translate([sentences[0]], TranslationOptions(beam: 5, nBest: 3))[0]
    for hypothesis in beam.hypotheses {
        print(hypothesis.score ?? 0, hypothesis.text)
    }

    // What attention did: the strongest source word behind each output token, last cross-attention.
    let explanation = try translator.explain(sentences[0])
    if let cross = explanation.maps.last(where: { $0.kind == "cross-attention" }) {
        for (query, row) in zip(cross.queryTokens, cross.averaged) {
            let strongest = row.indices.max { row[$0] < row[$1] }!
            print("\(query) <- \(cross.keyTokens[strongest])")
        }
    }
} catch {
    print("error: \(error)")
    exit(1)
}
