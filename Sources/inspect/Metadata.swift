import Foundation
import TinyTranslator

/// The metadata `train` stores beside the tensors, parsed generically (JSONSerialization) so
/// `inspect` reads a file without building its model (a damaged, partial or foreign file too)
/// and still shows fields added in later versions.
///
/// Keys (the library's `CheckpointKeys`): `model_config`, `tokenizers`, `training_state`,
/// `train_config`, each a JSON object string. Files from other tools have none of them.
struct Metadata {
    static let modelConfigKey = CheckpointKeys.modelConfig
    static let tokenizersKey = CheckpointKeys.tokenizers
    static let trainingStateKey = CheckpointKeys.trainingState
    static let trainConfigKey = CheckpointKeys.trainConfig
    static let knownKeys = [modelConfigKey, tokenizersKey, trainingStateKey, trainConfigKey]

    var modelConfig: [String: Any]?
    var tokenizers: [String: Any]?
    var trainingState: [String: Any]?
    var trainConfig: [String: Any]?
    /// Keys that are present but not a JSON object, as "key: reason".
    var problems: [String] = []
    /// Any other string metadata, shown as is.
    var other: [String: String] = [:]

    init(_ raw: [String: String]) {
        func object(_ key: String) -> [String: Any]? {
            guard let text = raw[key] else { return nil }
            guard let parsed = try? JSONSerialization.jsonObject(with: Data(text.utf8)), let dict = parsed as? [String: Any] else {
                problems.append("metadata '\(key)' is not a JSON object")
                return nil
            }
            return dict
        }
        modelConfig = object(Self.modelConfigKey)
        tokenizers = object(Self.tokenizersKey)
        trainingState = object(Self.trainingStateKey)
        trainConfig = object(Self.trainConfigKey)
        other = raw.filter { !Self.knownKeys.contains($0.key) }
    }

    /// Validation records from `training_state.history`, oldest first.
    var history: [[String: Any]] { trainingState?["history"] as? [[String: Any]] ?? [] }
}

/// What the tokenizer metadata says, without the vocabularies themselves.
struct TokenizerInfo {
    var kind: String
    var shared: Bool
    var lowercase: Bool?
    var sourceVocabulary: Int?
    var targetVocabulary: Int?
    /// BPE merge counts (nil for word tokenizers).
    var sourceMerges: Int?
    var targetMerges: Int?

    /// Reads `{"spec": {...}, "source": {"kind", "model": {"vocabulary": {"tokens"}, "merges"}}, "target"?}`;
    /// a shared tokenizer is stored once, as `source`.
    init?(_ json: [String: Any]?) {
        guard let json else { return nil }
        let spec = json["spec"] as? [String: Any] ?? [:]
        let source = json["source"] as? [String: Any]
        let target = json["target"] as? [String: Any]
        shared = (spec["shared"] as? Bool) ?? (target == nil)
        kind = (spec["kind"] as? String) ?? (source?["kind"] as? String) ?? "unknown"
        lowercase = spec["lowercase"] as? Bool
        func vocab(_ t: [String: Any]?) -> Int? {
            ((t?["model"] as? [String: Any])?["vocabulary"] as? [String: Any]).flatMap { ($0["tokens"] as? [Any])?.count }
        }
        func merges(_ t: [String: Any]?) -> Int? { ((t?["model"] as? [String: Any])?["merges"] as? [Any])?.count }
        sourceVocabulary = vocab(source)
        sourceMerges = merges(source)
        targetVocabulary = target == nil ? sourceVocabulary : vocab(target)
        targetMerges = target == nil ? sourceMerges : merges(target)
    }
}

/// Generic readers for JSONSerialization values (numbers arrive as NSNumber; Bool is one too).
enum JSONRead {
    static func double(_ v: Any?) -> Double? {
        guard let n = v as? NSNumber, !isBool(n) else { return nil }
        return n.doubleValue
    }

    static func int(_ v: Any?) -> Int? {
        guard let n = v as? NSNumber, !isBool(n) else { return nil }
        let d = n.doubleValue
        return d.rounded() == d && abs(d) < 9e15 ? Int(d) : nil
    }

    static func isBool(_ n: NSNumber) -> Bool { String(cString: n.objCType) == "c" }

    /// A scalar for display: numbers without needless digits, booleans as yes/no.
    static func display(_ v: Any?) -> String {
        switch v {
        case nil, is NSNull: return "—"
        case let s as String: return s
        case let n as NSNumber:
            if isBool(n) { return n.boolValue ? "yes" : "no" }
            let d = n.doubleValue
            if d.rounded() == d && abs(d) < 1e15 { return String(Int(d)) }
            return "\(d)"
        case let a as [Any]: return "[" + a.map { display($0) }.joined(separator: ", ") + "]"
        case let o as [String: Any]: return "{" + o.keys.sorted().map { "\($0): \(display(o[$0]))" }.joined(separator: ", ") + "}"
        default: return v.map { "\($0)" } ?? ""
        }
    }
}
