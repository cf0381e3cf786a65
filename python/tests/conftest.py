"""Shared pieces of the bridge tests: paths, the built Swift executables, small checkpoints made
by `train`, and the figures the tests report (printed at the end of the pytest run).

The tests call our executables from .build/release (`make test` builds them first) and skip,
naming what to do, when something they need is missing: a Python package
(`pip install -r python/requirements.txt`), the executables (`make build`), or the Tatoeba
corpus (../shared/corpora/tatoeba-eng-fra, or TATOEBA=DIR).
"""
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))
BIN = ROOT / ".build" / "release"
TATOEBA = pathlib.Path(os.environ.get("TATOEBA", ROOT.parent / "shared" / "corpora" / "tatoeba-eng-fra"))
DATA = ROOT / "data"
STRESS = ROOT / "python" / "tests" / "data" / "stress.txt"

FIGURES = []


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.write_sep("-", "figures measured by the bridge tests")
        for line in FIGURES:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def report():
    """report(line): a figure to print at the end of the run (and to quote in a report)."""
    return FIGURES.append


def tool(name):
    path = BIN / name
    if not path.exists():
        pytest.skip(f"{path} is missing: run `make build` first (make test does)")
    return str(path)


def run(args, **kw):
    """Runs a command, failing the test with its output when it fails."""
    p = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kw)
    if p.returncode != 0:
        pytest.fail(f"{' '.join(map(str, args))} exited {p.returncode}\nstdout: {p.stdout[-3000:]}\nstderr: {p.stderr[-3000:]}")
    return p


def tatoeba():
    if not (TATOEBA / "train.tsv").exists():
        pytest.skip(f"Tatoeba corpus not found at {TATOEBA}: put it there or set TATOEBA=DIR")
    return TATOEBA


TINY_MODEL = ["--model-dim", "8", "--heads", "1", "--layers", "1", "--ff-dim", "8", "--steps", "1",
              "--valid-every", "1", "--bleu-sentences", "1", "--threads", "1", "--quiet"]


def train_tokenizers(out, data, valid, args):
    """A checkpoint of a tiny model whose tokenizers `train` learned from `data` with `args`:
    the tokenizer is what matters, the weights are one update old."""
    if not (out / "checkpoints.json").exists():
        run([tool("train"), "--data", data, "--valid", valid, "--out", out] + TINY_MODEL + args)
    return out


@pytest.fixture(scope="session")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("bridge")


def copy_run(src, dst):
    shutil.copytree(src, dst)
    lock = pathlib.Path(dst) / "train.lock"
    if lock.exists():
        lock.unlink()
    return pathlib.Path(dst)
