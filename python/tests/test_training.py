"""Item 3 of issue 13: PyTorch continues our training exactly.

(a) From one of our checkpoints and one batch, dropout off, one update in PyTorch
    (`TrainingRun.train_step`, what train_ddp runs) gives `train`'s loss within 1e-4 and its
    weights, weight average and Adam moments within 1e-5 (our side: `train --resume` one
    more step on a corpus that is a single batch).
(b) `torchrun --nproc_per_node=2` (gloo) on two unequal parts of a batch gives the update of
    one process on the whole batch.
(c) Round trip: ours -> 20 DDP updates on 2 processes -> ours: `inspect --verify` and
    `translate` accept the result, and `train --resume` continues with the step count, the
    schedule and Adam's state carried over (its next update equals PyTorch's from the same file).

One exception, by construction: attention *key* biases. Adding a constant vector b to every key
adds q·b to all of a query's scores, which the softmax ignores, so their exact gradient is 0 and
what both sides compute is rounding noise (~1e-10). Adam divides m by √v, turning that noise into
steps of ±lr whose sign depends on the noise, so those tensors cannot agree across two
implementations. The tests check instead that their gradient is noise on both sides.
"""
import json
import math
import shutil
import sys

import pytest

np = pytest.importorskip("numpy", reason="NumPy is not installed: pip install -r python/requirements.txt")

from conftest import DATA, copy_run, run, tool  # noqa: E402

torch = pytest.importorskip("torch", reason="PyTorch is not installed: pip install -r python/requirements.txt")

from tiny_translator import checkpoint, data  # noqa: E402
from tiny_translator.recipe import TrainingRun, rate  # noqa: E402

TINY = ["--model-dim", "32", "--heads", "4", "--layers", "2", "--ff-dim", "64", "--dropout", "0", "--lr", "0.01",
        "--warmup", "2", "--batch-tokens", "32768", "--bleu-sentences", "4", "--threads", "1", "--quiet"]
CONFIGS = {
    "word vocabulary, tied output, EMA 0.9": ["--tokenizer", "word", "--min-frequency", "1", "--no-separate-vocab", "--tie-output", "--ema", "0.9"],
    "BPE per language, untied output, no EMA": ["--merges", "300", "--no-tie-output", "--ema", "0"],
    "shared BPE, three-way tied embeddings, EMA 0.9": ["--merges", "300", "--no-separate-vocab", "--share-embeddings", "--ema", "0.9"],
}
LOSS_TOLERANCE, WEIGHT_TOLERANCE = 1e-4, 1e-5


@pytest.fixture(scope="module")
def corpus(work):
    """The first 400 pairs of data/train.tsv: one batch for `train` (budget 32,768 tokens)."""
    path = work / "c400.tsv"
    path.write_text("".join(l + "\n" for l in data.read_lines(DATA / "train.tsv")[:400]), encoding="utf-8")
    return path


def swift_run(work, corpus, name, args):
    """`train` for 2 updates: the folder holds step-00000002.safetensors."""
    out = work / ("swift-" + name.split(",")[0].replace(" ", "-"))
    if not out.exists():
        run([tool("train"), "--data", corpus, "--valid", corpus, "--steps", "2", "--valid-every", "2", "--out", out] + TINY + args)
    return out


def swift_continue(src, dst, steps):
    """`train --resume` on a copy of `src` up to `steps`: (checkpoint file, last train metrics line)."""
    if dst.exists():
        shutil.rmtree(dst)
    copy_run(src, dst)
    log = run([tool("train"), "--out", dst, "--resume", "--steps", str(steps), "--threads", "1"]).stdout
    lines = [json.loads(l) for l in (dst / "metrics.jsonl").read_text().splitlines()]
    train_line = [l for l in lines if l["kind"] == "train"][-1]
    assert train_line["step"] == steps
    return dst / f"step-{steps:08d}.safetensors", train_line, log


def python_step(path, corpus):
    torch.set_num_threads(1)
    r = TrainingRun(str(path))
    rows = data.encode_pairs(data.read_tsv(corpus), r.tokenizers, r.model_config["maxLength"] - 1)
    batch = {k: torch.from_numpy(v) if hasattr(v, "dtype") else v for k, v in data.make_batch(rows).items()}
    return r.train_step(batch), r.tensors()


def differences(mine, ref):
    """Max |a − b| per kind of tensor (key biases apart), and the largest key-bias moment."""
    assert set(mine) == set(ref), f"tensor names differ: {sorted(set(mine) ^ set(ref))[:6]}"
    out = {}
    for n in ref:
        kind = "adam.m" if n.startswith("adam.m.") else "adam.v" if n.startswith("adam.v.") else "raw" if n.startswith("raw.") else "model"
        if n.endswith(".key.bias"):
            kind = "key biases"
        out[kind] = max(out.get(kind, 0.0), float(np.abs(mine[n] - ref[n]).max()))
    noise = max([float(np.abs(t[n]).max()) for t in (mine, ref) for n in t if n.startswith("adam.m.") and n.endswith(".key.bias")] or [0])
    return out, noise


def check_close(diffs, noise, tolerance):
    for kind, d in diffs.items():
        if kind != "key biases":
            assert d <= tolerance, f"{kind}: max |difference| {d:.3g} > {tolerance}"
    assert noise < 1e-8, f"a key bias has Adam first moment {noise:.3g}: its gradient should be zero up to rounding"


def summary(diffs):
    return ", ".join(f"{k} {v:.1e}" for k, v in sorted(diffs.items()) if k != "key biases")


@pytest.mark.parametrize("name", list(CONFIGS))
def test_one_update_equals_train(name, work, corpus, report):
    swift = swift_run(work, corpus, name, CONFIGS[name])
    ref_path, swift_line, _ = swift_continue(swift, work / ("next-" + swift.name), 3)
    result, mine = python_step(swift / "step-00000002.safetensors", corpus)
    _, ref = checkpoint.read(str(ref_path))
    diffs, noise = differences(mine, ref)
    report(f"equivalence (a), {name}: loss PyTorch {result['loss']:.7f} vs train {swift_line['loss']:.7f} "
           f"(|Δ| {abs(result['loss'] - swift_line['loss']):.1e}); gradient norm |Δ| {abs(result['grad_norm'] - swift_line['grad_norm']):.1e}; "
           f"max |Δ| after one update: {summary(diffs)}; key biases {diffs['key biases']:.1e} (gradient noise, |m| ≤ {noise:.0e})")
    assert abs(result["loss"] - swift_line["loss"]) <= LOSS_TOLERANCE
    assert result["lr"] == pytest.approx(swift_line["lr"], rel=1e-12)
    check_close(diffs, noise, WEIGHT_TOLERANCE)


def torchrun(*args):
    return [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", *map(str, args)]


def test_two_processes_equal_one(work, corpus, report):
    name = list(CONFIGS)[0]
    start = swift_run(work, corpus, name, CONFIGS[name]) / "step-00000002.safetensors"
    script = DATA.parent / "python" / "tests" / "ddp_one_step.py"
    whole, halves = work / "one-process.safetensors", work / "two-processes.safetensors"
    run([sys.executable, script, start, corpus, whole, 0])
    # Unequal parts (120 and 280 pairs): a plain average of the two processes' mean losses
    # would weigh their tokens differently; the update must still equal the whole batch's.
    run(torchrun(script, start, corpus, halves, 120))
    m1, one = checkpoint.read(str(whole))
    m2, two = checkpoint.read(str(halves))
    r1, r2 = json.loads(m1["result"]), json.loads(m2["result"])
    diffs, noise = differences(two, one)
    report(f"DDP (b): 2 gloo processes (120 + 280 pairs) vs 1 process (400 pairs): loss |Δ| {abs(r1['loss'] - r2['loss']):.1e}, "
           f"gradient norm |Δ| {abs(r1['grad_norm'] - r2['grad_norm']):.1e}, max |Δ| after the update: {summary(diffs)}")
    assert abs(r1["loss"] - r2["loss"]) <= 1e-5
    assert abs(r1["grad_norm"] - r2["grad_norm"]) <= 1e-6 * max(1, r1["grad_norm"])
    check_close(diffs, noise, 1e-6)


def test_round_trip_through_ddp(work, corpus, report):
    name = list(CONFIGS)[0]
    swift = swift_run(work, corpus, name, CONFIGS[name])
    torch_dir = work / "ddp-run"
    if torch_dir.exists():
        shutil.rmtree(torch_dir)
    # 20 updates on 2 processes, on batches of at most 1,024 tokens each (the corpus is 400 pairs).
    log = run(torchrun("-m", "tiny_translator.train_ddp", "--checkpoint", swift, "--out", torch_dir, "--data", corpus,
                       "--batch-tokens", 1024, "--steps", 22, "--save-every", 10, "--threads", 1, "--log-every", 0),
              cwd=DATA.parent / "python").stdout
    assert "2 process(es) on gloo" in log
    written = torch_dir / "step-00000022.safetensors"
    assert written.exists() and (torch_dir / "step-00000012.safetensors").exists()
    meta, _ = checkpoint.read(str(written))
    before, _ = checkpoint.read(str(swift / "step-00000002.safetensors"))
    state, old = json.loads(meta["training_state"]), json.loads(before["training_state"])
    assert state["step"] == 22 and state["position"] == old["position"] and state["tokensSeen"] > old["tokensSeen"]
    assert meta["model_config"] == before["model_config"] and meta["tokenizers"] == before["tokenizers"]
    assert json.loads(meta["train_config"])["out"] == str(torch_dir)

    assert "OK" in run([tool("inspect"), "--verify", written]).stdout
    out = run([tool("translate"), "--checkpoint", torch_dir, "--quiet", "The red car is not big."]).stdout
    assert len(out.splitlines()) == 1

    resumed = work / "swift-after-ddp"
    ref_path, swift_line, log = swift_continue(torch_dir, resumed, 23)
    assert "at step 22" in log
    result, mine = python_step(written, corpus)
    meta23, ref = checkpoint.read(str(ref_path))
    assert json.loads(meta23["training_state"])["step"] == 23
    assert swift_line["lr"] == pytest.approx(rate(23, 0.01, 2), rel=1e-12)
    diffs, noise = differences(mine, ref)
    report(f"round trip (c): train (2 updates) -> train_ddp 2 gloo processes (20 updates, step 22) -> inspect --verify OK, "
           f"translate loads it -> train --resume: step 23, lr {swift_line['lr']:.6f} = schedule(23); its update vs PyTorch's from "
           f"the same file: loss |Δ| {abs(result['loss'] - swift_line['loss']):.1e}, max |Δ| {summary(diffs)}")
    assert abs(result["loss"] - swift_line["loss"]) <= LOSS_TOLERANCE
    check_close(diffs, noise, WEIGHT_TOLERANCE)


def test_schedule_matches_train():
    # train's OptimizerConfig.rate: linear warm-up to the peak, then peak * sqrt(warmup / step).
    assert rate(1, 0.003, 400) == pytest.approx(0.003 / 400)
    assert rate(400, 0.003, 400) == pytest.approx(0.003)
    assert rate(1600, 0.003, 400) == pytest.approx(0.0015)
    assert rate(0, 1.0, 10) == rate(1, 1.0, 10) == pytest.approx(0.1)
    assert math.isfinite(rate(10**9, 1.0, 1))


def test_cooldown_run_is_continued_without_it_and_says_so(work, corpus):
    # train --cooldown is not in the PyTorch recipe: a run that used it gets a notice, one that
    # did not gets none.
    cooled = swift_run(work, corpus, "cooldown 0.5", ["--cooldown", "0.5"])
    plain = swift_run(work, corpus, "plain", [])
    notice = TrainingRun(str(cooled / "step-00000002.safetensors")).notice
    assert notice and "--cooldown 0.5" in notice
    assert TrainingRun(str(plain / "step-00000002.safetensors")).notice is None
