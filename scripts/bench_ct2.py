#!/usr/bin/env python3
"""CTranslate2's column of `bench decode_preset`: the same checkpoint, the same sentences, the
same decoding settings as ours, timed the same way (tokenised input to token ids, model loaded).

    python3 scripts/bench_ct2.py CHECKPOINT TSV OUTDIR [--threads 1,2] [--runs 3] [--beam 5]

Converts CHECKPOINT with the bridge's converter (`python -m tiny_translator.export_ct2`, float32
and int8, cached in OUTDIR), translates the source column of TSV with
`tiny_translator.translate_ct2` (greedy and beam, 1 and all threads, batches of 64 sentences;
with several threads both of CTranslate2's ways to use them: `intra`, one batch at a time on all
threads, and `inter`, one batch per thread side by side, which is how ours uses them),
writes each run's output ids to OUTDIR/ct2.PRECISION.MODE.ids (one line of space-separated ids
per sentence) for `bench` to compare with ours, and prints one JSON line per measurement:
the median seconds over --runs, sentences/s, and `load`, the CPU (in cores) other processes used
meanwhile. Without ctranslate2 it prints one line saying so and exits 0.
"""
import argparse
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))


def cpu_ticks():
    """(machine busy ticks, own ticks) from /proc, or None where there is no /proc."""
    try:
        with open("/proc/stat") as f:
            v = [float(x) for x in f.readline().split()[1:]]
        with open("/proc/self/stat") as f:
            own = f.read().rsplit(")", 1)[1].split()
        return v[0] + v[1] + v[2] + v[5] + v[6] + v[7], float(own[11]) + float(own[12])
    except OSError:
        return None


def other_load(before, after, seconds):
    if before is None or after is None or seconds <= 0:
        return None
    hz = os.sysconf("SC_CLK_TCK")
    return max(0.0, ((after[0] - before[0]) - (after[1] - before[1])) / hz / seconds)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("checkpoint")
    ap.add_argument("tsv")
    ap.add_argument("out")
    ap.add_argument("--threads", default=f"1,{os.cpu_count() or 1}")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--beam", type=int, default=5)
    ap.add_argument("--sentences", type=int, default=1000)
    args = ap.parse_args()
    try:
        import ctranslate2  # noqa: F401
        from tiny_translator import data
        from tiny_translator.export_ct2 import convert
        from tiny_translator.translate_ct2 import Translator
    except ImportError as e:
        print(json.dumps({"bench": "decode_preset", "engine": "ctranslate2", "error": f"not installed ({e.name})"}))
        return
    os.makedirs(args.out, exist_ok=True)
    sources = [line.split("\t")[0] for line in data.read_lines(args.tsv)][: args.sentences]
    threads = sorted({int(t) for t in args.threads.split(",")})
    for precision in ("float32", "int8"):
        model_dir = os.path.join(args.out, f"ct2-{precision}")
        stamp = os.path.join(model_dir, "source.txt")
        source_id = f"{os.path.realpath(args.checkpoint)} {os.path.getmtime(args.checkpoint) if os.path.isfile(args.checkpoint) else ''}"
        if not os.path.exists(stamp) or open(stamp).read() != source_id:
            convert(args.checkpoint, model_dir, quantization=None if precision == "float32" else "int8", force=True)
            with open(stamp, "w") as f:
                f.write(source_id)
        for t, threading in [(t, w) for t in threads for w in (["intra", "inter"] if t > 1 else ["intra"])]:
            translator = Translator(model_dir, compute_type=precision, intra_threads=t if threading == "intra" else 1,
                                    inter_threads=t if threading == "inter" else 1)
            ids = [translator.tokenizers.source.encode(s) for s in sources]
            for mode, beam in (("greedy", 1), (f"beam{args.beam}", args.beam)):
                translator.translate_ids(ids[:64], beam=beam)  # warm-up
                seconds, out = [], None
                before, t0 = cpu_ticks(), time.perf_counter()
                for _ in range(args.runs):
                    start = time.perf_counter()
                    out = translator.translate_ids(ids, beam=beam)
                    seconds.append(time.perf_counter() - start)
                load = other_load(before, cpu_ticks(), time.perf_counter() - t0)
                path = os.path.join(args.out, f"ct2.{precision}.{mode}.ids")
                with open(path, "w") as f:
                    f.writelines(" ".join(map(str, o)) + "\n" for o in out)
                median = statistics.median(seconds)
                print(json.dumps({"bench": "decode_preset", "engine": "ctranslate2", "precision": precision, "mode": mode,
                                  "threads": t, "threading": threading, "sentences": len(ids), "median_s": round(median, 4),
                                  "min_s": round(min(seconds), 4), "sentences_per_s": round(len(ids) / median, 1),
                                  "runs": args.runs, "load": None if load is None else round(load, 3), "outputs": path}),
                      flush=True)


if __name__ == "__main__":
    main()
