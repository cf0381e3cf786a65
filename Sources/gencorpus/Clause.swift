/// Subject pronouns. "you" is always "vous" and "they" always "ils", so English maps to one
/// French sentence (the masculine plural is French's default for a group of unknown sex).
enum Pronoun: CaseIterable, Sendable {
    case i, you, he, she, we, they

    var en: String {
        switch self {
        case .i: "I"
        case .you: "you"
        case .he: "he"
        case .she: "she"
        case .we: "we"
        case .they: "they"
        }
    }

    var fr: String {
        switch self {
        case .i: "je"
        case .you: "vous"
        case .he: "il"
        case .she: "elle"
        case .we: "nous"
        case .they: "ils"
        }
    }

    var person: Person {
        switch self {
        case .i: .firstSingular
        case .you: .second
        case .he, .she: .thirdSingular
        case .we: .firstPlural
        case .they: .thirdPlural
        }
    }
}

/// Who does it: a pronoun, a noun phrase, or two noun phrases joined by "and".
enum Subject: Sendable {
    case pronoun(Pronoun)
    case phrase(NounPhrase)
    case pair(NounPhrase, NounPhrase)

    var person: Person {
        switch self {
        case .pronoun(let p): p.person
        case .phrase(let np): np.person
        case .pair: .thirdPlural
        }
    }

    /// The subject half of a (subject, verb, negation) combination.
    var key: String {
        switch self {
        case .pronoun(let p): p.en
        case .phrase(let np): np.plural ? "NP.pl" : "NP.sg"
        case .pair: "NP.pl"
        }
    }

    /// Gender and number a predicative adjective agrees with. A pair is plural, and feminine
    /// only if both nouns are ("la table et le lit sont verts").
    var agreement: (gender: Gender, plural: Bool) {
        switch self {
        case .pronoun(let p):
            return (p == .she ? .feminine : .masculine, p == .they || p == .we)
        case .phrase(let np):
            return (np.noun.gender, np.plural)
        case .pair(let a, let b):
            let feminine = a.noun.gender == .feminine && b.noun.gender == .feminine
            return (feminine ? .feminine : .masculine, true)
        }
    }

    var english: [String] {
        switch self {
        case .pronoun(let p): [p.en]
        case .phrase(let np): np.english()
        case .pair(let a, let b): a.english() + ["and"] + b.english()
        }
    }

    var french: [String] {
        switch self {
        case .pronoun(let p): [p.fr]
        case .phrase(let np): np.french()
        case .pair(let a, let b): a.french() + ["et"] + b.french()
        }
    }

    var phrases: [NounPhrase] {
        switch self {
        case .pronoun: []
        case .phrase(let np): [np]
        case .pair(let a, let b): [a, b]
        }
    }
}

/// Spatial prepositions and the kind of noun each needs as its ground.
enum Preposition: CaseIterable, Sendable {
    case inside, on, under, behind, inFrontOf, nextTo, near

    var en: [String] {
        switch self {
        case .inside: ["in"]
        case .on: ["on"]
        case .under: ["under"]
        case .behind: ["behind"]
        case .inFrontOf: ["in", "front", "of"]
        case .nextTo: ["next", "to"]
        case .near: ["near"]
        }
    }

    /// "à côté de" and "près de" contract with the article: à côté du lit, près des arbres.
    var fr: [String] {
        switch self {
        case .inside: ["dans"]
        case .on: ["sur"]
        case .under: ["sous"]
        case .behind: ["derrière"]
        case .inFrontOf: ["devant"]
        case .nextTo: ["à", "côté", "de"]
        case .near: ["près", "de"]
        }
    }

    var ground: NounTags {
        switch self {
        case .inside: [.container, .holder]
        case .on: .surface
        case .under: [.surface, .plant]
        case .behind, .inFrontOf, .nextTo, .near: .landmark
        }
    }
}
