/// Determiners, as chosen on the English side. Each maps to one French family.
enum Determiner: Sendable, CaseIterable {
    case the, a, some, my, your, his, her, our, their, this

    /// Only "a" is singular-only and only "some" plural-only.
    func allows(plural: Bool) -> Bool {
        switch self {
        case .a: !plural
        case .some: plural
        default: true
        }
    }

    var isIndefinite: Bool { self == .a || self == .some }

    var isPossessive: Bool { [.my, .your, .his, .her, .our, .their].contains(self) }
}

/// A noun phrase: determiner, optional adjectives, noun, number.
///
/// English order is "the small red car"; French puts BAGS adjectives before the noun and the
/// rest after it ("la petite voiture rouge"), with every piece agreeing in gender and number.
struct NounPhrase: Sendable {
    let determiner: Determiner
    let noun: Noun
    let plural: Bool
    let before: Adjective?
    let after: Adjective?

    var person: Person { plural ? .thirdPlural : .thirdSingular }
    var adjectiveList: [Adjective] { [before, after].compactMap { $0 } }

    /// English words. `negative` turns "some" into "any" ("I do not see any cats").
    func english(negative: Bool = false) -> [String] {
        var words: [String] = []
        switch determiner {
        case .the: words.append("the")
        case .a: words.append("a")
        case .some: words.append(negative ? "any" : "some")
        case .my: words.append("my")
        case .your: words.append("your")
        case .his: words.append("his")
        case .her: words.append("her")
        case .our: words.append("our")
        case .their: words.append("their")
        case .this: words.append(plural ? "these" : "this")
        }
        if let before { words.append(before.en) }
        if let after { words.append(after.en) }
        words.append(plural ? noun.enPlural : noun.en)
        return words
    }

    /// French words. `partitiveNegation` is set for the direct object of a negated verb other
    /// than "être": un/une/des become de ("je n'ai pas de voiture").
    func french(partitiveNegation: Bool = false) -> [String] {
        let g = noun.gender
        let nounForm = plural ? noun.frPlural : noun.fr
        let nounVowel = French.startsWithVowelSound(nounForm)
        var body: [String] = []
        if let before {
            // bel / vieil / nouvel replace the masculine singular before a vowel sound.
            if g == .masculine && !plural && nounVowel, let special = before.beforeVowel {
                body.append(special)
            } else {
                body.append(before.form(g, plural: plural))
            }
        }
        body.append(nounForm)
        if let after { body.append(after.form(g, plural: plural)) }
        let vowel = French.startsWithVowelSound(body[0])
        let feminine = g == .feminine
        let det: String
        switch determiner {
        case .the: det = plural ? "les" : (feminine ? "la" : "le")
        case .a: det = partitiveNegation ? "de" : (feminine ? "une" : "un")
        // Plural "des" becomes "de" before a preceding adjective: de petits chats.
        case .some: det = (partitiveNegation || before != nil) ? "de" : "des"
        // ma/ta/sa become mon/ton/son before a vowel sound: mon amie, mon école.
        case .my: det = plural ? "mes" : (feminine && !vowel ? "ma" : "mon")
        case .your: det = plural ? "vos" : "votre"
        case .his, .her: det = plural ? "ses" : (feminine && !vowel ? "sa" : "son")
        case .our: det = plural ? "nos" : "notre"
        case .their: det = plural ? "leurs" : "leur"
        case .this: det = plural ? "ces" : (feminine ? "cette" : (vowel ? "cet" : "ce"))
        }
        return [det] + body
    }

    /// The (noun, adjective) pairs this phrase contains, for the held-out split.
    var nounAdjectivePairs: [String] { adjectiveList.map { pairKey(noun, $0) } }
}

/// Key of a (noun, adjective) combination, e.g. "car+red".
func pairKey(_ noun: Noun, _ adjective: Adjective) -> String { noun.en + "+" + adjective.en }
