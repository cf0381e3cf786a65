import Foundation
import XCTest

/// The README's library example (Examples/TranslatorExample, built on `import TinyTranslator`
/// alone) runs, and the library translates exactly as the `translate` tool does.
final class LibraryExampleTests: XCTestCase {
    func testExampleTranslatesAsTheToolDoes() throws {
        let run = try Fixture.trainedRun()
        let dir = run.deletingLastPathComponent()
        let sentences = ["the red cat", "my old dog"]
        let example = try CLI.run("TranslatorExample", [run.path] + sentences, in: dir)
        XCTAssertEqual(example.status, 0, "\(example)")
        let lines = example.stdout.split(separator: "\n").map(String.init)
        let tool = try CLI.run("translate", ["--checkpoint", run.path, "--quiet"] + sentences, in: dir)
        XCTAssertEqual(Array(lines.prefix(2)), tool.stdout.split(separator: "\n").map(String.init), "greedy: \(example)")
        // Three beam hypotheses, best (highest score) first, as `translate --beam 5 --n-best 3` prints them.
        let beam = lines.dropFirst(2).prefix(3).map { Double($0.split(separator: " ")[0]) ?? .nan }
        XCTAssertEqual(beam.count, 3, "\(example)")
        XCTAssertEqual(beam, beam.sorted(by: >), "\(example)")
        let nBest = try CLI.run("translate", ["--checkpoint", run.path, "--quiet", "--beam", "5", "--n-best", "3", sentences[0]], in: dir)
        let toolScores = nBest.stdout.split(separator: "\n").map { Double($0.split(separator: "\t")[1])! }
        for (a, b) in zip(beam, toolScores) { XCTAssertEqual(a, b, accuracy: 5e-5, "\(example)\n\(nBest)") }
        // One "query <- strongest source word" line per decoder input token.
        XCTAssertTrue(lines.dropFirst(5).allSatisfy { $0.contains(" <- ") } && lines.count > 5, "\(example)")
    }
}
