import Foundation

/// The figures of the closing side-by-side tables, recorded by the benchmarks as they run (on
/// the main thread) and printed on stderr at the end, so stdout stays JSON lines.
enum Summary {
    /// Decoding 1,000 sentences: (engine, precision, mode, threads) -> seconds, and the share of
    /// outputs identical to ours (CTranslate2) or to float32 (our int8).
    nonisolated(unsafe) static var decode: [String: (seconds: Double, identical: Double?, load: Double)] = [:]
    /// Training: config -> (ours tokens/s, cores busy, load), and PyTorch's (tokens/s, load).
    nonisolated(unsafe) static var train: [String: (tokensPerSecond: Double, coresBusy: Double?, load: Double)] = [:]
    nonisolated(unsafe) static var torch: [String: (tokensPerSecond: Double?, note: String?, load: Double?)] = [:]
    /// Notes printed under the tables (e.g. a missing reference, peak memory).
    nonisolated(unsafe) static var notes: [String] = []

    static func decodeKey(_ engine: String, _ precision: String, _ mode: String, _ threads: Int) -> String {
        "\(engine)/\(precision)/\(mode)/\(threads)"
    }

    /// The tables, as Markdown (empty when nothing was recorded).
    static func text(threads: [Int]) -> String {
        var out: [String] = []
        func f(_ x: Double?, _ digits: Int = 2) -> String { x.map { String(format: "%.\(digits)f", $0) } ?? "—" }
        if !decode.isEmpty {
            out.append("| decode 1,000 sentences (s) | ours float32 | ours int8 | CTranslate2 float32 | CTranslate2 int8 | CT2 f32 / ours f32 | CT2 int8 / ours int8 | load |")
            out.append("|---|---|---|---|---|---|---|---|")
            for mode in ["greedy", "beam5"] {
                for t in threads {
                    let get = { (engine: String, precision: String) in decode[decodeKey(engine, precision, mode, t)] }
                    let (of, oi, cf, ci) = (get("ours", "float32"), get("ours", "int8"), get("ctranslate2", "float32"), get("ctranslate2", "int8"))
                    if of == nil && cf == nil { continue }
                    let cell = { (x: (seconds: Double, identical: Double?, load: Double)?) -> String in
                        guard let x else { return "—" }
                        return f(x.seconds, 3) + (x.identical.map { String(format: " (%.1f%% same)", $0 * 100) } ?? "")
                    }
                    let ratio = { (a: Double?, b: Double?) -> String in
                        guard let a, let b, b > 0 else { return "—" }
                        return String(format: "%.2fx", a / b)
                    }
                    let loads = [of, oi, cf, ci].compactMap { $0?.load }
                    out.append("| \(mode == "greedy" ? "greedy" : "beam 5"), \(t) thread\(t == 1 ? "" : "s") | \(cell(of)) | \(cell(oi)) | \(cell(cf)) | \(cell(ci)) | \(ratio(cf?.seconds, of?.seconds)) | \(ratio(ci?.seconds, oi?.seconds)) | \(f(loads.max())) |")
                }
            }
            out.append("")
            out.append("CTranslate2 with several threads: the faster of intra_threads=N and inter_threads=N (the JSON lines have both).")
            out.append("")
        }
        if !train.isEmpty {
            out.append("| training tokens/s | ours | PyTorch | ours / PyTorch | cores busy (ours) | load (ours, PyTorch) |")
            out.append("|---|---|---|---|---|---|")
            for key in train.keys.sorted() {
                let ours = train[key]!
                let ref = torch[key]
                let ratio = ref?.tokensPerSecond.map { String(format: "%.2fx", ours.tokensPerSecond / $0) } ?? "—"
                let refText = ref?.tokensPerSecond.map { f($0, 0) } ?? (ref?.note ?? "—")
                out.append("| \(key) | \(f(ours.tokensPerSecond, 0)) | \(refText) | \(ratio) | \(f(ours.coresBusy)) | \(f(ours.load)), \(f(ref?.load ?? nil)) |")
            }
            out.append("")
        }
        out += notes
        return out.joined(separator: "\n")
    }
}
