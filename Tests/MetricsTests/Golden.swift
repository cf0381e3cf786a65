import Foundation
import Metrics
import XCTest

/// sacreBLEU's recorded results (Fixtures/golden.json, written by Fixtures/make_golden.py).
struct Golden: Decodable {
    struct TokenizerCase: Decodable { var input: String; var output: String }
    struct BLEURecord: Decodable {
        var score: Double; var counts: [Double]; var totals: [Double]; var precisions: [Double]
        var bp: Double; var ratio: Double; var hypLen: Int; var refLen: Int
        var line: String; var signature: String
    }
    struct CHRFRecord: Decodable {
        var score: Double; var hyp: [Int]; var ref: [Int]; var match: [Int]
        var line: String; var signature: String
    }
    struct SentenceBLEU: Decodable {
        var score: Double; var counts: [Int]; var totals: [Int]; var hypLen: Int; var refLen: Int
    }
    struct Set: Decodable {
        var hypFile: String?
        var refFiles: [String]?
        var hyps: [String]?
        var refs: [[String]]?
        var bleu: [String: BLEURecord]
        var chrf: [String: CHRFRecord]
        var sentenceBleu: [SentenceBLEU]
        var sentenceChrf: [Double]
        var tokenizedHyp: [String]?
    }
    var sacrebleuVersion: String
    var tokenizer: [TokenizerCase]
    var sets: [String: Set]

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func load() throws -> Golden {
        let data = try Data(contentsOf: fixtures.appendingPathComponent("golden.json"))
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(Golden.self, from: data)
    }

    /// Lines of a fixture file split on U+000A only, exactly as make_golden.py splits them
    /// (Swift's Character-based split would treat "\r\n" as one separator-less character).
    static func lines(_ name: String) throws -> [String] {
        let data = try Data(contentsOf: fixtures.appendingPathComponent(name))
        var lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// The hypotheses and reference streams of a set, from files or inline.
    static func corpus(_ set: Set) throws -> (hyps: [String], refs: [[String]]) {
        if let hyps = set.hyps, let refs = set.refs { return (hyps, refs) }
        guard let hypFile = set.hypFile, let refFiles = set.refFiles else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return (try lines(hypFile), try refFiles.map { try lines($0) })
    }
}

/// The Swift config matching each variant name in make_golden.py.
let bleuVariants: [String: BLEUConfig] = [
    "default": .corpus,
    "lowercase": .init(lowercase: true),
    "floor": .init(smoothing: .floor),
    "addk": .init(smoothing: .addK),
    "none": .init(smoothing: .none),
    "effective": .init(effectiveOrder: true),
    "order2": .init(maxNgramOrder: 2),
]

let chrfVariants: [String: CHRFConfig] = [
    "default": .chrF,
    "plusplus": .chrFPlusPlus,
    "eps": .init(epsSmoothing: true),
    "whitespace": .init(includeWhitespace: true),
    "beta1": .init(beta: 1),
    "lowercase": .init(lowercase: true),
]
