#!/usr/bin/env python3
"""Regenerates the worked example of docs/CHECKPOINT.md from the command the page names.

    python3 scripts/checkpoint_example.py           # rewrite the example parts of the page
    python3 scripts/checkpoint_example.py --check   # exit 1 if the page differs (the test runs this)

Runs `train` (from .build/release; `make build` first) with COMMAND in a scratch folder that
sees the repository's data/ as ./data, so the file is the one that command writes in the
repository root. Each generated part of the page sits between <!--ex:NAME--> and <!--/ex:NAME-->.
Figures that vary from run to run — the seconds spent training, hence the header length and
file size — are shown as that run measured them and ignored by --check, as are the validation
metrics, which are rounded and could move in the last digit on another CPU. Everything else
(vocabulary sizes, parameter and tensor counts, every setting, step and token counts) must match.
Needs only the Python standard library.
"""
import json
import pathlib
import re
import struct
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "CHECKPOINT.md"
COMMAND = ["--data", "data/train.tsv", "--valid", "data/valid.tsv", "--out", "ck", "--tokenizer", "word",
           "--model-dim", "32", "--heads", "2", "--layers", "1", "--steps", "20", "--valid-every", "20"]
REGION = re.compile(r"<!--ex:([a-z-]+)-->(.*?)<!--/ex:\1-->", re.S)


def run_train(folder):
    (folder / "data").symlink_to(ROOT / "data")
    train = ROOT / ".build" / "release" / "train"
    if not train.exists():
        sys.exit(f"{train} is missing: run `make build` first")
    subprocess.run([str(train)] + COMMAND + ["--quiet"], cwd=folder, check=True, capture_output=True)
    return folder / "ck" / "step-00000020.safetensors"


def read_header(path):
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    return raw, n, header.pop("__metadata__"), header


def swift_json(obj):
    """JSON as Swift's JSONEncoder with sorted keys writes these objects (no floats in them)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).replace("/", "\\/")


def spaced(n):
    return f"{n:,}".replace(",", " ")


def replace_object(text, key, placeholder):
    """`text` with the JSON object value of "key" replaced by `placeholder` (brace matching)."""
    i = text.index(f'"{key}":{{') + len(key) + 3
    depth, j = 0, i
    while True:
        depth += {"{": 1, "}": -1}.get(text[j], 0)
        j += 1
        if depth == 0:
            return text[:i] + placeholder + text[j:]


def wrap(text, width=110, indent=" "):
    """Breaks a compact JSON line after commas so no line is much longer than `width`."""
    lines, line = [], ""
    for part in re.split(r"(?<=,)", text):
        if line and len(line) + len(part) > width:
            lines.append(line)
            line = indent
        line += part
    return "\n".join(lines + [line])


def shorten_vocab(tok, head=8):
    tokens = tok["model"]["vocabulary"]["tokens"]
    tok["model"]["vocabulary"]["tokens"] = tokens[:head] + ["…"] + tokens[-1:]
    if "merges" in tok["model"]:
        tok["model"]["merges"] = tok["model"]["merges"][:2] + [["…"]]
    return tok


def generate(path):
    raw, n, meta, tensors = read_header(path)
    model = json.loads(meta["model_config"])
    tok = json.loads(meta["tokenizers"])
    entries = sorted(tensors.items(), key=lambda kv: kv[1]["data_offsets"][0])
    elements = {name: 1 for name in tensors}
    for name, t in tensors.items():
        for d in t["shape"]:
            elements[name] *= d
    params = sum(c for name, c in elements.items() if not name.startswith(("adam.", "raw.")))
    model_tensors = sum(1 for name in tensors if not name.startswith(("adam.", "raw.")))
    D, F, Vs, Vt = model["modelDim"], model["feedForwardDim"], model["sourceVocabSize"], model["targetVocabSize"]
    Ne, Nd = model["encoderLayers"], model["decoderLayers"]
    formula = Vs * D + Vt * D + Ne * (4 * D * D + 2 * D * F + 9 * D + F) + Nd * (8 * D * D + 2 * D * F + 15 * D + F) + 4 * D
    if not model["tieOutputEmbedding"]:
        formula += Vt * D + Vt
    if formula != params:
        sys.exit(f"the parameter-count formula of §3 gives {formula}, the file holds {params}: fix the formula")
    kinds = ["the model"] + (["Adam's moments"] if any(k.startswith("adam.") for k in tensors) else []) \
        + (["the raw weights"] if any(k.startswith("raw.") for k in tensors) else [])
    first_name, first = entries[0]
    shared = tok["spec"]["shared"]

    out = {}
    out["intro"] = (
        "Examples below come from a real file, the one this command writes in the repository root:\n"
        f"`train {' '.join(COMMAND)}`\n"
        f"(V_s = {spaced(Vs)}, V_t = {spaced(Vt)}, D {D}, H {model['heads']}, F {F}, {Ne}+{Nd} layers, "
        f"{'tied' if model['tieOutputEmbedding'] else 'untied'} output: {spaced(params)} parameters; "
        f"{len(tensors)} tensors ({', '.join(kinds)}: {model_tensors} each), {spaced(len(raw))} bytes).\n"
        "`python3 scripts/checkpoint_example.py` regenerates every example from that command, and\n"
        "`python/tests/test_checkpoint_doc.py` fails when the page no longer matches what it writes.")
    out["header-length"] = f"`{' '.join(f'{b:02x}' for b in raw[:3])} …` = {spaced(n)}"
    out["tensor-entry"] = "`" + json.dumps({"dtype": first["dtype"], "shape": first["shape"], "data_offsets": first["data_offsets"]},
                                           separators=(",", ":")) + f"` (`{first_name}`)"
    out["model-config"] = "\n```json\n" + wrap(meta["model_config"]) + "\n```\n"
    short = {"spec": tok["spec"], "source": shorten_vocab(tok["source"])}
    if "target" in tok:
        short["target"] = shorten_vocab(tok["target"])
    text = swift_json(short)
    for key in ('"preTokenizer"', '"vocabulary"', '"spec"', '"target"'):
        text = text.replace("," + key, ",\n " + key)
    out["tokenizers"] = (f"Example ({'one shared ' + tok['spec']['kind'] + ' tokenizer' if shared else tok['spec']['kind'] + ' tokenizers, one per language'}"
                         f", vocabularies shortened):\n\n```json\n{text}\n```\n")
    config = replace_object(meta["train_config"], "model", "{…same as model_config…}")
    config = replace_object(config, "tokenizer", "{…same as tokenizers.spec…}")
    out["train-config"] = "\n```json\n" + wrap(config) + "\n```\n"
    state = re.sub(r'("trainSeconds":)[0-9.e+-]+', r"\1…", meta["training_state"])
    state = re.sub(r"(?<=[:,\[])-?\d+\.\d+(?:e[+-]?\d+)?", lambda m: f"{float(m.group(0)):.4g}", state)
    out["training-state"] = "\n```json\n" + wrap(state) + "\n```\n"
    out["parameter-count"] = spaced(params)
    return out


def masked(name, text):
    """The parts of a region --check compares (run-dependent figures blanked)."""
    if name == "header-length":
        return ""
    if name == "intro":
        return re.sub(r"[\d ]+ bytes", "# bytes", text)
    if name == "training-state":
        return re.sub(r"-?\d+\.\d+(?:e[+-]?\d+)?", "#", text)
    return text


def main():
    check = "--check" in sys.argv[1:]
    with tempfile.TemporaryDirectory() as tmp:
        regions = generate(run_train(pathlib.Path(tmp)))
    doc = DOC.read_text(encoding="utf-8")
    found = {m.group(1) for m in REGION.finditer(doc)}
    if found != set(regions):
        sys.exit(f"{DOC}: example regions {sorted(found)} do not match the generator's {sorted(regions)}")
    if check:
        stale = [m.group(1) for m in REGION.finditer(doc) if masked(m.group(1), m.group(2)) != masked(m.group(1), regions[m.group(1)])]
        if stale:
            for name in stale:
                print(f"--- {name}, on the page:\n{[m.group(2) for m in REGION.finditer(doc) if m.group(1) == name][0]}\n"
                      f"+++ {name}, written by the command now:\n{regions[name]}\n")
            print(f"{DOC} is stale in {', '.join(stale)}: run `python3 scripts/checkpoint_example.py`")
            sys.exit(1)
        print(f"{DOC}: the example matches what its command writes")
        return
    DOC.write_text(REGION.sub(lambda m: f"<!--ex:{m.group(1)}-->{regions[m.group(1)]}<!--/ex:{m.group(1)}-->", doc), encoding="utf-8")
    print(f"rewrote the example in {DOC}")


if __name__ == "__main__":
    main()
