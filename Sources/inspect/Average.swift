import Checkpoint
import Foundation

/// `inspect --average A B C --out F`: the element-wise mean of several checkpoints' model weights
/// (checkpoint averaging, as Marian's and fairseq's average_checkpoints scripts do), written as a
/// new checkpoint that `translate` loads and `inspect --verify` accepts.
///
/// Why: the last few checkpoints of a run sit at different points of the same valley; their
/// mean often translates better than any one of them, and costs nothing at translation time.
///
/// Which weights: the model tensors each file holds under the model's own names, i.e. what
/// `translate` uses — for a run with `--ema`, the exponential moving averages (so this averages
/// averages); `rawWeights` averages the raw training weights (`raw.*`) instead and stores the
/// mean under the model's names. Adam's moments and the raw weights are not carried over, nor
/// is the training state: the result translates and can be inspected, but not resumed. The
/// metadata keeps the first file's model_config, tokenizers and train_config (all files must
/// share the first two) and adds `averaged_from`: each file and its step.
///
/// Sums in double precision, so the order of the files does not change the result.
func averageCheckpoints(_ paths: [String], rawWeights: Bool, to out: String) throws -> String {
    let outURL = URL(fileURLWithPath: out)
    if FileManager.default.fileExists(atPath: out) {
        throw InspectError("\(out) already exists: give --out a new file name (inspect never replaces a file)")
    }
    let files = try paths.map { try InspectedFile.load($0) }
    let first = files[0]
    func modelTensors(_ f: InspectedFile) throws -> [NamedTensor] {
        guard rawWeights else { return f.file.tensors.filter { !isOptimizerState($0.name) } }
        let raw = f.file.tensors.filter { $0.name.hasPrefix("raw.") }
        guard !raw.isEmpty else {
            throw InspectError("\(f.url.path) holds no raw weights (raw.*): its run did not average its weights, so drop --raw-weights")
        }
        return raw.map { NamedTensor(name: String($0.name.dropFirst(4)), shape: $0.shape, values: $0.values) }
    }
    let reference = try modelTensors(first)
    guard !reference.isEmpty else { throw InspectError("\(first.url.path) holds no model tensors to average") }
    var sums = reference.map { $0.values.map(Double.init) }
    for f in files.dropFirst() {
        for key in [Metadata.modelConfigKey, Metadata.tokenizersKey] where f.file.metadata[key] != first.file.metadata[key] {
            throw InspectError("\(f.url.path) has another \(key) than \(first.url.path): only checkpoints of the same model (same run) can be averaged")
        }
        let tensors = Dictionary(try modelTensors(f).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        guard tensors.count == reference.count else {
            throw InspectError("\(f.url.path) has \(tensors.count) model tensors, \(first.url.path) \(reference.count): only checkpoints of the same model can be averaged")
        }
        for (i, r) in reference.enumerated() {
            guard let t = tensors[r.name], t.shape == r.shape else {
                throw InspectError("\(f.url.path): tensor \"\(r.name)\" is missing or has another shape than in \(first.url.path)")
            }
            t.values.withUnsafeBufferPointer { v in
                for j in v.indices { sums[i][j] += Double(v[j]) }
            }
        }
    }
    let n = Double(files.count)
    let averaged = zip(reference, sums).map { r, s in NamedTensor(name: r.name, shape: r.shape, values: s.map { Float($0 / n) }) }
    var metadata: [String: String] = [:]
    for key in [Metadata.modelConfigKey, Metadata.tokenizersKey, Metadata.trainConfigKey] { metadata[key] = first.file.metadata[key] }
    let sources = files.map { f -> [String: Any] in
        var entry: [String: Any] = ["file": f.url.path]
        if let step = f.metadata.trainingState.flatMap({ JSONRead.int($0["step"]) }) { entry["step"] = step }
        return entry
    }
    let record: [String: Any] = ["files": sources, "weights": rawWeights ? "raw" : "as stored"]
    metadata["averaged_from"] = String(decoding: try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    try SafeTensors.write(SafeTensorsFile(tensors: averaged, metadata: metadata), to: outURL)
    let steps = sources.compactMap { $0["step"] as? Int }.map(String.init)
    return "wrote \(out): the mean of \(files.count) checkpoints' \(rawWeights ? "raw" : "stored") weights"
        + (steps.count == files.count ? " (steps \(steps.joined(separator: ", ")))" : "")
        + "; translate --checkpoint \(out) uses it (it holds no optimizer state, so it cannot be resumed)"
}
