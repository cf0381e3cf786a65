import Foundation
import Text
import XCTest

final class TokenizerSpecTests: XCTestCase {
    static let corpus = ParallelCorpus(pairs: [
        SentencePair(source: "I don't know.", target: "Je ne sais pas."),
        SentencePair(source: "The man is here today.", target: "L'homme est là aujourd'hui."),
        SentencePair(source: "Where is the station?", target: "Où est la gare ?"),
        SentencePair(source: "I know the man.", target: "Je connais l'homme."),
    ])

    private func assertSameEncodings(_ a: TokenizerPair, _ b: TokenizerPair, file: StaticString = #filePath, line: UInt = #line) {
        let probes = Self.corpus.pairs.flatMap { [$0.source, $0.target] } + ["Unseen wörds, ½ & ✓!"]
        for p in probes {
            XCTAssertEqual(a.source.encode(p), b.source.encode(p), p, file: file, line: line)
            XCTAssertEqual(a.target.encode(p), b.target.encode(p), p, file: file, line: line)
        }
        XCTAssertEqual(a.source.vocabulary, b.source.vocabulary, file: file, line: line)
        XCTAssertEqual(a.target.vocabulary, b.target.vocabulary, file: file, line: line)
    }

    func testJSONRoundTripGivesIdenticalEncodings() throws {
        for kind in [TokenizerSpec.Kind.word, .bpe] {
            for shared in [true, false] {
                let spec = TokenizerSpec(kind: kind, merges: 50, minFrequency: 1, lowercase: !shared, shared: shared)
                let learned = try TokenizerPair.learn(spec: spec, corpus: Self.corpus)
                let json = try learned.jsonString()
                let restored = try TokenizerPair(jsonString: json)
                XCTAssertEqual(restored.spec, spec)
                assertSameEncodings(learned, restored)
                // Serialising the restored copy gives the same bytes: nothing was lost or reordered.
                XCTAssertEqual(try restored.jsonString(), json)
            }
        }
    }

    func testSharedModelCoversBothSidesAndSeparateDoNot() throws {
        let shared = try TokenizerPair.learn(spec: TokenizerSpec(kind: .word, minFrequency: 1, shared: true), corpus: Self.corpus)
        XCTAssertEqual(shared.source.vocabulary, shared.target.vocabulary)
        XCTAssertFalse(shared.source.encode("l'homme").contains(SpecialTokens.unknown))
        let separate = try TokenizerPair.learn(spec: TokenizerSpec(kind: .word, minFrequency: 1, shared: false), corpus: Self.corpus)
        XCTAssertNotEqual(separate.source.vocabulary, separate.target.vocabulary)
        XCTAssertTrue(separate.source.encode("l'homme").contains(SpecialTokens.unknown))
        XCTAssertFalse(separate.target.encode("l'homme").contains(SpecialTokens.unknown))
    }

    func testLowercaseSpecAppliesToEncoding() throws {
        let pair = try TokenizerPair.learn(spec: TokenizerSpec(kind: .bpe, merges: 30, minFrequency: 1, lowercase: true), corpus: Self.corpus)
        XCTAssertEqual(pair.source.encode("THE MAN"), pair.source.encode("the man"))
        XCTAssertEqual(pair.source.decode(pair.source.encode("The Man")), "the man")
    }

    func testCorruptJSONIsATypedError() throws {
        XCTAssertThrowsError(try TokenizerPair(jsonString: "{not json")) { error in
            guard case TextError.invalidTokenizerJSON = error else { return XCTFail("\(error)") }
        }
        let good = try TokenizerPair.learn(spec: TokenizerSpec(kind: .bpe, merges: 20, minFrequency: 1), corpus: Self.corpus).jsonString()
        // Drop the special tokens from the vocabulary: ids would shift, so it must be rejected.
        let broken = good.replacingOccurrences(of: "\"<pad>\",", with: "")
        XCTAssertThrowsError(try TokenizerPair(jsonString: broken)) { error in
            guard case TextError.invalidTokenizerJSON = error else { return XCTFail("\(error)") }
        }
    }

    func testConcurrentEncodingMatchesSerial() throws {
        // The BPE piece cache is shared between threads; results must not depend on interleaving.
        let pair = try TokenizerPair.learn(spec: TokenizerSpec(kind: .bpe, merges: 40, minFrequency: 1), corpus: Self.corpus)
        let texts = Self.corpus.pairs.flatMap { [$0.source, $0.target] }
        let fresh = try TokenizerPair(jsonString: pair.jsonString())  // empty cache
        let expected = texts.map { pair.source.encode($0) }
        let results = Results(count: 64)
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            results.set(i, fresh.source.encode(texts[i % texts.count]))
        }
        for i in 0..<64 { XCTAssertEqual(results.get(i), expected[i % texts.count]) }
    }

    func testEmptyTrainingTextIsAnError() {
        XCTAssertThrowsError(try TokenizerSpec(kind: .bpe).learn(from: ["", "   "]))
        XCTAssertThrowsError(try TokenizerSpec(kind: .word).learn(from: []))
    }
}

/// Thread-safe result slots for the concurrency test.
private final class Results: @unchecked Sendable {
    private var slots: [[Int32]]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: [], count: count) }
    func set(_ i: Int, _ v: [Int32]) { lock.lock(); slots[i] = v; lock.unlock() }
    func get(_ i: Int) -> [Int32] { lock.lock(); defer { lock.unlock() }; return slots[i] }
}
