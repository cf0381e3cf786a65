"""`train`'s recipe in PyTorch, and a training run restored from one of our checkpoints.

One update, as `train` does it (Sources/Training, documented in README and CHECKPOINT.md):
  loss   = label-smoothed cross-entropy (ε from train_config, target 1 − ε + ε/V on the true
           token, ε/V elsewhere: PyTorch's `label_smoothing`), summed over non-padding target
           tokens and divided by their number in the whole update
  skip   if the loss or the global gradient norm is not finite (the batch is consumed, the
           step count does not advance; `maxBadSteps` in a row stop training)
  clip   gradients × clipNorm / ‖g‖ when ‖g‖ > clipNorm (global L2 norm over all parameters)
  rate   lr(s) = peak · min(s / warmup, √(warmup / s)) for update s = 1, 2, …
         (train's --cooldown, off by default, is not part of this recipe: a run trained with it
         continues here without it, and `TrainingRun.notice` says so)
  Adam   β₁, β₂, ε from train_config, bias correction by the update count (torch.optim.Adam)
  EMA    average = d · average + (1 − d) · weights, d = min(decay, (1 + s) / (10 + s))

With N processes (DDP), each process computes the summed loss of its own batch; the token
count of the whole update is summed over processes first, so the averaged gradient is exactly
that of one process training on the union of the N batches.
"""
import json
import math
import time

import torch
import torch.distributed as dist
import torch.nn.functional as F

from . import checkpoint as ckpt
from .model import Transformer
from .tokenizer import TokenizerPair


def rate(step, peak, warmup):
    """Learning rate of update `step` (1-based): linear warm-up, then 1/√step."""
    s, w = max(1, step), max(1, warmup)
    return peak * min(s / w, math.sqrt(w / s))


def ema_decay(step, decay):
    """The averaging decay after update `step`: warms up as (1 + s) / (10 + s), capped at `decay`."""
    return min(decay, (1 + step) / (10 + step))


def loss_sum(model, batch, label_smoothing):
    """Summed label-smoothed loss of a batch (dict of tensors from data.make_batch) and its
    unsmoothed negative log-likelihood sum, both over non-padding target tokens."""
    logits = model(batch["source"], batch["target_input"])                     # [B, T, V]
    flat, target = logits.flatten(0, 1).float(), batch["target_output"].flatten()
    loss = F.cross_entropy(flat, target, ignore_index=0, label_smoothing=label_smoothing, reduction="sum")
    with torch.no_grad():
        nll = F.cross_entropy(flat, target, ignore_index=0, reduction="sum")
    return loss, nll


class TrainingRun:
    """Everything `train --resume` restores, in PyTorch: the model with the raw training weights,
    Adam with its moments and update count, the weight average, the run's settings and state.

    `module` is the plain model; `forward` is what computes the loss (the DDP wrapper when
    training on several processes, so its backward averages gradients across them)."""

    def __init__(self, path, device="cpu"):
        self.path = path
        meta, tensors = ckpt.read(path)
        for key in ("model_config", "tokenizers", "train_config", "training_state"):
            if key not in meta:
                raise ckpt.CheckpointError(f"{path}: no '{key}' metadata, so it cannot continue training; use a checkpoint written by `train`")
        self.meta = meta
        self.model_config = json.loads(meta["model_config"])
        self.train_config = json.loads(meta["train_config"])
        self.state = json.loads(meta["training_state"])
        self.tokenizers = TokenizerPair.from_json(meta["tokenizers"])
        self.device = torch.device(device)
        self.module = Transformer(self.model_config).to(self.device)
        self.forward = self.module
        names = [n for n, _ in self.module.named_parameters()]
        for n in names:
            for key in ("adam.m." + n, "adam.v." + n):
                if key not in tensors:
                    raise ckpt.CheckpointError(f"{path}: optimizer state '{key}' is missing, so training cannot continue exactly")
        decay = self.train_config.get("emaDecay") or 0
        self.ema_decay = decay if decay > 0 else 0
        has_raw = all("raw." + n in tensors for n in names)
        # With averaging, the model's own names hold the average and raw.* the training weights.
        self.module.load_tensors({n: tensors["raw." + n] if self.ema_decay and has_raw else tensors[n] for n in names})
        self.average = None
        if self.ema_decay:
            self.average = {n: torch.as_tensor(tensors[n]).to(self.device).clone() for n in names}
        opt = self.train_config["optimizer"]
        self.peak, self.warmup, self.clip = opt["learningRate"], opt["warmupSteps"], opt["clipNorm"]
        # The cooldown's horizon is the Swift run's --minutes or --steps, which mean something
        # else here, so the recipe does not guess it; it says what it will do instead.
        cooldown = opt.get("cooldown") or 0
        self.notice = (f"{path} was trained with --cooldown {cooldown} (the rate falls to zero over the last part of the run); "
                       "this PyTorch recipe continues it with warm-up + 1/√step and no cooldown" if cooldown else None)
        self.label_smoothing = float(self.train_config.get("labelSmoothing", 0))
        self.max_bad_steps = int(self.train_config.get("maxBadSteps", 5))
        self.step = int(self.state["step"])
        params = list(self.module.parameters())
        self.optimizer = torch.optim.Adam(params, lr=rate(self.step + 1, self.peak, self.warmup),
                                          betas=(opt["beta1"], opt["beta2"]), eps=opt["epsilon"])
        for n, p in self.module.named_parameters():
            self.optimizer.state[p] = {
                "step": torch.tensor(float(self.step)),
                "exp_avg": torch.as_tensor(tensors["adam.m." + n]).to(self.device).clone(),
                "exp_avg_sq": torch.as_tensor(tensors["adam.v." + n]).to(self.device).clone(),
            }
        self.bad_in_a_row = 0
        self.seconds = 0.0
        self.tokens = 0

    def set_learning_rate(self, peak=None, warmup=None):
        """Overrides the schedule (saved in train_config, so `train --resume` keeps it)."""
        if peak is not None:
            self.peak = self.train_config["optimizer"]["learningRate"] = float(peak)
        if warmup is not None:
            self.warmup = self.train_config["optimizer"]["warmupSteps"] = int(warmup)

    def _all_sum(self, values):
        t = torch.tensor(values, dtype=torch.float64, device=self.device)
        if dist.is_available() and dist.is_initialized():
            dist.all_reduce(t)
        return t.tolist()

    def train_step(self, batch):
        """One update on this process's `batch` (all processes call it together). Returns a dict:
        loss (label-smoothed, per token of the whole update), tokens, grad_norm, lr, skipped."""
        t0 = time.perf_counter()
        self.module.train()
        world = dist.get_world_size() if dist.is_available() and dist.is_initialized() else 1
        batch = {k: (v.to(self.device) if torch.is_tensor(v) else v) for k, v in batch.items()}
        target_tokens, tokens_seen = self._all_sum([batch["target_tokens"], batch["target_tokens"] + batch["source_tokens"]])
        loss, _ = loss_sum(self.forward, batch, self.label_smoothing)
        # DDP averages gradients over processes; scaling by world / total tokens makes that
        # average the gradient of (summed loss of all batches) / (their token count).
        (loss * (world / target_tokens)).backward()
        (loss_total,) = self._all_sum([loss.item()])
        mean_loss = loss_total / target_tokens
        grads = [p.grad for p in self.module.parameters() if p.grad is not None]
        # Per-tensor sums of squares, added in float64 (as train does), read back once.
        norm = float(torch.stack([(g.float() ** 2).sum() for g in grads]).double().sum().sqrt()) if grads else 0.0
        lr = rate(self.step + 1, self.peak, self.warmup)
        if not (math.isfinite(mean_loss) and math.isfinite(norm)):
            self.optimizer.zero_grad(set_to_none=True)
            self.state["skippedSteps"] = int(self.state.get("skippedSteps", 0)) + 1
            self.bad_in_a_row += 1
            return {"loss": mean_loss, "tokens": int(tokens_seen), "grad_norm": norm, "lr": lr, "skipped": True}
        self.bad_in_a_row = 0
        if self.clip > 0 and norm > self.clip:
            for g in grads:
                g.mul_(self.clip / norm)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        self.step += 1
        if self.average is not None:
            d = ema_decay(self.step, self.ema_decay)
            with torch.no_grad():
                for n, p in self.module.named_parameters():
                    self.average[n].mul_(d).add_(p.detach(), alpha=1 - d)
        self.tokens += int(tokens_seen)
        self.seconds += time.perf_counter() - t0
        return {"loss": mean_loss, "tokens": int(tokens_seen), "grad_norm": norm, "lr": lr, "skipped": False}

    def tensors(self):
        """The checkpoint's tensors in file order: the model (the average, with EMA), Adam's
        moments per parameter, then the raw training weights (with EMA)."""
        out = {}
        named = list(self.module.named_parameters())
        for n, p in named:
            out[n] = (self.average[n] if self.average is not None else p.detach()).cpu().numpy()
        for n, p in named:
            st = self.optimizer.state[p]
            out["adam.m." + n] = st["exp_avg"].cpu().numpy()
            out["adam.v." + n] = st["exp_avg_sq"].cpu().numpy()
        if self.average is not None:
            for n, p in named:
                out["raw." + n] = p.detach().cpu().numpy()
        return out

    def metadata(self, out_dir, extra=None):
        """Metadata strings for a checkpoint of the current state: the model config and tokenizers
        as loaded, train_config with this run's folder, training_state with the new step."""
        state = dict(self.state)
        state["step"] = self.step
        state["tokensSeen"] = int(self.state.get("tokensSeen", 0)) + self.tokens
        state["trainSeconds"] = float(self.state.get("trainSeconds", 0.0)) + self.seconds
        config = dict(self.train_config)
        config["out"] = out_dir
        dump = lambda o: json.dumps(o, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        meta = {"model_config": self.meta["model_config"], "tokenizers": self.meta["tokenizers"],
                "train_config": dump(config), "training_state": dump(state)}
        for k, v in (extra or {}).items():
            meta[k] = v if isinstance(v, str) else dump(v)
        return meta
