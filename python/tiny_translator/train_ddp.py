"""Continue a `train` run in PyTorch on N processes (DDP), and write our checkpoints back.

    PYTHONPATH=python torchrun --standalone --nproc_per_node=N -m tiny_translator.train_ddp \\
        --checkpoint checkpoints/tatoeba --out checkpoints/tatoeba-ddp --steps 20000

One process per GPU (backend nccl) or per CPU process (gloo); the same script either way
(`--backend auto` picks nccl when CUDA is available). Also runs as a single process without
torchrun (`python -m tiny_translator.train_ddp ...`).

What it restores from the checkpoint (the latest file of a folder, as `train --resume`): the
raw training weights, Adam's moments and update count, the learning-rate schedule position
(= the update count), the weight average, the tokenizers and every setting of train_config.
What each process does per update: trains on its own token-budget batch (`DistributedSampler`
over the batch list, `set_epoch` each epoch), DDP averages the gradients, and the recipe of
`recipe.py` applies (label smoothing, clipping, warm-up + 1/√step, Adam, EMA, skipped
non-finite updates). Rank 0 alone writes checkpoints, in our format (metadata, checksums,
header CRC), into a checkpoint folder that `translate`, `inspect --verify` and
`train --resume --out DIR` accept.

With N processes an update sees N batches: the effective batch is N × --batch-tokens.
See README, "When one machine is not enough", for the learning-rate guidance.
"""
import argparse
import datetime
import json
import os
import sys
import time

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data.distributed import DistributedSampler

from . import checkpoint as ckpt
from . import data
from .recipe import TrainingRun


def parse(argv):
    ap = argparse.ArgumentParser(prog="python -m tiny_translator.train_ddp", description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", required=True, help="a checkpoint written by `train` (or by this tool): a file, or a folder (its latest file)")
    ap.add_argument("--out", required=True, help="checkpoint folder to write (new, or one this tool wrote; not a folder with best.safetensors)")
    ap.add_argument("--data", help="training TSV (default: the run's own corpus from train_config)")
    ap.add_argument("--source", help="or line-aligned files: source side ...")
    ap.add_argument("--target", help="... and target side")
    stop = ap.add_argument_group("when to stop (at least one)")
    stop.add_argument("--steps", type=int, help="stop at this many updates in total (counting the checkpoint's)")
    stop.add_argument("--epochs", type=int, help="stop after this many passes over the corpus (in this session)")
    stop.add_argument("--minutes", type=float, help="stop after this many minutes of training (in this session)")
    ap.add_argument("--save-every", type=int, default=500, help="write a checkpoint every N updates (default 500) and at the end")
    ap.add_argument("--keep", type=int, help="step files to keep (default: the run's keep)")
    ap.add_argument("--batch-tokens", type=int, help="token budget of ONE process's batch (default: the run's batchTokens)")
    ap.add_argument("--lr", type=float, help="new peak learning rate (kept in train_config, so `train --resume` uses it too)")
    ap.add_argument("--warmup", type=int, help="new warm-up steps (kept in train_config)")
    ap.add_argument("--seed", type=int, help="seed of the batch order and dropout (default: the run's seed)")
    ap.add_argument("--backend", choices=["auto", "gloo", "nccl"], default="auto", help="torch.distributed backend (default: nccl with CUDA, else gloo)")
    ap.add_argument("--threads", type=int, help="CPU threads per process (torch.set_num_threads)")
    ap.add_argument("--log-every", type=float, default=10, help="seconds between progress lines (default 10)")
    args = ap.parse_args(argv)
    if args.steps is None and args.epochs is None and args.minutes is None:
        ap.error("say when to stop: --steps N, --epochs N or --minutes M")
    if (args.source is None) != (args.target is None) or (args.data and args.source):
        ap.error("give --data FILE.tsv, or --source FILE and --target FILE, or neither (the run's corpus)")
    return args


class Setup:
    """The process's place in the job: rank, world size, device; initialises torch.distributed."""

    def __init__(self, backend):
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        self.local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        if backend == "auto":
            backend = "nccl" if torch.cuda.is_available() else "gloo"
        self.backend = backend
        if backend == "nccl":
            torch.cuda.set_device(self.local_rank)
            self.device = torch.device("cuda", self.local_rank)
        else:
            self.device = torch.device("cpu")
        if self.world > 1:
            dist.init_process_group(backend, timeout=datetime.timedelta(minutes=30))

    def log(self, text):
        if self.rank == 0:
            print(text, flush=True)

    def any(self, flag):
        """True on every process if `flag` is true on any (so all stop at the same update)."""
        if self.world == 1:
            return flag
        t = torch.tensor([1 if flag else 0], device=self.device)
        dist.all_reduce(t, op=dist.ReduceOp.MAX)
        return bool(t.item())

    def barrier(self):
        if self.world > 1:
            dist.barrier()

    def close(self):
        if self.world > 1 and dist.is_initialized():
            dist.destroy_process_group()


def corpus(args, config):
    """The parallel corpus to train on, and a name for it (to know when a saved position applies)."""
    if args.data:
        return data.read_tsv(args.data), args.data
    if args.source:
        return data.read_moses(args.source, args.target), f"{args.source}|{args.target}"
    if config.get("data"):
        return data.read_tsv(config["data"]), config["data"]
    if config.get("source") and config.get("target"):
        return data.read_moses(config["source"], config["target"]), f"{config['source']}|{config['target']}"
    raise data.CorpusError("the checkpoint names no training corpus: give --data FILE.tsv or --source/--target")


def main(argv=None):
    args = parse(argv if argv is not None else sys.argv[1:])
    if args.threads:
        torch.set_num_threads(args.threads)
    source = ckpt.latest(args.checkpoint)
    if os.path.exists(os.path.join(args.out, "best.safetensors")):
        sys.exit(f"train_ddp: {args.out} holds best.safetensors from a `train` run, which `translate` would keep "
                 "using; write to a new --out folder (and continue from there with `train --resume --out`)")
    setup = Setup(args.backend)
    try:
        return train(args, setup, source)
    except (ckpt.CheckpointError, data.CorpusError) as e:
        if setup.rank == 0:
            print(f"train_ddp: error: {e}", file=sys.stderr)
        return 1
    finally:
        setup.close()


def train(args, setup, source):
    run = TrainingRun(source, device=setup.device)
    run.set_learning_rate(args.lr, args.warmup)
    if run.notice:
        setup.log("warning: " + run.notice)
    config = run.train_config
    seed = args.seed if args.seed is not None else int(config.get("seed", 1))
    budget = args.batch_tokens or int(config["batchTokens"])
    pairs, corpus_name = corpus(args, config)
    encoded = data.encode_pairs(pairs, run.tokenizers, run.model_config["maxLength"] - 1)
    plan = data.plan_batches(encoded, budget, seed)
    dataset = data.BatchDataset(encoded, plan)
    sampler = DistributedSampler(dataset, num_replicas=setup.world, rank=setup.rank, shuffle=True, seed=seed)
    if setup.world > 1:
        run.forward = DistributedDataParallel(run.module, device_ids=[setup.local_rank] if setup.backend == "nccl" else None)

    position = {"epoch": 0, "batch": 0}
    saved = json.loads(run.meta["torch_state"]) if "torch_state" in run.meta else None
    if saved and (saved.get("data"), saved.get("worldSize"), saved.get("batchTokens"), saved.get("seed")) == (corpus_name, setup.world, budget, seed):
        position = {"epoch": saved["epoch"], "batch": saved["batch"]}
    folder = ckpt.CheckpointFolder(args.out) if setup.rank == 0 else None
    keep = args.keep or int(config.get("keep", 3))
    out_dir = args.out

    def save():
        if setup.rank == 0:
            extra = {"torch_state": {"data": corpus_name, "worldSize": setup.world, "batchTokens": budget, "seed": seed,
                                     "epoch": position["epoch"], "batch": position["batch"], "backend": setup.backend}}
            path = folder.save(run.tensors(), run.metadata(out_dir, extra), run.step, keep=keep)
            setup.log(f"saved {path}")
        setup.barrier()

    setup.log(f"continuing {source} at step {run.step}: {len(encoded)} pairs in {len(plan)} batches of ≤ {budget} tokens, "
              f"{setup.world} process(es) on {setup.backend} ({len(sampler)} batches each per epoch, effective batch ≤ {setup.world * budget} tokens)")
    start = time.perf_counter()
    epochs_done = 0
    last_log, last_saved = 0.0, run.step
    window = {"loss": 0.0, "n": 0, "tokens": 0, "t": time.perf_counter()}
    stop_reason = None
    if args.steps is not None and run.step >= args.steps:
        setup.log(f"the checkpoint is already at step {run.step} (--steps {args.steps}); nothing to do")
        return 0
    while stop_reason is None:
        sampler.set_epoch(position["epoch"])
        order = list(sampler)  # this process's batches of the epoch, in this epoch's order
        for i in range(position["batch"], len(order)):
            batch = {k: torch.from_numpy(v) if hasattr(v, "dtype") else v for k, v in dataset[order[i]].items()}
            torch.manual_seed(((seed * 1_000_003 + run.step + 1) * 1009 + setup.rank) % (1 << 63))
            result = run.train_step(batch)
            position["batch"] = i + 1
            if result["skipped"]:
                setup.log(f"warning: skipped update {run.step + 1}: loss {result['loss']} / gradient norm {result['grad_norm']} not finite ({run.bad_in_a_row} in a row)")
                if run.bad_in_a_row >= run.max_bad_steps:
                    setup.log(f"stopped: {run.bad_in_a_row} non-finite updates in a row; the last checkpoint is kept. Try a lower --lr")
                    return 3
                continue
            window["loss"] += result["loss"]
            window["n"] += 1
            window["tokens"] += result["tokens"]
            now = time.perf_counter()
            if now - last_log >= args.log_every:
                last_log = now
                setup.log(f"step {run.step}  epoch {position['epoch'] + 1}  loss {window['loss'] / max(1, window['n']):.3f}  lr {result['lr']:.2e}  "
                          f"{window['tokens'] / max(1e-9, now - window['t']):.0f} tok/s (all processes)  elapsed {now - start:.0f} s")
                window = {"loss": 0.0, "n": 0, "tokens": 0, "t": now}
            if args.steps is not None and run.step >= args.steps:
                stop_reason = "reached --steps"
            elif setup.any(args.minutes is not None and time.perf_counter() - start >= args.minutes * 60):
                stop_reason = "reached --minutes"
            if stop_reason:
                break
            if run.step - last_saved >= args.save_every:
                save()
                last_saved = run.step
        else:
            position = {"epoch": position["epoch"] + 1, "batch": 0}
            epochs_done += 1
            if args.epochs is not None and epochs_done >= args.epochs:
                stop_reason = "reached --epochs"
    save()
    setup.log(f"stopped: {stop_reason} at step {run.step} after {(time.perf_counter() - start) / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
