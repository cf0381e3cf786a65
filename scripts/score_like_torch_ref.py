#!/usr/bin/env python3
"""Scores hypotheses the way ../shared/bench/torch_ref.py train-bleu does, for a same-budget
comparison: lowercase, split with the regex \\w+|[^\\w\\s], then sacreBLEU with tokenize=none.
(Our own `translate --tsv` reports the cased, detokenised sacreBLEU score instead.)

    python3 scripts/score_like_torch_ref.py HYP.txt TEST.tsv

Needs sacrebleu (`pip install sacrebleu`); not used by the Swift build or tests.
"""
import re
import sys

import sacrebleu

TOKEN = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def words(line):
    return " ".join(TOKEN.findall(line.lower()))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as f:
        hyps = [words(l.rstrip("\n")) for l in f]
    with open(sys.argv[2], encoding="utf-8") as f:
        refs = [words(l.rstrip("\n").split("\t")[1]) for l in f if "\t" in l]
    if len(hyps) != len(refs):
        sys.exit(f"{sys.argv[1]} has {len(hyps)} lines but {sys.argv[2]} has {len(refs)} pairs")
    print(sacrebleu.corpus_bleu(hyps, [refs], tokenize="none", force=True))


if __name__ == "__main__":
    main()
