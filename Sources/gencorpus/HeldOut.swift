import Random

/// The combinations the test split is about: never seen in training, each part seen often.
///
/// Two kinds are held out, chosen from the seed:
/// - (noun, adjective) pairs, attributive or predicative: "the green car", "the car is green";
/// - (subject, verb, negation) triples: "we do not take ...", "the cats cannot ...".
/// Only a small random fraction of each space is held out, so every noun still meets most
/// adjectives in training and every verb is negated with most subjects.
struct HeldOut: Sendable {
    let pairs: [String]
    let subjectVerbNegations: [String]
    private let keys: Set<String>

    /// Fraction of compatible (noun, adjective) pairs held out.
    static let pairFraction = 0.08
    /// Number of negated (subject, verb) triples held out, out of 8 subjects x 24 verbs.
    static let tripleCount = 16

    init(seed: UInt64) {
        var rng = SplitMix64(seed: seed ^ 0x5EED_0F_4E1D_0077)
        var allPairs: [String] = []
        for noun in nouns {
            for adjective in adjectives(for: noun) { allPairs.append(pairKey(noun, adjective)) }
        }
        rng.shuffle(&allPairs)
        pairs = Array(allPairs.prefix(Int(Double(allPairs.count) * Self.pairFraction))).sorted()

        let subjects = Pronoun.allCases.map(\.en) + ["NP.sg", "NP.pl"]
        var triples: [String] = []
        for s in subjects {
            for v in finiteVerbKeys { triples.append(s + "+" + v) }
        }
        rng.shuffle(&triples)
        subjectVerbNegations = Array(triples.prefix(Self.tripleCount)).sorted()
        keys = Set(pairs.map { "na:" + $0 } + subjectVerbNegations.map { "svn:" + $0 })
    }

    /// `true` if the clause uses at least one held-out combination (it then belongs to test/valid).
    func contains(_ clause: Clause) -> Bool {
        clause.combinations.contains { keys.contains($0) }
    }

    /// The held-out combinations a clause uses, for reporting.
    func used(by clause: Clause) -> [String] {
        clause.combinations.filter { keys.contains($0) }
    }
}
