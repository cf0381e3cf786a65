/// Grammatical gender of a French noun; it drives determiners and adjective agreement.
enum Gender: Sendable { case masculine, feminine }

/// What a noun denotes. Verbs and prepositions select their arguments by these tags so that
/// sentences stay plausible ("the cat eats the apple", never "the apple eats the station").
struct NounTags: OptionSet, Sendable {
    let rawValue: UInt32
    static let person = NounTags(rawValue: 1 << 0)
    static let animal = NounTags(rawValue: 1 << 1)
    static let fruit = NounTags(rawValue: 1 << 2)      // eaten, not cooked
    static let dish = NounTags(rawValue: 1 << 3)       // eaten, made, prepared
    static let clothes = NounTags(rawValue: 1 << 4)
    static let vehicle = NounTags(rawValue: 1 << 5)
    static let thing = NounTags(rawValue: 1 << 6)      // a movable object
    static let openable = NounTags(rawValue: 1 << 7)
    static let readable = NounTags(rawValue: 1 << 8)
    static let writable = NounTags(rawValue: 1 << 9)
    static let place = NounTags(rawValue: 1 << 10)     // destination of "go to"
    static let surface = NounTags(rawValue: 1 << 11)   // on / under it
    static let container = NounTags(rawValue: 1 << 12) // one can be in it (a car, a house, a park)
    static let holder = NounTags(rawValue: 1 << 16)    // things go in it (a box, a bag, a basket)
    static let handheld = NounTags(rawValue: 1 << 17)  // small enough to put in a bag
    static let landmark = NounTags(rawValue: 1 << 13)  // near / behind / in front of / next to it
    static let plant = NounTags(rawValue: 1 << 14)
    static let building = NounTags(rawValue: 1 << 15)

    static let animate: NounTags = [.person, .animal]
    static let food: NounTags = [.fruit, .dish]
    /// Things a person can put in a bag or on a table.
    static let portable: NounTags = [.handheld, .fruit, .dish, .clothes]
}

/// One noun with both languages' singular and plural forms.
///
/// Plurals are spelled out, never derived, because both languages have irregular ones
/// (man/men, mouse/mice; cheval/chevaux, journal/journaux, œuf/œufs, souris/souris).
struct Noun: Sendable {
    let en: String
    let enPlural: String
    let fr: String
    let frPlural: String
    let gender: Gender
    let tags: NounTags
    /// The adjective groups that make sense with this noun (a cat can be black, not square).
    let adjectiveGroups: Set<AdjectiveGroup>
    /// `false` where a possessive changes the meaning ("mon homme" is "my husband").
    var takesPossessive = true

    func matches(_ wanted: NounTags) -> Bool { !tags.isDisjoint(with: wanted) }
}

let personAdjectives: Set<AdjectiveGroup> = [.mood, .nationality, .size, .age, .youth, .beauty]
private let animalAdjectives: Set<AdjectiveGroup> = [.naturalColour, .mood, .size, .age, .youth, .beauty, .cleanliness]
private let fruitAdjectives: Set<AdjectiveGroup> = [.fruitColour, .size, .quality, .taste]
private let dishAdjectives: Set<AdjectiveGroup> = [.temperature, .taste, .quality, .nationality, .size]
private let clothesAdjectives: Set<AdjectiveGroup> = [.colour, .cleanliness, .price, .novelty, .age, .beauty, .prettiness, .size]
private let vehicleAdjectives: Set<AdjectiveGroup> = [.colour, .cleanliness, .price, .novelty, .age, .beauty, .size, .nationality]
private let thingAdjectives: Set<AdjectiveGroup> = [.colour, .cleanliness, .price, .novelty, .age, .beauty, .prettiness, .size, .weight]
private let placeAdjectives: Set<AdjectiveGroup> = [.size, .age, .novelty, .beauty, .prettiness, .nationality, .cleanliness]

private func noun(_ en: String, _ enPlural: String, _ fr: String, _ frPlural: String, _ gender: Gender,
                  _ tags: NounTags, _ groups: Set<AdjectiveGroup>, possessive: Bool = true) -> Noun {
    Noun(en: en, enPlural: enPlural, fr: fr, frPlural: frPlural, gender: gender, tags: tags, adjectiveGroups: groups,
         takesPossessive: possessive)
}

/// The noun lexicon, in a fixed order (the generator indexes it, so order is part of the seed).
let nouns: [Noun] = [
    // People. "child" and "friend" take the masculine, the French default for an unknown sex.
    // Idioms we avoid: "petit ami" (boyfriend), "vieux garçon" (bachelor), "vieille fille" (spinster),
    // "belle sœur" / "beau frère" (in-laws).
    noun("man", "men", "homme", "hommes", .masculine, [.person, .landmark], personAdjectives, possessive: false),
    noun("woman", "women", "femme", "femmes", .feminine, [.person, .landmark], personAdjectives, possessive: false),
    noun("boy", "boys", "garçon", "garçons", .masculine, [.person, .landmark], personAdjectives.subtracting([.age])),
    noun("girl", "girls", "fille", "filles", .feminine, [.person, .landmark], personAdjectives.subtracting([.age]).union([.prettiness])),
    noun("child", "children", "enfant", "enfants", .masculine, [.person, .landmark], personAdjectives.subtracting([.age])),
    noun("friend", "friends", "ami", "amis", .masculine, [.person, .landmark], personAdjectives.subtracting([.size])),
    noun("teacher", "teachers", "professeur", "professeurs", .masculine, [.person, .landmark], personAdjectives),
    noun("doctor", "doctors", "médecin", "médecins", .masculine, [.person, .landmark], personAdjectives),
    noun("student", "students", "étudiant", "étudiants", .masculine, [.person, .landmark], personAdjectives),
    noun("neighbor", "neighbors", "voisin", "voisins", .masculine, [.person, .landmark], personAdjectives),
    noun("baker", "bakers", "boulanger", "boulangers", .masculine, [.person, .landmark], personAdjectives),
    noun("king", "kings", "roi", "rois", .masculine, [.person, .landmark], personAdjectives, possessive: false),
    noun("queen", "queens", "reine", "reines", .feminine, [.person, .landmark], personAdjectives, possessive: false),
    noun("sister", "sisters", "sœur", "sœurs", .feminine, [.person, .landmark], personAdjectives.subtracting([.age, .beauty])),
    noun("brother", "brothers", "frère", "frères", .masculine, [.person, .landmark], personAdjectives.subtracting([.age, .beauty])),
    noun("actress", "actresses", "actrice", "actrices", .feminine, [.person, .landmark], personAdjectives.union([.prettiness]), possessive: false),
    // Animals. "hibou" starts with an aspirated h: le hibou, ce hibou, un vieux hibou.
    noun("cat", "cats", "chat", "chats", .masculine, [.animal, .landmark], animalAdjectives),
    noun("dog", "dogs", "chien", "chiens", .masculine, [.animal, .landmark], animalAdjectives),
    noun("horse", "horses", "cheval", "chevaux", .masculine, [.animal, .landmark], animalAdjectives),
    noun("bird", "birds", "oiseau", "oiseaux", .masculine, [.animal, .landmark], animalAdjectives),
    noun("mouse", "mice", "souris", "souris", .feminine, [.animal, .landmark], animalAdjectives),
    noun("cow", "cows", "vache", "vaches", .feminine, [.animal, .landmark], animalAdjectives),
    noun("duck", "ducks", "canard", "canards", .masculine, [.animal, .landmark], animalAdjectives),
    noun("rabbit", "rabbits", "lapin", "lapins", .masculine, [.animal, .landmark], animalAdjectives),
    noun("elephant", "elephants", "éléphant", "éléphants", .masculine, [.animal, .landmark], animalAdjectives),
    noun("owl", "owls", "hibou", "hiboux", .masculine, [.animal, .landmark], animalAdjectives),
    noun("bear", "bears", "ours", "ours", .masculine, [.animal, .landmark], animalAdjectives),
    noun("goat", "goats", "chèvre", "chèvres", .feminine, [.animal, .landmark], animalAdjectives),
    noun("fox", "foxes", "renard", "renards", .masculine, [.animal, .landmark], animalAdjectives),
    // Fruit and vegetables.
    noun("apple", "apples", "pomme", "pommes", .feminine, [.fruit], fruitAdjectives),
    noun("orange", "oranges", "orange", "oranges", .feminine, [.fruit], fruitAdjectives),
    noun("banana", "bananas", "banane", "bananes", .feminine, [.fruit], fruitAdjectives),
    noun("pear", "pears", "poire", "poires", .feminine, [.fruit], fruitAdjectives),
    noun("lemon", "lemons", "citron", "citrons", .masculine, [.fruit], fruitAdjectives),
    noun("strawberry", "strawberries", "fraise", "fraises", .feminine, [.fruit], fruitAdjectives),
    noun("egg", "eggs", "œuf", "œufs", .masculine, [.fruit], [.size, .quality, .temperature]),
    noun("carrot", "carrots", "carotte", "carottes", .feminine, [.fruit], [.size, .quality, .taste]),
    noun("tomato", "tomatoes", "tomate", "tomates", .feminine, [.fruit], fruitAdjectives),
    // Dishes: things one makes or prepares.
    noun("cake", "cakes", "gâteau", "gâteaux", .masculine, [.dish], dishAdjectives),
    noun("pie", "pies", "tarte", "tartes", .feminine, [.dish], dishAdjectives),
    noun("soup", "soups", "soupe", "soupes", .feminine, [.dish], dishAdjectives),
    noun("sandwich", "sandwiches", "sandwich", "sandwichs", .masculine, [.dish], dishAdjectives),
    noun("cookie", "cookies", "biscuit", "biscuits", .masculine, [.dish], dishAdjectives),
    noun("cheese", "cheeses", "fromage", "fromages", .masculine, [.dish], dishAdjectives),
    noun("pizza", "pizzas", "pizza", "pizzas", .feminine, [.dish], dishAdjectives),
    noun("omelet", "omelets", "omelette", "omelettes", .feminine, [.dish], dishAdjectives),
    // Clothes.
    noun("hat", "hats", "chapeau", "chapeaux", .masculine, [.clothes], clothesAdjectives),
    noun("shirt", "shirts", "chemise", "chemises", .feminine, [.clothes], clothesAdjectives),
    noun("dress", "dresses", "robe", "robes", .feminine, [.clothes], clothesAdjectives),
    noun("shoe", "shoes", "chaussure", "chaussures", .feminine, [.clothes], clothesAdjectives),
    noun("coat", "coats", "manteau", "manteaux", .masculine, [.clothes], clothesAdjectives),
    noun("skirt", "skirts", "jupe", "jupes", .feminine, [.clothes], clothesAdjectives),
    noun("scarf", "scarves", "écharpe", "écharpes", .feminine, [.clothes], clothesAdjectives),
    // Vehicles. "bus" has the same plural in French.
    noun("car", "cars", "voiture", "voitures", .feminine, [.vehicle, .container, .landmark], vehicleAdjectives),
    noun("bike", "bikes", "vélo", "vélos", .masculine, [.vehicle, .landmark], vehicleAdjectives),
    noun("plane", "planes", "avion", "avions", .masculine, [.vehicle, .container, .landmark], vehicleAdjectives),
    noun("boat", "boats", "bateau", "bateaux", .masculine, [.vehicle, .container, .landmark], vehicleAdjectives),
    noun("train", "trains", "train", "trains", .masculine, [.vehicle, .container, .landmark], vehicleAdjectives),
    noun("bus", "buses", "bus", "bus", .masculine, [.vehicle, .container, .landmark], vehicleAdjectives),
    noun("truck", "trucks", "camion", "camions", .masculine, [.vehicle, .container, .landmark], vehicleAdjectives),
    // Household things. "horloge" starts with a mute h: l'horloge.
    noun("book", "books", "livre", "livres", .masculine, [.thing, .handheld, .readable, .writable, .openable], thingAdjectives.union([.quality])),
    noun("letter", "letters", "lettre", "lettres", .feminine, [.thing, .handheld, .readable, .writable, .openable], [.size, .beauty, .novelty, .age]),
    noun("newspaper", "newspapers", "journal", "journaux", .masculine, [.thing, .handheld, .readable], [.nationality, .age, .novelty, .quality]),
    noun("table", "tables", "table", "tables", .feminine, [.thing, .surface, .landmark], thingAdjectives.union([.shape])),
    noun("chair", "chairs", "chaise", "chaises", .feminine, [.thing, .surface, .landmark], thingAdjectives),
    noun("bed", "beds", "lit", "lits", .masculine, [.thing, .surface, .landmark], thingAdjectives.union([.shape])),
    noun("box", "boxes", "boîte", "boîtes", .feminine, [.thing, .holder, .openable, .surface, .landmark], thingAdjectives.union([.shape, .fullness])),
    noun("bag", "bags", "sac", "sacs", .masculine, [.thing, .holder, .openable, .landmark], thingAdjectives.union([.fullness])),
    noun("ball", "balls", "ballon", "ballons", .masculine, [.thing, .handheld, .landmark], thingAdjectives.union([.shape])),
    noun("cup", "cups", "tasse", "tasses", .feminine, [.thing, .handheld], thingAdjectives.union([.fullness])),
    noun("glass", "glasses", "verre", "verres", .masculine, [.thing, .handheld], [.size, .cleanliness, .fullness]),
    noun("bottle", "bottles", "bouteille", "bouteilles", .feminine, [.thing, .handheld, .openable], [.size, .cleanliness, .fullness, .novelty]),
    noun("basket", "baskets", "panier", "paniers", .masculine, [.thing, .holder, .landmark], [.size, .fullness, .shape, .weight]),
    noun("mirror", "mirrors", "miroir", "miroirs", .masculine, [.thing, .landmark], thingAdjectives.union([.shape])),
    noun("rug", "rugs", "tapis", "tapis", .masculine, [.thing, .surface, .landmark], thingAdjectives.union([.shape])),
    noun("key", "keys", "clé", "clés", .feminine, [.thing, .handheld], [.size, .age, .novelty, .weight, .colour]),
    noun("pen", "pens", "stylo", "stylos", .masculine, [.thing, .handheld], [.colour, .size, .age, .novelty, .price, .beauty]),
    noun("lamp", "lamps", "lampe", "lampes", .feminine, [.thing, .landmark], thingAdjectives.union([.shape])),
    noun("clock", "clocks", "horloge", "horloges", .feminine, [.thing, .landmark], thingAdjectives.union([.shape])),
    noun("phone", "phones", "téléphone", "téléphones", .masculine, [.thing, .handheld], [.colour, .size, .age, .novelty, .price, .cleanliness, .beauty]),
    noun("computer", "computers", "ordinateur", "ordinateurs", .masculine, [.thing, .landmark], [.colour, .size, .age, .novelty, .price, .cleanliness, .weight]),
    noun("umbrella", "umbrellas", "parapluie", "parapluies", .masculine, [.thing, .handheld, .openable], [.colour, .size, .age, .novelty, .beauty, .prettiness]),
    noun("painting", "paintings", "tableau", "tableaux", .masculine, [.thing, .landmark], [.size, .age, .beauty, .nationality, .price, .novelty]),
    noun("door", "doors", "porte", "portes", .feminine, [.openable, .landmark], [.colour, .size, .age, .novelty, .beauty, .cleanliness, .weight]),
    noun("window", "windows", "fenêtre", "fenêtres", .feminine, [.openable, .landmark], [.size, .age, .novelty, .cleanliness, .shape]),
    // Buildings and plants: landmarks to be near, behind, under or in.
    noun("house", "houses", "maison", "maisons", .feminine, [.building, .container, .landmark], placeAdjectives.union([.colour, .price])),
    noun("tree", "trees", "arbre", "arbres", .masculine, [.plant, .landmark], [.size, .age, .beauty]),
    noun("flower", "flowers", "fleur", "fleurs", .feminine, [.thing, .handheld], [.colour, .size, .beauty, .prettiness]),
    // Places one goes to. "hôpital" and "hôtel" start with a mute h.
    noun("park", "parks", "parc", "parcs", .masculine, [.place, .container, .landmark], placeAdjectives),
    noun("school", "schools", "école", "écoles", .feminine, [.place, .building, .container, .landmark], placeAdjectives),
    noun("station", "stations", "gare", "gares", .feminine, [.place, .building, .container, .landmark], placeAdjectives),
    noun("market", "markets", "marché", "marchés", .masculine, [.place, .container, .landmark], placeAdjectives),
    noun("beach", "beaches", "plage", "plages", .feminine, [.place, .landmark], placeAdjectives),
    noun("museum", "museums", "musée", "musées", .masculine, [.place, .building, .container, .landmark], placeAdjectives),
    noun("hospital", "hospitals", "hôpital", "hôpitaux", .masculine, [.place, .building, .container, .landmark], placeAdjectives),
    noun("library", "libraries", "bibliothèque", "bibliothèques", .feminine, [.place, .building, .container, .landmark], placeAdjectives),
    noun("cinema", "cinemas", "cinéma", "cinémas", .masculine, [.place, .building, .container, .landmark], placeAdjectives),
    noun("garden", "gardens", "jardin", "jardins", .masculine, [.place, .container, .landmark], placeAdjectives),
    noun("church", "churches", "église", "églises", .feminine, [.place, .building, .container, .landmark], placeAdjectives),
    noun("office", "offices", "bureau", "bureaux", .masculine, [.place, .building, .container, .landmark], placeAdjectives),
    noun("restaurant", "restaurants", "restaurant", "restaurants", .masculine, [.place, .building, .container, .landmark], placeAdjectives),
    noun("bakery", "bakeries", "boulangerie", "boulangeries", .feminine, [.place, .building, .container, .landmark], placeAdjectives),
    noun("hotel", "hotels", "hôtel", "hôtels", .masculine, [.place, .building, .container, .landmark], placeAdjectives),
]
