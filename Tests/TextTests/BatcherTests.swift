import Random
import Text
import XCTest

final class BatcherTests: XCTestCase {
    /// Pairs with varied lengths and ids that encode their origin (pair i uses tokens 100 + i).
    static func pairs(_ n: Int, seed: UInt64 = 7) -> [TokenizedPair] {
        var rng = SplitMix64(seed: seed)
        return (0..<n).map { i in
            let id = Int32(100 + i)
            return TokenizedPair(source: Array(repeating: id, count: 1 + rng.next(below: 30)),
                                 target: Array(repeating: id, count: 1 + rng.next(below: 30)))
        }
    }

    func testPaddingAndShiftByOne() throws {
        let data = [TokenizedPair(source: [10, 11, 12], target: [20, 21]),
                    TokenizedPair(source: [13], target: [22, 23, 24])]
        let batcher = try Batcher(pairs: data, config: BatchConfig(maxTokens: 1000))
        let batches = batcher.batches(epoch: 0)
        XCTAssertEqual(batches.count, 1)
        let b = batches[0]
        XCTAssertEqual([b.batchSize, b.sourceLength, b.targetLength], [2, 3, 4])
        for (row, i) in b.pairIndices.enumerated() {
            let src = Array(b.source[(row * 3)..<(row * 3 + 3)])
            let tin = Array(b.targetInput[(row * 4)..<(row * 4 + 4)])
            let tout = Array(b.targetOutput[(row * 4)..<(row * 4 + 4)])
            let p = data[i]
            XCTAssertEqual(src, p.source + Array(repeating: 0, count: 3 - p.source.count))
            XCTAssertEqual(tin, [SpecialTokens.begin] + p.target + Array(repeating: 0, count: 3 - p.target.count))
            XCTAssertEqual(tout, p.target + [SpecialTokens.end] + Array(repeating: 0, count: 3 - p.target.count))
            // The shift: output position t is input position t + 1 wherever the input is real.
            for k in 0..<(p.target.count) { XCTAssertEqual(tout[k], tin[k + 1]) }
        }
        XCTAssertEqual(b.sourceTokens, 4)
        XCTAssertEqual(b.targetTokens, 7)
    }

    func testBudgetRespectedAndEveryPairOncePerEpoch() throws {
        let data = Self.pairs(500)
        let batcher = try Batcher(pairs: data, config: BatchConfig(maxTokens: 300, bucketSize: 64, seed: 3))
        for epoch in 0..<3 {
            let batches = batcher.batches(epoch: epoch)
            var seen: [Int] = []
            for b in batches {
                XCTAssertLessThanOrEqual(b.paddedTokens, 300)
                XCTAssertEqual(b.source.count, b.batchSize * b.sourceLength)
                XCTAssertEqual(b.targetInput.count, b.batchSize * b.targetLength)
                for (row, i) in b.pairIndices.enumerated() {
                    // Row contents really are pair i (ids identify the pair).
                    XCTAssertEqual(b.source[row * b.sourceLength], Int32(100 + i))
                }
                seen += b.pairIndices
            }
            XCTAssertEqual(seen.sorted(), Array(0..<500))
        }
    }

    func testLengthGroupingKeepsPaddingSmall() throws {
        // Source lengths uniform in 1...30 and targets within +0...3 of them (as translations are):
        // unsorted batches of ~10 rows would be ~40% padding.
        var rng = SplitMix64(seed: 11)
        let data = (0..<2000).map { _ -> TokenizedPair in
            let n = 1 + rng.next(below: 30)
            return TokenizedPair(source: Array(repeating: 9, count: n), target: Array(repeating: 9, count: n + rng.next(below: 4)))
        }
        let batches = try Batcher(pairs: data, config: BatchConfig(maxTokens: 600, bucketSize: 2000)).batches(epoch: 0)
        let padded = batches.reduce(0) { $0 + $1.paddedTokens }
        let real = batches.reduce(0) { $0 + $1.sourceTokens + $1.targetTokens }
        XCTAssertLessThan(Double(padded - real) / Double(padded), 0.10)
        XCTAssertGreaterThan(Double(batches.count), 2000.0 / 30, "batches should hold several rows each")
    }

    func testPaddingFallsOnTheCheaperSourceSide() throws {
        // Targets within -3...+3 of their source's length, as translations are. Ordering by the
        // source alone left ~9% of these target positions as padding; by the longer side and then
        // the target it is ~2%, and the source side takes the padding instead.
        var rng = SplitMix64(seed: 5)
        let data = (0..<3000).map { _ -> TokenizedPair in
            let n = 2 + rng.next(below: 25)
            return TokenizedPair(source: Array(repeating: 9, count: n), target: Array(repeating: 9, count: max(1, n - 3 + rng.next(below: 7))))
        }
        let batcher = try Batcher(pairs: data, config: BatchConfig(maxTokens: 1000, bucketSize: 3000))
        let share = batcher.paddingShare(epoch: 0)
        XCTAssertLessThan(share.target, 0.04)
        XCTAssertGreaterThan(share.source, share.target)
        // The shares describe the batches themselves (target positions include the shift token).
        let batches = batcher.batches(epoch: 0)
        let paddedS = batches.reduce(0) { $0 + $1.batchSize * $1.sourceLength }
        let paddedT = batches.reduce(0) { $0 + $1.batchSize * $1.targetLength }
        XCTAssertEqual(share.source, 1 - Double(batches.reduce(0) { $0 + $1.sourceTokens }) / Double(paddedS), accuracy: 1e-12)
        XCTAssertEqual(share.target, 1 - Double(batches.reduce(0) { $0 + $1.targetTokens }) / Double(paddedT), accuracy: 1e-12)
    }

    func testSameSeedSameBatchesDifferentSeedOrEpochDifferent() throws {
        let data = Self.pairs(300)
        let a = try Batcher(pairs: data, config: BatchConfig(maxTokens: 256, bucketSize: 50, seed: 42))
        let b = try Batcher(pairs: data, config: BatchConfig(maxTokens: 256, bucketSize: 50, seed: 42))
        let c = try Batcher(pairs: data, config: BatchConfig(maxTokens: 256, bucketSize: 50, seed: 43))
        XCTAssertEqual(a.batches(epoch: 1), b.batches(epoch: 1))
        XCTAssertNotEqual(a.batches(epoch: 1).map(\.pairIndices), c.batches(epoch: 1).map(\.pairIndices))
        XCTAssertNotEqual(a.batches(epoch: 0).map(\.pairIndices), a.batches(epoch: 1).map(\.pairIndices))
    }

    func testIteratorResumesExactlyAcrossEpochs() throws {
        let batcher = try Batcher(pairs: Self.pairs(200), config: BatchConfig(maxTokens: 256, bucketSize: 40))
        let perEpoch = batcher.batchCount(epoch: 0)
        var full = batcher.makeIterator()
        var reference: [Batch] = []
        for _ in 0..<(perEpoch + 10) { reference.append(try XCTUnwrap(full.next())) }
        XCTAssertEqual(full.position.epoch, 1)
        XCTAssertEqual(Array(reference[0..<perEpoch]), batcher.batches(epoch: 0))

        var first = batcher.makeIterator()
        for _ in 0..<(perEpoch - 3) { _ = first.next() }
        let saved = first.position
        var resumed = batcher.makeIterator(from: saved)
        var tail: [Batch] = []
        for _ in 0..<13 { tail.append(try XCTUnwrap(resumed.next())) }
        XCTAssertEqual(tail, Array(reference[(perEpoch - 3)...]))
    }

    func testLengthPolicies() throws {
        let data = [TokenizedPair(source: Array(repeating: 5, count: 12), target: [6]),
                    TokenizedPair(source: [5], target: [6]),
                    TokenizedPair(source: [], target: [6])]
        let truncating = try Batcher(pairs: data, config: BatchConfig(maxLength: 8, overLength: .truncate))
        XCTAssertEqual(truncating.stats.truncated, 1)
        XCTAssertEqual(truncating.stats.skippedEmpty, 1)
        XCTAssertEqual(truncating.batches(epoch: 0).map(\.sourceLength).max(), 8)
        let skipping = try Batcher(pairs: data, config: BatchConfig(maxLength: 8, overLength: .skip))
        XCTAssertEqual(skipping.stats.skippedTooLong, 1)
        XCTAssertEqual(skipping.batches(epoch: 0).flatMap(\.pairIndices), [1])
    }

    func testSentenceLongerThanBudgetIsAClearError() {
        let data = [TokenizedPair(source: [1, 2, 3], target: [4, 5]), TokenizedPair(source: Array(repeating: 7, count: 40), target: [8])]
        assertThrows(.sentenceExceedsBudget(pairIndex: 1, tokens: 42, budget: 20)) {
            try Batcher(pairs: data, config: BatchConfig(maxTokens: 20, maxLength: 100))
        }
        XCTAssertTrue(TextError.sentenceExceedsBudget(pairIndex: 1, tokens: 42, budget: 20).description
            .contains("batch budget smaller than one sentence"))
    }

    func testSplitMix64IsReproducibleAndUniformEnough() {
        var a = SplitMix64(seed: 1)
        var b = SplitMix64(seed: 1)
        XCTAssertEqual((0..<5).map { _ in a.next() }, (0..<5).map { _ in b.next() })
        var counts = [Int](repeating: 0, count: 6)
        for _ in 0..<60000 { counts[a.next(below: 6)] += 1 }
        for c in counts { XCTAssertEqual(Double(c), 10000, accuracy: 500) }
    }
}
