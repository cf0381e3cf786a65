/// Grammatical person and number of a subject; it selects the verb form in both languages.
/// English "you" is always rendered as French "vous" (so the mapping stays one-to-one).
enum Person: Int, Sendable {
    case firstSingular = 0   // I / je
    case thirdSingular = 1   // he, she, the cat / il, elle, le chat
    case firstPlural = 2     // we / nous
    case second = 3          // you / vous
    case thirdPlural = 4     // they, the cats / ils, les chats

    /// English uses the -s form and "does" only in the third person singular.
    var isEnglishThirdSingular: Bool { self == .thirdSingular }
}

/// A verb with its English forms and its French present tense.
struct Verb: Sendable {
    /// English base form, possibly with a particle: "eat", "look at".
    let en: String
    /// English third person singular: "eats", "looks at".
    let en3: String
    let frInfinitive: String
    /// French present tense for je, il/elle, nous, vous, ils/elles (indexed by `Person.rawValue`).
    let fr: [String]
    /// Noun subjects that make sense ("the cat eats", "the baker sells").
    let subjects: NounTags
    /// Noun objects that make sense.
    let objects: NounTags
    /// "like"/"prefer" read generically with an indefinite object, so they only take definite ones.
    let definiteObjectsOnly: Bool

    func french(_ person: Person) -> String { fr[person.rawValue] }
    func english(_ person: Person) -> String { person.isEnglishThirdSingular ? en3 : en }
}

private func verb(_ en: String, _ en3: String, _ inf: String, _ fr: [String], subjects: NounTags,
                  objects: NounTags, definiteOnly: Bool = false) -> Verb {
    Verb(en: en, en3: en3, frInfinitive: inf, fr: fr, subjects: subjects, objects: objects,
         definiteObjectsOnly: definiteOnly)
}

private let anyNoun: NounTags = [.person, .animal, .fruit, .dish, .clothes, .vehicle, .thing, .openable,
                                 .place, .building, .plant]
private let acquirable: NounTags = [.fruit, .dish, .clothes, .vehicle, .thing]

/// Transitive verbs (subject, verb, direct object). Irregular present tenses are spelled out;
/// so are the spelling changes of regular verbs (mangeons, achète, préfère).
let transitiveVerbs: [Verb] = [
    verb("eat", "eats", "manger", ["mange", "mange", "mangeons", "mangez", "mangent"],
         subjects: .animate, objects: .food),
    verb("see", "sees", "voir", ["vois", "voit", "voyons", "voyez", "voient"],
         subjects: .animate, objects: anyNoun),
    verb("like", "likes", "aimer", ["aime", "aime", "aimons", "aimez", "aiment"],
         subjects: .animate, objects: anyNoun, definiteOnly: true),
    verb("prefer", "prefers", "préférer", ["préfère", "préfère", "préférons", "préférez", "préfèrent"],
         subjects: .person, objects: anyNoun, definiteOnly: true),
    verb("want", "wants", "vouloir", ["veux", "veut", "voulons", "voulez", "veulent"],
         subjects: .animate, objects: acquirable.union(.animal)),
    verb("have", "has", "avoir", ["ai", "a", "avons", "avez", "ont"],
         subjects: .animate, objects: acquirable.union(.animal)),
    verb("buy", "buys", "acheter", ["achète", "achète", "achetons", "achetez", "achètent"],
         subjects: .person, objects: acquirable.union(.animal)),
    verb("sell", "sells", "vendre", ["vends", "vend", "vendons", "vendez", "vendent"],
         subjects: .person, objects: acquirable.union(.animal)),
    verb("look at", "looks at", "regarder", ["regarde", "regarde", "regardons", "regardez", "regardent"],
         subjects: .animate, objects: anyNoun),
    verb("look for", "looks for", "chercher", ["cherche", "cherche", "cherchons", "cherchez", "cherchent"],
         subjects: .animate, objects: anyNoun),
    verb("find", "finds", "trouver", ["trouve", "trouve", "trouvons", "trouvez", "trouvent"],
         subjects: .animate, objects: [.person, .animal, .fruit, .dish, .clothes, .thing]),
    verb("take", "takes", "prendre", ["prends", "prend", "prenons", "prenez", "prennent"],
         subjects: .person, objects: acquirable),
    verb("make", "makes", "faire", ["fais", "fait", "faisons", "faites", "font"],
         subjects: .person, objects: .dish),
    verb("prepare", "prepares", "préparer", ["prépare", "prépare", "préparons", "préparez", "préparent"],
         subjects: .person, objects: .dish),
    verb("wash", "washes", "laver", ["lave", "lave", "lavons", "lavez", "lavent"],
         subjects: .person, objects: [.clothes, .vehicle, .animal, .fruit]),
    verb("carry", "carries", "porter", ["porte", "porte", "portons", "portez", "portent"],
         subjects: .animate, objects: [.thing, .fruit, .dish, .clothes]),
    verb("open", "opens", "ouvrir", ["ouvre", "ouvre", "ouvrons", "ouvrez", "ouvrent"],
         subjects: .person, objects: .openable),
    verb("draw", "draws", "dessiner", ["dessine", "dessine", "dessinons", "dessinez", "dessinent"],
         subjects: .person, objects: [.person, .animal, .fruit, .vehicle, .building, .plant, .thing]),
    verb("read", "reads", "lire", ["lis", "lit", "lisons", "lisez", "lisent"],
         subjects: .person, objects: .readable),
    verb("write", "writes", "écrire", ["écris", "écrit", "écrivons", "écrivez", "écrivent"],
         subjects: .person, objects: .writable),
]

/// "be": predicative adjectives and locations.
let be = verb("be", "is", "être", ["suis", "est", "sommes", "êtes", "sont"], subjects: [], objects: [])
/// "go to": destinations take "à" (au, à la, à l', aux).
let go = verb("go", "goes", "aller", ["vais", "va", "allons", "allez", "vont"], subjects: .animate, objects: .place)
/// "can" + infinitive. English has no -s and no do-support for it.
let can = verb("can", "can", "pouvoir", ["peux", "peut", "pouvons", "pouvez", "peuvent"], subjects: .animate, objects: [])
/// "want to" + infinitive.
let wantTo = verb("want", "wants", "vouloir", ["veux", "veut", "voulons", "voulez", "veulent"], subjects: .animate, objects: [])
/// "put X on/in/under Y".
let put = verb("put", "puts", "mettre", ["mets", "met", "mettons", "mettez", "mettent"],
               subjects: .person, objects: .portable)

/// English "be" in the present: am / is / are.
func englishBe(_ person: Person) -> String {
    switch person {
    case .firstSingular: "am"
    case .thirdSingular: "is"
    default: "are"
    }
}

/// Every finite verb a clause can have, by French infinitive: the verb half of the held-out
/// (subject, verb, negation) combinations.
let finiteVerbKeys: [String] = transitiveVerbs.map(\.frInfinitive) + ["être", "aller", "pouvoir", "mettre"]
