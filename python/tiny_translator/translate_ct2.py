"""Translate with a CTranslate2 model written by `export_ct2`, decoding as our `translate` does.

    from tiny_translator.translate_ct2 import Translator
    t = Translator("serve/tatoeba-ct2")                      # device="cuda", compute_type="int8" ...
    t.translate(["The red car is not big."], beam=5)          # ['La voiture rouge n'est pas grande.']

    python -m tiny_translator.translate_ct2 MODEL_DIR [--beam K] [--length-penalty A]
        [--max-length-ratio X] [--input FILE | --tsv FILE] [--compute-type int8] [SENTENCE ...]

How `translate`'s options map onto CTranslate2's (docs/CHECKPOINT.md, "Greedy translation" and
"Beam search"):

- the source is our tokenizer's pieces (no `<s>`, no `</s>`), cut to L = maxLength tokens
  (`max_input_length=L`);
- `--max-length-ratio X`: a sentence of n source tokens gets at most min(⌊X·n⌋ + 10, L − 1) output
  tokens (`max_decoding_length`, per sentence: sentences are grouped by their limit);
- `</s>` may come first (`min_decoding_length=0`: an empty translation is allowed, as ours);
- `--length-penalty A`: finished hypotheses rank by log P(tokens, </s>) / (tokens + 1)^A; with
  `return_end_token=True` CTranslate2's length counts the `</s>`, which gives exactly that;
  patience 1 and 2·K candidates per step are both engines' beam search;
- greedy (`beam=1`) is CTranslate2's greedy search; both take the most probable token.

One difference remains: a beam hypothesis that reaches the length limit. `translate` then
forces `</s>` and scores it with log p(</s>) included (as fairseq does); CTranslate2 (like
Marian) finishes it as it stands, without that term. Greedy outputs are equal either way.
"""
import argparse
import json
import os
import sys

from . import data
from .export_ct2 import SIDECAR
from .tokenizer import EOS, TokenizerPair


class Translator:
    def __init__(self, model_dir, device="cpu", compute_type="default", intra_threads=0, inter_threads=1):
        import ctranslate2

        with open(os.path.join(model_dir, SIDECAR), encoding="utf-8") as f:
            side = json.load(f)
        self.config = json.loads(side["model_config"])
        self.tokenizers = TokenizerPair.from_json(side["tokenizers"])
        self.translator = ctranslate2.Translator(str(model_dir), device=device, compute_type=compute_type,
                                                 intra_threads=intra_threads, inter_threads=inter_threads)

    def limit(self, source_length, max_length=2.0):
        """Output tokens allowed for a source of `source_length` tokens, as `translate --max-length-ratio`."""
        return max(0, min(int(source_length * max_length) + 10, self.config["maxLength"] - 1))

    def translate_ids(self, sources, beam=1, length_penalty=1.0, max_length=2.0, batch_size=64):
        """Output ids (without `</s>`) for each list of source ids."""
        L = self.config["maxLength"]
        src_vocab = self.tokenizers.source.vocabulary.tokens
        tgt_vocab = self.tokenizers.target.vocabulary
        sources = [list(s)[:L] for s in sources]
        out = [[] for _ in sources]
        groups = {}
        for i, s in enumerate(sources):
            if s:  # an empty source translates to an empty output, as `translate` gives
                groups.setdefault(self.limit(len(s), max_length), []).append(i)
        for limit, idx in sorted(groups.items()):
            if limit == 0:
                continue
            results = self.translator.translate_batch(
                [[src_vocab[t] for t in sources[i]] for i in idx], max_batch_size=batch_size, beam_size=beam,
                patience=1, num_hypotheses=1, length_penalty=length_penalty, max_input_length=L,
                max_decoding_length=limit, min_decoding_length=0, return_end_token=True, return_scores=False)
            for i, r in zip(idx, results):
                ids = [tgt_vocab.id(t) for t in r.hypotheses[0]]
                out[i] = ids[:-1] if ids and ids[-1] == EOS else ids
        return out

    def translate(self, sentences, beam=1, length_penalty=1.0, max_length=2.0, batch_size=64):
        """Translations of `sentences` (strings), decoded by our target tokenizer."""
        ids = self.translate_ids([self.tokenizers.source.encode(s) for s in sentences], beam, length_penalty, max_length, batch_size)
        return [self.tokenizers.target.decode(o) for o in ids]


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m tiny_translator.translate_ct2", description=__doc__.split("\n\n")[0])
    ap.add_argument("model", help="a directory written by `python -m tiny_translator.export_ct2`")
    ap.add_argument("sentences", nargs="*", help="sentences to translate (default: --input, --tsv, else stdin)")
    ap.add_argument("--input", help="translate every line of FILE")
    ap.add_argument("--tsv", help="translate the source column of a TSV file")
    ap.add_argument("--beam", type=int, default=1, help="beam size (default 1: greedy)")
    ap.add_argument("--length-penalty", type=float, default=1.0, help="as translate's (default 1)")
    ap.add_argument("--max-length-ratio", "--max-length", dest="max_length", type=float, default=2.0,
                    help="as translate's: X times the source length + 10 (default 2; --max-length is the old name)")
    ap.add_argument("--batch", type=int, default=64, help="sentences per batch (default 64)")
    ap.add_argument("--device", default="cpu", help="cpu or cuda")
    ap.add_argument("--compute-type", default="default", help="CTranslate2 compute type, e.g. int8, float16")
    args = ap.parse_args(argv)
    if args.tsv:
        lines = [l.split("\t")[0] for l in data.read_lines(args.tsv)]
    elif args.input:
        lines = data.read_lines(args.input)
    elif args.sentences:
        lines = args.sentences
    else:
        lines = data.split_lines(sys.stdin.buffer.read().decode("utf-8"))
    t = Translator(args.model, device=args.device, compute_type=args.compute_type)
    for line in t.translate(lines, beam=args.beam, length_penalty=args.length_penalty, max_length=args.max_length, batch_size=args.batch):
        print(line)


if __name__ == "__main__":
    main()
