"""Corpus BLEU as sacreBLEU 2.6.0 computes it by default (13a tokenisation, mixed case, up to
4-grams, exponential smoothing, one reference stream): the score `translate --tsv` prints.
Checked against Tests/MetricsTests/Fixtures/golden.json by python/tests/test_ct2.py.
"""
import math
import re
from collections import Counter

_RULES = [
    (re.compile(r"([\{-\~\[-\` -\&\(-\+\:-\@\/])"), r" \1 "),
    (re.compile(r"([^0-9])([\.,])"), r"\1 \2 "),
    (re.compile(r"([\.,])([^0-9])"), r" \1 \2"),
    (re.compile(r"([0-9])(-)"), r"\1 \2 "),
]


def tokenize_13a(line):
    line = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ")
    if "&" in line:
        line = line.replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    line = f" {line} "
    for pattern, repl in _RULES:
        line = pattern.sub(repl, line)
    return " ".join(line.split())


def _ngrams(words, n):
    return Counter(tuple(words[i:i + n]) for i in range(len(words) - n + 1))


def corpus_bleu(hypotheses, references):
    """BLEU (0-100) of `hypotheses` against one reference each."""
    correct, total = [0] * 4, [0] * 4
    hyp_len = ref_len = 0
    for h, r in zip(hypotheses, references, strict=True):
        hw, rw = tokenize_13a(h).split(), tokenize_13a(r).split()
        hyp_len += len(hw)
        ref_len += len(rw)
        for n in range(1, 5):
            hc, rc = _ngrams(hw, n), _ngrams(rw, n)
            correct[n - 1] += sum(min(c, rc[g]) for g, c in hc.items())
            total[n - 1] += max(0, len(hw) - n + 1)
    if hyp_len == 0:
        return 0.0
    precisions = [0.0] * 4
    smooth = 1.0
    for n in range(4):
        if total[n] == 0:
            break
        if correct[n] == 0:
            smooth *= 2
            precisions[n] = 100.0 / (smooth * total[n])
        else:
            precisions[n] = 100.0 * correct[n] / total[n]
    bp = 1.0 if hyp_len >= ref_len else math.exp(1 - ref_len / hyp_len)
    logs = [math.log(p) if p > 0 else -9999999999 for p in precisions]
    return bp * math.exp(sum(logs) / 4)
