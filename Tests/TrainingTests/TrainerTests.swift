import Checkpoint
import Engine
import Foundation
import Training
import XCTest

final class TrainerTests: XCTestCase {
    /// Resumed training must give exactly the parameters of uninterrupted training.
    func testResumeEqualsUninterruptedTraining() throws { try checkResume(ema: nil) }

    /// The same with a moving average of the weights: the averaged model tensors and the raw
    /// training weights (`raw.*`) both continue exactly, and they are not the same thing.
    func testResumeWithWeightAverageEqualsUninterruptedTraining() throws { try checkResume(ema: 0.99) }

    private func checkResume(ema: Double?) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("toy.tsv")
        try writeToyCorpus(to: data, pairs: 300, seed: 1)

        var straight = tinyTrainConfig(data: data, out: dir.appendingPathComponent("straight"), steps: 16)
        straight.model.dropout = 0.1
        straight.emaDecay = ema
        straight.validEvery = 5
        try Trainer(config: straight, resume: false, log: { _ in }).run(progress: { _ in })

        var first = straight
        first.out = dir.appendingPathComponent("split").path
        first.steps = 7
        try Trainer(config: first, resume: false, log: { _ in }).run(progress: { _ in })
        var second = first
        second.steps = 16
        let resumed = try Trainer(config: second, resume: true, log: { _ in })
        XCTAssertEqual(resumed.state.step, 7)
        try resumed.run(progress: { _ in })

        // Validations at multiples of --valid-every whether or not the run was stopped at 7
        // (which validates too), so runs compare at equal updates.
        let validated = { (out: String) throws -> [Int] in try metricsRecords(in: out, kind: "valid").compactMap { $0["step"] as? Int } }
        XCTAssertEqual(try validated(straight.out), [5, 10, 15, 16])
        XCTAssertEqual(try validated(second.out), [5, 7, 10, 15, 16])

        // The step-16 files (the folders' best may be an earlier validation).
        let a = try loadCheckpoint(straight.out + "/step-00000016.safetensors")
        let b = try loadCheckpoint(second.out + "/step-00000016.safetensors")
        XCTAssertEqual(a.state?.step, 16)
        XCTAssertEqual(b.state?.step, 16)
        XCTAssertEqual(a.state?.position, b.state?.position)
        for ((name, x), (_, y)) in zip(a.model.parameters(), b.model.parameters()) {
            XCTAssertEqual(x.values.map(\.bitPattern), y.values.map(\.bitPattern), "\(name) differs after resume")
        }
        let raw = { (c: LoadedCheckpoint) in c.file.tensors.filter { $0.name.hasPrefix("raw.") } }
        XCTAssertEqual(raw(a).count, ema == nil ? 0 : a.model.parameters().count)
        XCTAssertEqual(raw(a).map(\.values), raw(b).map(\.values), "raw weights differ after resume")
        if ema != nil {
            let name = a.model.parameters()[0].name
            let averaged = a.model.parameters()[0].tensor.values
            XCTAssertNotEqual(raw(a).first { $0.name == "raw." + name }?.values, averaged, "the average should not be the raw weights")
        }
    }

    func testSecondTrainerOnSameFolderIsRefused() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("toy.tsv")
        try writeToyCorpus(to: data, pairs: 100, seed: 2)
        let config = tinyTrainConfig(data: data, out: dir.appendingPathComponent("run"), steps: 2)
        let holder = try Trainer(config: config, resume: false, log: { _ in })
        XCTAssertThrowsError(try Trainer(config: config, resume: false, log: { _ in })) {
            XCTAssertTrue("\($0)".contains("in use"), "\($0)")
        }
        withExtendedLifetime(holder) {}
    }

    func testExistingRunIsNotOverwrittenWithoutResume() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("toy.tsv")
        try writeToyCorpus(to: data, pairs: 100, seed: 3)
        let config = tinyTrainConfig(data: data, out: dir.appendingPathComponent("run"), steps: 2)
        try Trainer(config: config, resume: false, log: { _ in }).run(progress: { _ in })
        XCTAssertThrowsError(try Trainer(config: config, resume: false, log: { _ in })) {
            // The library names the setting that fixes it (train adds the flag, --resume).
            XCTAssertTrue("\($0)".contains("already holds checkpoints"), "\($0)")
            XCTAssertEqual(($0 as? TrainingError)?.setting, .resume, "\($0)")
        }
    }

    /// End to end on a corpus that needs reordering (adjective after the noun): a tiny model
    /// learns it perfectly in a few hundred steps.
    func testTinyTranslationTaskTrainsToPerfect() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("toy.tsv")
        try writeToyCorpus(to: data, pairs: 400, seed: 4)
        var config = tinyTrainConfig(data: data, out: dir.appendingPathComponent("run"), steps: 300)
        config.model.dropout = 0
        config.labelSmoothing = 0
        let trainer = try Trainer(config: config, resume: false, log: { _ in })
        try trainer.run(progress: { _ in })
        let last = try XCTUnwrap(trainer.state.history.last)
        XCTAssertEqual(last.exactMatch, 100, "validation exact match after 300 steps: \(last)")
    }
}
