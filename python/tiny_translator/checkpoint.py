"""Our checkpoint files and folders, from docs/CHECKPOINT.md §1, §5 and §6.

    meta, tensors = read("checkpoints/run/step-00001200.safetensors")   # verified
    write(path, tensors, meta)                   # adds format, checksums and header_crc32
    CheckpointFolder("out").save(tensors, meta, step=1300, keep=3)    # like `train`'s saves

`tensors` is an ordered dict name -> float32 NumPy array, in file order. Reading checks the
integrity record (every tensor's CRC32 and the header CRC) and refuses a damaged file, naming
what is wrong; a file without our `format` key is foreign and loads unchecked.
"""
import errno
import fcntl
import json
import os
import re
import secrets
import struct
import zlib

import numpy as np

FORMAT = "tiny-translator/1"
RESERVED = ("format", "checksums", "header_crc32")
STEP_FILE = re.compile(r"step-([0-9]+)\.safetensors")
# Tensors a file holds beside the model's own (§3): Adam's moments and the raw training weights.
OPTIMIZER_PREFIX = "adam."
RAW_PREFIX = "raw."


def is_model_tensor(name):
    """Whether `name` is one of the model's own tensors (what inference uses), not Adam's
    moments (`adam.m.*`, `adam.v.*`) or the raw weights of a run with `--ema` (`raw.*`)."""
    return not name.startswith((OPTIMIZER_PREFIX, RAW_PREFIX))


class CheckpointError(Exception):
    """A checkpoint that cannot be used as asked; the message names the file and the fix."""


# ------------------------------------------------------------------------------ one file

def _u64(v):
    return struct.pack("<Q", v)


def _str(s):
    b = s.encode("utf-8")
    return _u64(len(b)) + b


def header_crc(meta, entries):
    """§6: CRC32 of the canonical header. `entries` = [(name, dtype, shape, begin, end)] in data order."""
    items = sorted(((k, v) for k, v in meta.items() if k != "header_crc32"), key=lambda kv: kv[0].encode())
    out = [_u64(len(items))]
    out += [_str(k) + _str(v) for k, v in items]
    out.append(_u64(len(entries)))
    for name, dtype, shape, begin, end in entries:
        out.append(_str(name) + _str(dtype) + _u64(len(shape)) + b"".join(map(_u64, shape)) + _u64(begin) + _u64(end))
    return f"{zlib.crc32(b''.join(out)):08x}"


def read_header(path):
    """(metadata, [(name, dtype, shape, begin, end)] in data order, data start, file size)."""
    try:
        with open(path, "rb") as f:
            prefix = f.read(8)
            if len(prefix) != 8:
                raise CheckpointError(f"{path}: shorter than the 8-byte header length; the file is truncated")
            (n,) = struct.unpack("<Q", prefix)
            size = os.fstat(f.fileno()).st_size
            if 8 + n > size:
                raise CheckpointError(f"{path}: header length {n} runs past the end of the file; the file is damaged")
            raw = f.read(n)
    except OSError as e:
        raise CheckpointError(f"{path}: cannot read ({e.strerror}); check the path and permissions") from None
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise CheckpointError(f"{path}: the header is not valid JSON ({e}); the file is damaged") from None
    meta = header.pop("__metadata__", {}) or {}
    entries = []
    for name, t in header.items():
        if t.get("dtype") != "F32":
            raise CheckpointError(f"{path}: tensor '{name}' has dtype {t.get('dtype')}; our files hold F32 only")
        begin, end = t["data_offsets"]
        shape = [int(d) for d in t["shape"]]
        if end - begin != 4 * int(np.prod(shape, dtype=np.int64)):
            raise CheckpointError(f"{path}: tensor '{name}' has {end - begin} bytes for shape {shape}; the file is damaged")
        entries.append((name, "F32", shape, begin, end))
    entries.sort(key=lambda e: e[3])
    return meta, entries, 8 + n, size


def read_metadata(path):
    return read_header(path)[0]


def read(path, verify=True, names=None):
    """(metadata, {name: float32 array}) of one file, checked as §6 says (unless verify=False).
    `names`, if given, limits which tensors are returned (all are still checksummed)."""
    meta, entries, start, size = read_header(path)
    ours = str(meta.get("format", "")).startswith("tiny-translator/")
    if ours and meta.get("format") != FORMAT:
        raise CheckpointError(f"{path}: format {meta.get('format')} is not supported (this reader knows {FORMAT}); update tiny_translator")
    checksums = None
    if verify and ours:
        if "checksums" not in meta or "header_crc32" not in meta:
            raise CheckpointError(f"{path}: the integrity record is incomplete (checksums or header_crc32 missing); the file is damaged")
        if header_crc(meta, entries) != meta["header_crc32"]:
            raise CheckpointError(f"{path}: the header does not match its header_crc32; the header was changed or damaged")
        checksums = json.loads(meta["checksums"])
        if set(checksums) != {e[0] for e in entries}:
            raise CheckpointError(f"{path}: the checksum table does not list exactly the file's tensors; the file is damaged")
    last = entries[-1][4] if entries else 0
    if start + last != size:
        raise CheckpointError(f"{path}: the data section is {size - start} bytes but the tensors need {last}; the file is truncated or damaged")
    tensors = {}
    damaged = []
    with open(path, "rb") as f:
        f.seek(start)
        data = f.read()
    for name, _, shape, begin, end in entries:
        raw = data[begin:end]
        if checksums is not None and f"{zlib.crc32(raw):08x}" != checksums[name]:
            damaged.append(name)
        if names is None or name in names:
            tensors[name] = np.frombuffer(raw, dtype="<f4").reshape(shape).copy()
    if damaged:
        raise CheckpointError(f"{path}: tensor(s) {', '.join(damaged)} fail their CRC32; the file is damaged, use another checkpoint")
    return meta, tensors


def encode(tensors, metadata):
    """The bytes of a file holding `tensors` (ordered name -> array) and `metadata` (str -> str),
    with the integrity record added: header JSON without whitespace, metadata first, tensors
    in data order, padded with spaces to a multiple of 8 bytes (§1)."""
    meta = {k: v for k, v in metadata.items() if k not in RESERVED}
    for k, v in meta.items():
        if not isinstance(v, str):
            raise TypeError(f"metadata value of {k!r} must be a string")
    arrays = [(n, np.ascontiguousarray(a, dtype="<f4")) for n, a in tensors.items()]
    meta["format"] = FORMAT
    meta["checksums"] = json.dumps({n: f"{zlib.crc32(a.tobytes()):08x}" for n, a in arrays},
                                   sort_keys=True, separators=(",", ":"))
    entries = []
    offset = 0
    for n, a in arrays:
        entries.append((n, "F32", list(a.shape), offset, offset + a.nbytes))
        offset += a.nbytes
    meta["header_crc32"] = header_crc(meta, entries)
    header = {"__metadata__": dict(sorted(meta.items(), key=lambda kv: kv[0].encode()))}
    for n, dtype, shape, begin, end in entries:
        header[n] = {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return [_u64(len(text)), text] + [a.tobytes() for _, a in arrays]


def _fsync_dir(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path, chunks):
    """Writes to a temporary file beside `path`, syncs, renames over `path`: a crash leaves the
    old file or the new one, never half of one."""
    folder, name = os.path.split(os.path.abspath(path))
    tmp = os.path.join(folder, f".{name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        with open(tmp, "wb") as f:
            for c in chunks:
                f.write(c)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(folder)


def write(path, tensors, metadata):
    atomic_write(path, encode(tensors, metadata))


# ------------------------------------------------------------------------------ folders (§5)

def step_files(folder):
    """(step, name) of every step-NNNNNNNN.safetensors in `folder`."""
    return sorted((int(m.group(1)), n) for n in os.listdir(folder) if (m := STEP_FILE.fullmatch(n)))


def resolve(path):
    """What `translate` uses: a file as is; a folder's best.safetensors, else its highest step."""
    if not os.path.exists(path):
        raise CheckpointError(f"{path}: no such file or directory")
    if not os.path.isdir(path):
        return path
    best = os.path.join(path, "best.safetensors")
    if os.path.exists(best):
        return best
    steps = step_files(path)
    if not steps:
        raise CheckpointError(f"{path}: no checkpoint in this folder")
    return os.path.join(path, steps[-1][1])


def latest(path):
    """What `train --resume` continues from: a file as is; in a folder, the last entry of
    checkpoints.json if its file exists, else the highest step file."""
    if not os.path.exists(path):
        raise CheckpointError(f"{path}: no such file or directory")
    if not os.path.isdir(path):
        return path
    try:
        with open(os.path.join(path, "checkpoints.json"), encoding="utf-8") as f:
            entries = json.load(f).get("checkpoints") or []
        if entries and os.path.exists(os.path.join(path, entries[-1]["file"])):
            return os.path.join(path, entries[-1]["file"])
    except FileNotFoundError:
        pass
    except (ValueError, KeyError, TypeError) as e:
        raise CheckpointError(f"{path}/checkpoints.json cannot be read ({e}); delete or fix it, the .safetensors files are unaffected") from None
    steps = step_files(path)
    if not steps:
        raise CheckpointError(f"{path}: no checkpoint in this folder")
    return os.path.join(path, steps[-1][1])


class CheckpointFolder:
    """A checkpoint folder written as `train` writes one: step files, checkpoints.json, and an
    exclusive flock on train.lock while this object lives (so `train` and this tool never
    write the same folder at once). best.safetensors is left as it is: this tool scores no
    validation BLEU, so it never picks a best."""

    def __init__(self, path):
        self.path = path
        os.makedirs(path, exist_ok=True)
        self._lock = os.open(os.path.join(path, "train.lock"), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            os.close(self._lock)
            if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise CheckpointError(f"{path} is in use by another training run; wait for it to finish or choose another --out") from None
            raise
        os.ftruncate(self._lock, 0)
        os.pwrite(self._lock, f"{os.getpid()}\n".encode(), 0)
        index_path = os.path.join(path, "checkpoints.json")
        self.index = {"checkpoints": [], "higherIsBetter": True}
        if os.path.exists(index_path):
            try:
                with open(index_path, encoding="utf-8") as f:
                    self.index = json.load(f)
            except ValueError as e:
                raise CheckpointError(f"{index_path} cannot be decoded ({e}); delete or fix it") from None

    def save(self, tensors, metadata, step, keep=3):
        """Writes step-NNNNNNNN.safetensors, updates checkpoints.json, then deletes step files
        beyond the latest `keep` (only once the new file and index are on disk)."""
        name = f"step-{step:08d}.safetensors"
        target = os.path.join(self.path, name)
        write(target, tensors, metadata)
        entries = [e for e in self.index.get("checkpoints", []) if e["step"] != step] + [{"file": name, "step": step}]
        kept, dropped = entries[-max(1, keep):], entries[:-max(1, keep)]
        best = self.index.get("best") if os.path.exists(os.path.join(self.path, "best.safetensors")) else None
        index = {"checkpoints": kept, "higherIsBetter": self.index.get("higherIsBetter", True)}
        if best is not None:
            index["best"] = best
        text = json.dumps(index, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        atomic_write(os.path.join(self.path, "checkpoints.json"), [text.encode()])
        self.index = index
        for e in dropped:
            if e["file"] != name:
                try:
                    os.unlink(os.path.join(self.path, e["file"]))
                except FileNotFoundError:
                    pass
        return target

    def close(self):
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None
