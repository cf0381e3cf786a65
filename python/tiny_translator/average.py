"""Checkpoint averaging: one file whose weights are the mean of several checkpoints' weights.

    python -m tiny_translator.average OUT.safetensors CHECKPOINT [CHECKPOINT ...]
    python -m tiny_translator.average OUT.safetensors RUN_FOLDER --last 5
    python -m tiny_translator.average OUT.safetensors RUN_FOLDER --last 5 --up-to 8000

The mean of the last few checkpoints of a run sits nearer the middle of the valley the
optimiser is bouncing around in than any one of them (fairseq's and JoeyNMT's
`average_checkpoints`); `train --ema` keeps a running version of the same idea in every file.
Which weights are averaged: the raw training weights (`raw.<name>`, or the model's own names
in a run without `--ema`) by default, or with `--weights ema` the averaged ones `train --ema`
saved under the model's own names.

OUT holds only the model's tensors (no Adam moments, no `raw.*`), the metadata of the last
input (its model config, tokenizers, training config and state), and an `averaged_from` entry
listing the inputs; `translate --checkpoint OUT` uses it as it is. Every input must have the
same model config and tokenizers: averaging weights of different models is refused.
"""
import argparse
import json
import os
import sys

import numpy as np

from . import checkpoint as ckpt


def average(paths, weights="raw"):
    """(metadata, {name: mean array}) of the checkpoint files `paths` (see the module doc)."""
    if not paths:
        raise ckpt.CheckpointError("no checkpoints to average")
    total, names, first_meta = None, None, None
    for path in paths:
        meta, entries, _, _ = ckpt.read_header(path)
        ours = [e[0] for e in entries if ckpt.is_model_tensor(e[0])]
        has_raw = any(e[0].startswith(ckpt.RAW_PREFIX) for e in entries)
        source = {n: (ckpt.RAW_PREFIX + n if weights == "raw" and has_raw else n) for n in ours}
        _, tensors = ckpt.read(path, names=set(source.values()))
        if total is None:
            names, first_meta = ours, meta
            total = {n: tensors[source[n]].astype(np.float64) for n in ours}
            continue
        for key in ("model_config", "tokenizers"):
            if meta.get(key) != first_meta.get(key):
                raise ckpt.CheckpointError(f"{path}: its {key} differs from {paths[0]}'s; only checkpoints of one model "
                                           "(one run, or runs with the same config and tokenizers) can be averaged")
        if ours != names:
            raise ckpt.CheckpointError(f"{path}: its tensors differ from {paths[0]}'s")
        for n in ours:
            total[n] += tensors[source[n]]
    meta = {k: v for k, v in meta.items() if k not in ckpt.RESERVED}
    meta["averaged_from"] = json.dumps({"weights": weights, "files": [os.path.basename(p) for p in paths]})
    return meta, {n: (total[n] / len(paths)).astype(np.float32) for n in names}


def last_steps(folder, n, up_to=None):
    """The `n` highest step checkpoints of a run folder (at or below step `up_to`, if given)."""
    steps = [(s, name) for s, name in ckpt.step_files(folder) if up_to is None or s <= up_to]
    if len(steps) < n:
        raise ckpt.CheckpointError(f"{folder}: {len(steps)} step checkpoint(s)"
                                   f"{f' at or below step {up_to}' if up_to is not None else ''}, {n} asked for; "
                                   "train with a larger --keep, or ask for fewer with --last")
    return [os.path.join(folder, name) for _, name in steps[-n:]]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out", help="the averaged checkpoint to write")
    p.add_argument("inputs", nargs="+", help="checkpoint files, or one run folder with --last")
    p.add_argument("--last", type=int, metavar="N", help="average the N highest step checkpoints of the run folder")
    p.add_argument("--up-to", type=int, metavar="STEP", help="with --last: only checkpoints at or below STEP")
    p.add_argument("--weights", choices=["raw", "ema"], default="raw",
                   help="raw training weights (default) or the --ema average saved under the model's names")
    p.add_argument("--force", action="store_true", help="overwrite OUT if it exists")
    a = p.parse_args(argv)
    try:
        if a.last is not None:
            if len(a.inputs) != 1 or not os.path.isdir(a.inputs[0]):
                p.error("--last takes exactly one run folder")
            paths = last_steps(a.inputs[0], a.last, a.up_to)
        else:
            paths = a.inputs
        if os.path.exists(a.out) and not a.force:
            p.error(f"{a.out} exists; pass --force to overwrite it")
        meta, tensors = average(paths, a.weights)
        ckpt.write(a.out, tensors, meta)
    except ckpt.CheckpointError as e:
        sys.exit(f"error: {e}")
    print(f"{a.out}: the mean of {len(paths)} checkpoint(s)' {a.weights} weights ({', '.join(os.path.basename(x) for x in paths)})")


if __name__ == "__main__":
    main()
