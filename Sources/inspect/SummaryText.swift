import CLI
import Checkpoint
import Foundation

/// The default human-readable report, section by section: compact (about 50 lines, `width`
/// columns) unless `all` asks for every tensor, every model setting and the loss curve.
extension Summary {
    func text(all: Bool, width: Int = 80) -> [String] {
        var out = fileSection()
        out += [""] + (all ? modelSection() : compactModelSection())
        out += [""] + tokenizerSection()
        out += [""] + trainingSection()
        out += [""] + parameterSection(all: all)
        out += [""] + moduleSection()
        out += [""] + historySection(all: all)
        out += [""] + runConfigSection()
        if !all { out += ["", "More: --all (every tensor, the loss curve), --tensor NAME, --train-config."] }
        // Sections of "  key  value" lines wrap under their value; tables and charts are narrow.
        return out.flatMap { line -> [String] in
            guard line.count > width, line.hasPrefix("  ") else { return [line] }
            let column = min(valueColumn(line), width / 2)
            let wrapped = wrap(String(line.dropFirst(column)), width: width - column, indent: 0).split(separator: "\n").map(String.init)
            let pad = String(repeating: " ", count: column)
            return [String(line.prefix(column)) + wrapped[0]] + wrapped.dropFirst().map { pad + $0 }
        }
    }

    /// The model in three lines: shape, sizes, the output projection.
    private func compactModelSection() -> [String] {
        guard let c = inspected.metadata.modelConfig else { return ["Model configuration: none stored (not written by `train`)"] }
        let d = { (k: String) in JSONRead.display(c[k]) }
        var shape = "  d_model \(d("modelDim")), \(d("heads")) heads"
        if let dim = JSONRead.int(c["modelDim"]), let h = JSONRead.int(c["heads"]), h > 0 { shape += " (\(dim / h) dimensions each)" }
        shape += ", \(d("encoderLayers"))+\(d("decoderLayers")) layers, d_ff \(d("feedForwardDim")), dropout \(d("dropout"))"
        let vocab = "  vocabulary \(d("sourceVocabSize")) source / \(d("targetVocabSize")) target, max length \(d("maxLength")) tokens"
        var output = (c["tieOutputEmbedding"] as? Bool) == true ? "  output projection tied to the target embedding" : "  output projection of its own"
        if (c["shareEmbeddings"] as? Bool) == true { output += "; one embedding for both languages" }
        return ["Model configuration", shape, vocab, output]
    }

    private func fileSection() -> [String] {
        let f = inspected
        var out = ["Checkpoint \(f.displayPath)"]
        if f.isFolder { out.append("  picked      from the folder \(f.requested): its best, else its latest") }
        out.append("  size        \(Format.bytes(f.header.fileSize)); header \(Format.count(f.header.headerLength)) bytes; \(f.file.tensors.count) tensors")
        out.append("  format      \(f.header.format ?? "none (not written by this project)")")
        out.append("  integrity   \(f.integrityText)")
        if nonFinite > 0 { out.append("  WARNING     \(nonFinite) NaN/Inf values (see the nan/inf column)") }
        if let index = f.runIndex {
            let steps = (index["checkpoints"] as? [[String: Any]] ?? []).compactMap { JSONRead.int($0["step"]) }
            var line = "  run folder  step checkpoints kept: " + (steps.isEmpty ? "none" : steps.map(String.init).joined(separator: ", "))
            if let best = index["best"] as? [String: Any], let step = JSONRead.int(best["step"]) {
                line += "; best: step \(step)" + (JSONRead.double(best["score"]).map { " (BLEU \(Format.num($0)))" } ?? "")
            }
            out.append(line)
        }
        for problem in f.metadata.problems { out.append("  PROBLEM     \(problem)") }
        return out
    }

    private func modelSection() -> [String] {
        guard let config = inspected.metadata.modelConfig else { return ["Model configuration: none stored (not written by `train`)"] }
        var out = ["Model configuration"]
        let keys = Summary.orderedKeys(config)
        let width = keys.map { Format.words($0).count }.max() ?? 0
        for k in keys {
            var value = JSONRead.display(config[k])
            if k == "heads", let d = JSONRead.int(config["modelDim"]), let h = JSONRead.int(config[k]), h > 0 {
                value += "  (\(d / h) dimensions per head)"
            }
            out.append("  " + padRight(Format.words(k), width) + "  " + value)
        }
        return out
    }

    private func tokenizerSection() -> [String] {
        guard let t = tokenizer else { return ["Tokenizer: none stored"] }
        var out = ["Tokenizer"]
        out.append("  kind        \(t.kind)" + (t.lowercase == true ? ", lowercased" : ""))
        let v = { (n: Int?) in n.map(Format.count) ?? "?" }
        if t.shared {
            out.append("  vocabulary  \(v(t.sourceVocabulary)) tokens, shared by source and target")
            if t.kind == "bpe" { out.append("  merges      \(v(t.sourceMerges))") }
        } else {
            out.append("  vocabulary  source \(v(t.sourceVocabulary)), target \(v(t.targetVocabulary)) tokens (separate)")
            if t.kind == "bpe" { out.append("  merges      source \(v(t.sourceMerges)), target \(v(t.targetMerges))") }
        }
        return out
    }

    private func trainingSection() -> [String] {
        guard let s = inspected.metadata.trainingState else { return ["Training state: none stored"] }
        var out = ["Training state"]
        let position = s["position"] as? [String: Any]
        let epoch = JSONRead.int(position?["epoch"]).map { "\($0 + 1)" } ?? "?"
        let batch = JSONRead.int(position?["batch"]).map { " (next batch \($0))" } ?? ""
        out.append("  step \(JSONRead.display(s["step"])), epoch \(epoch)\(batch), tokens seen \(JSONRead.int(s["tokensSeen"]).map(Format.count) ?? "?"), "
                   + "training time \(JSONRead.double(s["trainSeconds"]).map(Format.duration) ?? "?"), skipped steps \(JSONRead.display(s["skippedSteps"]))")
        let history = inspected.metadata.history
        guard !history.isEmpty else { out.append("  no validation yet"); return out }
        let lastStep = JSONRead.int(history.last?["step"]).map { "last (step \($0))" } ?? "last"
        var table = Table(["validation", lastStep, "best", "at step"])
        for m in metrics {
            table.add([m.label, m.last.map(Format.num) ?? "—", m.best.map(Format.num) ?? "—", m.bestStep.map(String.init) ?? "—"])
        }
        out += table.render()
        if let bleu = JSONRead.double(s["bestBLEU"]), let step = JSONRead.int(s["bestStep"]) {
            out.append("  best BLEU recorded by the trainer: \(Format.num(bleu)) at step \(step)"
                       + (JSONRead.int(s["validationsWithoutImprovement"]).map { $0 > 0 ? "; \($0) validations since without improvement" : "" } ?? ""))
        }
        return out
    }

    private func parameterSection(all: Bool) -> [String] {
        var out = ["Parameters: \(parameters.count) tensors, \(Format.count(parameterCount)) values" + (all ? "" : " (--all lists each)")]
        guard all else {
            if !optimizer.isEmpty {
                out.append("  optimizer state: \(optimizer.count) tensors, \(Format.count(optimizerCount)) values (Adam's moments\(optimizer.contains { $0.name.hasPrefix("raw.") } ? ", raw weights" : ""))")
            } else {
                out.append("  no optimizer state (training cannot resume exactly from this file)")
            }
            return out
        }
        var table = Table(["name", "shape", "count", "mean", "std", "min", "max", "L2 norm", "nan/inf"], leftAligned: [0, 1])
        func add(_ s: TensorStats) {
            table.add([s.name, Format.shape(s.shape), Format.count(s.count), Format.num(s.mean), Format.num(s.std),
                       Format.num(s.min), Format.num(s.max), Format.num(s.l2), s.nan + s.inf == 0 ? "0" : "\(s.nan)/\(s.inf)"])
        }
        parameters.forEach(add)
        if all { optimizer.forEach(add) }
        out += table.render()
        if !optimizer.isEmpty {
            let l2 = { (prefix: String) in optimizer.filter { $0.name.hasPrefix(prefix) }.reduce(0.0) { $0 + $1.l2 * $1.l2 }.squareRoot() }
            out.append("  optimizer state: \(optimizer.count) tensors, \(Format.count(optimizerCount)) values "
                       + "(adam.m L2 \(Format.num(l2("adam.m."))), adam.v L2 \(Format.num(l2("adam.v."))))" + (all ? "" : "; --all lists them"))
        } else {
            out.append("  no optimizer state (training cannot resume exactly from this file)")
        }
        return out
    }

    private func moduleSection() -> [String] {
        var table = Table(["module", "tensors", "parameters", "share", "L2 norm"])
        let total = Double(Swift.max(1, parameterCount))
        for m in modules {
            table.add([m.module, "\(m.tensors)", Format.count(m.values), String(format: "%.1f%%", 100 * Double(m.values) / total), Format.num(m.sumSq.squareRoot())])
        }
        let sumSq = modules.reduce(0) { $0 + $1.sumSq }
        table.add(["total", "\(parameters.count)", Format.count(parameterCount), "100.0%", Format.num(sumSq.squareRoot())])
        return ["Totals per module"] + table.render()
    }

    private func historySection(all: Bool) -> [String] {
        let history = inspected.metadata.history
        guard !history.isEmpty else { return ["Validation history: none"] }
        let steps = history.map { JSONRead.int($0["step"]) ?? 0 }
        let series = { (key: String) in history.map { JSONRead.double($0[key]) ?? .nan } }
        var out = ["Validation history"]
        out += BarChart(title: "BLEU", values: series("bleu"), steps: steps, fromZero: true).render()
        guard all else { return out }
        out.append("")
        out += BarChart(title: "loss", values: series("loss"), steps: steps, fromZero: false).render()
        return out
    }

    private func runConfigSection() -> [String] {
        guard let c = inspected.metadata.trainConfig else { return ["Run configuration: none stored"] }
        let d = { (k: String) in JSONRead.display(c[k]) }
        var out = ["Run configuration (train_config)"]
        var data = c["data"] != nil ? "train \(d("data"))" : "source \(d("source")), target \(d("target"))"
        if c["valid"] != nil { data += ", valid \(d("valid"))" }
        else if c["validSource"] != nil { data += ", valid \(d("validSource")) / \(d("validTarget"))" }
        else { data += ", \(d("validHoldOut")) pairs held out for validation" }
        out.append("  data        \(data)")
        if let t = c["tokenizer"] as? [String: Any] {
            let kind = JSONRead.display(t["kind"])
            var s = "\(kind), " + ((t["shared"] as? Bool) == true ? "shared" : "separate")
            if kind == "bpe" { s += ", \(JSONRead.display(t["merges"])) merges" }
            s += ", min frequency \(JSONRead.display(t["minFrequency"])), max vocabulary \(JSONRead.display(t["maxVocabularySize"]))"
            if (t["lowercase"] as? Bool) == true { s += ", lowercased" }
            out.append("  tokenizer   \(s)")
        }
        var stops: [String] = []
        if c["steps"] != nil { stops.append("\(d("steps")) steps") }
        if c["epochs"] != nil { stops.append("\(d("epochs")) epochs") }
        if c["minutes"] != nil { stops.append("\(d("minutes")) minutes") }
        if c["patience"] != nil { stops.append("patience \(d("patience")) validations") }
        out.append("  stop after  " + (stops.isEmpty ? "no limit" : stops.joined(separator: " or ")))
        let o = c["optimizer"] as? [String: Any] ?? [:]
        out.append("  optimizer   lr \(JSONRead.display(o["learningRate"])), warm-up \(JSONRead.display(o["warmupSteps"])) steps, "
                   + "betas \(JSONRead.display(o["beta1"]))/\(JSONRead.display(o["beta2"])), clip \(JSONRead.display(o["clipNorm"]))")
        out.append("  batches     \(d("batchTokens")) tokens, label smoothing \(d("labelSmoothing")), seed \(d("seed")), threads \(d("threads"))")
        out.append("  validation  every \(d("validEvery")) steps or \(d("validEveryMinutes")) minutes, BLEU on \(d("bleuSentences")) sentences; keep \(d("keep")); out \(d("out"))")
        return out
    }
}

/// Where the value of a "  key   value" line starts (after the first run of two or more spaces
/// past the indent), for wrapping under it; 4 for a line without such a column.
func valueColumn(_ line: String) -> Int {
    let chars = Array(line)
    var i = chars.prefix(while: { $0 == " " }).count
    while i + 1 < chars.count {
        if chars[i] == " " && chars[i + 1] == " " {
            var j = i
            while j < chars.count && chars[j] == " " { j += 1 }
            return j
        }
        i += 1
    }
    return 4
}
