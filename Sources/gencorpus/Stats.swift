/// Summary figures for data/README.md and the build log.
enum Stats {
    static func report(_ corpus: Corpus) -> String {
        var lines: [String] = []
        let all = corpus.train + corpus.valid + corpus.test
        for (name, pairs) in [("train", corpus.train), ("valid", corpus.valid), ("test", corpus.test)] {
            let en = pairs.map { Vocabulary.words($0.english).count }
            let fr = pairs.map { Vocabulary.words($0.french).count }
            let bytes = pairs.reduce(0) { $0 + $1.english.utf8.count + $1.french.utf8.count + 2 }
            lines.append("\(name): \(pairs.count) pairs, \(bytes) bytes, mean tokens en \(mean(en)) fr \(mean(fr)), max en \(en.max() ?? 0) fr \(fr.max() ?? 0)")
        }
        let enVocab = Set(all.flatMap { Vocabulary.words($0.english) })
        let frVocab = Set(all.flatMap { Vocabulary.words($0.french) })
        lines.append("vocabulary (lower-cased tokens incl. punctuation): en \(enVocab.count), fr \(frVocab.count)")
        for (side, text) in [("en", \Pair.english), ("fr", \Pair.french)] {
            var counts: [String: Int] = [:]
            for p in corpus.train { for w in Vocabulary.words(p[keyPath: text]) { counts[w, default: 0] += 1 } }
            let rarest = counts.sorted { ($0.value, $0.key) < ($1.value, $1.key) }.prefix(12)
            lines.append("rarest train words (\(side)): " + rarest.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        lines.append("held out: \(corpus.heldOut.pairs.count) noun+adjective pairs, \(corpus.heldOut.subjectVerbNegations.count) negated subject+verb pairs")
        lines.append("valid+test sentences using a held-out pair: \(corpus.evaluationPairCount), a held-out negation: \(corpus.evaluationNegationCount)")
        lines.append("  pairs: " + corpus.heldOut.pairs.joined(separator: ", "))
        lines.append("  negated: " + corpus.heldOut.subjectVerbNegations.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }

    private static func mean(_ xs: [Int]) -> String {
        guard !xs.isEmpty else { return "0" }
        let m = Double(xs.reduce(0, +)) / Double(xs.count)
        return String(Int((m * 100).rounded())).withDecimal
    }
}

private extension String {
    /// "845" -> "8.45" (two decimals without Foundation's locale-dependent formatting).
    var withDecimal: String {
        let padded = count < 3 ? String(repeating: "0", count: 3 - count) + self : self
        return padded.dropLast(2) + "." + padded.suffix(2)
    }
}
