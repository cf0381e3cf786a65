/// One token per pre-tokenised piece (word or punctuation run, with its `▁` boundary marker);
/// pieces seen fewer than `minFrequency` times in training map to `<unk>`.
///
/// An unknown piece that follows a space is encoded as `▁` + `<unk>`, so the space survives
/// decoding ("I saw <unk>" rather than "I saw<unk>").
public struct WordTokenizer: Tokenizer, Codable {
    /// How text is normalised first.
    public let normalizer: Normalizer
    /// How normalised text is cut into words and punctuation.
    public let preTokenizer: PreTokenizer
    /// One id per word kept.
    public let vocabulary: Vocabulary

    /// A tokenizer from its parts.
    public init(normalizer: Normalizer, preTokenizer: PreTokenizer, vocabulary: Vocabulary) {
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.vocabulary = vocabulary
    }

    /// Learns the vocabulary: pieces of `texts` with at least `minFrequency` occurrences, most
    /// frequent first (ties by string, so the result is deterministic), capped so the vocabulary
    /// including specials and `▁` has at most `maxVocabularySize` entries.
    public static func learn(from texts: [String], normalizer: Normalizer = Normalizer(),
                             preTokenizer: PreTokenizer = PreTokenizer(),
                             minFrequency: Int = 2, maxVocabularySize: Int = 32000) -> WordTokenizer {
        let counts = pieceCounts(texts, normalizer: normalizer, preTokenizer: preTokenizer)
        var kept = counts.filter { $0.value >= max(1, minFrequency) && $0.key != PreTokenizer.marker }
            .map { ($0.key, $0.value) }
        kept.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        let room = max(0, maxVocabularySize - SpecialTokens.strings.count - 1)
        let words = [PreTokenizer.marker] + kept.prefix(room).map { $0.0 }
        return WordTokenizer(normalizer: normalizer, preTokenizer: preTokenizer, vocabulary: Vocabulary(tokens: words))
    }

    /// One id per word (`<unk>` for words not kept).
    public func encode(_ text: String) -> [Int32] {
        let pieces = preTokenizer.split(normalizer.normalize(text))
        var ids: [Int32] = []
        ids.reserveCapacity(pieces.count)
        for p in pieces {
            if let id = vocabulary.id(p) {
                ids.append(id)
            } else {
                // By scalar, not `hasPrefix`: Swift compares Characters, and `▁` followed by a
                // combining mark (" \u{301}x") is one Character that does not start with "▁".
                if p.unicodeScalars.first == Normalizer.boundaryMarker, let space = vocabulary.id(PreTokenizer.marker) {
                    ids.append(space)
                }
                ids.append(SpecialTokens.unknown)
            }
        }
        return ids
    }

    /// The normalised text of `ids` (special tokens dropped).
    public func decode(_ ids: [Int32]) -> String {
        preTokenizer.join(decodablePieces(ids))
    }
}

/// How often each piece occurs in `texts` after normalisation and pre-tokenisation.
func pieceCounts(_ texts: [String], normalizer: Normalizer, preTokenizer: PreTokenizer) -> [String: Int] {
    var counts: [String: Int] = [:]
    for t in texts {
        for p in preTokenizer.split(normalizer.normalize(t)) {
            counts[p, default: 0] += 1
        }
    }
    return counts
}
