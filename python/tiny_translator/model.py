"""The Transformer of docs/CHECKPOINT.md §3-4 as a PyTorch module.

Parameter names (`model.state_dict()` keys) are exactly the checkpoint's tensor names, and
`model.named_parameters()` lists them in the file's order, so loading and saving are a dict copy.

Shape legend: B batch, S source positions, T target positions, D model width, H heads,
K = D/H head width, F feed-forward width, V vocabulary.

Dropout sits where `train` puts it: on the embeddings (after adding positions), on the
attention weights, on the feed-forward hidden units and on each sublayer's output before the
residual add (x + Dropout(Sublayer(LN(x))), pre-norm).
"""
import math

import torch
import torch.nn.functional as F
from torch import nn

PAD, BOS, EOS = 0, 2, 3


def position_table(length, dim):
    """PE[p, 2i] = sin(p / 10000^(2i/D)), PE[p, 2i+1] = cos(...), p = 0..length-1, float32 [L, D],
    computed in float64 then rounded as the Swift model does."""
    pe = torch.zeros(length, dim, dtype=torch.float64)
    pos = torch.arange(length, dtype=torch.float64)[:, None]
    i = torch.arange(0, dim, 2, dtype=torch.float64)
    angle = pos / torch.pow(torch.tensor(10000.0, dtype=torch.float64), i / dim)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)[:, : dim // 2]
    return pe.float()


class Attention(nn.Module):
    def __init__(self, d, heads, dropout):
        super().__init__()
        self.query, self.key, self.value, self.output = (nn.Linear(d, d) for _ in range(4))
        self.heads, self.dropout = heads, dropout

    def forward(self, x, memory, allowed):
        """x [B, T, D] queries, memory [B, S, D], allowed bool broadcastable to [B, H, T, S]."""
        b, t, d = x.shape
        h = self.heads
        q = self.query(x).view(b, t, h, d // h).transpose(1, 2)                # [B, H, T, K]
        k = self.key(memory).view(b, -1, h, d // h).transpose(1, 2)           # [B, H, S, K]
        v = self.value(memory).view(b, -1, h, d // h).transpose(1, 2)         # [B, H, S, K]
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(d // h)                  # [B, H, T, S]
        scores = scores.masked_fill(~allowed, float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        # A row with every key masked gets zero weights, not NaN (§4).
        weights = weights.masked_fill(~allowed.any(dim=-1, keepdim=True), 0.0)
        weights = F.dropout(weights, self.dropout, self.training)
        mixed = (weights @ v).transpose(1, 2).reshape(b, t, d)                 # [B, T, D]
        return self.output(mixed)


class FeedForward(nn.Module):
    def __init__(self, d, f, dropout):
        super().__init__()
        self.hidden, self.output = nn.Linear(d, f), nn.Linear(f, d)
        self.dropout = dropout

    def forward(self, x):
        return self.output(F.dropout(torch.relu(self.hidden(x)), self.dropout, self.training))


class EncoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, eps = c["modelDim"], c["layerNormEpsilon"]
        self.self_norm = nn.LayerNorm(d, eps=eps)
        setattr(self, "self", Attention(d, c["heads"], c["dropout"]))
        self.ff_norm = nn.LayerNorm(d, eps=eps)
        self.ff = FeedForward(d, c["feedForwardDim"], c["dropout"])
        self.dropout = c["dropout"]

    def forward(self, x, src_allowed):
        n = self.self_norm(x)
        x = x + F.dropout(getattr(self, "self")(n, n, src_allowed), self.dropout, self.training)
        return x + F.dropout(self.ff(self.ff_norm(x)), self.dropout, self.training)


class DecoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, eps = c["modelDim"], c["layerNormEpsilon"]
        self.self_norm = nn.LayerNorm(d, eps=eps)
        setattr(self, "self", Attention(d, c["heads"], c["dropout"]))
        self.cross_norm = nn.LayerNorm(d, eps=eps)
        self.cross = Attention(d, c["heads"], c["dropout"])
        self.ff_norm = nn.LayerNorm(d, eps=eps)
        self.ff = FeedForward(d, c["feedForwardDim"], c["dropout"])
        self.dropout = c["dropout"]

    def forward(self, y, memory, tgt_allowed, src_allowed):
        n = self.self_norm(y)
        y = y + F.dropout(getattr(self, "self")(n, n, tgt_allowed), self.dropout, self.training)
        y = y + F.dropout(self.cross(self.cross_norm(y), memory, src_allowed), self.dropout, self.training)
        return y + F.dropout(self.ff(self.ff_norm(y)), self.dropout, self.training)


class Stack(nn.Module):
    def __init__(self, vocab, layers, c, layer):
        super().__init__()
        self.embedding = nn.Embedding(vocab, c["modelDim"])
        self.layers = nn.ModuleList(layer(c) for _ in range(layers))
        self.norm = nn.LayerNorm(c["modelDim"], eps=c["layerNormEpsilon"])


class Transformer(nn.Module):
    """Built from a checkpoint's `model_config` (a dict); weights come from `load_tensors`."""

    def __init__(self, config):
        super().__init__()
        c = dict(config)
        self.config = c
        self.encoder = Stack(c["sourceVocabSize"], c["encoderLayers"], c, EncoderLayer)
        self.decoder = Stack(c["targetVocabSize"], c["decoderLayers"], c, DecoderLayer)
        if c.get("shareEmbeddings", False):
            # One matrix for both languages (and the output when tied): named_parameters() lists
            # it once, as encoder.embedding.weight, the checkpoint's only embedding tensor.
            self.decoder.embedding = self.encoder.embedding
        if not c["tieOutputEmbedding"]:
            self.output = nn.Linear(c["modelDim"], c["targetVocabSize"])
        self.register_buffer("positions", position_table(c["maxLength"], c["modelDim"]), persistent=False)

    def embed(self, table, ids):
        d = self.config["modelDim"]
        x = table(ids) * math.sqrt(d) + self.positions[: ids.shape[1]]
        return F.dropout(x, self.config["dropout"], self.training)

    def encode(self, source):
        """source [B, S] ids (0 = padding) -> memory [B, S, D], src_allowed [B, 1, 1, S]."""
        src_allowed = (source != PAD)[:, None, None, :]
        x = self.embed(self.encoder.embedding, source)
        for layer in self.encoder.layers:
            x = layer(x, src_allowed)
        return self.encoder.norm(x), src_allowed

    def decode(self, target_input, memory, src_allowed):
        """target_input [B, T] (<s> + target) -> decoder states [B, T, D]."""
        t = target_input.shape[1]
        causal = torch.ones(t, t, dtype=torch.bool, device=target_input.device).tril()
        tgt_allowed = causal[None, None] & (target_input != PAD)[:, None, None, :]
        y = self.embed(self.decoder.embedding, target_input)
        for layer in self.decoder.layers:
            y = layer(y, memory, tgt_allowed, src_allowed)
        return self.decoder.norm(y)

    def logits(self, states):
        if self.config["tieOutputEmbedding"]:
            return states @ self.decoder.embedding.weight.t()
        return self.output(states)

    def forward(self, source, target_input):
        memory, src_allowed = self.encode(source)
        return self.logits(self.decode(target_input, memory, src_allowed))  # [B, T, V]

    @torch.no_grad()
    def load_tensors(self, tensors):
        """Copies checkpoint tensors (name -> array) into the parameters; every parameter must be
        present with its exact shape."""
        for name, p in self.named_parameters():
            if name not in tensors:
                raise KeyError(f"tensor '{name}' is missing (expected shape {list(p.shape)})")
            t = torch.as_tensor(tensors[name])
            if list(t.shape) != list(p.shape):
                raise ValueError(f"tensor '{name}' has shape {list(t.shape)}, the model config needs {list(p.shape)}")
            p.copy_(t)
