/// French orthography: elision, contraction, capitalisation and final punctuation.
///
/// Clauses are built as lists of full words ("je ne aime pas le arbre") and this file turns
/// them into written French ("je n'aime pas l'arbre"), so the grammar code never has to know
/// what the next word will be.
enum French {
    /// Words starting with a mute h behave like vowel-initial words (l'homme, cet hôtel);
    /// an aspirated h (le hibou) does not. Every h-word in the lexicon is listed on one side.
    static let muteH: Set<String> = ["homme", "hommes", "hôpital", "hôpitaux", "hôtel", "hôtels",
                                     "horloge", "horloges", "heureux", "heureuse", "heureuses"]

    /// `true` if `word` starts with a vowel sound, which triggers elision and liaison forms.
    static func startsWithVowelSound(_ word: String) -> Bool {
        guard let first = word.lowercased().first else { return false }
        if "aeiouyàâäéèêëîïôöùûüœæ".contains(first) { return true }
        return muteH.contains(word.lowercased())
    }

    /// Words that lose their last vowel before a vowel sound: je -> j', ne -> n', le/la -> l'...
    private static let elidable: Set<String> = ["je", "ne", "de", "que", "le", "la"]

    /// Applies contraction (de le -> du, à les -> aux) then elision (le arbre -> l'arbre),
    /// and joins with single spaces; elided words are glued to the next one.
    static func join(_ words: [String]) -> String {
        var contracted: [String] = []
        var i = 0
        while i < words.count {
            let w = words[i]
            if (w == "de" || w == "à") && i + 1 < words.count {
                let next = words[i + 1]
                let afterNext = i + 2 < words.count ? words[i + 2] : ""
                if next == "le" && !startsWithVowelSound(afterNext) {
                    contracted.append(w == "de" ? "du" : "au")
                    i += 2
                    continue
                }
                if next == "les" {
                    contracted.append(w == "de" ? "des" : "aux")
                    i += 2
                    continue
                }
            }
            contracted.append(w)
            i += 1
        }
        var out = ""
        for (index, w) in contracted.enumerated() {
            let next = index + 1 < contracted.count ? contracted[index + 1] : ""
            if elidable.contains(w) && startsWithVowelSound(next) {
                out += String(w.dropLast()) + "'"
                continue
            }
            out += w
            if index + 1 < contracted.count { out += " " }
        }
        return out
    }

    /// A finished sentence: capitalised, with "." or, following French typography, " ?".
    static func sentence(_ words: [String], question: Bool) -> String {
        capitalized(join(words)) + (question ? " ?" : ".")
    }
}

/// Upper-cases the first character only ("l'homme" -> "L'homme", "est-ce" -> "Est-ce").
func capitalized(_ text: String) -> String {
    guard let first = text.first else { return text }
    return first.uppercased() + text.dropFirst()
}
