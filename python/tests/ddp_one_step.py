"""One update of a checkpoint on a split batch, for test_training.py (not a user tool).

    python ddp_one_step.py CHECKPOINT CORPUS.tsv OUT.safetensors SPLIT
    python -m torch.distributed.run --standalone --nproc_per_node=2 ddp_one_step.py ... SPLIT

The corpus's pairs form one batch; alone, the process trains on all of it; with two processes
(gloo), rank 0 trains on pairs [0, SPLIT) and rank 1 on [SPLIT, end), through DDP and the same
`TrainingRun.train_step` that train_ddp uses. Rank 0 writes the resulting tensors and the
update's loss and gradient norm (metadata "result") to OUT.
"""
import json
import os
import pathlib
import sys

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from tiny_translator import checkpoint, data  # noqa: E402
from tiny_translator.recipe import TrainingRun  # noqa: E402


def main(path, corpus, out, split):
    torch.set_num_threads(1)
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    if world > 1:
        dist.init_process_group("gloo")
    run = TrainingRun(path)
    if world > 1:
        run.forward = DistributedDataParallel(run.module)
    rows = data.encode_pairs(data.read_tsv(corpus), run.tokenizers, run.model_config["maxLength"] - 1)
    if world > 1:
        rows = rows[:split] if rank == 0 else rows[split:]
    batch = {k: torch.from_numpy(v) if hasattr(v, "dtype") else v for k, v in data.make_batch(rows).items()}
    result = run.train_step(batch)
    if rank == 0:
        checkpoint.write(out, run.tensors(), {"result": json.dumps(result)})
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
