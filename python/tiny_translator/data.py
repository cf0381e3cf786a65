"""Corpora and batches for training on N processes.

Reading follows `train`: a TSV file (`source<TAB>target`, later columns ignored) or two
line-aligned files; lines split on `\\n` with a trailing `\\r` removed and a UTF-8 BOM dropped;
blank lines and lines of more than 1000 characters skipped, as are pairs with an empty side.

Batches follow `train`'s Batcher: pairs with an empty tokenised side are left out, sides are cut
to L − 1 tokens, pairs are shuffled, cut into buckets of 16,384, sorted by length within a bucket
(`length_order`) and packed greedily while B × (S + T) ≤ the token budget (S the longest source,
T the longest target + 1). The batches are formed once; `BatchDataset` + `DistributedSampler` then hand each
process its share in a new order every epoch (`set_epoch`). One "batch" is what ONE process
trains on; an update averages N of them (see README, "When one machine is not enough").
"""
import numpy as np

from .tokenizer import BOS, EOS, PAD

MAX_CHARACTERS = 1000


class CorpusError(ValueError):
    """A corpus that cannot be read; the message names the file, the line and the fix."""


def split_lines(text):
    """Lines as `translate --input` reads them: a leading BOM dropped; `\\n` and `\\r\\n` end a
    line; a final empty line (after the last newline) is not a line."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    # A "\r" right before a "\n" belongs to the line end (CRLF); only the last piece has none.
    lines = [l[:-1] if l.endswith("\r") else l for l in lines[:-1]] + lines[-1:]
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def read_lines(path):
    with open(path, "rb") as f:
        raw = f.read()
    try:
        return split_lines(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        raise CorpusError(f"{path}:{line}: the line is not valid UTF-8; convert the file to UTF-8") from None


def _blank(s):
    return s.strip(" \t\n\r\x0b\x0c") == ""


def _file_lines(path):
    """(1-based number, text) of each line of a corpus file, as `train`'s reader splits it."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise CorpusError(f"{path}: cannot read ({e.strerror}); check the path") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    parts = raw.split(b"\n")
    if parts and parts[-1] == b"":
        parts.pop()
    for number, b in enumerate(parts, 1):
        if b.endswith(b"\r"):
            b = b[:-1]
        try:
            yield number, b.decode("utf-8")
        except UnicodeDecodeError:
            raise CorpusError(f"{path}:{number}: the line is not valid UTF-8; convert the file to UTF-8") from None


def read_tsv(path):
    """[(source, target)] of a TSV corpus, skipping what `train` skips."""
    pairs = []
    for number, line in _file_lines(path):
        if _blank(line) or len(line) > MAX_CHARACTERS:
            continue
        cols = line.split("\t")
        if len(cols) < 2:
            raise CorpusError(f"{path}:{number}: no tab; each line must be source<TAB>target")
        if _blank(cols[0]) or _blank(cols[1]):
            continue
        pairs.append((cols[0], cols[1]))
    if not pairs:
        raise CorpusError(f"{path}: no usable sentence pairs")
    return pairs


def read_moses(source_path, target_path):
    """[(source, target)] of two line-aligned files."""
    src = list(_file_lines(source_path))
    tgt = list(_file_lines(target_path))
    if len(src) != len(tgt):
        raise CorpusError(f"{source_path} has {len(src)} lines but {target_path} has {len(tgt)}; line N of one must translate line N of the other")
    pairs = [(s, t) for (_, s), (_, t) in zip(src, tgt)
             if not (_blank(s) or _blank(t) or len(s) > MAX_CHARACTERS or len(t) > MAX_CHARACTERS)]
    if not pairs:
        raise CorpusError(f"{source_path}: no usable sentence pairs")
    return pairs


def encode_pairs(pairs, tokenizers, max_length):
    """Token ids of each pair, empty sides left out and sides cut to `max_length` tokens."""
    out = []
    for s, t in pairs:
        a, b = tokenizers.source.encode(s), tokenizers.target.encode(t)
        if a and b:
            out.append((a[:max_length], b[:max_length]))
    return out


def length_order(pair, i):
    """Sort key inside a bucket, as `train`'s Batcher orders: the longer side (the target counted
    with its <s>), then the target, then the source; padding then falls mostly on the source
    side, whose positions cost about half a target position."""
    s, t = len(pair[0]), len(pair[1]) + 1
    return (max(s, t), t, s, i)


def plan_batches(encoded, max_tokens, seed, bucket_size=16384):
    """Lists of pair indices, each list one batch of at most `max_tokens` padded tokens."""
    for i, (s, t) in enumerate(encoded):
        if len(s) + len(t) + 1 > max_tokens:
            raise CorpusError(f"pair {i + 1} needs {len(s) + len(t) + 1} tokens, more than the batch budget {max_tokens}; raise --batch-tokens")
    order = np.random.default_rng(seed).permutation(len(encoded)).tolist()
    batches = []
    for start in range(0, len(order), bucket_size):
        bucket = sorted(order[start:start + bucket_size], key=lambda i: length_order(encoded[i], i))
        current, max_s, max_t = [], 0, 0
        for i in bucket:
            s, t = max(max_s, len(encoded[i][0])), max(max_t, len(encoded[i][1]) + 1)
            if current and (len(current) + 1) * (s + t) > max_tokens:
                batches.append(current)
                current, max_s, max_t = [i], len(encoded[i][0]), len(encoded[i][1]) + 1
            else:
                current.append(i)
                max_s, max_t = s, t
        if current:
            batches.append(current)
    return batches


def make_batch(rows):
    """Padded id arrays of one batch: source [B, S], target input <s> y [B, T], target output
    y </s> [B, T] (int64, 0 = padding) and the number of target tokens (loss terms)."""
    b = len(rows)
    s = max(len(r[0]) for r in rows)
    t = max(len(r[1]) for r in rows) + 1
    src = np.zeros((b, s), dtype=np.int64)
    tin = np.zeros((b, t), dtype=np.int64)
    tout = np.zeros((b, t), dtype=np.int64)
    for k, (x, y) in enumerate(rows):
        src[k, :len(x)] = x
        tin[k, 0] = BOS
        tin[k, 1:len(y) + 1] = y
        tout[k, :len(y)] = y
        tout[k, len(y)] = EOS
    return {"source": src, "target_input": tin, "target_output": tout,
            "source_tokens": int((src != PAD).sum()), "target_tokens": int((tout != PAD).sum())}


class BatchDataset:
    """A map-style dataset whose items are whole batches (for DataLoader(batch_size=None))."""

    def __init__(self, encoded, plan):
        self.encoded, self.plan = encoded, plan

    def __len__(self):
        return len(self.plan)

    def __getitem__(self, i):
        return make_batch([self.encoded[j] for j in self.plan[i]])
