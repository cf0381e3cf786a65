#!/usr/bin/env python3
"""Builds the Metrics golden fixtures with sacreBLEU (pip install sacrebleu==2.6.0).

    python3 make_golden.py            # recompute golden.json from the committed *.txt fixtures
    python3 make_golden.py --texts    # first rebuild the *.txt fixtures from data/valid.tsv

The sentences come from the project's own generated corpus (data/valid.tsv, written by
Sources/gencorpus) plus the hand-written lines below; nothing is copied from the shared Tatoeba
corpus (check_no_tatoeba.py verifies that). The Swift tests read golden.json and the *.txt files
only; they never run Python.
Text files are UTF-8, one segment per line, split on '\n' only (no other line breaks).
"""
import json
import os
import sys

import sacrebleu
from sacrebleu.metrics import BLEU, CHRF
from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, '..', '..', '..', 'data', 'valid.tsv')

# Generated pairs left out because the same sentence happens to exist in the Tatoeba corpus too
# (check_no_tatoeba.py reports such lines); keeping them would put a Tatoeba line in the repo.
EXCLUDED_EN = {"They are not tired."}

# Hand-written lines for what the generated corpus never has: « », numbers, entities, dashes,
# tags, and (the last four of each list) everyday writing: names, commas, contractions, "!", quotes.
EXTRA_FR = [
    ("« Bonjour », dit-il.", "« Bonjour » dit il."),
    ("Il a payé 1,000.50 $ le 3-4 mai, soit 2,5 % de plus.", "Il a payé 1,000.50$ le 3 - 4 mai soit 2,5% de plus."),
    ("C'est l'homme qu'il faut ; n'est-ce pas ?", "C'est l'homme qu'il faut; n'est-ce pas?"),
    ("Le prix : 3.14 € ou 1.000.000 ¥ (environ).", "Le prix: 3.14€ ou 1.000.000¥ (environ)"),
    ("Aujourd’hui, les États-Unis ont vingt-et-un… « ans » — non ?", "Aujourd'hui les États-Unis ont vingt et un... «ans» – non?"),
    ("Elle a dit &quot;oui&quot; &amp; il a dit <skipped> non.", "Elle a dit \"oui\" & il a dit non."),
    ("Les années 1990-2000 : -5 °C à +10 °C.", "Les années 1990 - 2000: -5°C à +10°C."),
    ("Prends-le ! Vas-y ! Dépêche-toi !", "Prends le! Vas y! Dépêche toi!"),
    ("Zoé n'aime pas les tomates : elle préfère les citrons verts !", "Zoé n'aime pas les tomates, elle préfère les citrons verts!"),
    ("« Où est passé mon hibou ? » demanda Marcel au gardien du musée.", "« Où est mon hibou? » demande Marcel au gardien du musée."),
    ("Lundi, le petit éléphant gris a mangé quatre pizzas froides.", "Lundi le petit éléphant gris mange 4 pizzas froides."),
    ("Qu'est-ce que c'est ? C'est le train jaune de Grenoble, voyons !", "Qu'est ce que c'est? C'est le train jaune de grenoble voyons!"),
]
EXTRA_EN = [
    ('"Hello," he said, "it\'s 5:30 p.m. already."', 'Hello, he said, it is 5:30 pm already.'),
    ("Prices rose 3.5% to $1,250.00 in 2019-2020.", "Prices rose 3.5 % to $ 1,250.00 in 2019 - 2020."),
    ("Don't re-enter the well-known e-mail address (x@y.com)!", "Do not re enter the well known email address x@y.com!"),
    ("A&amp;B &lt;tag&gt; [brackets] {braces} ~tilde^ `tick` |pipe|", "A&B <tag> [brackets] {braces} ~tilde^ `tick` |pipe|"),
    ("Zoe won't eat the green tomatoes, will she?", "Zoe will not eat the green tomatoes, won't she?"),
    ('"Where\'s my owl gone?" Marcel asked the museum guard.', "Where is my owl? Marcel asks the museum guard."),
    ("The elephant's keys aren't in the Italian museum on Mondays!", "The elephants keys are not in the italian museum on monday!"),
    ("It's 7 o'clock: the yellow trains can't wait, can they?", "It is seven o'clock; the yellow trains cannot wait, can they?"),
]

# Tricky tokenizer inputs (also scored as one corpus): Unicode whitespace, decomposed accents,
# tabs, newlines inside a line, digits around separators, non-BMP characters.
TOKENIZER_CASES = [
    "", " ", "Hello, world!", "a.b,c", "1.5,2", "3-4", "x-y", "1-a", "a-1", "..", "a..b", ",,", "1,,2",
    "end.", ".start", "3.", ".5", "U.S.A.", "e.g., i.e.", "don't", "l'été", "l’été", "peut-être",
    "« Bonjour »", "«Bonjour»", "10 000 €", "10\u00a0000\u202f€", "pas\u00a0?", "a\tb\nc", "line-\nbreak",
    "a&amp;b", "&amp;quot;", "&lt;&gt;&quot;", "<skipped>x<skipped>", "café", "cafe\u0301",
    "x\u200by", "x\u2028y", "x\u3000y", "x\x1cy", "émoji 😀!", "(hi)", "[a]{b}~c^d`e|f\\g", "#1 @2 $3 %4",
    "1,000.50", "$1,000", "-5", "5-", "a - b", "2019-2020.", "3.14.", "Mr. Smith's", "  lots   of   space  ",
    "trailing space \u00a0", "tab\t", "\u2019quoted\u2019", "\"double\"", "'single'", "x/y", "a+b=c",
    "ΣΟΦΟΣ ΟΔΟΣ.", "Σ", "ΑΣ'Σ", "İstanbul STRASSE Straße", "ǅemal ǄEMAL", "ÉTÉ À L'ÎLE", "ﬁn ǰ",
    "ΟΔΟΣ, ΣΟΦΟΣ!", "ΣΑΣ ΑΣ. İSTANBUL",
]


def lcg(seed):
    """A tiny deterministic generator, independent of Python's random module."""
    state = seed * 2654435761 % 2**32 or 1
    while True:
        state = (1103515245 * state + 12345) % 2**31
        yield state


def perturb(ref, i, pool):
    """A deterministic imperfect 'translation' of ref: drop, swap, replace or repeat words."""
    if i % 17 == 5:
        return ""                               # empty hypothesis line
    words = ref.split()
    rnd = lcg(i)
    op = i % 6
    if len(words) >= 2:
        k = next(rnd) % len(words)
        if op == 0:
            del words[k]
        elif op == 1 and k + 1 < len(words):
            words[k], words[k + 1] = words[k + 1], words[k]
        elif op == 2:
            other = pool[next(rnd) % len(pool)].split()
            if other:
                words[k] = other[next(rnd) % len(other)]
        elif op == 4:
            words = words[:-1]
        elif op == 5:
            words.insert(k, words[k])
        elif op == 3:
            # Case errors, so that case-insensitive variants differ from the default.
            words[k] = words[k].upper() if i % 12 == 3 else words[k].lower()
    return " ".join(words)


def write_lines(name, lines):
    with open(os.path.join(HERE, name), 'w', encoding='utf-8', newline='') as f:
        for line in lines:
            assert '\n' not in line and '\r' not in line
            f.write(line + '\n')


def read_lines(name):
    with open(os.path.join(HERE, name), encoding='utf-8', newline='') as f:
        text = f.read()
    lines = text.split('\n')
    assert lines[-1] == ''
    return lines[:-1]


def build_texts():
    with open(CORPUS, encoding='utf-8') as f:
        pairs = [line.rstrip('\n').split('\t') for line in f]
    pairs = [p for p in pairs if p[0] not in EXCLUDED_EN]
    fr = [p[1] for p in pairs[:120]]
    en = [p[0] for p in pairs[120:180]]
    fr_ref = fr + [r for r, _ in EXTRA_FR]
    fr_hyp = [perturb(r, i, fr) for i, r in enumerate(fr)] + [h for _, h in EXTRA_FR]
    en_ref = en + [r for r, _ in EXTRA_EN]
    en_hyp = [perturb(r, i, en) for i, r in enumerate(en)] + [h for _, h in EXTRA_EN]
    write_lines('fr.ref.txt', fr_ref)
    write_lines('fr.hyp.txt', fr_hyp)
    write_lines('en.ref.txt', en_ref)
    write_lines('en.hyp.txt', en_hyp)
    other = [p[1] for p in pairs[180:210]]
    write_lines('identical.ref.txt', other)
    write_lines('identical.hyp.txt', other)
    wrong_ref = [p[1] for p in pairs[210:240]]
    write_lines('wrong.ref.txt', wrong_ref)
    # Another sentence's English side: a "translation" that shares almost nothing.
    write_lines('wrong.hyp.txt', [p[0] for p in pairs[241:271]])
    short_ref = [p[1] for p in pairs[271:301]]
    write_lines('short.ref.txt', short_ref)
    write_lines('short.hyp.txt', [" ".join(r.split()[: max(1, len(r.split()) // 2)]) for r in short_ref])
    multi_ref = [p[1] for p in pairs[301:331]]
    write_lines('multi.ref.txt', multi_ref)
    write_lines('multi.ref2.txt', [perturb(r, i + 3, multi_ref) for i, r in enumerate(multi_ref)])
    write_lines('multi.hyp.txt', [perturb(r, i + 1, multi_ref) for i, r in enumerate(multi_ref)])


SETS = {
    'fr': ['fr.ref.txt'], 'en': ['en.ref.txt'], 'identical': ['identical.ref.txt'],
    'wrong': ['wrong.ref.txt'], 'short': ['short.ref.txt'], 'multi': ['multi.ref.txt', 'multi.ref2.txt'],
}

BLEU_VARIANTS = {
    'default': {},
    'lowercase': {'lowercase': True},
    'floor': {'smooth_method': 'floor'},
    'addk': {'smooth_method': 'add-k'},
    'none': {'smooth_method': 'none'},
    'effective': {'effective_order': True},
    'order2': {'max_ngram_order': 2},
}
CHRF_VARIANTS = {
    'default': {},
    'plusplus': {'word_order': 2},
    'eps': {'eps_smoothing': True},
    'whitespace': {'whitespace': True},
    'beta1': {'beta': 1},
    'lowercase': {'lowercase': True},
}


def bleu_record(metric, score):
    return {
        'score': score.score, 'counts': list(score.counts), 'totals': list(score.totals),
        'precisions': list(score.precisions), 'bp': score.bp, 'ratio': score.ratio,
        'hyp_len': score.sys_len, 'ref_len': score.ref_len,
        'line': score.format(), 'signature': str(metric.get_signature()),
    }


def chrf_stats(metric, hyps, refs):
    stats = metric._extract_corpus_statistics(hyps, refs)
    total = [sum(s[k] for s in stats) for k in range(len(stats[0]))]
    return total


def chrf_record(metric, hyps, refs):
    score = metric.corpus_score(hyps, refs)
    stats = chrf_stats(metric, hyps, refs)
    return {
        'score': score.score, 'hyp': stats[0::3], 'ref': stats[1::3], 'match': stats[2::3],
        'line': score.format(), 'signature': str(metric.get_signature()),
    }


def score_set(hyps, refs):
    out = {'bleu': {}, 'chrf': {}}
    for name, kw in BLEU_VARIANTS.items():
        metric = BLEU(**kw)
        out['bleu'][name] = bleu_record(metric, metric.corpus_score(hyps, refs))
    for name, kw in CHRF_VARIANTS.items():
        out['chrf'][name] = chrf_record(CHRF(**kw), hyps, refs)
    # Sentence-level scores with sacreBLEU's sentence defaults.
    out['sentence_bleu'] = []
    out['sentence_chrf'] = []
    for i, h in enumerate(hyps):
        seg_refs = [r[i] for r in refs]
        b = sacrebleu.sentence_bleu(h, seg_refs)
        out['sentence_bleu'].append({'score': b.score, 'counts': list(b.counts), 'totals': list(b.totals),
                                     'hyp_len': b.sys_len, 'ref_len': b.ref_len})
        out['sentence_chrf'].append(sacrebleu.sentence_chrf(h, seg_refs).score)
    return out


def main():
    if '--texts' in sys.argv:
        build_texts()
    tok = Tokenizer13a()
    golden = {
        'sacrebleu_version': sacrebleu.__version__,
        'tokenizer': [{'input': s, 'output': tok(s)} for s in TOKENIZER_CASES],
        'sets': {},
    }
    for name, ref_files in SETS.items():
        hyps = read_lines(f'{name}.hyp.txt')
        refs = [read_lines(f) for f in ref_files]
        entry = {'hyp_file': f'{name}.hyp.txt', 'ref_files': ref_files}
        entry.update(score_set(hyps, refs))
        entry['tokenized_hyp'] = [tok(h.rstrip()) for h in hyps]
        golden['sets'][name] = entry
    # Tricky segments scored as one corpus, stored inline (no file can hold a bare \r or U+2028).
    tricky_hyp = TOKENIZER_CASES
    tricky_ref = [TOKENIZER_CASES[(i + 1) % len(TOKENIZER_CASES)] if i % 3 == 0
                  else s.swapcase() if i % 3 == 1 else s.lower()
                  for i, s in enumerate(TOKENIZER_CASES)]
    entry = {'hyps': tricky_hyp, 'refs': [tricky_ref]}
    entry.update(score_set(tricky_hyp, [tricky_ref]))
    golden['sets']['tricky'] = entry
    with open(os.path.join(HERE, 'golden.json'), 'w', encoding='utf-8') as f:
        json.dump(golden, f, indent=1, ensure_ascii=True)
        f.write('\n')


if __name__ == '__main__':
    main()
