/// Semantic groups of adjectives; a noun lists the groups that suit it.
enum AdjectiveGroup: Sendable, Hashable, CaseIterable {
    case colour, naturalColour, fruitColour, nationality, shape, mood, cleanliness, price
    case weight, fullness, temperature, taste
    case size, age, youth, quality, beauty, novelty, prettiness
}

/// Where the French adjective sits. Most go after the noun (colour, nationality, shape...);
/// the short "BAGS" adjectives (beauty, age, goodness, size) go before it.
enum AdjectivePosition: Sendable { case beforeNoun, afterNoun }

/// One adjective with its four agreed French forms, plus the special masculine singular used
/// before a vowel sound (beau -> bel, vieux -> vieil, nouveau -> nouvel) where French has one.
struct Adjective: Sendable {
    let en: String
    let masculine: String
    let feminine: String
    let masculinePlural: String
    let femininePlural: String
    /// "bel arbre", "vieil homme", "nouvel hôtel": only before a vowel-initial masculine singular noun.
    let beforeVowel: String?
    let position: AdjectivePosition
    let groups: Set<AdjectiveGroup>

    /// The form that agrees with a noun of this gender and number.
    func form(_ gender: Gender, plural: Bool) -> String {
        switch (gender, plural) {
        case (.masculine, false): masculine
        case (.feminine, false): feminine
        case (.masculine, true): masculinePlural
        case (.feminine, true): femininePlural
        }
    }

    func suits(_ noun: Noun) -> Bool { !groups.isDisjoint(with: noun.adjectiveGroups) }
}

private func after(_ en: String, _ m: String, _ f: String, _ mp: String, _ fp: String,
                   _ groups: Set<AdjectiveGroup>) -> Adjective {
    Adjective(en: en, masculine: m, feminine: f, masculinePlural: mp, femininePlural: fp,
              beforeVowel: nil, position: .afterNoun, groups: groups)
}

private func before(_ en: String, _ m: String, _ f: String, _ mp: String, _ fp: String,
                    vowel: String? = nil, _ groups: Set<AdjectiveGroup>) -> Adjective {
    Adjective(en: en, masculine: m, feminine: f, masculinePlural: mp, femininePlural: fp,
              beforeVowel: vowel, position: .beforeNoun, groups: groups)
}

/// The adjective lexicon in a fixed order. Post-nominal ones whose meaning would change before
/// the noun (propre "clean", sale "dirty", cher "expensive") are used only after it.
let adjectives: [Adjective] = [
    after("red", "rouge", "rouge", "rouges", "rouges", [.colour, .fruitColour]),
    after("green", "vert", "verte", "verts", "vertes", [.colour, .fruitColour]),
    after("yellow", "jaune", "jaune", "jaunes", "jaunes", [.colour, .fruitColour]),
    after("black", "noir", "noire", "noirs", "noires", [.colour, .naturalColour]),
    after("white", "blanc", "blanche", "blancs", "blanches", [.colour, .naturalColour]),
    after("gray", "gris", "grise", "gris", "grises", [.colour, .naturalColour]),
    // "marron" is invariable: des chaussures marron.
    after("brown", "marron", "marron", "marron", "marron", [.colour, .naturalColour]),
    after("blue", "bleu", "bleue", "bleus", "bleues", [.colour]),
    after("pink", "rose", "rose", "roses", "roses", [.colour]),
    after("French", "français", "française", "français", "françaises", [.nationality]),
    after("English", "anglais", "anglaise", "anglais", "anglaises", [.nationality]),
    after("Italian", "italien", "italienne", "italiens", "italiennes", [.nationality]),
    after("round", "rond", "ronde", "ronds", "rondes", [.shape]),
    after("square", "carré", "carrée", "carrés", "carrées", [.shape]),
    after("happy", "heureux", "heureuse", "heureux", "heureuses", [.mood]),
    after("sad", "triste", "triste", "tristes", "tristes", [.mood]),
    after("tired", "fatigué", "fatiguée", "fatigués", "fatiguées", [.mood]),
    after("clean", "propre", "propre", "propres", "propres", [.cleanliness]),
    after("dirty", "sale", "sale", "sales", "sales", [.cleanliness]),
    after("expensive", "cher", "chère", "chers", "chères", [.price]),
    after("heavy", "lourd", "lourde", "lourds", "lourdes", [.weight]),
    after("empty", "vide", "vide", "vides", "vides", [.fullness]),
    after("full", "plein", "pleine", "pleins", "pleines", [.fullness]),
    after("hot", "chaud", "chaude", "chauds", "chaudes", [.temperature]),
    after("cold", "froid", "froide", "froids", "froides", [.temperature]),
    after("delicious", "délicieux", "délicieuse", "délicieux", "délicieuses", [.taste]),
    before("small", "petit", "petite", "petits", "petites", [.size]),
    before("big", "grand", "grande", "grands", "grandes", [.size]),
    before("old", "vieux", "vieille", "vieux", "vieilles", vowel: "vieil", [.age]),
    before("young", "jeune", "jeune", "jeunes", "jeunes", [.youth]),
    before("good", "bon", "bonne", "bons", "bonnes", [.quality]),
    before("beautiful", "beau", "belle", "beaux", "belles", vowel: "bel", [.beauty]),
    before("new", "nouveau", "nouvelle", "nouveaux", "nouvelles", vowel: "nouvel", [.novelty]),
    before("lovely", "joli", "jolie", "jolis", "jolies", [.prettiness]),
]

/// Adjectives that suit `noun`, in lexicon order (deterministic, unlike iterating a Set).
func adjectives(for noun: Noun, position: AdjectivePosition? = nil) -> [Adjective] {
    adjectives.filter { $0.suits(noun) && (position == nil || $0.position == position) }
}
