#!/usr/bin/env python3
"""Independent NumPy forward pass of a tiny-translator checkpoint, written from
docs/CHECKPOINT.md alone (not from the Swift code), so that agreement with the Swift model
shows the spec is complete and exact.

    python3 scripts/reference_forward.py CHECKPOINT --source 4,5,6 --target-input 2,7,8

prints the logits as JSON, shape [T, V]. Several sentences separated by ';'
(`--source "4,5,6;7" --target-input "2,7,8;2,9"`) are padded with 0 to one length and give
[B, T, V]; 0 anywhere in the ids is padding, masked as the spec says. Ids go in, logits come
out: there is no tokenizer here. CHECKPOINT may be a file or a training folder (best, else the
highest step file). The integrity record (header CRC32, per-tensor CRC32) is checked unless
--no-verify is given. Arithmetic is float64 on the float32 weights.

Needs numpy and safetensors (`pip install numpy safetensors`).
"""
import argparse
import json
import math
import os
import re
import struct
import sys
import zlib

try:
    import numpy as np
    from safetensors import safe_open
except ImportError as e:  # pragma: no cover
    sys.exit(f"reference_forward.py: {e}; install with `pip install numpy safetensors`")

PAD = 0
FORMAT = "tiny-translator/1"


class SpecError(Exception):
    """A checkpoint or argument that does not follow docs/CHECKPOINT.md; the message says what."""


# ---------------------------------------------------------------------------------- the file

def resolve(path):
    """A file is taken as is; a folder gives best.safetensors, else the step-N file with the highest N."""
    if not os.path.exists(path):
        raise SpecError(f"{path}: no such file or directory")
    if not os.path.isdir(path):
        return path
    best = os.path.join(path, "best.safetensors")
    if os.path.exists(best):
        return best
    steps = [(int(m.group(1)), n) for n in os.listdir(path)
             if (m := re.fullmatch(r"step-([0-9]+)\.safetensors", n))]
    if not steps:
        raise SpecError(f"{path}: no checkpoint in this folder (no best.safetensors, no step-*.safetensors)")
    return os.path.join(path, max(steps)[1])


def read_header(path):
    """(header dict, data section start) from the 8-byte length prefix and the JSON header."""
    with open(path, "rb") as f:
        prefix = f.read(8)
        if len(prefix) != 8:
            raise SpecError(f"{path}: shorter than the 8-byte header length")
        (n,) = struct.unpack("<Q", prefix)
        raw = f.read(n)
        if len(raw) != n:
            raise SpecError(f"{path}: header length {n} runs past the end of the file")
    return json.loads(raw.decode("utf-8")), 8 + n


def u64(v):
    return struct.pack("<Q", v)


def lp(s):
    b = s.encode("utf-8")
    return u64(len(b)) + b


def verify(path, header, data_start):
    """Checks `header_crc32` and every tensor's CRC32 as docs/CHECKPOINT.md §Integrity defines them."""
    meta = header.get("__metadata__", {})
    if meta.get("format") != FORMAT:
        raise SpecError(f"{path}: metadata 'format' is {meta.get('format')!r}, expected {FORMAT!r}")
    rest = sorted(((k, v) for k, v in meta.items() if k != "header_crc32"), key=lambda kv: kv[0].encode("utf-8"))
    tensors = sorted(((k, v) for k, v in header.items() if k != "__metadata__"),
                     key=lambda kv: tuple(kv[1]["data_offsets"]))
    canon = bytearray(u64(len(rest)))
    for k, v in rest:
        canon += lp(k) + lp(v)
    canon += u64(len(tensors))
    for name, t in tensors:
        canon += lp(name) + lp(t["dtype"]) + u64(len(t["shape"]))
        for d in t["shape"]:
            canon += u64(d)
        canon += u64(t["data_offsets"][0]) + u64(t["data_offsets"][1])
    if f"{zlib.crc32(bytes(canon)):08x}" != meta.get("header_crc32"):
        raise SpecError(f"{path}: header_crc32 does not match the header (damaged file)")
    sums = json.loads(meta["checksums"])
    with open(path, "rb") as f:
        for name, t in tensors:
            b, e = t["data_offsets"]
            f.seek(data_start + b)
            if f"{zlib.crc32(f.read(e - b)):08x}" != sums.get(name):
                raise SpecError(f"{path}: tensor '{name}' does not match its CRC32 (damaged file)")


def load(path, check):
    """(model config dict, {name: float64 array}) of the checkpoint at `path`."""
    header, data_start = read_header(path)
    if check:
        verify(path, header, data_start)
    meta = header.get("__metadata__", {})
    if "model_config" not in meta:
        raise SpecError(f"{path}: no 'model_config' metadata")
    config = json.loads(meta["model_config"])
    params = {}
    with safe_open(path, framework="np") as f:
        for name in f.keys():
            if not name.startswith(("adam.", "raw.")):
                params[name] = f.get_tensor(name).astype(np.float64)
    return config, params


# ------------------------------------------------------------------------------- the model

def expect(params, name, shape):
    if name not in params:
        raise SpecError(f"tensor '{name}' is missing (expected shape {list(shape)})")
    if tuple(params[name].shape) != tuple(shape):
        raise SpecError(f"tensor '{name}' has shape {list(params[name].shape)}, the config needs {list(shape)}")
    return params[name]


def linear(x, p, name, n_in, n_out):
    """y = x W^T + b with W [out, in]."""
    return x @ expect(p, name + ".weight", (n_out, n_in)).T + expect(p, name + ".bias", (n_out,))


def layer_norm(x, p, name, d, eps):
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)  # biased (divide by D)
    return (x - mean) / np.sqrt(var + eps) * expect(p, name + ".weight", (d,)) + expect(p, name + ".bias", (d,))


def positions(length, d):
    pe = np.zeros((length, d))
    for pos in range(length):
        for i in range(0, d, 2):
            angle = pos / 10000 ** (i / d)
            pe[pos, i] = math.sin(angle)
            if i + 1 < d:
                pe[pos, i + 1] = math.cos(angle)
    return pe


def attention(x, memory, allowed, p, name, d, heads):
    """Multi-head attention; `allowed` is a boolean mask broadcasting to [B, H, T, S]."""
    b, t, _ = x.shape
    s = memory.shape[1]
    k = d // heads

    def split(y, n):  # [B, n, D] -> [B, H, n, K]: head h owns columns h*K .. h*K+K-1
        return y.reshape(b, n, heads, k).transpose(0, 2, 1, 3)

    q = split(linear(x, p, name + ".query", d, d), t)
    kk = split(linear(memory, p, name + ".key", d, d), s)
    v = split(linear(memory, p, name + ".value", d, d), s)
    scores = np.where(allowed, q @ kk.transpose(0, 1, 3, 2) / math.sqrt(k), -np.inf)
    top = scores.max(axis=-1, keepdims=True)
    dead = np.isneginf(top)  # every key masked: the row's weights are all zero
    e = np.where(allowed, np.exp(scores - np.where(dead, 0, top)), 0)
    total = e.sum(axis=-1, keepdims=True)
    weights = np.where(dead, 0, e / np.where(dead, 1, total))
    mixed = (weights @ v).transpose(0, 2, 1, 3).reshape(b, t, d)
    return linear(mixed, p, name + ".output", d, d)


def feed_forward(x, p, name, d, f):
    return linear(np.maximum(linear(x, p, name + ".hidden", d, f), 0), p, name + ".output", f, d)


def forward(config, p, source, target_input):
    """Logits [B, T, V_t] for padded id arrays source [B, S] and target_input [B, T]."""
    d, heads, f = config["modelDim"], config["heads"], config["feedForwardDim"]
    eps, vs, vt = config["layerNormEpsilon"], config["sourceVocabSize"], config["targetVocabSize"]
    n_enc, n_dec, max_len = config["encoderLayers"], config["decoderLayers"], config["maxLength"]
    if heads <= 0 or d % heads:
        raise SpecError(f"modelDim {d} is not divisible by heads {heads}")
    for what, ids, v in (("source", source, vs), ("target input", target_input, vt)):
        if ids.shape[1] > max_len:
            raise SpecError(f"{what} has {ids.shape[1]} positions, more than maxLength {max_len}")
        if ids.size and (ids.min() < 0 or ids.max() >= v):
            raise SpecError(f"{what} ids must be in 0..{v - 1}")
    bsz, s_len = source.shape
    t_len = target_input.shape[1]

    src_allowed = (source != PAD)[:, None, None, :]                               # [B, 1, 1, S]
    causal = np.tril(np.ones((t_len, t_len), dtype=bool))                        # key s <= query t
    tgt_allowed = causal[None, None] & (target_input != PAD)[:, None, None, :]   # [B, 1, T, T]

    x = expect(p, "encoder.embedding.weight", (vs, d))[source] * math.sqrt(d) + positions(s_len, d)
    for i in range(n_enc):
        pre = f"encoder.layers.{i}"
        n = layer_norm(x, p, pre + ".self_norm", d, eps)
        x = x + attention(n, n, src_allowed, p, pre + ".self", d, heads)
        x = x + feed_forward(layer_norm(x, p, pre + ".ff_norm", d, eps), p, pre + ".ff", d, f)
    memory = layer_norm(x, p, "encoder.norm", d, eps)

    # Shared embeddings (model_config shareEmbeddings): the decoder reads the encoder's matrix.
    target_embedding = expect(p, "encoder.embedding.weight" if config.get("shareEmbeddings") else "decoder.embedding.weight", (vt, d))
    y = target_embedding[target_input] * math.sqrt(d) + positions(t_len, d)
    for i in range(n_dec):
        pre = f"decoder.layers.{i}"
        n = layer_norm(y, p, pre + ".self_norm", d, eps)
        y = y + attention(n, n, tgt_allowed, p, pre + ".self", d, heads)
        y = y + attention(layer_norm(y, p, pre + ".cross_norm", d, eps), memory, src_allowed, p, pre + ".cross", d, heads)
        y = y + feed_forward(layer_norm(y, p, pre + ".ff_norm", d, eps), p, pre + ".ff", d, f)
    y = layer_norm(y, p, "decoder.norm", d, eps)

    if config["tieOutputEmbedding"]:
        if "output.weight" in p:
            raise SpecError("tieOutputEmbedding is true but the file has an 'output.weight' tensor")
        return y @ target_embedding.T
    return linear(y, p, "output", d, vt)


# ----------------------------------------------------------------------------------- the CLI

def parse_ids(text, flag):
    """'4,5,6;7,8' -> rows padded with 0 to the longest (at least 1 position)."""
    rows = []
    for part in text.split(";"):
        part = part.strip()
        try:
            rows.append([int(v) for v in part.split(",")] if part else [])
        except ValueError:
            raise SpecError(f"{flag} {text!r}: expected comma-separated integers, sentences separated by ';'")
    width = max(1, max(len(r) for r in rows))
    return np.array([r + [PAD] * (width - len(r)) for r in rows], dtype=np.int64)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("checkpoint", help="a .safetensors file or a training folder")
    ap.add_argument("--source", required=True, help="source ids without <s>/</s>, e.g. 4,5,6")
    ap.add_argument("--target-input", required=True, help="decoder input ids: 2 (<s>) then the target, e.g. 2,7,8")
    ap.add_argument("--no-verify", action="store_true", help="skip the CRC32 checks")
    args = ap.parse_args()
    try:
        source = parse_ids(args.source, "--source")
        target_input = parse_ids(args.target_input, "--target-input")
        if source.shape[0] != target_input.shape[0]:
            raise SpecError(f"--source has {source.shape[0]} sentences but --target-input has {target_input.shape[0]}")
        path = resolve(args.checkpoint)
        config, params = load(path, check=not args.no_verify)
        logits = forward(config, params, source, target_input)
    except (SpecError, OSError, ValueError, KeyError) as e:
        sys.exit(f"reference_forward.py: {e}")
    out = logits[0] if logits.shape[0] == 1 else logits
    json.dump(out.tolist(), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
