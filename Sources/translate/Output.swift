import CLI
import Foundation
import TinyTranslator

/// The translations as printed: one line each, or with `nBest` one line per hypothesis as
/// SENTENCE<TAB>SCORE<TAB>TRANSLATION (SENTENCE from 1, best first).
func translationText(_ translations: [Translation], nBest: Bool) -> String {
    guard nBest else { return translations.map { $0.text + "\n" }.joined() }
    return translations.enumerated().map { i, t in
        t.hypotheses.map { "\(i + 1)\t\(String(format: "%.4f", $0.score ?? 0))\t\($0.text)\n" }.joined()
    }.joined()
}

/// `--score`'s lines: LOGPROB<TAB>PER-TOKEN AVERAGE<TAB>each token's log-probability.
func scoreLines(_ scores: [ReferenceScore]) -> String {
    scores.map { s in
        let average = s.tokenLogProbs.isEmpty ? 0 : s.logProb / Double(s.tokenLogProbs.count)
        return String(format: "%.4f\t%.4f\t", s.logProb, average) + s.tokenLogProbs.map { String(format: "%.4f", $0) }.joined(separator: " ") + "\n"
    }.joined()
}

/// `--score`'s summary: the total, the mean per token and the perplexity it implies.
func scoreSummary(_ scores: [ReferenceScore]) -> String {
    let tokens = scores.reduce(0) { $0 + $1.tokenLogProbs.count }
    let total = scores.reduce(0) { $0 + $1.logProb }
    let perToken = tokens == 0 ? 0 : total / Double(tokens)
    return String(format: "scored %d references, %d tokens (with </s>): log-probability %.2f, %.4f per token (perplexity %.2f)",
                  scores.count, tokens, total, perToken, exp(-perToken))
}

/// Warns (on standard error) about sentences the model mostly cannot read: more than half
/// their pieces unknown, or more than half their characters absent from the vocabulary. The
/// model still produces fluent text for them, which is why it needs saying. At most 10 are
/// named; the rest are counted.
func warnAboutUnknownInput(_ sentences: [String], translator: Translator, console: Console) {
    var warned = 0
    for (i, sentence) in sentences.enumerated() {
        let c = translator.coverage(sentence)
        guard c.isMostlyUnknown else { continue }
        warned += 1
        guard warned <= 10 else { continue }
        console.error("translate: warning: \(sentences.count == 1 ? "the sentence" : "sentence \(i + 1)") is mostly unknown to the model: \(coverageText(c)); expect a wrong translation")
    }
    if warned > 10 { console.error("translate: warning: \(warned - 10) more sentences are mostly unknown to the model") }
}

/// E.g. "4 of 4 characters never occur in its vocabulary (漢 字 ☃ 🚀), 4 of 4 pieces are <unk>".
func coverageText(_ c: InputCoverage) -> String {
    var parts: [String] = []
    if c.unseenCharacters > 0 {
        let shown = c.unseen.prefix(8).joined(separator: " ") + (c.unseen.count > 8 ? " …" : "")
        parts.append("\(c.unseenCharacters) of \(c.characters) characters never occur in its vocabulary (\(shown))")
    }
    if c.unknownPieces > 0 { parts.append("\(c.unknownPieces) of \(c.pieces) pieces are <unk>") }
    return parts.joined(separator: ", ")
}

/// Notes (on standard error) on translations that repeat three words ("est nouvelle plage est
/// nouvelle plage …"): what a model does when it is unsure, and what `--no-repeat-ngram 3`
/// prevents. At most 10 are named; the rest are counted.
func noteLoops(_ translations: [Translation], console: Console) {
    var noted = 0
    for (i, t) in translations.enumerated() {
        guard let words = repeatedTrigram(t.text) else { continue }
        noted += 1
        guard noted <= 10 else { continue }
        let which = translations.count == 1 ? "the translation" : "translation \(i + 1)"
        console.error("translate: note: \(which) repeats '\(words)': the model is unsure of it; --no-repeat-ngram 3 forbids repeats")
    }
    if noted > 10 { console.error("translate: note: \(noted - 10) more translations repeat themselves (--no-repeat-ngram 3 forbids repeats)") }
}

/// The first three consecutive words of `text` that occur twice in it (case and trailing
/// punctuation ignored), e.g. "très très très" in "très très très très", or nil.
func repeatedTrigram(_ text: String) -> String? {
    let words = text.split(separator: " ").map(String.init)
    guard words.count >= 4 else { return nil }
    let keys = words.map { $0.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ".,;:!?")) }
    var seen = Set<[String]>()
    for i in 0...(words.count - 3) where !seen.insert(Array(keys[i..<(i + 3)])).inserted {
        return words[i..<(i + 3)].joined(separator: " ")
    }
    return nil
}
