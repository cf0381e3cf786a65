"""The Python bridge of tiny-translator: our checkpoints in PyTorch (continue training on N
processes with DDP) and in CTranslate2 (serving), and back.

Written from docs/CHECKPOINT.md and docs/TOKENIZER.md, not from the Swift sources:

- `tokenizer`   text -> pieces -> ids and back, exactly as the Swift tokenizers (docs/TOKENIZER.md)
- `checkpoint`  read and write our safetensors files with their integrity record, checkpoint folders
- `model`       the Transformer as a PyTorch module, parameters named as in the file
- `recipe`      the training recipe: loss, learning-rate schedule, clipping, Adam, EMA
- `data`        corpus reading and token-budget batches for N processes
- `train_ddp`   the `torchrun` entry point (continue training, write our format back)
- `export_ct2`  checkpoint -> CTranslate2 model directory (float32, or int8)
- `translate_ct2` translate with a CTranslate2 model and our tokenizer, decoding as `translate`
- `average`     checkpoint averaging: the mean of several checkpoints' weights, one file
- `bleu`        corpus BLEU as sacreBLEU's default (what `translate --tsv` prints)
"""
