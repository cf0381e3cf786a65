import TinyTranslator

/// A library error's message with this tool's flags added: the library names the setting that
/// would fix it, not a flag. An explain setting prefixes its flag (`--explain-head: the head
/// must be 0...3, got 5`); a missing checkpoint says how to train one.
func withFlags(_ error: Error) -> String {
    if let e = error as? TrainingError {
        switch e.setting {
        case .explainMap?: return "--explain-layer: \(e)"
        case .explainHead?: return "--explain-head: \(e)"
        case .explainPosition?: return "--explain-position: \(e)"
        case .rawWeights?: return "\(e) (drop --raw-weights)"
        default: return "\(e)"
        }
    }
    if let e = error as? CheckpointError, e.setting == .checkpoint {
        return "\(e) (--checkpoint; train one with `train --out \(e.path)`)"
    }
    return "\(error)"
}
