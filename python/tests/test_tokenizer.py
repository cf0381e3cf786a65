"""Item 1 of issue 13: a tokenizer written from docs/TOKENIZER.md gives exactly our pieces.

For four tokenizers that `train` learns (a word vocabulary and a lowercasing BPE on the shipped
corpus, BPE 4000 per language and a word vocabulary on Tatoeba), every line of both sides of
the shipped corpus, of the Tatoeba splits and of tests/data/stress.txt goes through
`translate --pieces` (Swift) and tiny_translator.tokenizer (Python); the pieces must be equal,
and decoding the ids must give the same text.
"""
import pytest

pytest.importorskip("numpy", reason="NumPy is not installed: pip install -r python/requirements.txt")

from conftest import DATA, STRESS, run, tatoeba, tool, train_tokenizers  # noqa: E402
from tiny_translator import checkpoint, data  # noqa: E402
from tiny_translator.tokenizer import TokenizerPair, lowercase  # noqa: E402


def sides(path):
    """The source and target columns of a TSV file, as `translate --tsv` splits it."""
    rows = [line.split("\t") for line in data.read_lines(path)]
    return [r[0] for r in rows], [r[1] if len(r) > 1 else "" for r in rows]


def write_lines(path, lines):
    path.write_text("".join(l + "\n" for l in lines), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def inputs(work):
    """name -> file of lines: both sides of data/*.tsv and the stress file (Tatoeba added lazily)."""
    out = {}
    for split in ("train", "valid", "test"):
        src, tgt = sides(DATA / f"{split}.tsv")
        out[f"data/{split}.tsv:source"] = write_lines(work / f"data-{split}.src", src)
        out[f"data/{split}.tsv:target"] = write_lines(work / f"data-{split}.tgt", tgt)
    out["stress.txt"] = STRESS
    return out


def tatoeba_inputs(work):
    root = tatoeba()
    out = {}
    for split in ("train", "valid", "test"):
        src, tgt = sides(root / f"{split}.tsv")
        out[f"tatoeba/{split}.tsv:source"] = write_lines(work / f"tatoeba-{split}.src", src)
        out[f"tatoeba/{split}.tsv:target"] = write_lines(work / f"tatoeba-{split}.tgt", tgt)
    return out


def stress_corpus(work):
    """data/train.tsv's first 3,000 pairs plus every stress line twice (as source and target), so a
    tokenizer learned from it has merges over emoji, CJK, combining marks and odd punctuation."""
    lines = data.read_lines(DATA / "train.tsv")[:3000]
    for l in data.read_lines(STRESS):
        l = l.replace("\t", " ")
        if l.strip(" \t\r\x0b\x0c"):
            lines += [f"{l}\t{l}"] * 2
    return write_lines(work / "stress-corpus.tsv", lines)


def compare(ck, name, path, target):
    """(lines, mismatches as (line number, text, swift, python)) for one file and side."""
    swift = run([tool("translate"), "--checkpoint", ck, "--quiet", "--pieces-target" if target else "--pieces", "--input", path]).stdout
    swift_lines = data.split_lines(swift)
    pair = TokenizerPair.from_json(checkpoint.read_metadata(checkpoint.resolve(str(ck)))["tokenizers"])
    tok = pair.target if target else pair.source
    lines = data.read_lines(path)
    assert len(swift_lines) == len(lines), f"{name}: translate --pieces printed {len(swift_lines)} lines for {len(lines)}"
    bad = []
    for i, (text, theirs) in enumerate(zip(lines, swift_lines), 1):
        ids = tok.encode(text)
        ours = " ".join(tok.pieces(ids))
        if ours != theirs:
            bad.append((i, text, theirs, ours))
        elif tok.decode(ids) != _expected_decode(tok, text, ids):
            bad.append((i, text, "(decode)", tok.decode(ids)))
    return len(lines), bad


def _expected_decode(tok, text, ids):
    # §6: decoding gives the normalised text back exactly when no piece was unknown.
    return tok.normalizer.normalize(text) if 1 not in ids else tok.decode(ids)


TOKENIZERS = {
    # name: (corpus, learned with, tatoeba?)
    "word, shared (configs/toy.json's)": ("data", ["--tokenizer", "word", "--min-frequency", "1", "--no-separate-vocab"], False),
    "BPE 800, lowercase, shared, with stress lines": ("stress", ["--merges", "800", "--min-frequency", "1", "--lowercase", "--no-separate-vocab"], False),
    "BPE 4000 per language (train's default)": ("tatoeba", [], True),
    "word per language": ("tatoeba", ["--tokenizer", "word"], True),
}


@pytest.mark.parametrize("name", list(TOKENIZERS))
def test_pieces_equal_swift(name, work, inputs, report):
    corpus, args, needs_tatoeba = TOKENIZERS[name]
    files = dict(inputs)
    if corpus == "data":
        ck = train_tokenizers(work / "tok-data-word", DATA / "train.tsv", DATA / "valid.tsv", args)
    elif corpus == "stress":
        ck = train_tokenizers(work / "tok-stress-bpe", stress_corpus(work), DATA / "valid.tsv", args)
    else:
        root = tatoeba()
        ck = train_tokenizers(work / ("tok-tatoeba-" + ("word" if args else "bpe")), root / "train.tsv", root / "valid.tsv", args)
        files.update(tatoeba_inputs(work))
    total, failures, per_file = 0, [], []
    for label, path in files.items():
        for target in ((False, True) if label == "stress.txt" else (label.endswith(":target"),)):
            n, bad = compare(ck, label, path, target)
            total += n
            per_file.append(f"{label}{' (target tokenizer)' if label == 'stress.txt' and target else ''} {n}/{len(bad)}")
            failures += [(label,) + b for b in bad]
    report(f"tokenizer agreement, {name}: {total:,} lines compared, {len(failures)} mismatches "
           f"[lines/mismatches per file: {'; '.join(per_file)}]")
    assert not failures, "pieces differ from translate --pieces:\n" + "\n".join(
        f"  {f}:{i}: {text!r}\n    swift:  {s}\n    python: {p}" for f, i, text, s, p in failures[:8])


def test_lowercase_is_per_scalar():
    # Swift's lowercased() maps each scalar on its own: no final-sigma rule, İ -> i + U+0307.
    assert lowercase("ΟΔΟΣ") == "οδοσ"
    assert lowercase("İ") == "i\u0307"
    assert lowercase("ABC") == "abc"


@pytest.mark.parametrize("text, pieces", [
    ("L'homme n'est pas là.", ["▁L'", "homme", "▁n'", "est", "▁pas", "▁là", "."]),
    ("I don't know John's car...?!", ["▁I", "▁don", "'t", "▁know", "▁John", "'s", "▁car", "...", "?", "!"]),
    ("jusqu'à aujourd'hui", ["▁jusqu'", "à", "▁aujourd'hui"]),
    ("rock'n'roll QU'IL 'tis", ["▁rock", "'n", "'roll", "▁QU'", "IL", "▁'", "tis"]),
    ("  a\u00a0\u2581?\t", ["▁a", "▁?"]),
    ("👨\u200d👩 🇫🇷 ❤\ufe0f 1\ufe0f\u20e3", ["▁👨", "\u200d", "👩", "▁🇫", "🇷", "▁❤", "\ufe0f", "▁1\ufe0f\u20e3"]),
    ("cafe\u0301 ⓐⓑ", ["▁café", "▁ⓐⓑ"]),
])
def test_spec_examples(text, pieces):
    # The examples of docs/TOKENIZER.md §3, with train's normaliser (NFC, collapsed whitespace).
    from tiny_translator.tokenizer import Normalizer, PreTokenizer
    assert PreTokenizer().split(Normalizer().normalize(text)) == pieces
