"""Our checkpoint files from Python (docs/CHECKPOINT.md §1, §6) and the page's worked example.

- A file `train` wrote passes our verification; a file we write passes `inspect --verify`,
  loads in the `safetensors` package, and reads back bit for bit.
- Damage is refused: a flipped data byte (tensor CRC), an edited header value (header CRC).
- The worked example of CHECKPOINT.md is what its command writes now (scripts/checkpoint_example.py).
"""
import json
import subprocess
import sys

import pytest

np = pytest.importorskip("numpy", reason="NumPy is not installed: pip install -r python/requirements.txt")

from conftest import DATA, ROOT, run, tool, train_tokenizers  # noqa: E402
from tiny_translator import checkpoint  # noqa: E402


@pytest.fixture(scope="module")
def swift_file(work):
    folder = train_tokenizers(work / "ck-word", DATA / "valid.tsv", DATA / "test.tsv", ["--tokenizer", "word"])
    return checkpoint.latest(str(folder))


def test_reads_and_verifies_train_output(swift_file):
    meta, tensors = checkpoint.read(swift_file)
    assert meta["format"] == checkpoint.FORMAT
    assert "encoder.embedding.weight" in tensors and all(a.dtype == np.float32 for a in tensors.values())
    _, entries, _, _ = checkpoint.read_header(swift_file)
    assert checkpoint.header_crc(meta, entries) == meta["header_crc32"]


def test_written_file_passes_inspect_and_safetensors(swift_file, work):
    meta, tensors = checkpoint.read(swift_file)
    meta = {k: v for k, v in meta.items() if k not in checkpoint.RESERVED}
    meta["training_state"] = json.dumps(json.loads(meta["training_state"]))  # another JSON spelling
    out = work / "rewritten.safetensors"
    checkpoint.write(out, tensors, meta)
    assert "OK" in run([tool("inspect"), "--verify", out]).stdout
    run([tool("translate"), "--checkpoint", out, "--quiet", "Hello."])
    meta2, back = checkpoint.read(str(out))
    assert list(back) == list(tensors)
    for n in tensors:
        assert np.array_equal(back[n], tensors[n])
    safetensors_numpy = pytest.importorskip("safetensors.numpy", reason="safetensors is not installed: pip install -r python/requirements.txt")
    loaded = safetensors_numpy.load_file(str(out))
    assert np.array_equal(loaded["decoder.norm.weight"], tensors["decoder.norm.weight"])


def test_damage_is_refused(swift_file, work):
    raw = bytearray(open(swift_file, "rb").read())
    _, entries, start, _ = checkpoint.read_header(swift_file)
    flipped = bytearray(raw)
    flipped[start + entries[3][3] + 5] ^= 0x10
    bad = work / "flipped.safetensors"
    bad.write_bytes(flipped)
    with pytest.raises(checkpoint.CheckpointError, match=entries[3][0].replace(".", r"\.")):
        checkpoint.read(str(bad))
    edited = bytes(raw).replace(rb'\"heads\":1', rb'\"heads\":3', 1)  # same length, the JSON stays valid
    assert edited != bytes(raw)
    bad.write_bytes(edited)
    with pytest.raises(checkpoint.CheckpointError, match="header_crc32"):
        checkpoint.read(str(bad))


def test_checkpoint_md_example_is_current():
    # Runs the page's command and compares every generated part (timing figures aside).
    tool("train")
    p = subprocess.run([sys.executable, str(ROOT / "scripts" / "checkpoint_example.py"), "--check"], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
