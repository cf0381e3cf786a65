"""Checkpoint averaging (python -m tiny_translator.average).

- The output's weights are the element-wise mean of the inputs' raw weights (`raw.*` of an
  --ema run), or of their saved averages with --weights ema; it holds only the model's tensors
  and passes `inspect --verify` and `translate`.
- `--last N --up-to STEP` picks the N highest step files at or below STEP.
- Checkpoints of different models are refused, naming the file and what differs.
"""
import json
import os

import pytest

np = pytest.importorskip("numpy", reason="NumPy is not installed: pip install -r python/requirements.txt")

from conftest import DATA, run, tool, train_tokenizers  # noqa: E402
from tiny_translator import average, checkpoint  # noqa: E402


@pytest.fixture(scope="module")
def two_files(work):
    """A file `train` wrote and a copy whose raw weights are 3x and averaged weights 5x its own."""
    folder = train_tokenizers(work / "avg-run", DATA / "valid.tsv", DATA / "test.tsv", ["--tokenizer", "word"])
    first = checkpoint.latest(str(folder))
    meta, tensors = checkpoint.read(first)
    assert any(n.startswith("raw.") for n in tensors), "train's default (--ema) should keep raw weights"
    scaled = {n: a * (3 if n.startswith("raw.") else 5) for n, a in tensors.items()}
    second = work / "avg-scaled.safetensors"
    checkpoint.write(str(second), scaled, {k: v for k, v in meta.items() if k not in checkpoint.RESERVED})
    return first, str(second), tensors


def test_mean_of_raw_weights_and_of_averages(two_files, work):
    first, second, tensors = two_files
    out = work / "avg-raw.safetensors"
    average.main([str(out), first, second])
    meta, mean = checkpoint.read(str(out))
    names = [n for n in tensors if not n.startswith(("raw.", "adam."))]
    assert list(mean) == names
    for n in names:
        np.testing.assert_allclose(mean[n], 2 * tensors["raw." + n], rtol=1e-6, atol=1e-7)
    assert json.loads(meta["averaged_from"])["files"] == [os.path.basename(first), os.path.basename(second)]
    assert "OK" in run([tool("inspect"), "--verify", out]).stdout
    run([tool("translate"), "--checkpoint", out, "--quiet", "Hello."])
    ema_out = work / "avg-ema.safetensors"
    average.main([str(ema_out), first, second, "--weights", "ema"])
    _, ema_mean = checkpoint.read(str(ema_out))
    for n in names:
        np.testing.assert_allclose(ema_mean[n], 3 * tensors[n], rtol=1e-6, atol=1e-7)


def test_last_n_up_to_a_step(work):
    folder = work / "avg-steps"
    folder.mkdir()
    for step in (1000, 2000, 2769, 3000):
        (folder / f"step-{step:08d}.safetensors").write_bytes(b"")
    picked = average.last_steps(str(folder), 2, up_to=2999)
    assert [os.path.basename(p) for p in picked] == ["step-00002000.safetensors", "step-00002769.safetensors"]
    with pytest.raises(checkpoint.CheckpointError, match="3 step checkpoint"):
        average.last_steps(str(folder), 4, up_to=2999)


def test_different_models_are_refused(two_files, work):
    first, _, tensors = two_files
    meta, _ = checkpoint.read(first)
    config = json.loads(meta["model_config"])
    config["dropout"] = 0.3
    other = work / "avg-other-config.safetensors"
    changed = {k: v for k, v in meta.items() if k not in checkpoint.RESERVED}
    changed["model_config"] = json.dumps(config)
    checkpoint.write(str(other), tensors, changed)
    with pytest.raises(checkpoint.CheckpointError, match="model_config differs"):
        average.average([first, str(other)])
