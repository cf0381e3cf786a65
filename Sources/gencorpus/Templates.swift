import Random

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
            if case .phrase(let np) = s, np.noun.en == o.noun.en { return nil }
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
                  let g = phrase(prep.ground, indefinite: false, adjectiveChance: 0.2, excluding: [.person, .animal, .place, .building]),
                  o.noun.en != g.noun.en
            else { return nil }
            return Clause(subject: s, predicate: .put(o, prep, g), negative: negative, question: question)
        case .go:
            guard let s = subject(go.subjects, pronouns: pronouns, pairChance: 0.05),
                  let place = phrase(.place, determiners: [.the], plural: false, adjectiveChance: 0.3)
            else { return nil }
            return Clause(subject: s, predicate: .go(place), negative: negative, question: question)
        case .adjective:
            // Adjective first, then a subject it suits, so every adjective is equally common.
            guard let a = rng.pick(adjectives) else { return nil }
            // Only he/she/they among pronouns: "I am happy" would need the speaker's sex.
            let ps = a.groups.isDisjoint(with: personAdjectives) ? [] : pronouns.filter { $0 == .he || $0 == .she || $0 == .they }
            guard let s = subject([.person, .animal, .fruit, .dish, .clothes, .vehicle, .thing, .place, .building, .plant],
                                  pronouns: ps, pairChance: 0.12, withAdjectives: false, suiting: a) else { return nil }
            return Clause(subject: s, predicate: .adjective(a), negative: negative, question: question)
        case .location:
            guard let prep = rng.pick(Preposition.allCases),
                  let s = subject([.person, .animal, .fruit, .dish, .clothes, .vehicle, .thing],
                                  pronouns: pronouns, pairChance: 0.08, withAdjectives: false),
                  let g = phrase(prep.ground, indefinite: false, adjectiveChance: 0.35) else { return nil }
            if case .phrase(let np) = s, np.noun.en == g.noun.en { return nil }
            // A cat can be in a box; a person or an elephant cannot.
            if g.noun.tags.contains(.holder) && !g.noun.tags.contains(.container) {
                switch s {
                case .phrase(let np) where !np.noun.matches([.person, .animal]): break
                case .phrase(let np) where np.noun.matches(.animal) && ["cat", "mouse", "rabbit", "bird"].contains(np.noun.en): break
                default: return nil
                }
            }
            return Clause(subject: s, predicate: .location(prep, g), negative: negative, question: question)
        case .relative:
            let perception = transitiveVerbs.filter { ["voir", "regarder", "chercher", "trouver", "aimer"].contains($0.frInfinitive) }
            guard let v = rng.pick(perception),
                  let s = subject(v.subjects, pronouns: pronouns, pairChance: 0, withAdjectives: false),
                  let o = phrase(.animate, indefinite: false, adjectiveChance: 0.25) else { return nil }
            let actions = transitiveVerbs.filter { $0.subjects.contains(o.noun.tags.intersection(.animate)) && !$0.definiteObjectsOnly }
            guard let v2 = rng.pick(actions),
                  let o2 = phrase(v2.objects, indefinite: false, adjectiveChance: 0),
                  o2.noun.en != o.noun.en else { return nil }
            return Clause(subject: s, predicate: .relative(v, o, v2, o2), negative: negative, question: question)
        }
    }

    /// A subject: a pronoun (40%), a noun phrase, or occasionally two joined by "and".
    private mutating func subject(_ tags: NounTags, pronouns: [Pronoun], pairChance: Double,
                                  withAdjectives: Bool = true, suiting: Adjective? = nil) -> Subject? {
        if !pronouns.isEmpty && rng.chance(0.4) && tags.contains(.person) {
            return rng.pick(pronouns).map { .pronoun($0) }
        }
        let adjectiveChance = withAdjectives ? 0.3 : 0
        if rng.chance(pairChance) {
            guard let a = phrase(tags, indefinite: false, adjectiveChance: 0, suiting: suiting),
                  let b = phrase(a.noun.tags.intersection(tags), indefinite: false, adjectiveChance: 0, suiting: suiting),
                  a.noun.en != b.noun.en else { return nil }
            return .pair(a, b)
        }
        return phrase(tags, adjectiveChance: adjectiveChance, suiting: suiting).map { .phrase($0) }
    }

    private static let determinerWeights: [(Determiner, Int)] = [
        (.the, 40), (.a, 12), (.some, 12), (.my, 8), (.your, 6), (.his, 5), (.her, 5), (.our, 4), (.their, 4), (.this, 8),
    ]

    /// A noun phrase whose noun carries one of `tags` (and suits `suiting`, if given).
    ///
    /// When the phrase gets an adjective, the adjective is drawn first, uniformly, and the noun
    /// second among those it suits: otherwise the many colour-bearing nouns would drown rare
    /// forms such as "pleines" or "carrées" and the model would see them too seldom.
    private mutating func phrase(_ tags: NounTags, definiteOnly: Bool = false, indefinite: Bool = true,
                                 determiners: [Determiner]? = nil, plural: Bool? = nil,
                                 adjectiveChance: Double = 0.55, suiting: Adjective? = nil,
                                 excluding: NounTags = []) -> NounPhrase? {
        var candidates = nouns.filter { $0.matches(tags) && !$0.matches(excluding) }
        if let suiting { candidates = candidates.filter { suiting.suits($0) } }
        var before: Adjective?
        var after: Adjective?
        let noun: Noun
        if rng.chance(adjectiveChance) {
            let r = rng.below(10)
            // 4 in 10 one post-nominal, 4 in 10 one pre-nominal, 2 in 10 both.
            let position: AdjectivePosition = (r < 4 || r >= 8) ? .afterNoun : .beforeNoun
            let usable = adjectives.filter { a in a.position == position && candidates.contains { a.suits($0) } }
            guard let first = rng.pick(usable), let chosen = rng.pick(candidates.filter { first.suits($0) }) else { return nil }
            noun = chosen
            if position == .afterNoun { after = first } else { before = first }
            if r >= 8 { before = rng.pick(adjectives(for: noun, position: .beforeNoun)) }
        } else {
            guard let chosen = rng.pick(candidates) else { return nil }
            noun = chosen
        }
        let isPlural = plural ?? rng.chance(0.35)
        let allowed = Self.determinerWeights.filter { entry in
            entry.0.allows(plural: isPlural)
                && (noun.takesPossessive || !entry.0.isPossessive)
                && (determiners?.contains(entry.0) ?? true)
                && !((definiteOnly || !indefinite) && entry.0.isIndefinite)
        }
        guard !allowed.isEmpty else { return nil }
        let determiner = allowed[rng.weightedIndex(allowed.map(\.1))].0
        return NounPhrase(determiner: determiner, noun: noun, plural: isPlural, before: before, after: after)
    }
}
