/// Draws random clauses from the grammar: which sentence shapes, how often, with which words.
///
/// The weights favour the shapes that teach reordering and agreement (objects with adjectives,
/// predicative adjectives, negation) while keeping every sentence within 3–14 words.
struct Templates {
    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    // Sentence shapes and their relative frequencies.
    private enum Shape: CaseIterable { case object, modal, put, go, adjective, location, relative }
    private static let shapeWeights: [Int] = [32, 10, 5, 7, 15, 12, 6]

    /// Probability that a statement is negated, and that a clause is a question instead.
    private static let negationRate = 0.35
    private static let questionRate = 0.12

    mutating func clause() -> Clause? {
        let shape = Shape.allCases[rng.weightedIndex(Self.shapeWeights)]
        let question = rng.chance(Self.questionRate)
        let negative = !question && rng.chance(Self.negationRate)
        // "Do I see...?" is odd; questions ask about others.
        let pronouns = question ? Pronoun.allCases.filter { $0 != .i } : Pronoun.allCases
        switch shape {
        case .object:
            guard let v = rng.pick(transitiveVerbs),
                  let s = subject(v.subjects, pronouns: pronouns, pairChance: 0.05),
                  let o = phrase(v.objects, definiteOnly: v.definiteObjectsOnly) else { return nil }
            return Clause(subject: s, predicate: .object(v, o), negative: negative, question: question)
        case .modal:
            let m = rng.chance(0.5) ? can : wantTo
            let verbs = transitiveVerbs.filter { !$0.definiteObjectsOnly && $0.frInfinitive != "vouloir" && $0.frInfinitive != "avoir" }
            guard let v = rng.pick(verbs),
                  let s = subject(v.subjects, pronouns: pronouns, pairChance: 0),
                  let o = phrase(v.objects, adjectiveChance: 0.4) else { return nil }
            return Clause(subject: s, predicate: .modal(m, v, o), negative: negative, question: question)
        case .put:
            guard let prep = rng.pick([Preposition.inside, .on, .under, .nextTo, .near]),
                  let s = subject(put.subjects, pronouns: pronouns, pairChance: 0),
                  let o = phrase(put.objects, adjectiveChance: 0.3),
                  let g = phrase(prep.ground.subtracting([.person, .animal, .place, .building]), indefinite: false, adjectiveChance: 0.2),
                  o.noun.en != g.noun.en
            else { return nil }
            return Clause(subject: s, predicate: .put(o, prep, g), negative: negative, question: question)
        case .go:
            guard let s = subject(go.subjects, pronouns: pronouns, pairChance: 0.05),
                  let place = phrase(.place, determiners: [.the], plural: false, adjectiveChance: 0.3)
            else { return nil }
            return Clause(subject: s, predicate: .go(place), negative: negative, question: question)
        case .adjective:
            // Only he/she/they among pronouns: "I am happy" would need the speaker's sex.
            let ps = pronouns.filter { $0 == .he || $0 == .she || $0 == .they }
            guard let s = subject([.person, .animal, .fruit, .dish, .clothes, .vehicle, .thing, .place, .building, .plant],
                                  pronouns: ps, pairChance: 0.12, withAdjectives: false) else { return nil }
            let candidates: [Adjective]
            switch s {
            case .pronoun: candidates = adjectives.filter { !$0.groups.isDisjoint(with: personAdjectives) }
            case .phrase(let np): candidates = adjectives(for: np.noun)
            case .pair(let a, let b): candidates = adjectives(for: a.noun).filter { $0.suits(b.noun) }
            }
            let chosen: Adjective?
            if case .phrase(let np) = s { chosen = adjective(for: np.noun) } else { chosen = rng.pick(candidates) }
            guard let a = chosen else { return nil }
            return Clause(subject: s, predicate: .adjective(a), negative: negative, question: question)
        case .location:
            guard let prep = rng.pick(Preposition.allCases),
                  let s = subject([.person, .animal, .fruit, .dish, .clothes, .vehicle, .thing],
                                  pronouns: pronouns, pairChance: 0.08, withAdjectives: false),
                  let g = phrase(prep.ground, indefinite: false, adjectiveChance: 0.35) else { return nil }
            if case .phrase(let np) = s, np.noun.en == g.noun.en { return nil }
            return Clause(subject: s, predicate: .location(prep, g), negative: negative, question: question)
        case .relative:
            let perception = transitiveVerbs.filter { ["voir", "regarder", "chercher", "trouver", "aimer"].contains($0.frInfinitive) }
            guard let v = rng.pick(perception),
                  let s = subject(v.subjects, pronouns: pronouns, pairChance: 0, withAdjectives: false),
                  let o = phrase(.animate, indefinite: false, adjectiveChance: 0.25) else { return nil }
            let actions = transitiveVerbs.filter { $0.subjects.contains(o.noun.tags.intersection(.animate)) && !$0.definiteObjectsOnly }
            guard let v2 = rng.pick(actions),
                  let o2 = phrase(v2.objects, indefinite: false, adjectiveChance: 0) else { return nil }
            return Clause(subject: s, predicate: .relative(v, o, v2, o2), negative: negative, question: question)
        }
    }

    /// An adjective that suits `noun`: a group first, then a word in it, so that the two
    /// shapes (round, square) are as frequent as the nine colours and every agreed form
    /// (rondes, vides, chaudes) occurs often enough to be learned.
    private mutating func adjective(for noun: Noun, position: AdjectivePosition? = nil) -> Adjective? {
        let candidates = adjectives(for: noun, position: position)
        var groups: [AdjectiveGroup] = []
        for a in candidates {
            for g in AdjectiveGroup.allCases where a.groups.contains(g) && noun.adjectiveGroups.contains(g) && !groups.contains(g) {
                groups.append(g)
            }
        }
        guard let group = rng.pick(groups) else { return nil }
        return rng.pick(candidates.filter { $0.groups.contains(group) })
    }

    /// A subject: a pronoun (40%), a noun phrase, or occasionally two joined by "and".
    private mutating func subject(_ tags: NounTags, pronouns: [Pronoun], pairChance: Double,
                                  withAdjectives: Bool = true) -> Subject? {
        if !pronouns.isEmpty && rng.chance(0.4) && tags.contains(.person) {
            return rng.pick(pronouns).map { .pronoun($0) }
        }
        let adjectiveChance = withAdjectives ? 0.3 : 0
        if rng.chance(pairChance) {
            guard let a = phrase(tags, indefinite: false, adjectiveChance: 0),
                  let b = phrase(a.noun.tags.intersection(tags), indefinite: false, adjectiveChance: 0),
                  a.noun.en != b.noun.en else { return nil }
            return .pair(a, b)
        }
        return phrase(tags, adjectiveChance: adjectiveChance).map { .phrase($0) }
    }

    private static let determinerWeights: [(Determiner, Int)] = [
        (.the, 40), (.a, 12), (.some, 12), (.my, 8), (.your, 6), (.his, 5), (.her, 5), (.our, 4), (.their, 4), (.this, 8),
    ]

    /// A noun phrase whose noun carries one of `tags`; adjectives are drawn from those that suit it.
    private mutating func phrase(_ tags: NounTags, definiteOnly: Bool = false, indefinite: Bool = true,
                                 determiners: [Determiner]? = nil, plural: Bool? = nil,
                                 adjectiveChance: Double = 0.55) -> NounPhrase? {
        let candidates = nouns.filter { $0.matches(tags) }
        guard let noun = rng.pick(candidates) else { return nil }
        let isPlural = plural ?? rng.chance(0.35)
        let allowed = Self.determinerWeights.filter { entry in
            entry.0.allows(plural: isPlural)
                && (noun.takesPossessive || !entry.0.isPossessive)
                && (determiners?.contains(entry.0) ?? true)
                && !((definiteOnly || !indefinite) && entry.0.isIndefinite)
        }
        guard !allowed.isEmpty else { return nil }
        let determiner = allowed[rng.weightedIndex(allowed.map(\.1))].0
        var before: Adjective?
        var after: Adjective?
        if rng.chance(adjectiveChance) {
            let r = rng.below(10)
            // 4 in 10 one post-nominal, 4 in 10 one pre-nominal, 2 in 10 both.
            if r < 4 || r >= 8 { after = adjective(for: noun, position: .afterNoun) }
            if r >= 4 { before = adjective(for: noun, position: .beforeNoun) }
        }
        return NounPhrase(determiner: determiner, noun: noun, plural: isPlural, before: before, after: after)
    }
}
