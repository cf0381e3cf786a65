#!/usr/bin/env python3
"""Checks that no Metrics fixture line is a sentence of the shared Tatoeba corpus.

    python3 check_no_tatoeba.py [CORPUS_DIR]   # default: ../shared/corpora/tatoeba-eng-fra beside the checkout

The project must not commit any part of that corpus (its licence is CC BY 2.0 FR and it lives
outside the repository), so this compares every line of every fixture (*.txt, plus the inline
strings that make_golden.py writes into golden.json) with both sides of every pair in
CORPUS_DIR/*.tsv. Lines are compared after trimming and collapsing whitespace, both exactly and
case-folded, so a Tatoeba sentence cannot hide behind a spacing or capitalisation change.
Empty lines and lines of fewer than 3 words (single tokens like "Σ" or "(hi)") are skipped: they
are tokenizer probes, not sentences.

Exit status: 0 no overlap, 1 overlap (each offending line is printed with where it occurs),
2 the corpus directory is missing or holds no .tsv file.
"""
import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CORPUS = os.path.join(HERE, '..', '..', '..', '..', 'shared', 'corpora', 'tatoeba-eng-fra')


def normalise(line):
    return ' '.join(line.split())


def fixture_lines():
    """(where, line) for every fixture line: the .txt files and golden.json's inline strings."""
    for path in sorted(glob.glob(os.path.join(HERE, '*.txt'))):
        with open(path, encoding='utf-8', newline='') as f:
            for number, line in enumerate(f.read().split('\n'), 1):
                yield f'{os.path.basename(path)}:{number}', line
    with open(os.path.join(HERE, 'golden.json'), encoding='utf-8') as f:
        golden = json.load(f)
    for i, case in enumerate(golden['tokenizer']):
        yield f'golden.json tokenizer[{i}]', case['input']
    tricky = golden['sets'].get('tricky', {})
    for i, line in enumerate(tricky.get('hyps', [])):
        yield f'golden.json tricky hyps[{i}]', line
    for s, stream in enumerate(tricky.get('refs', [])):
        for i, line in enumerate(stream):
            yield f'golden.json tricky refs[{s}][{i}]', line


def main():
    corpus_dir = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_CORPUS
    files = sorted(glob.glob(os.path.join(corpus_dir, '*.tsv')))
    if not files:
        print(f'{corpus_dir}: no .tsv file found; pass the Tatoeba corpus directory as the argument',
              file=sys.stderr)
        return 2
    exact, folded = {}, {}
    for path in files:
        with open(path, encoding='utf-8') as f:
            for number, row in enumerate(f, 1):
                for side in row.rstrip('\n').split('\t'):
                    key = normalise(side)
                    where = f'{os.path.basename(path)}:{number}'
                    exact.setdefault(key, where)
                    folded.setdefault(key.casefold(), where)
    checked, found = 0, 0
    for where, line in fixture_lines():
        key = normalise(line)
        if not key:
            continue
        checked += 1
        hit = exact.get(key) or folded.get(key.casefold())
        if hit:
            found += 1
            print(f'{where}: {line!r} is Tatoeba sentence {hit}')
    print(f'checked {checked} fixture lines against {len(exact)} Tatoeba sentences '
          f'in {len(files)} files: {found} found', file=sys.stderr)
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main())
