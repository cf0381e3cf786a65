import Foundation

/// One English -> French pair.
struct Pair: Sendable, Equatable {
    let english: String
    let french: String
}

/// The three splits and how they were made.
struct Corpus: Sendable {
    let train: [Pair]
    let valid: [Pair]
    let test: [Pair]
    let heldOut: HeldOut
    /// How many valid+test sentences use a held-out (noun, adjective) pair, and how many a
    /// held-out negated (subject, verb); a sentence may use both.
    let evaluationPairCount: Int
    let evaluationNegationCount: Int

    /// Split sizes.
    static let trainCount = 40_000
    static let validCount = 1_000
    static let testCount = 1_000
    /// Longest and shortest sentence, in words, on either side.
    static let maxWords = 14
    static let minWords = 3
    /// Every word of valid/test must occur at least this often in train.
    static let minTrainOccurrences = 20

    /// The files as written to disk: name and UTF-8 TSV text ("English<TAB>French\n" per line).
    var files: [(name: String, text: String)] {
        [("train.tsv", tsv(train)), ("valid.tsv", tsv(valid)), ("test.tsv", tsv(test))]
    }

    private func tsv(_ pairs: [Pair]) -> String {
        var text = ""
        for p in pairs { text += p.english + "\t" + p.french + "\n" }
        return text
    }

    /// Generates the corpus from `seed`.
    ///
    /// One stream of random clauses is routed by content: a clause using any held-out
    /// combination goes to the evaluation pool, any other to train; duplicates are dropped.
    /// The pool alternates between valid and test, so both are drawn the same way.
    static func generate(seed: UInt64) throws -> Corpus {
        let heldOut = HeldOut(seed: seed)
        var templates = Templates(seed: seed)
        var seen: [String: String] = [:]
        var train: [Pair] = []
        var pool: [Pair] = []
        var pairCount = 0
        var negationCount = 0
        let poolCount = validCount + testCount
        var attempts = 0
        while train.count < trainCount || pool.count < poolCount {
            attempts += 1
            if attempts > 20_000_000 {
                throw CorpusError.generation("gave up after \(attempts) draws with \(train.count) train and \(pool.count) held-out pairs; the grammar is too small for the requested sizes — lower the sizes in Corpus.swift or add words")
            }
            guard let clause = templates.clause() else { continue }
            let pair = Pair(english: clause.englishSentence, french: clause.frenchSentence)
            let enWords = pair.english.split(separator: " ").count
            let frWords = pair.french.split(separator: " ").filter { $0 != "?" }.count
            guard (minWords...maxWords).contains(enWords), (minWords...maxWords).contains(frWords) else { continue }
            if let previous = seen[pair.english] {
                // Same English must always mean the same French, or the task is ill-posed.
                guard previous == pair.french else {
                    throw CorpusError.generation("ambiguous English \"\(pair.english)\" gave both \"\(previous)\" and \"\(pair.french)\"; make the lexicon or grammar map English to one French sentence")
                }
                continue
            }
            seen[pair.english] = pair.french
            if heldOut.contains(clause) {
                if pool.count < poolCount {
                    pool.append(pair)
                    let used = heldOut.used(by: clause)
                    if used.contains(where: { $0.hasPrefix("na:") }) { pairCount += 1 }
                    if used.contains(where: { $0.hasPrefix("svn:") }) { negationCount += 1 }
                }
            } else if train.count < trainCount {
                train.append(pair)
            }
        }
        let valid = stride(from: 0, to: pool.count, by: 2).map { pool[$0] }
        let test = stride(from: 1, to: pool.count, by: 2).map { pool[$0] }
        let corpus = Corpus(train: train, valid: valid, test: test, heldOut: heldOut,
                            evaluationPairCount: pairCount, evaluationNegationCount: negationCount)
        try corpus.checkVocabularyCoverage()
        return corpus
    }

    /// Fails if an evaluation word is rare or absent in train: the split must test new
    /// combinations of known words, never unknown words.
    func checkVocabularyCoverage() throws {
        var counts: [String: Int] = [:]
        for p in train {
            for w in Vocabulary.words(p.english) { counts["en:" + w, default: 0] += 1 }
            for w in Vocabulary.words(p.french) { counts["fr:" + w, default: 0] += 1 }
        }
        var rare: Set<String> = []
        for p in valid + test {
            for w in Vocabulary.words(p.english) where counts["en:" + w, default: 0] < Self.minTrainOccurrences { rare.insert("en:" + w) }
            for w in Vocabulary.words(p.french) where counts["fr:" + w, default: 0] < Self.minTrainOccurrences { rare.insert("fr:" + w) }
        }
        guard rare.isEmpty else {
            let list = rare.sorted().map { "\($0) (\(counts[$0, default: 0])x)" }.joined(separator: ", ")
            throw CorpusError.generation("valid/test use words seen fewer than \(Self.minTrainOccurrences) times in train: \(list); make them more frequent in Templates.swift or drop them from the lexicon")
        }
    }
}

/// Word-level view of a sentence, for coverage checks and statistics: lower-cased, split on
/// spaces, elided words (l', j', qu') and final punctuation as words of their own.
enum Vocabulary {
    static func words(_ sentence: String) -> [String] {
        var out: [String] = []
        for raw in sentence.lowercased().split(separator: " ") {
            var token = String(raw)
            var trailing: String?
            if let last = token.last, last == "." || last == "?" {
                trailing = String(last)
                token.removeLast()
            }
            while let apostrophe = token.firstIndex(of: "'") {
                out.append(String(token[...apostrophe]))
                token = String(token[token.index(after: apostrophe)...])
            }
            if !token.isEmpty { out.append(token) }
            if let trailing { out.append(trailing) }
        }
        return out
    }
}
