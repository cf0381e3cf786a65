"""Our tokenizers, written from docs/TOKENIZER.md: text -> pieces -> ids, and ids -> text.

    pair = TokenizerPair.from_json(meta["tokenizers"])      # from a checkpoint's metadata
    ids = pair.source.encode("L'homme n'est pas là.")          # [int], no <s> / </s>
    pair.source.pieces(ids)                                     # ['▁L\\'', 'homme', '▁n\\'', ...]
    pair.target.decode(ids)                                     # text (normalised)

Pieces and ids are identical to the Swift tokenizers' on every line the tests compare (the
shipped corpus, Tatoeba, tests/data/stress.txt) for characters of Unicode 14.0, the version
Python 3.11's `unicodedata` has; the Swift toolchain uses Unicode 16.0 (see TOKENIZER.md §7).

    python -m tiny_translator.tokenizer CHECKPOINT [--target] [--input FILE]

prints the pieces of each line (stdin by default) separated by spaces, as `translate --pieces`.
"""
import argparse
import json
import re
import sys
import unicodedata

MARKER = "\u2581"
SPECIALS = ["<pad>", "<unk>", "<s>", "</s>"]
PAD, UNK, BOS, EOS = 0, 1, 2, 3

# TOKENIZER.md §2: Unicode White_Space (minus U+180E, which Unicode dropped) and the marker.
_WHITESPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_WHITESPACE_RUN = re.compile("[" + _WHITESPACE + MARKER + "]+")

# TOKENIZER.md §3.2: French elisions keep the apostrophe; these whole words are never split.
ELISIONS = frozenset(["c", "ç", "d", "j", "l", "m", "n", "s", "t", "qu", "jusqu",
                      "lorsqu", "puisqu", "quoiqu", "presqu", "quelqu"])
WHOLE_WORDS = frozenset(["aujourd'hui", "aujourd’hui", "o'clock", "o’clock",
                         "prud'homme", "prud'hommes", "prud’homme", "prud’hommes"])
APOSTROPHES = "'\u2019"

# Other_Alphabetic symbols (category So) that count as letters: circled and squared Latin letters.
_ALPHABETIC_SYMBOLS = [(0x24B6, 0x24E9), (0x1F130, 0x1F149), (0x1F150, 0x1F169), (0x1F170, 0x1F189)]
_pieces_regex = None


class TokenizerError(ValueError):
    """A tokenizer description that does not follow docs/TOKENIZER.md; the message says what."""


def lowercase(text):
    """Unicode full lowercase mapping of each scalar on its own (no context rules): Swift's
    `String.lowercased()`. Python's `str.lower` differs only by the final-sigma rule for Σ."""
    if "\u03a3" in text:
        return "".join(c.lower() for c in text)
    return text.lower()


def is_word_char(c):
    """TOKENIZER.md §3.1: letters, marks and numbers (categories L*, M*, N*) and the
    Other_Alphabetic symbols; never the marker U+2581."""
    cat = unicodedata.category(c)
    if cat[0] in "LMN":
        return True
    v = ord(c)
    return any(lo <= v <= hi for lo, hi in _ALPHABETIC_SYMBOLS)


def _word_class():
    """The word characters as a regular-expression character class (built once, ~0.4 s)."""
    category = unicodedata.category
    word = bytearray(c[0] in "LMN" for c in map(category, map(chr, range(sys.maxunicode + 1))))
    for lo, hi in _ALPHABETIC_SYMBOLS:
        word[lo:hi + 1] = b"\x01" * (hi + 1 - lo)
    word[0x2581] = 0
    ranges = []
    start = None
    for v, inside in enumerate(word + b"\x00"):
        if inside and start is None:
            start = v
        elif not inside and start is not None:
            ranges.append((start, v - 1))
            start = None
    esc = lambda v: "\\U%08x" % v
    return "[" + "".join(esc(a) if a == b else esc(a) + "-" + esc(b) for a, b in ranges) + "]"


def _regex():
    # One match per step of §3: a space, a word (word characters, inner apostrophes followed by
    # a word character), or a run of one repeated other character.
    global _pieces_regex
    if _pieces_regex is None:
        w = _word_class()
        _pieces_regex = re.compile(f"( )|({w}+(?:[{APOSTROPHES}]{w}+)*)|((.)\\4*)", re.S)
    return _pieces_regex


class Normalizer:
    """TOKENIZER.md §2: lowercase (optional), NFC, whitespace (and the marker) to single spaces."""

    def __init__(self, nfc=True, lowercase=False, collapse_whitespace=True):
        self.nfc, self.lowercase, self.collapse_whitespace = nfc, lowercase, collapse_whitespace

    @classmethod
    def from_json(cls, obj):
        return cls(_req(obj, "nfc", bool, "normalizer"), _req(obj, "lowercase", bool, "normalizer"),
                   _req(obj, "collapseWhitespace", bool, "normalizer"))

    def normalize(self, text):
        s = lowercase(text) if self.lowercase else text
        if self.nfc:
            s = unicodedata.normalize("NFC", s)
        if self.collapse_whitespace:
            return _WHITESPACE_RUN.sub(" ", s).strip(" ")
        return s.replace(MARKER, " ")


class PreTokenizer:
    """TOKENIZER.md §3: normalised text -> pieces, undone exactly by `join`."""

    def __init__(self, add_dummy_prefix=True, split_apostrophes=True):
        self.add_dummy_prefix, self.split_apostrophes = add_dummy_prefix, split_apostrophes

    @classmethod
    def from_json(cls, obj):
        return cls(_req(obj, "addDummyPrefix", bool, "preTokenizer"), _req(obj, "splitApostrophes", bool, "preTokenizer"))

    def split(self, text):
        pieces = []
        if not text:
            return pieces
        pending = self.add_dummy_prefix
        for m in _regex().finditer(text):
            if m.group(1) is not None:
                if pending:
                    pieces.append(MARKER)  # a space with no piece yet to carry its marker
                pending = True
                continue
            word = m.group(2)
            if word is not None and self.split_apostrophes and ("'" in word or "\u2019" in word) \
                    and not (len(word.encode()) <= 16 and _canonical(lowercase(word)) in WHOLE_WORDS):
                parts = _split_word(word)
            else:
                parts = (m.group(0),)
            for p in parts:
                pieces.append(MARKER + p if pending else p)
                pending = False
        if pending and not (self.add_dummy_prefix and not pieces):
            pieces.append(MARKER)
        return pieces

    def join(self, pieces):
        text = "".join(pieces).replace(MARKER, " ")
        if self.add_dummy_prefix and text.startswith(" "):
            text = text[1:]
        return text


def _split_word(word):
    """§3.2: cut a word at each inner apostrophe: after an elided French word, before anything else."""
    out = []
    start = 0
    for i, c in enumerate(word):
        if c in APOSTROPHES:
            head = word[start:i]
            if len(head.encode()) <= 6 and _canonical(lowercase(head)) in ELISIONS:
                out.append(word[start:i + 1])
                start = i + 1
            else:
                out.append(head)
                start = i
    out.append(word[start:])
    return out


def _canonical(text):
    """Strings compare under canonical equivalence (§1), i.e. as their NFC forms."""
    return unicodedata.normalize("NFC", text)


class Vocabulary:
    """Token strings by id; ids 0-3 are <pad>, <unk>, <s>, </s>."""

    def __init__(self, tokens):
        if list(tokens[:4]) != SPECIALS:
            raise TokenizerError(f"vocabulary does not start with {SPECIALS}")
        self.tokens = list(tokens)
        self.index = {_canonical(t): i for i, t in enumerate(self.tokens)}
        if len(self.index) != len(self.tokens):
            raise TokenizerError("vocabulary contains duplicate tokens")

    def id(self, token):
        """The id of `token` (compared under canonical equivalence), or None."""
        i = self.index.get(token)
        return i if i is not None else self.index.get(_canonical(token))

    def __len__(self):
        return len(self.tokens)

    def token(self, i):
        return self.tokens[i] if 0 <= i < len(self.tokens) else None


class _Tokenizer:
    def __init__(self, normalizer, pre_tokenizer, vocabulary):
        self.normalizer, self.pre_tokenizer, self.vocabulary = normalizer, pre_tokenizer, vocabulary

    def pieces_of(self, text):
        """The pre-tokenised pieces of `text` (§2-3), before vocabulary lookup."""
        return self.pre_tokenizer.split(self.normalizer.normalize(text))

    def pieces(self, ids):
        """The token strings of `ids` (what `translate --pieces` prints), "<?>" for a bad id."""
        return [self.vocabulary.token(i) or "<?>" for i in ids]

    def decode(self, ids):
        """§6: <unk> written as "<unk>", other specials and bad ids dropped, marker -> space."""
        out = []
        for i in ids:
            if i == UNK:
                out.append("<unk>")
            elif i > EOS and i < len(self.vocabulary):
                out.append(self.vocabulary.tokens[i])
        return self.pre_tokenizer.join(out)


class WordTokenizer(_Tokenizer):
    """§4: one id per piece; an unknown piece is <unk>, preceded by the id of "▁" if it had a marker."""

    def encode(self, text):
        vocab = self.vocabulary
        space = vocab.id(MARKER)
        ids = []
        for p in self.pieces_of(text):
            i = vocab.id(p)
            if i is not None:
                ids.append(i)
            else:
                if space is not None and p.startswith(MARKER):
                    ids.append(space)
                ids.append(UNK)
        return ids


class BPETokenizer(_Tokenizer):
    """§5: each piece starts as single scalars and merges apply lowest rank first."""

    def __init__(self, normalizer, pre_tokenizer, vocabulary, merges):
        super().__init__(normalizer, pre_tokenizer, vocabulary)
        self.merges = merges
        self.scalar_ids = {t: i for i, t in enumerate(vocabulary.tokens) if i >= len(SPECIALS) and len(t) == 1}
        self.ranks = {}
        for r, (left, right) in enumerate(merges):
            a, b, m = vocabulary.id(left), vocabulary.id(right), vocabulary.id(left + right)
            if a is None or b is None or m is None:
                raise TokenizerError(f'merge #{r} ("{left}" + "{right}") uses a token missing from the vocabulary')
            if a != UNK and b != UNK and (a, b) not in self.ranks:
                self.ranks[(a, b)] = (r, m)
        self._cache = {}

    def encode(self, text):
        ids = []
        cache = self._cache
        for p in self.pieces_of(text):
            hit = cache.get(p)
            if hit is None:
                if len(cache) >= 200_000:
                    cache.clear()
                hit = cache[p] = self._encode_piece(p)
            ids.extend(hit)
        return ids

    def _encode_piece(self, piece):
        symbols = [self.scalar_ids.get(c, UNK) for c in piece]
        ranks = self.ranks
        while len(symbols) > 1:
            best = None
            for k in range(len(symbols) - 1):
                r = ranks.get((symbols[k], symbols[k + 1]))
                if r is not None and (best is None or r[0] < best[0]):
                    best = (r[0], symbols[k], symbols[k + 1], r[1])
            if best is None:
                break
            _, a, b, merged = best
            out = []
            k, n = 0, len(symbols)
            while k < n:
                if k + 1 < n and symbols[k] == a and symbols[k + 1] == b:
                    out.append(merged)
                    k += 2
                else:
                    out.append(symbols[k])
                    k += 1
            symbols = out
        return symbols


def tokenizer_from_json(obj):
    """A tokenizer from its JSON object {"kind": "word" | "bpe", "model": {...}} (CHECKPOINT.md §2)."""
    kind = obj.get("kind")
    model = obj.get("model")
    if not isinstance(model, dict):
        raise TokenizerError('tokenizer has no "model" object')
    normalizer = Normalizer.from_json(_req(model, "normalizer", dict, "model"))
    pre = PreTokenizer.from_json(_req(model, "preTokenizer", dict, "model"))
    vocab = Vocabulary(_req(_req(model, "vocabulary", dict, "model"), "tokens", list, "vocabulary"))
    if kind == "word":
        return WordTokenizer(normalizer, pre, vocab)
    if kind == "bpe":
        pairs = _req(model, "merges", list, "model")
        for i, p in enumerate(pairs):
            if not (isinstance(p, list) and len(p) == 2):
                raise TokenizerError(f"merge #{i} is not a pair of strings")
        return BPETokenizer(normalizer, pre, vocab, [tuple(p) for p in pairs])
    raise TokenizerError(f'unknown tokenizer kind "{kind}" (expected word or bpe)')


class TokenizerPair:
    """The source and target tokenizers of a checkpoint (the same object when `spec.shared`)."""

    def __init__(self, spec, source, target):
        self.spec, self.source, self.target = spec, source, target

    @classmethod
    def from_json(cls, text):
        obj = json.loads(text) if isinstance(text, str) else text
        source = tokenizer_from_json(_req(obj, "source", dict, "tokenizers"))
        target = tokenizer_from_json(obj["target"]) if "target" in obj else source
        return cls(_req(obj, "spec", dict, "tokenizers"), source, target)


def _req(obj, key, kind, where):
    if not isinstance(obj, dict) or key not in obj:
        raise TokenizerError(f'{where}: missing "{key}"')
    value = obj[key]
    if not isinstance(value, kind):
        raise TokenizerError(f'{where}: "{key}" is not a {kind.__name__}')
    return value


def main(argv=None):
    from . import checkpoint, data
    ap = argparse.ArgumentParser(prog="python -m tiny_translator.tokenizer",
                                 description="Print the pieces of each input line, space-separated (as `translate --pieces`).")
    ap.add_argument("checkpoint", help="a .safetensors file or a training folder")
    ap.add_argument("--target", action="store_true", help="use the target tokenizer (default: source)")
    ap.add_argument("--input", help="read lines from FILE (default: stdin)")
    args = ap.parse_args(argv)
    meta = checkpoint.read_metadata(checkpoint.resolve(args.checkpoint))
    pair = TokenizerPair.from_json(meta["tokenizers"])
    tok = pair.target if args.target else pair.source
    lines = data.read_lines(args.input) if args.input else data.split_lines(sys.stdin.buffer.read().decode("utf-8"))
    out = sys.stdout
    for line in lines:
        out.write(" ".join(tok.pieces(tok.encode(line))) + "\n")


if __name__ == "__main__":
    main()
