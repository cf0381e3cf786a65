/// What a clause says about its subject.
enum Predicate: Sendable {
    /// "eats the apple"
    case object(Verb, NounPhrase)
    /// "puts the cup on the table"
    case put(NounPhrase, Preposition, NounPhrase)
    /// "can see the dog" / "wants to buy a car": `can` or `wantTo`, then an infinitive.
    case modal(Verb, Verb, NounPhrase)
    /// "goes to the park"
    case go(NounPhrase)
    /// "is red"
    case adjective(Adjective)
    /// "is under the table"
    case location(Preposition, NounPhrase)
    /// "sees the cat that eats the apple"
    case relative(Verb, NounPhrase, Verb, NounPhrase)
}

/// One sentence: a clause, possibly negated, possibly a yes/no question (never both).
///
/// Negation and questions use do-support in English ("does not eat", "Does she eat") and
/// "ne ... pas" / "est-ce que" in French, so the two languages differ in word order and
/// word count exactly where attention has to do the work.
struct Clause: Sendable {
    let subject: Subject
    let predicate: Predicate
    let negative: Bool
    let question: Bool

    var finiteVerb: Verb {
        switch predicate {
        case .object(let v, _), .relative(let v, _, _, _): v
        case .put: put
        case .modal(let m, _, _): m
        case .go: go
        case .adjective, .location: be
        }
    }

    /// Everything after the English finite verb (or after "do not" + base form).
    private var englishTail: [String] {
        switch predicate {
        case .object(_, let o): o.english(negative: negative)
        case .put(let o, let prep, let g): o.english(negative: negative) + prep.en + g.english()
        case .modal(let m, let v, let o): (m.frInfinitive == "vouloir" ? ["to"] : []) + [v.en] + o.english(negative: negative)
        case .go(let place): ["to"] + place.english()
        case .adjective(let a): [a.en]
        case .location(let prep, let g): prep.en + g.english()
        case .relative(_, let o, let v2, let o2):
            o.english() + [o.noun.tags.contains(.person) ? "who" : "that", v2.english(o.person)] + o2.english()
        }
    }

    var english: [String] {
        let p = subject.person
        let verb = finiteVerb
        let isBe = verb.frInfinitive == "être"
        let isCan = verb.frInfinitive == "pouvoir"
        if question {
            if isBe { return [englishBe(p)] + subject.english + englishTail }
            if isCan { return ["can"] + subject.english + englishTail }
            return [p.isEnglishThirdSingular ? "does" : "do"] + subject.english + verb.en.split(separator: " ").map(String.init) + englishTail
        }
        if isBe { return subject.english + [englishBe(p)] + (negative ? ["not"] : []) + englishTail }
        if isCan { return subject.english + [negative ? "cannot" : "can"] + englishTail }
        if negative {
            return subject.english + [p.isEnglishThirdSingular ? "does" : "do", "not"]
                + verb.en.split(separator: " ").map(String.init) + englishTail
        }
        return subject.english + verb.english(p).split(separator: " ").map(String.init) + englishTail
    }

    var french: [String] {
        let p = subject.person
        let tail: [String]
        switch predicate {
        case .object(_, let o): tail = o.french(partitiveNegation: negative)
        case .put(let o, let prep, let g): tail = o.french(partitiveNegation: negative) + prep.fr + g.french()
        case .modal(_, let v, let o): tail = [v.frInfinitive] + o.french(partitiveNegation: negative)
        case .go(let place): tail = ["à"] + place.french()
        case .adjective(let a):
            let agreement = subject.agreement
            tail = [a.form(agreement.gender, plural: agreement.plural)]
        case .location(let prep, let g): tail = prep.fr + g.french()
        case .relative(_, let o, let v2, let o2): tail = o.french() + ["qui", v2.french(o.person)] + o2.french()
        }
        let verb = finiteVerb.french(p)
        let core = subject.french + (negative ? ["ne", verb, "pas"] : [verb]) + tail
        return question ? ["est-ce", "que"] + core : core
    }

    /// Every combination this sentence exercises that the split may hold out:
    /// "na:car+red" for a noun with an adjective (attributive or predicative) and
    /// "svn:we+prendre" for a negated finite verb with its subject.
    var combinations: [String] {
        var keys: [String] = []
        var phrases = subject.phrases
        switch predicate {
        case .object(_, let o), .modal(_, _, let o), .go(let o), .location(_, let o): phrases.append(o)
        case .put(let o, _, let g): phrases += [o, g]
        case .relative(_, let o, _, let o2): phrases += [o, o2]
        case .adjective(let a):
            for np in subject.phrases { keys.append("na:" + pairKey(np.noun, a)) }
        }
        for np in phrases { keys += np.nounAdjectivePairs.map { "na:" + $0 } }
        if negative { keys.append("svn:" + subject.key + "+" + finiteVerb.frInfinitive) }
        return keys
    }

    var englishSentence: String { English.sentence(english, question: question) }
    var frenchSentence: String { French.sentence(french, question: question) }
}
