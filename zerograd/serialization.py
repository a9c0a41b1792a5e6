"""Checkpoints: `zerograd.save(obj, path)` / `zerograd.load(path)`, in the safetensors format.

torch.save pickles, and unpickling a file can run any code in it.  zerograd writes safetensors
instead: a JSON header and raw little-endian tensor bytes, nothing executable.

    file = [8 bytes: header size N] [N bytes: JSON header] [tensor bytes]
    header = {"__metadata__": {...strings...},
              "<key>": {"dtype": "F32", "shape": [3, 4], "data_offsets": [begin, end]}, ...}

What goes where:

    tensors         entries of the file, keyed by their dotted path in `obj`
                    ({"fc": {"weight": t}} -> "fc.weight"; a list's items are numbered)
    everything else the *structure* of `obj` (dicts, lists, tuples, ints, floats, bools,
                    strings, None) as JSON in __metadata__["zerograd"], where each tensor is
                    a reference {"tensor": "<key>"} to its entry

So a model's state_dict, a flat {name: tensor} dict, is a plain safetensors file that
`safetensors.torch.load_file` reads into the same dict for PyTorch, and a file written by
`safetensors.torch.save_file` loads here as {name: tensor}.  An optimizer's state_dict (integer
keys, a tuple of betas, tensors nested in dicts) round-trips exactly through the structure.

Safety of the file on disk:
- atomic writes: the bytes go to a temporary file in the same directory, are flushed to disk
  (fsync), and the temporary file is renamed over the target (os.replace, atomic on POSIX and
  Windows).  A crash or kill during save leaves the previous file whole; at worst a stray
  `.<name>.<random>.tmp` file remains beside it.
- integrity: a CRC-32 of every tensor's bytes is stored in the metadata and checked on load;
  a truncated or corrupted file raises RuntimeError naming the file, and load() returns nothing.
"""
from __future__ import annotations

import json
import math
import os
import secrets
import struct
import zlib

import numpy as np

from . import dtypes as _dt
from .tensor import Tensor

__all__ = ["save", "load"]

_FORMAT_VERSION = "1"
_STRUCTURE_KEY = "zerograd"
_CRC_KEY = "zerograd.crc32"
_VERSION_KEY = "zerograd.format"

# safetensors dtype codes -> NumPy dtypes (BF16 through ml_dtypes, as zerograd.bfloat16 does)
_ST_TO_NP = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64,
             "I32": np.int32, "I16": np.int16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_}


class _Unsupported(TypeError):
    pass


# ------------------------------------------------------------------------------------------------
# obj -> (structure, {key: array})
# ------------------------------------------------------------------------------------------------
def _encode(obj, path: str, arrays: dict):
    """The JSON-able structure of `obj`; its tensors are added to `arrays` under unique keys."""
    if isinstance(obj, Tensor):
        key = _unique_key(path or "tensor", arrays)
        arr = obj._data
        if not arr.flags.c_contiguous:
            arr = arr.copy(order="C")
        arrays[key] = arr
        node = {"tensor": key}
        if obj.requires_grad and obj.grad_fn is None:
            node["requires_grad"] = True
        return node
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind in "OUSVc" and obj.dtype != _dt.bfloat16.np:
            raise _Unsupported(f"a NumPy array of dtype {obj.dtype}")
        key = _unique_key(path or "array", arrays)
        arrays[key] = obj if obj.flags.c_contiguous else obj.copy(order="C")
        return {"ndarray": key}
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        obj = float(obj)
        return obj if math.isfinite(obj) else {"float": repr(obj)}   # 'inf', '-inf', 'nan'
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, _dt.dtype):
        return {"dtype": obj.name}
    if isinstance(obj, dict):
        items = []
        for k, v in obj.items():
            if isinstance(k, np.integer):
                k = int(k)
            if not (k is None or isinstance(k, (str, int, float, bool))) or \
                    isinstance(k, float) and not math.isfinite(k):
                raise _Unsupported(f"a dict key of type {type(k).__name__} ({k!r}) at "
                                   f"'{path or '<root>'}'")
            items.append([k, _encode(v, _join(path, k), arrays)])
        return {"dict": items}
    if isinstance(obj, tuple):
        return {"tuple": [_encode(v, _join(path, i), arrays) for i, v in enumerate(obj)]}
    if isinstance(obj, list):
        return {"list": [_encode(v, _join(path, i), arrays) for i, v in enumerate(obj)]}
    raise _Unsupported(f"an object of type {type(obj).__module__}.{type(obj).__qualname__} at "
                       f"'{path or '<root>'}'")


def _join(path: str, key) -> str:
    return f"{path}.{key}" if path else str(key)


def _unique_key(key: str, arrays: dict) -> str:
    """Keys must be unique (and '__metadata__' is reserved): {"a.b": x, "a": {"b": y}} both
    flatten to "a.b"; the second becomes "a.b#1" (the structure records the real place)."""
    candidate, n = key, 0
    while candidate in arrays or candidate == "__metadata__":
        n += 1
        candidate = f"{key}#{n}"
    return candidate


def _crc32(arrays: dict, keys) -> str:
    """One CRC-32 over the bytes of the tensors, in the order of `keys`."""
    crc = 0
    for k in keys:
        a = arrays[k]
        crc = zlib.crc32(a.reshape(-1).view(np.uint8) if a.size else b"", crc)
    return f"{crc:08x}"


def _to_little_endian(arrays: dict) -> dict:
    return {k: (a.byteswap().view(a.dtype.newbyteorder("<")) if a.dtype.byteorder == ">" else a)
            for k, a in arrays.items()}


# ------------------------------------------------------------------------------------------------
# save
# ------------------------------------------------------------------------------------------------
def save(obj, f, pickle_module=None, pickle_protocol=None,
         _use_new_zipfile_serialization=True) -> None:
    """Save `obj` (tensors inside dicts, lists and tuples of plain values) to `f`, a path or a
    writable binary file object, in the safetensors format.

    Writes to a path are atomic: the previous file stays whole until the new one is complete on
    disk.  Objects that would need pickle (modules, functions, arbitrary classes) raise
    TypeError naming where they are; nothing is written then.

        zerograd.save({"model": model.state_dict(), "optim": optimizer.state_dict(),
                       "epoch": 3}, "checkpoint.safetensors")
    """
    from safetensors.numpy import save as st_save, save_file as st_save_file
    arrays: dict = {}
    try:
        structure = _encode(obj, "", arrays)
    except _Unsupported as e:
        raise TypeError(f"zerograd.save cannot store {e}: a checkpoint holds tensors, NumPy "
                        "arrays, dicts, lists, tuples, ints, floats, bools, strings and None "
                        "(no pickle). Save a state_dict() instead of the object.") from None
    arrays = _to_little_endian(arrays)
    metadata = {"format": "pt", _VERSION_KEY: _FORMAT_VERSION,
                _STRUCTURE_KEY: json.dumps(structure, allow_nan=False, separators=(",", ":")),
                _CRC_KEY: _crc32(arrays, sorted(arrays))}

    if hasattr(f, "write"):                      # a file object: no atomicity to offer
        data = bytearray(st_save(arrays, metadata=metadata))
        _sort_header(data)
        f.write(bytes(data))
        return
    path = os.fspath(f)
    directory = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
    try:
        st_save_file(arrays, tmp, metadata=metadata)
        with open(tmp, "rb+") as fh:             # flush the bytes to the disk before the rename
            head = bytearray(fh.read(8))
            head += fh.read(int.from_bytes(head[:8], "little"))
            if _sort_header(head):
                fh.seek(0)
                fh.write(head)
            os.fsync(fh.fileno())
        os.replace(tmp, path)                    # atomic: readers see the old or the new file
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_directory(directory)                  # make the rename itself durable


def _sort_header(data: bytearray) -> bool:
    """Rewrite the JSON header at the start of safetensors bytes `data` with its keys sorted, in
    place and at the same length.  The safetensors library writes the header's entries in
    hash-map order, which changes from one process to the next; sorted, the same checkpoint
    is the same bytes every time.  False (nothing changed) if it would not fit exactly."""
    n = int.from_bytes(data[:8], "little")
    raw = bytes(data[8:8 + n])
    header = json.loads(raw)
    text = json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    new = text.encode("utf-8")
    if len(new) > n or json.loads(new) != header:
        return False
    data[8:8 + n] = new + b" " * (n - len(new))    # safetensors pads its header with spaces
    return True


def _fsync_directory(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:                              # e.g. Windows: directories cannot be opened
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ------------------------------------------------------------------------------------------------
# load
# ------------------------------------------------------------------------------------------------
def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=None,
         **pickle_load_args):
    """Load what `save` wrote (or any safetensors file) from a path or a binary file object.

    A file with zerograd's structure comes back as the object that was saved (dicts with their
    key types, tuples as tuples, tensors as new tensors).  A plain safetensors file (e.g. from
    `safetensors.torch.save_file`) comes back as {name: tensor}.  Nothing in the file is ever
    executed.  A truncated or corrupted file raises RuntimeError naming it.

    map_location may only name the CPU; weights_only and mmap are accepted for compatibility.
    """
    if map_location is not None and not callable(map_location) and not isinstance(map_location,
                                                                                   dict):
        from .tensor import check_device
        check_device(map_location)               # zerograd is CPU only: validates
    if hasattr(f, "read"):
        name = getattr(f, "name", "<file object>")
        data = f.read()
    else:
        name = os.fspath(f)
        with open(name, "rb") as fh:
            data = fh.read()
    try:
        return _decode_file(data)
    except _Corrupt as e:
        raise RuntimeError(f"zerograd.load: '{name}' is not a valid checkpoint: {e}") from None


class _Corrupt(Exception):
    pass


def _read_metadata(data: bytes) -> dict:
    if len(data) < 8:
        raise _Corrupt(f"the file is {len(data)} bytes long, too short for a safetensors header "
                       "(truncated?)")
    (n,) = struct.unpack("<Q", data[:8])
    if 8 + n > len(data):
        raise _Corrupt(f"the header claims {n} bytes but the file has {len(data) - 8} after the "
                       "size field (truncated, or not a safetensors file)")
    try:
        header = json.loads(data[8:8 + n])
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise _Corrupt(f"the header is not valid JSON ({e})") from None
    if not isinstance(header, dict):
        raise _Corrupt("the header is not a JSON object")
    meta = header.get("__metadata__") or {}
    if not isinstance(meta, dict):
        raise _Corrupt("__metadata__ is not a JSON object")
    return meta


def _decode_file(data: bytes):
    from safetensors import SafetensorError, deserialize
    meta = _read_metadata(data)
    try:
        entries = deserialize(data)              # validates offsets: catches truncation
    except SafetensorError as e:
        raise _Corrupt(str(e)) from None
    arrays = {}
    for key, info in entries:
        np_dtype = _dt.bfloat16.np if info["dtype"] == "BF16" else _ST_TO_NP.get(info["dtype"])
        if np_dtype is None:
            raise _Corrupt(f"tensor '{key}' has dtype {info['dtype']}, which zerograd does not "
                           "support")
        dt = np.dtype(np_dtype)
        arr = np.frombuffer(info["data"], dtype=dt.newbyteorder("<")).reshape(info["shape"])
        arrays[key] = arr if arr.dtype.isnative else arr.astype(dt)
    if _CRC_KEY in meta:
        if _crc32(arrays, sorted(arrays)) != meta[_CRC_KEY]:
            raise _Corrupt("the tensor data does not match its checksum (the file is corrupted)")
    if _STRUCTURE_KEY not in meta:               # a plain safetensors file: {name: tensor}
        return {key: _tensor(arr) for key, arr in arrays.items()}
    try:
        structure = json.loads(meta[_STRUCTURE_KEY])
        return _decode(structure, arrays)
    except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as e:
        raise _Corrupt(f"its structure metadata is damaged ({type(e).__name__}: {e})") from None


def _tensor(arr: np.ndarray, requires_grad: bool = False) -> Tensor:
    t = Tensor._make(arr, False, None, 0)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _decode(node, arrays):
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if isinstance(node, list):
        raise ValueError("a bare list in the structure")
    (tag, value), = [(k, v) for k, v in node.items() if k != "requires_grad"]
    if tag == "tensor":
        return _tensor(arrays[value], node.get("requires_grad", False))
    if tag == "ndarray":
        return np.array(arrays[value])
    if tag == "dict":
        return {k: _decode(v, arrays) for k, v in value}
    if tag == "list":
        return [_decode(v, arrays) for v in value]
    if tag == "tuple":
        return tuple(_decode(v, arrays) for v in value)
    if tag == "float":
        return float(value)
    if tag == "dtype":
        return _dt.as_dtype(value)
    raise ValueError(f"unknown node {tag!r}")

