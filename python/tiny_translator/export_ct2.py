"""Our checkpoint -> a CTranslate2 model directory, for serving.

    python -m tiny_translator.export_ct2 CHECKPOINT OUTDIR [--int8] [--force]

    from tiny_translator.export_ct2 import convert
    convert("checkpoints/tatoeba", "serve/tatoeba-ct2", quantization="int8")

CHECKPOINT is a file or a training folder (its best, else latest file, as `translate` picks).
The mapping (docs/CHECKPOINT.md §3-4 onto CTranslate2's TransformerSpec):

- pre-norm encoder/decoder, ReLU feed-forward, LayerNorm ε = layerNormEpsilon;
- query/key/value of self-attention fused into one linear ([q; k; v] rows), key/value of
  cross-attention fused ([k; v]); output projection = `output.*`, or the target embedding
  (no bias) when the output is tied;
- embeddings are stored unscaled: CTranslate2 multiplies them by √D itself (scale_embeddings);
- positions: our table (sin in even, cos in odd columns, position 0 = first token) is given
  explicitly, since CTranslate2's built-in one is laid out differently (sin and cos halves);
- vocabularies: the tokenizers' token strings, so token i of the model is our id i; the
  decoder starts from `<s>`, and nothing is added to the source (no `<s>`, no `</s>`).

Beside CTranslate2's files, OUTDIR/tiny_translator.json keeps our tokenizers and model config,
which `translate_ct2` needs to turn text into pieces and to set the length limits.
"""
import argparse
import json
import os
import sys

import numpy as np

from . import checkpoint as ckpt
from .model import position_table

SIDECAR = "tiny_translator.json"


def _linear(spec, t, name, bias=True):
    spec.weight = t[name + ".weight"]
    if bias:
        spec.bias = t[name + ".bias"]


def _fused(spec, t, names):
    spec.weight = np.concatenate([t[n + ".weight"] for n in names], axis=0)
    spec.bias = np.concatenate([t[n + ".bias"] for n in names], axis=0)


def _norm(spec, t, name):
    spec.gamma = t[name + ".weight"]
    spec.beta = t[name + ".bias"]



def embedding_name(config, side):
    """The tensor holding `side`'s token vectors: with shared embeddings (model_config
    shareEmbeddings) the decoder reads the encoder's matrix, the only one in the file."""
    return "encoder.embedding.weight" if config.get("shareEmbeddings", False) else f"{side}.embedding.weight"

def build_spec(meta, tensors):
    """A ctranslate2 TransformerSpec holding the model of a checkpoint (metadata, tensors)."""
    from ctranslate2.specs import common_spec, transformer_spec

    c = json.loads(meta["model_config"])
    vocab = json.loads(meta["tokenizers"])
    if c["encoderLayers"] < 1 or c["decoderLayers"] < 1:
        raise ValueError("CTranslate2 needs at least one encoder and one decoder layer; this model has "
                         f"{c['encoderLayers']} + {c['decoderLayers']}")
    spec = transformer_spec.TransformerSpec.from_config((c["encoderLayers"], c["decoderLayers"]), c["heads"],
                                                        pre_norm=True, activation=common_spec.Activation.RELU)
    pe = position_table(c["maxLength"], c["modelDim"]).numpy()
    for side, stack in (("encoder", spec.encoder), ("decoder", spec.decoder)):
        emb = stack.embeddings[0] if isinstance(stack.embeddings, list) else stack.embeddings
        emb.weight = tensors[embedding_name(c, side)]
        stack.scale_embeddings = True
        stack.position_encodings.encodings = pe
        _norm(stack.layer_norm, tensors, f"{side}.norm")
    for i, layer in enumerate(spec.encoder.layer):
        p = f"encoder.layers.{i}"
        _norm(layer.self_attention.layer_norm, tensors, p + ".self_norm")
        _fused(layer.self_attention.linear[0], tensors, [f"{p}.self.{k}" for k in ("query", "key", "value")])
        _linear(layer.self_attention.linear[1], tensors, p + ".self.output")
        _norm(layer.ffn.layer_norm, tensors, p + ".ff_norm")
        _linear(layer.ffn.linear_0, tensors, p + ".ff.hidden")
        _linear(layer.ffn.linear_1, tensors, p + ".ff.output")
    for j, layer in enumerate(spec.decoder.layer):
        p = f"decoder.layers.{j}"
        _norm(layer.self_attention.layer_norm, tensors, p + ".self_norm")
        _fused(layer.self_attention.linear[0], tensors, [f"{p}.self.{k}" for k in ("query", "key", "value")])
        _linear(layer.self_attention.linear[1], tensors, p + ".self.output")
        _norm(layer.attention.layer_norm, tensors, p + ".cross_norm")
        _linear(layer.attention.linear[0], tensors, p + ".cross.query")
        _fused(layer.attention.linear[1], tensors, [f"{p}.cross.{k}" for k in ("key", "value")])
        _linear(layer.attention.linear[2], tensors, p + ".cross.output")
        _norm(layer.ffn.layer_norm, tensors, p + ".ff_norm")
        _linear(layer.ffn.linear_0, tensors, p + ".ff.hidden")
        _linear(layer.ffn.linear_1, tensors, p + ".ff.output")
    if c["tieOutputEmbedding"]:
        spec.decoder.projection.weight = tensors[embedding_name(c, "decoder")]
    else:
        _linear(spec.decoder.projection, tensors, "output")
    spec.config.layer_norm_epsilon = float(c["layerNormEpsilon"])
    spec.config.decoder_start_token = "<s>"
    spec.config.add_source_bos = False
    spec.config.add_source_eos = False
    source = vocab["source"]["model"]["vocabulary"]["tokens"]
    target = vocab.get("target", vocab["source"])["model"]["vocabulary"]["tokens"]
    spec.register_source_vocabulary(source)
    spec.register_target_vocabulary(target)
    return spec


def convert(checkpoint_path, out_dir, quantization=None, force=False):
    """Writes the CTranslate2 model of `checkpoint_path` (file or folder) to `out_dir` and returns
    `out_dir`. `quantization`: None (float32 weights), "int8", or any CTranslate2 weight type."""
    import ctranslate2

    path = ckpt.resolve(str(checkpoint_path))
    meta, tensors = ckpt.read(path)
    model_names = {n: t for n, t in tensors.items() if ckpt.is_model_tensor(n)}

    class _Converter(ctranslate2.converters.Converter):
        def _load(self):
            return build_spec(meta, model_names)

    out = _Converter().convert(str(out_dir), quantization=quantization, force=force)
    with open(os.path.join(out, SIDECAR), "w", encoding="utf-8") as f:
        json.dump({"checkpoint": os.path.abspath(path), "model_config": meta["model_config"],
                   "tokenizers": meta["tokenizers"], "quantization": quantization or "float32"}, f, ensure_ascii=False)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m tiny_translator.export_ct2", description=__doc__.split("\n\n")[0])
    ap.add_argument("checkpoint", help="a .safetensors file, or a training folder (best, else latest)")
    ap.add_argument("out", help="the CTranslate2 model directory to write")
    ap.add_argument("--int8", action="store_true", help="store int8 weights (smaller, faster on CPU; close to float32)")
    ap.add_argument("--force", action="store_true", help="replace OUTDIR if it exists")
    args = ap.parse_args(argv)
    try:
        out = convert(args.checkpoint, args.out, quantization="int8" if args.int8 else None, force=args.force)
    except (ckpt.CheckpointError, ValueError, RuntimeError) as e:
        sys.exit(f"export_ct2: error: {e}")
    print(f"wrote {out} ({'int8' if args.int8 else 'float32'} weights)")


if __name__ == "__main__":
    main()
