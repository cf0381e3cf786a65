import Checkpoint
import Engine
import Foundation
import Metrics
import Model
import Text

/// Why training stopped.
public enum StopReason: Equatable, Sendable, CustomStringConvertible {
    /// The step limit (`TrainConfig.steps`) was reached.
    case steps
    /// The epoch limit (`TrainConfig.epochs`) was reached.
    case epochs
    /// The time limit (`TrainConfig.minutes`) was reached.
    case minutes
    /// Validation BLEU stopped improving for `TrainConfig.patience` validations.
    case patience
    /// A signal asked to stop (2 = SIGINT, Ctrl-C).
    case signal(Int32)
    /// Too many non-finite losses or gradients in a row; the message says where it started.
    case nonFinite(String)

    /// In the library's terms, e.g. "reached the step limit".
    public var description: String {
        switch self {
        case .steps: return "reached the step limit"
        case .epochs: return "reached the epoch limit"
        case .minutes: return "reached the time limit"
        case .patience: return "validation BLEU stopped improving"
        case .signal(let s): return s == 2 ? "interrupted (Ctrl-C)" : "terminated (signal \(s))"
        case .nonFinite(let m): return m
        }
    }
}

extension Trainer {
    /// Trains until a stopping condition, validating and checkpointing along the way; always
    /// ends with a validation and a saved checkpoint (unless the loss became non-finite, in
    /// which case the last good checkpoint is kept untouched).
    @discardableResult
    public func run(progress: @escaping (String) -> Void) throws -> StopReason {
        var iterator = batcher.makeIterator(from: state.position)
        var lastValidationTime = state.trainSeconds
        var badInARow = 0, firstBad: String?
        var window = (loss: 0.0, tokens: 0, seconds: 0.0, count: 0)
        var lastPrint = Date.distantPast
        var lastTrainLoss: Double?
        var nanHook = InjectedNaN.fromEnvironment()
        var epochSize = (epoch: -1, count: 1)  // batches in the current epoch, for `runProgress`
        func stopReason() -> StopReason? {
            if StopSignal.requested != 0 { return .signal(StopSignal.requested) }
            if let s = config.steps, state.step >= s { return .steps }
            if let e = config.epochs, state.position.epoch >= e { return .epochs }
            if let m = config.minutes, state.trainSeconds >= m * 60 { return .minutes }
            return nil
        }
        var reason = stopReason()
        while reason == nil {
            guard let batch = iterator.next() else { throw TrainingError("the training corpus produced no batches") }
            let t0 = DispatchTime.now().uptimeNanoseconds
            let nextStep = state.step + 1
            let ctx = ForwardContext(training: true, seed: hashRandom(seed: config.seed, index: UInt64(nextStep) &+ UInt64(state.skippedSteps) << 40))
            let ce = model.loss(batch.tokens, labelSmoothing: config.labelSmoothing, ctx)
            var loss = Double(ce.loss.item)
            ce.loss.backward()
            if nanHook?.fire(step: nextStep) == true { loss = .nan }
            let norm = optimizer.gradientNorm()
            state.position = iterator.position
            if !loss.isFinite || !norm.isFinite {
                optimizer.discardGradients()
                state.skippedSteps += 1
                badInARow += 1
                let what = !loss.isFinite ? "loss \(loss)" : "gradient norm \(norm)"
                if firstBad == nil { firstBad = "step \(nextStep) (epoch \(state.position.epoch + 1)): \(what)" }
                log("warning: skipped update at step \(nextStep): \(what) is not finite (\(badInARow) in a row)")
                metrics.write(["kind": "skip", "step": nextStep, "reason": "\(what) is not finite", "skipped": state.skippedSteps])
                if badInARow >= config.maxBadSteps {
                    reason = .nonFinite("stopped: \(badInARow) non-finite updates in a row, starting at \(firstBad!); the last good checkpoint is kept. Try a lower peak learning rate or a longer warm-up")
                    break
                }
                continue
            }
            badInARow = 0
            firstBad = nil
            let clip = config.optimizer.clipNorm
            if config.optimizer.cooldown != nil && config.epochs != nil && epochSize.epoch != state.position.epoch {
                epochSize = (state.position.epoch, batcher.batchCount(epoch: state.position.epoch))
            }
            let lr = config.optimizer.rate(at: nextStep, progress: runProgress(batchesInEpoch: epochSize.count))
            optimizer.update(lr: lr, gradScale: clip > 0 && norm > clip ? clip / norm : 1)
            average?.update(step: nextStep)
            state.step = nextStep
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            state.trainSeconds += seconds
            let tokens = batch.sourceTokens + batch.targetTokens
            state.tokensSeen += tokens
            window.loss += loss; window.count += 1; window.tokens += tokens; window.seconds += seconds

            if Date().timeIntervalSince(lastPrint) >= 1 || stopReason() != nil {
                lastPrint = Date()
                let avg = window.loss / Double(max(1, window.count))
                lastTrainLoss = avg
                let tps = Double(window.tokens) / max(1e-9, window.seconds)
                progress(progressLine(loss: avg, lr: lr, tokensPerSecond: tps))
                metrics.write(["kind": "train", "step": state.step, "epoch": state.position.epoch + 1, "loss": avg, "lr": lr,
                               "tokens_per_s": tps.rounded(), "grad_norm": norm, "train_seconds": state.trainSeconds,
                               "skipped": state.skippedSteps])
                window = (0, 0, 0, 0)
            }
            reason = stopReason()
            // At multiples of --valid-every (as Marian and fairseq do), not N updates after the
            // last validation: a run validates at the same steps whether or not it was stopped
            // and resumed or validated by the clock in between, so runs can be compared at
            // equal updates (scripts/tune.py).
            let dueBySteps = state.step % max(1, config.validEvery) == 0
            let dueByTime = state.trainSeconds - lastValidationTime >= config.validEveryMinutes * 60
            if reason == nil && (dueBySteps || dueByTime) {
                if try validateAndSave(trainLoss: lastTrainLoss) { reason = .patience }
                lastValidationTime = state.trainSeconds
            }
        }
        let final = reason!
        if case .nonFinite = final { return final }
        if state.step > 0 && !(state.history.last?.step == state.step) {
            _ = try validateAndSave(trainLoss: lastTrainLoss)
        }
        return final
    }

    /// The share of the run done before the next update (0...1), by whichever limit ends it
    /// first: updates of `steps`, training time of `scheduleMinutes ?? minutes`, passes of
    /// `epochs` (the current one `batchesInEpoch` long); 0 without a limit. The learning-rate
    /// cooldown reads it.
    func runProgress(batchesInEpoch: Int) -> Double {
        var done = 0.0
        if let s = config.steps { done = max(done, Double(state.step) / Double(max(1, s))) }
        if let m = config.scheduleMinutes ?? config.minutes { done = max(done, state.trainSeconds / (m * 60)) }
        if let e = config.epochs { done = max(done, epochsDone(batchesInEpoch: batchesInEpoch) / Double(max(1, e))) }
        return min(1, done)
    }

    /// Passes over the data so far, fractional (2.5: halfway through the third), the current
    /// epoch being `batchesInEpoch` batches long.
    func epochsDone(batchesInEpoch: Int) -> Double {
        Double(state.position.epoch) + Double(state.position.batch) / Double(max(1, batchesInEpoch))
    }

    func progressLine(loss: Double, lr: Double, tokensPerSecond: Double) -> String {
        var eta = ""
        var remaining: [Double] = []
        if let s = config.steps, state.step > 0 { remaining.append(Double(s - state.step) * state.trainSeconds / Double(state.step)) }
        if let m = config.minutes { remaining.append(m * 60 - state.trainSeconds) }
        if let e = config.epochs {
            let done = epochsDone(batchesInEpoch: batcher.batchCount(epoch: state.position.epoch))
            if done > 0 { remaining.append((Double(e) - done) * state.trainSeconds / done) }
        }
        if let r = remaining.min() { eta = " eta " + formatDuration(max(0, r)) }
        return String(format: "step %d  epoch %d  loss %.3f  lr %.2e  %.0f tok/s  elapsed %@%@", state.step, state.position.epoch + 1,
                      loss, lr, tokensPerSecond, formatDuration(state.trainSeconds), eta)
    }

    /// Validates, records, saves a checkpoint; returns true when patience has run out.
    func validateAndSave(trainLoss: Double?) throws -> Bool {
        // With --ema, validation, the best checkpoint and translate all see the averaged weights.
        // The raw weights are scored too (BLEU only), so the log shows what averaging is worth.
        if let average {
            let raw = try validateCurrent(bleuOnly: true).bleu
            return try average.swapped { try validateAndSaveCurrent(trainLoss: trainLoss, raw: average.rawState, rawBLEU: raw) }
        }
        return try validateAndSaveCurrent(trainLoss: trainLoss, raw: [], rawBLEU: nil)
    }

    private func validateCurrent(bleuOnly: Bool = false) throws
        -> (loss: Double, perplexity: Double, bleu: Double, chrf: Double, exactMatch: Double, samples: [(String, String, String)]) {
        try validate(model: model, tokenizers: tokenizers, set: validation, batchTokens: config.batchTokens,
                     labelSmoothing: 0, sentences: config.bleuSentences, maxLength: config.model.maxLength - 1, loss: !bleuOnly)
    }

    private func validateAndSaveCurrent(trainLoss: Double?, raw: [(name: String, tensor: Tensor)], rawBLEU: Double?) throws -> Bool {
        let t0 = Date()
        let v = try validateCurrent()
        var record = ValidationRecord(step: state.step, epoch: state.position.epoch + 1, trainSeconds: state.trainSeconds,
                                      tokensSeen: state.tokensSeen, trainLoss: trainLoss, loss: v.loss, perplexity: v.perplexity,
                                      bleu: v.bleu, chrf: v.chrf, exactMatch: v.exactMatch, sentences: min(config.bleuSentences, validation.pairs.count))
        record.rawBLEU = rawBLEU
        state.history.append(record)
        let isBest = state.bestBLEU.map({ v.bleu > $0 }) ?? true
        if isBest {
            (state.bestBLEU, state.bestStep, state.validationsWithoutImprovement) = (v.bleu, state.step, 0)
        } else {
            state.validationsWithoutImprovement += 1
        }
        let rawNote = rawBLEU.map { String(format: "  (raw weights: BLEU %.2f)", $0) } ?? ""
        log(String(format: "\nvalid step %d: loss %.3f  ppl %.2f  BLEU %.2f  chrF %.2f  exact %.1f%%  (%d sentences, %.1f s)%@",
                   state.step, v.loss, v.perplexity, v.bleu, v.chrf, v.exactMatch, record.sentences, Date().timeIntervalSince(t0), rawNote))
        for (src, ref, hyp) in v.samples { log("  src: \(src)\n  ref: \(ref)\n  hyp: \(hyp)") }
        var line: [String: Any] = ["kind": "valid", "step": state.step, "epoch": record.epoch, "loss": v.loss, "perplexity": v.perplexity,
                                   "bleu": v.bleu, "chrf": v.chrf, "exact_match": v.exactMatch, "train_seconds": state.trainSeconds,
                                   "tokens_seen": state.tokensSeen, "best": isBest,
                                   "samples": v.samples.map { ["source": $0.0, "reference": $0.1, "hypothesis": $0.2] }]
        if let rawBLEU { line["raw_bleu"] = rawBLEU }
        metrics.write(line)
        try lock.verifyStillHeld()
        let file = makeCheckpoint(model: model, optimizer: optimizer, tokenizers: tokenizers, trainConfig: config, state: state, extra: raw)
        let url = try directory.save(file, step: state.step, validationScore: v.bleu, higherIsBetter: true)
        log("saved \(url.path)")
        try writeRunConfig()
        updateReport()
        if let p = config.patience, state.validationsWithoutImprovement >= p { return true }
        return false
    }
}

/// TEST HOOK, not a feature: `TINY_TRANSLATOR_INJECT_NAN=STEP[,COUNT]` makes the loss NaN for
/// COUNT consecutive update attempts (default 1) starting at step STEP, so the end-to-end tests
/// can check the non-finite path (skip and count, stop after `maxBadSteps` in a row, keep the
/// last good checkpoint) without having to provoke a real divergence. Unset in normal use.
struct InjectedNaN {
    static let variable = "TINY_TRANSLATOR_INJECT_NAN"
    let step: Int
    var remaining: Int

    /// The hook from the environment, or nil when the variable is unset or malformed.
    static func fromEnvironment() -> InjectedNaN? {
        guard let text = ProcessInfo.processInfo.environment[variable] else { return nil }
        let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard let first = parts.first, let step = first, step >= 1 else { return nil }
        let count = parts.count > 1 ? (parts[1] ?? 1) : 1
        return InjectedNaN(step: step, remaining: max(0, count))
    }

    /// True when the attempt at `step` should see a NaN loss. A skipped update does not advance
    /// the step, so the retries of one step count against COUNT too.
    mutating func fire(step: Int) -> Bool {
        guard step >= self.step, remaining > 0 else { return false }
        remaining -= 1
        return true
    }
}
