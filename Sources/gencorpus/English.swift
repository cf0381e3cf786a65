/// English orthography: a/an, capitalisation and final punctuation.
enum English {
    /// Chooses "an" before a vowel letter. Safe for this lexicon, which has no "hour",
    /// "university" or "one"-like words where letter and sound disagree.
    static func join(_ words: [String]) -> String {
        var fixed = words
        for i in fixed.indices where fixed[i] == "a" && i + 1 < fixed.count {
            if let first = fixed[i + 1].lowercased().first, "aeiou".contains(first) {
                fixed[i] = "an"
            }
        }
        return fixed.joined(separator: " ")
    }

    static func sentence(_ words: [String], question: Bool) -> String {
        capitalized(join(words)) + (question ? "?" : ".")
    }
}
