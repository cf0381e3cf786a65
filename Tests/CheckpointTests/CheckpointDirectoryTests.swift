import Checkpoint
import Foundation
import XCTest

final class CheckpointDirectoryTests: XCTestCase {
    private func weights(_ step: Int) -> SafeTensorsFile {
        SafeTensorsFile(tensors: [NamedTensor(name: "w", shape: [3], values: [Float(step), 0, -Float(step)])],
                        metadata: ["step": "\(step)"])
    }

    private func stepFiles(_ dir: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("step-") }.sorted()
    }

    private func stepOf(_ url: URL?) throws -> String? {
        guard let url else { return nil }
        return try SafeTensors.read(from: url).metadata["step"]
    }

    func testFileNamesSortByStepAndParseBack() {
        XCTAssertEqual(CheckpointDirectory.fileName(step: 1234), "step-00001234.safetensors")
        XCTAssertEqual(CheckpointDirectory.step(ofFileName: CheckpointDirectory.fileName(step: 123_456_789)), 123_456_789)
        XCTAssertNil(CheckpointDirectory.step(ofFileName: "step-12a4.safetensors"))
        XCTAssertNil(CheckpointDirectory.step(ofFileName: "best.safetensors"))
    }

    func testKeepsLatestKAndTheBestByHigherScore() throws {
        let dir = try makeTempDir(self).appendingPathComponent("run")
        let ckpt = try CheckpointDirectory(url: dir, policy: CheckpointPolicy(keepLatest: 2))
        let scores: [Double?] = [1, 5, 3, nil, 4]
        for (i, s) in scores.enumerated() {
            try ckpt.save(weights(i + 1), step: i + 1, validationScore: s, higherIsBetter: true)
        }
        XCTAssertEqual(try stepFiles(dir), [CheckpointDirectory.fileName(step: 4), CheckpointDirectory.fileName(step: 5)])
        XCTAssertEqual(try stepOf(ckpt.best()), "2", "best.safetensors survives deletion of its step file")
        XCTAssertEqual(try stepOf(ckpt.latest()), "5")
        XCTAssertEqual(ckpt.index.checkpoints.map(\.step), [4, 5])
        XCTAssertEqual(ckpt.index.checkpoints.map(\.score), [nil, 4])
        XCTAssertEqual(ckpt.index.best?.step, 2)
        // The index on disk says the same, decoded independently.
        let onDisk = try JSONDecoder().decode(CheckpointIndex.self, from: Data(contentsOf: dir.appendingPathComponent("checkpoints.json")))
        XCTAssertEqual(onDisk, ckpt.index)
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: dir.path).contains { $0.contains(".tmp") })
    }

    func testLowerIsBetterAndNonFiniteScoresNeverWin() throws {
        let dir = try makeTempDir(self)
        let ckpt = try CheckpointDirectory(url: dir, policy: CheckpointPolicy(keepLatest: 3))
        let losses: [Double] = [2.0, 1.5, .nan, 1.7, -.infinity]
        for (i, loss) in losses.enumerated() {
            try ckpt.save(weights(i + 1), step: (i + 1) * 100, validationScore: loss, higherIsBetter: false)
        }
        XCTAssertEqual(ckpt.index.best?.step, 200)
        XCTAssertEqual(try stepOf(ckpt.best()), "2")
        XCTAssertEqual(ckpt.index.checkpoints.map(\.step), [300, 400, 500])
        XCTAssertNil(ckpt.index.checkpoints[0].score, "NaN is stored as no score")
    }

    func testReopeningKeepsTheIndexAndTheBest() throws {
        let dir = try makeTempDir(self)
        do {
            let ckpt = try CheckpointDirectory(url: dir)
            try ckpt.save(weights(1), step: 10, validationScore: 30, higherIsBetter: true)
            try ckpt.save(weights(2), step: 20, validationScore: 20, higherIsBetter: true)
        }
        let resumed = try CheckpointDirectory(url: dir)
        XCTAssertEqual(resumed.index.checkpoints.map(\.step), [10, 20])
        try resumed.save(weights(3), step: 30, validationScore: 25, higherIsBetter: true)
        XCTAssertEqual(try stepOf(resumed.best()), "1", "a worse score must not replace the best of the earlier run")
        XCTAssertEqual(try stepOf(resumed.latest()), "3")
    }

    func testCorruptIndexIsAClearError() throws {
        let dir = try makeTempDir(self)
        try Data("{ not json".utf8).write(to: dir.appendingPathComponent("checkpoints.json"))
        let e = assertCheckpointError(.invalidIndex) { try CheckpointDirectory(url: dir) }
        XCTAssertTrue(e?.path.hasSuffix("checkpoints.json") ?? false)
    }

    func testResolvePicksFileThenBestThenLatest() throws {
        let root = try makeTempDir(self)
        let dir = root.appendingPathComponent("run")
        let ckpt = try CheckpointDirectory(url: dir)

        let e = assertCheckpointError(.noCheckpoint) { try CheckpointDirectory.resolve(dir.path) }
        XCTAssertTrue(e?.description.contains("train a model into it first") ?? false, e?.description ?? "")
        XCTAssertEqual(e?.setting, .checkpoint, "the tools add how to train one")
        assertCheckpointError(.fileNotFound) { try CheckpointDirectory.resolve(root.appendingPathComponent("nothing").path) }

        try ckpt.save(weights(1), step: 1, validationScore: nil, higherIsBetter: true)
        try ckpt.save(weights(2), step: 2, validationScore: nil, higherIsBetter: true)
        XCTAssertEqual(try CheckpointDirectory.resolve(dir.path).lastPathComponent, CheckpointDirectory.fileName(step: 2))

        try ckpt.save(weights(3), step: 3, validationScore: 9, higherIsBetter: true)
        try ckpt.save(weights(4), step: 4, validationScore: 1, higherIsBetter: true)
        XCTAssertEqual(try CheckpointDirectory.resolve(dir.path).lastPathComponent, "best.safetensors")

        let explicit = dir.appendingPathComponent(CheckpointDirectory.fileName(step: 4))
        XCTAssertEqual(try CheckpointDirectory.resolve(explicit.path).path, explicit.path)
    }

    /// What a save killed midway leaves (".NAME.tmp-PID-RANDOM", the names `AtomicFile` gives
    /// its temporary files) is removed; checkpoints and look-alike names are not.
    func testLeftoverTemporaryFilesAreRemovedAndNothingElse() throws {
        let dir = try makeTempDir(self)
        let ckpt = try CheckpointDirectory(url: dir)
        try ckpt.save(weights(1), step: 1, validationScore: 1, higherIsBetter: true)
        let leftovers = [".step-00000002.safetensors.tmp-4242-123456789", ".checkpoints.json.tmp-17-0", ".best.safetensors.tmp-9-77"]
        let keep = [".hidden-notes", "notes.tmp-1-2", ".step.tmp-x-1", "step-00000001.safetensors"]
        for name in leftovers + keep.dropLast() { try Data("x".utf8).write(to: dir.appendingPathComponent(name)) }
        XCTAssertEqual(Set(ckpt.removeLeftoverTemporaryFiles()), Set(leftovers))
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: dir.path))
        XCTAssertTrue(left.isSuperset(of: keep), "\(left)")
        XCTAssertTrue(left.isDisjoint(with: leftovers), "\(left)")
        XCTAssertNotNil(try SafeTensors.read(from: dir.appendingPathComponent("step-00000001.safetensors"), verify: true))
    }

    func testInvalidArgumentsAreRefused() throws {
        let dir = try makeTempDir(self)
        assertCheckpointError(.invalidArgument) { try CheckpointDirectory(url: dir, policy: CheckpointPolicy(keepLatest: 0)) }
        let ckpt = try CheckpointDirectory(url: dir)
        assertCheckpointError(.invalidArgument) { try ckpt.save(weights(1), step: -1, validationScore: nil, higherIsBetter: true) }
        let file = dir.appendingPathComponent("plain")
        try Data([1]).write(to: file)
        assertCheckpointError(.io) { try CheckpointDirectory(url: file) }
    }
}
