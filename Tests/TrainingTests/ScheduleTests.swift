import Foundation
import Training
import XCTest

/// The learning-rate schedule: warm-up, 1/√step, and the cooldown to zero over the end of a run.
final class ScheduleTests: XCTestCase {
    func testCooldownFactorIsOneUntilTheLastShareThenFallsLinearlyToZero() {
        var c = OptimizerConfig(learningRate: 3e-3, warmupSteps: 1000)
        for p in [0.0, 0.5, 0.99, 1.0] { XCTAssertEqual(c.cooldownFactor(progress: p), 1, "off by default") }
        c.cooldown = 0.2
        XCTAssertEqual(c.cooldownFactor(progress: 0), 1)
        XCTAssertEqual(c.cooldownFactor(progress: 0.8), 1, accuracy: 1e-12)
        XCTAssertEqual(c.cooldownFactor(progress: 0.9), 0.5, accuracy: 1e-12)
        XCTAssertEqual(c.cooldownFactor(progress: 0.95), 0.25, accuracy: 1e-12)
        XCTAssertEqual(c.cooldownFactor(progress: 1), 0)
        XCTAssertEqual(c.cooldownFactor(progress: 1.5), 0, "past the end the rate stays zero")
        c.cooldown = 1
        XCTAssertEqual(c.cooldownFactor(progress: 0.25), 0.75, accuracy: 1e-12, "a cooldown over the whole run decays from the start")
    }

    func testRateIsWarmupInverseSquareRootTimesTheCooldown() {
        var c = OptimizerConfig(learningRate: 3e-3, warmupSteps: 1000)
        XCTAssertEqual(c.rate(at: 500), 1.5e-3, accuracy: 1e-15)
        XCTAssertEqual(c.rate(at: 1000), 3e-3, accuracy: 1e-15)
        XCTAssertEqual(c.rate(at: 4000), 1.5e-3, accuracy: 1e-15)
        c.cooldown = 0.2
        XCTAssertEqual(c.rate(at: 4000, progress: 0.9), 0.75e-3, accuracy: 1e-15)
        XCTAssertEqual(c.rate(at: 4000), 1.5e-3, accuracy: 1e-15, "progress defaults to the start of the run")
    }

    /// The trainer feeds its progress through `--steps` into the schedule: the last of 10 updates
    /// runs at 9/10 of the run, so a cooldown over the last half gives it (1 - 0.9) / 0.5 of the rate.
    func testTrainerCoolsDownOverTheLastShareOfItsSteps() throws {
        let lr = try lastLoggedRate { c in c.optimizer.cooldown = 0.5 }
        let plain = try lastLoggedRate { _ in }
        let rate10 = OptimizerConfig(learningRate: 3e-3, warmupSteps: 10).rate(at: 10)
        XCTAssertEqual(plain.lr, rate10, accuracy: 1e-12)
        XCTAssertEqual(lr.lr, rate10 * 0.2, accuracy: 1e-12)
    }

    /// A run limited by time: with `scheduleMinutes` far beyond `minutes` the cooldown has not
    /// started when the run stops; without it the whole 0.6-second run is the cooldown, so its
    /// last update runs below the full rate by the share of the run already trained.
    func testScheduleMinutesReplacesMinutesAsTheCooldownsHorizon() throws {
        let cooled = try lastLoggedRate { c in
            c.steps = nil; c.minutes = 0.01; c.optimizer.cooldown = 1
        }
        let planned = try lastLoggedRate { c in
            c.steps = nil; c.minutes = 0.01; c.optimizer.cooldown = 1; c.scheduleMinutes = 10_000
        }
        let full = { (step: Int) in OptimizerConfig(learningRate: 3e-3, warmupSteps: 10).rate(at: step) }
        XCTAssertGreaterThan(cooled.step, 1, "the 0.6-second run should make several updates")
        XCTAssertLessThan(cooled.lr, full(cooled.step) * 0.999, "the last update of a cooled run is below the full rate")
        XCTAssertEqual(planned.lr, full(planned.step), accuracy: full(planned.step) * 1e-5)
    }

    /// Trains the tiny test model (10 updates unless `adjust` changes the limits) and returns the
    /// step and learning rate of its last `train` metrics line (written at the stop).
    private func lastLoggedRate(_ adjust: (inout TrainConfig) -> Void) throws -> (step: Int, lr: Double) {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("toy.tsv")
        try writeToyCorpus(to: data, pairs: 200, seed: 3)
        var c = tinyTrainConfig(data: data, out: dir.appendingPathComponent("run"), steps: 10)
        adjust(&c)
        try Trainer(config: c, resume: false, log: { _ in }).run(progress: { _ in })
        let last = try XCTUnwrap(try metricsRecords(in: c.out, kind: "train").last)
        return (try XCTUnwrap(last["step"] as? Int), try XCTUnwrap(last["lr"] as? Double))
    }
}
