#!/usr/bin/env python3
"""Compare several `train` configurations fairly on a machine whose speed drifts.

Runs every configuration of a plan in short slices of training time, round-robin, each slice
continuing its run with `train --resume`: slice k of every run happens within the same few
minutes as slice k of every other, so a slow hour (the machine's speed moves by up to 40%
between hours) or a burst of background load falls on all of them alike instead of on the run
that happened to be scheduled then. The order of the runs rotates from round to round so no run
is always first after the others' validations. `train --resume` continues bit for bit where the
run stopped (the resume-identity test), so slicing changes nothing but when the work happens.

Every slice ends with a validation and a kept checkpoint, so after the sitting each run has a
checkpoint at every slice boundary of training time. The evaluation then scores each run on the
validation split (greedy and beam 5, all sentences, our sacreBLEU-equal BLEU) at:

- equal minutes: the checkpoints at the given marks (default 30 and 60 minutes of training);
- equal updates: the fewest updates any run of the plan reached; each run is scored at its last
  kept checkpoint at or below that count (the table gives each run's updates). `train` validates
  `valid_every` updates after its previous validation, and at every slice's end, so runs rarely
  share a step exactly;
- equal tokens, when the runs' batch sizes differ (then equal updates means unequal data): the
  fewest tokens seen any run reached, each run at its last checkpoint at or below.

With `"weights": ["raw", "last-3", "last-5"]` in the plan, each mark is also scored with other
weights of the same run: "raw" the training weights an `--ema` run keeps beside their average
(EMA off costs nothing to measure: the average never feeds back into training), "last-N" the
mean of the raw weights of the run's N step checkpoints up to the mark (checkpoint averaging,
`python -m tiny_translator.average`).

The plan is a JSON file:

    {"base": "configs/tatoeba.json", "minutes": 60, "slice": 5, "valid_every": 1000,
     "marks": [30, 60],
     "runs": [{"name": "preset"},
              {"name": "untied", "flags": {"tie-output": false}},
              {"name": "preset-seed2", "flags": {"seed": 2}}]}

`flags` are `train` flags without the dashes (false turns a switch off: `--no-NAME`). Flags at
the plan's top level apply to every run (a run's own flags win): a plan that pins a setting the
base config has since changed, e.g. `"flags": {"warmup": 400}`, still measures what it measured.
Usage:

    scripts/tune.py PLAN.json --out runs/tune-1            # train (resumable: run it again to continue)
    scripts/tune.py PLAN.json --out runs/tune-1 --evaluate  # score and write runs/tune-1/table.md
    scripts/tune.py PLAN.json --out runs/tune-1 --knobs runs/tune-1/preset/step-00014000.safetensors \
        --grid "beam=4,5,6,8 length-penalty=0.6,1.0,1.4"      # decoding settings on the validation split

Both steps can be repeated: training skips slices already done; evaluation caches every score
in scores.json. The log (sitting.jsonl) records each slice's wall time, the machine's other
load during it, and the run's tokens/s.
"""
import argparse
import json
import os
import pathlib
import re
import statistics
import struct
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
BIN = ROOT / ".build" / "release"


def run_flags(plan, run):
    """The `train` flags of one run: the plan's own, then the run's, which win."""
    return {**plan.get("flags", {}), **run.get("flags", {})}


def flag_args(flags):
    out = []
    for name, value in flags.items():
        if value is True:
            out.append(f"--{name}")
        elif value is False:
            out.append(f"--no-{name}")
        else:
            out += [f"--{name}", str(value)]
    return out


def checkpoint_state(path):
    """training_state and train_config of a checkpoint, read from its safetensors header."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        meta = json.loads(f.read(n))["__metadata__"]
    return json.loads(meta["training_state"]), json.loads(meta["train_config"])


def checkpoints(run_dir):
    """(step, train_seconds, tokens_seen, path) of every step checkpoint of a run, by step."""
    out = []
    for p in sorted(run_dir.glob("step-*.safetensors")):
        state, _ = checkpoint_state(p)
        out.append((state["step"], state["trainSeconds"], state["tokensSeen"], p))
    return out


def at_or_below(found, field, limit):
    """The last of a run's checkpoints (as `checkpoints` lists them) whose `field` (0 updates,
    2 tokens seen) is at most `limit`, or None: where runs compare at equal updates or tokens."""
    below = [c for c in found if c[field] <= limit]
    return below[-1] if below else None


def machine_busy():
    """Busy CPU ticks of the whole machine (user, nice, system, irq, softirq, steal)."""
    v = [float(x) for x in open("/proc/stat").readline().split()[1:]]
    return v[0] + v[1] + v[2] + v[5] + v[6] + v[7]


def run_slice(plan, run, out, minutes, log):
    """Trains `run` until `minutes` of training in total; returns the slice's record."""
    run_dir = out / run["name"]
    resume = any(run_dir.glob("step-*.safetensors"))
    if resume:
        done = max(s for _, s, _, _ in checkpoints(run_dir))
        if done >= minutes * 60 - 1:
            return None  # this slice was trained in an earlier invocation
    args = [str(BIN / "train"), "--out", str(run_dir), "--minutes", str(minutes), "--quiet",
            "--keep", "100000", "--valid-every", str(plan.get("valid_every", 1000)),
            "--valid-every-minutes", str(plan["slice"])]
    if resume:
        args.append("--resume")
    else:
        args += ["--config", str(ROOT / plan["base"])] + flag_args(run_flags(plan, run))
    hz = os.sysconf("SC_CLK_TCK")
    busy0, t0 = machine_busy(), time.monotonic()
    r0 = os.times()
    proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
    wall = time.monotonic() - t0
    r1 = os.times()
    own = (r1.children_user - r0.children_user) + (r1.children_system - r0.children_system)
    other = max(0.0, (machine_busy() - busy0) / hz - own) / wall
    run_dir.mkdir(parents=True, exist_ok=True)  # train may refuse its flags before making it
    (run_dir / "train.log").open("a").write(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        sys.exit(f"train failed for {run['name']} (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    speeds = []
    for line in (run_dir / "metrics.jsonl").read_text().splitlines():
        m = json.loads(line)
        if m.get("kind") == "train" and m["train_seconds"] > (minutes - plan["slice"]) * 60:
            speeds.append(m["tokens_per_s"])
    rec = {"run": run["name"], "minutes": minutes, "wall_s": round(wall, 1), "cpu_s": round(own, 1),
           "cores_busy": round(own / wall, 2), "other_load": round(other, 2),
           "median_tokens_per_s": statistics.median(speeds) if speeds else None,
           "time": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())}
    log.write(json.dumps(rec) + "\n")
    log.flush()
    return rec


def train(plan, out):
    out.mkdir(parents=True, exist_ok=True)
    runs = plan["runs"]
    slices = round(plan["minutes"] / plan["slice"])
    with (out / "sitting.jsonl").open("a") as log:
        for k in range(1, slices + 1):
            order = runs[k % len(runs):] + runs[:k % len(runs)]
            for run in order:
                rec = run_slice(plan, run, out, k * plan["slice"], log)
                if rec:
                    print(f"slice {k}/{slices} {rec['run']}: {rec['wall_s']} s wall, "
                          f"{rec['median_tokens_per_s']} tok/s, other load {rec['other_load']}", flush=True)


BLEU = re.compile(r"^BLEU\|[^=\n]*= ([0-9.]+)", re.M)


def score(checkpoint, tsv, beam, cache, flags=()):
    key = f"{checkpoint}|{tsv}|{beam}" + "".join(f"|{f}" for f in flags)
    if key not in cache:
        args = [str(BIN / "translate"), "--checkpoint", str(checkpoint), "--tsv", str(tsv),
                "--quiet", "--output", os.devnull] + list(flags)
        if beam > 1:
            args += ["--beam", str(beam)]
        proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
        m = BLEU.search(proc.stderr)
        if proc.returncode != 0 or not m:
            sys.exit(f"translate failed on {checkpoint}:\n{proc.stderr[-2000:]}")
        cache[key] = float(m.group(1))
    return cache[key]


def weights_variant(run_dir, step, path, weights):
    """(checkpoint, translate flags) scoring other weights of the run at `step` than the ones
    validation used: "raw" (the training weights an --ema run keeps beside their average) or
    "last-N" (the mean of the raw weights of the run's N step checkpoints at or below `step`,
    written once to run_dir/averaged/)."""
    if weights == "raw":
        return path, ["--raw-weights"]
    m = re.fullmatch(r"last-(\d+)", weights)
    if not m:
        sys.exit(f'unknown weights "{weights}" in the plan: use "raw" or "last-N"')
    if str(ROOT / "python") not in sys.path:  # NumPy only for averaging: training needs no package
        sys.path.insert(0, str(ROOT / "python"))
    from tiny_translator import average, checkpoint as ckpt
    target = run_dir / "averaged" / f"{weights}-at-{step:08d}.safetensors"
    if not target.exists():
        target.parent.mkdir(exist_ok=True)
        meta, tensors = average.average(average.last_steps(str(run_dir), int(m.group(1)), step))
        ckpt.write(str(target), tensors, meta)
    return target, []


def evaluate(plan, out, tsv, beams):
    cache_path = out / "scores.json"
    cache = json.loads(cache_path.read_text()) if cache_path.exists() else {}
    runs = [r["name"] for r in plan["runs"]]
    found = {r: checkpoints(out / r) for r in runs}
    common = min(max((c[0] for c in found[r]), default=0) for r in runs)
    # Runs with different batch sizes see different data in the same updates: compare them
    # also at equal tokens seen (the fewest any run reached).
    batches = {checkpoint_state(found[r][-1][3])[1]["batchTokens"] for r in runs if found[r]}
    common_tokens = min(max((c[2] for c in found[r]), default=0) for r in runs) if len(batches) > 1 else 0
    rows = []
    for r in runs:
        row = {"run": r}
        row["updates"] = found[r][-1][0]
        for mark in plan.get("marks", [plan["minutes"]]):
            at = [c for c in found[r] if c[1] >= mark * 60 - 1]
            if not at:
                continue
            step, _, _, path = at[0]
            for b in beams:
                row[f"{mark} min, beam {b}"] = score(path, tsv, b, cache)
            row[f"updates at {mark} min"] = step
            for weights in plan.get("weights", []):
                variant, flags = weights_variant(out / r, step, path, weights)
                for b in beams:
                    row[f"{mark} min, beam {b}, {weights}"] = score(variant, tsv, b, cache, flags)
        if common and (hit := at_or_below(found[r], 0, common)):
            step, _, _, path = hit
            for b in beams:
                row[f"≤ {common} updates, beam {b}"] = score(path, tsv, b, cache)
            row[f"updates (≤ {common})"] = step
        if common_tokens and (hit := at_or_below(found[r], 2, common_tokens)):
            step, _, tokens, path = hit
            for b in beams:
                row[f"≤ {common_tokens} tokens, beam {b}"] = score(path, tsv, b, cache)
            row[f"updates (≤ {common_tokens} tokens)"] = step
            row[f"tokens (≤ {common_tokens})"] = tokens
        cache_path.write_text(json.dumps(cache, indent=1))
        rows.append(row)
    sitting = [json.loads(l) for l in (out / "sitting.jsonl").read_text().splitlines()]
    for row in rows:
        mine = [s for s in sitting if s["run"] == row["run"]]
        speeds = [s["median_tokens_per_s"] for s in mine if s["median_tokens_per_s"]]
        row["tokens/s (median of slices)"] = round(statistics.median(speeds)) if speeds else None
        row["other load (max of slices)"] = max((s["other_load"] for s in mine), default=None)
    columns = list(dict.fromkeys(k for row in rows for k in row))
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(str(row.get(c, "—")) for c in columns) + " |")
    table = "\n".join(lines) + "\n"
    (out / "table.md").write_text(table)
    (out / "table.json").write_text(json.dumps(rows, indent=1))
    print(table)


def knobs(checkpoint, tsv, grid, out):
    """Scores one checkpoint on `tsv` for every combination of translate flags in `grid`
    ("beam=4,5,8 length-penalty=0.6,1.0"): decoding settings need no training, only a model."""
    import itertools
    axes = [(name, values.split(",")) for name, values in (a.split("=", 1) for a in grid.split())]
    cache_path = out / "knobs.json"
    cache = json.loads(cache_path.read_text()) if cache_path.exists() else {}
    rows = []
    for combo in itertools.product(*(v for _, v in axes)):
        flags = [x for (name, _), value in zip(axes, combo) for x in (f"--{name}", value)]
        key = f"{checkpoint}|{tsv}|{' '.join(flags)}"
        if key not in cache:
            args = [str(BIN / "translate"), "--checkpoint", str(checkpoint), "--tsv", str(tsv), "--quiet",
                    "--output", os.devnull] + flags
            t0 = time.monotonic()
            proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
            m = BLEU.search(proc.stderr)
            if proc.returncode != 0 or not m:
                sys.exit(f"translate failed with {flags}:\n{proc.stderr[-2000:]}")
            cache[key] = {"bleu": float(m.group(1)), "seconds": round(time.monotonic() - t0, 1)}
            cache_path.write_text(json.dumps(cache, indent=1))
        rows.append(dict(zip((n for n, _ in axes), combo), **cache[key]))
    lines = ["| " + " | ".join([n for n, _ in axes] + ["BLEU", "seconds"]) + " |", "|" + "---|" * (len(axes) + 2)]
    for r in sorted(rows, key=lambda r: -r["bleu"]):
        lines.append("| " + " | ".join([r[n] for n, _ in axes] + [f"{r['bleu']:.2f}", str(r["seconds"])]) + " |")
    (out / "knobs.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("plan", type=pathlib.Path)
    p.add_argument("--out", type=pathlib.Path, required=True)
    p.add_argument("--evaluate", action="store_true", help="score the trained runs and write table.md")
    p.add_argument("--tsv", type=pathlib.Path, help="scoring split (default: the base config's valid file)")
    p.add_argument("--beams", default="1,5", help="beam sizes to score, comma-separated (default 1,5)")
    p.add_argument("--knobs", type=pathlib.Path, metavar="CHECKPOINT",
                   help="instead: score this checkpoint for every combination of --grid on --tsv")
    p.add_argument("--grid", default="beam=4,5,6,8 length-penalty=0.6,0.8,1.0,1.2,1.5",
                   help='translate flags and their values, e.g. "beam=4,5,8 length-penalty=0.6,1.0"')
    a = p.parse_args()
    plan = json.loads(a.plan.read_text())
    if not (BIN / "train").exists():
        sys.exit(f"{BIN / 'train'} is missing: run `make build` first")
    if a.knobs:
        base = json.loads((ROOT / plan["base"]).read_text())
        a.out.mkdir(parents=True, exist_ok=True)
        knobs(a.knobs, a.tsv or ROOT / base["valid"], a.grid, a.out)
    elif a.evaluate:
        base = json.loads((ROOT / plan["base"]).read_text())
        tsv = a.tsv or ROOT / base["valid"]
        evaluate(plan, a.out, tsv, [int(b) for b in a.beams.split(",")])
    else:
        train(plan, a.out)


if __name__ == "__main__":
    main()
