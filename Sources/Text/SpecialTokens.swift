/// The special tokens every vocabulary starts with, at fixed ids, so the batcher, the model's
/// attention masks and the decoders can rely on them without looking anything up. The one
/// definition: the model receives `pad` through `ModelConfig.padding` (Training sets it), and
/// Training's decoders use `begin` and `end` from here.
public enum SpecialTokens {
    /// `<pad>` (0): fills a batch row to the batch's length; hidden from attention and the loss.
    public static let pad: Int32 = 0
    /// `<unk>` (1): any piece not in the vocabulary.
    public static let unknown: Int32 = 1
    /// `<s>` (2): beginning of sentence, the decoder's first input.
    public static let begin: Int32 = 2
    /// `</s>` (3): end of sentence, the decoder's last target; decoding stops when it is chosen.
    public static let end: Int32 = 3
    /// Their strings, in id order: `["<pad>", "<unk>", "<s>", "</s>"]`.
    public static let strings = ["<pad>", "<unk>", "<s>", "</s>"]

    /// True for the four special ids.
    public static func contains(_ id: Int32) -> Bool { id >= 0 && Int(id) < strings.count }
}
