"""Checkpoints in safetensors: round trips of nested state, both directions with PyTorch through
the `safetensors` package, atomic writes (a save killed mid-write leaves the old file whole),
and clear errors for truncated or corrupted files."""
import io
import json
import math
import os
import signal
import struct
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import zerograd
from tests._oracle import requires_torch, torch

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _same_tree(a, b):
    """Structural equality: same container types, keys, plain values; tensors equal by value,
    dtype and shape."""
    if isinstance(a, zerograd.Tensor):
        return (isinstance(b, zerograd.Tensor) and a.dtype == b.dtype and a.shape == b.shape
                and np.array_equal(a._data, b._data, equal_nan=True)
                and a.requires_grad == b.requires_grad)
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    if isinstance(a, dict):
        return type(b) is dict and list(a) == list(b) and all(_same_tree(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same_tree, a, b))
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return type(a) is type(b) and a == b


def _tiny_model_state():
    """A stand-in for a model's state_dict: name -> tensor, as nn.Sequential(Linear, ReLU,
    Linear) names them."""
    rng = np.random.default_rng(0)
    return {"0.weight": zerograd.tensor(rng.standard_normal((5, 3)).astype(np.float32)),
            "0.bias": zerograd.tensor(rng.standard_normal(5).astype(np.float32)),
            "2.weight": zerograd.tensor(rng.standard_normal((2, 5)).astype(np.float32)),
            "2.bias": zerograd.tensor(rng.standard_normal(2).astype(np.float32))}


def _forward(state, x):
    """The tiny MLP's forward pass with zerograd ops."""
    h = zerograd.relu(x @ state["0.weight"].t() + state["0.bias"])
    return h @ state["2.weight"].t() + state["2.bias"]


# ------------------------------------------------------------------------------------------------
# round trips
# ------------------------------------------------------------------------------------------------
def test_nested_state_round_trips_exactly(tmp_path):
    obj = {
        "model": _tiny_model_state(),
        "optim": {"state": {0: {"step": zerograd.tensor(3.0), "exp_avg": zerograd.zeros(2, 2)},
                            1: {"momentum_buffer": zerograd.ones(4, dtype=zerograd.float64)}},
                  "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8,
                                    "amsgrad": False, "foreach": None, "params": [0, 1]}]},
        "epoch": 7, "loss": 0.123456789012345678, "best": math.inf, "worst": -math.inf,
        "undefined": math.nan, "name": "run-1", "tags": ["a", "b"], "empty": {}, "nothing": None,
        "ints": zerograd.tensor([1, 2, 3]), "mask": zerograd.tensor([True, False]),
        "half": zerograd.tensor([1.5, 2.0], dtype=zerograd.float16),
        "scalar": zerograd.tensor(2.5, dtype=zerograd.float64),
        "nothing here": zerograd.zeros(0, 3),
        "array": np.arange(6, dtype=np.int32).reshape(2, 3),
        "dtype": zerograd.float32,
        "mixed keys": {1: "int", "1": "str", 2.5: "float", True: "bool", None: "none"},
        "leaf": zerograd.tensor([1.0, 2.0], requires_grad=True),
    }
    path = tmp_path / "ckpt.safetensors"
    zerograd.save(obj, path)
    back = zerograd.load(path)
    assert _same_tree(obj, back)
    assert back["leaf"].requires_grad and back["leaf"].is_leaf
    assert back["optim"]["param_groups"][0]["betas"] == (0.9, 0.999)
    back["model"]["0.bias"].add_(1.0)                  # loaded tensors own writable memory
    assert not os.listdir(tmp_path) == [] and all(not f.endswith(".tmp") for f in
                                                   os.listdir(tmp_path))


def test_bfloat16_round_trips(tmp_path):
    pytest.importorskip("ml_dtypes")
    t = zerograd.tensor([1.5, -2.25, 3.0], dtype=zerograd.bfloat16)
    zerograd.save({"t": t}, tmp_path / "b.safetensors")
    back = zerograd.load(tmp_path / "b.safetensors")["t"]
    assert back.dtype == zerograd.bfloat16 and back.float().tolist() == [1.5, -2.25, 3.0]


def test_keys_that_flatten_alike_stay_apart(tmp_path):
    a, b, c = zerograd.tensor([1.0]), zerograd.tensor([2.0]), zerograd.tensor([3.0])
    obj = {"x.y": a, "x": {"y": b}, "__metadata__": c}
    zerograd.save(obj, tmp_path / "k.safetensors")
    assert _same_tree(zerograd.load(tmp_path / "k.safetensors"), obj)


def test_a_single_tensor_and_a_list_round_trip(tmp_path):
    zerograd.save(zerograd.arange(5), tmp_path / "t.safetensors")
    assert zerograd.load(tmp_path / "t.safetensors").tolist() == [0, 1, 2, 3, 4]
    zerograd.save([zerograd.ones(2), 3, (4.0, "x")], tmp_path / "l.safetensors")
    back = zerograd.load(tmp_path / "l.safetensors")
    assert back[0].tolist() == [1.0, 1.0] and back[1:] == [3, (4.0, "x")]


def test_views_and_non_contiguous_tensors_save_their_values(tmp_path):
    base = zerograd.arange(12.0).reshape(3, 4)
    zerograd.save({"t": base.t(), "row": base[1]}, tmp_path / "v.safetensors")
    back = zerograd.load(tmp_path / "v.safetensors")
    assert back["t"].tolist() == base.t().tolist() and back["row"].tolist() == [4, 5, 6, 7]


def test_file_objects(tmp_path):
    buf = io.BytesIO()
    zerograd.save({"a": zerograd.ones(3), "n": 1}, buf)
    buf.seek(0)
    back = zerograd.load(buf)
    assert back["a"].tolist() == [1.0, 1.0, 1.0] and back["n"] == 1


def test_optimizer_state_dict_survives_and_training_resumes(tmp_path):
    p = zerograd.tensor([1.0, -1.0], requires_grad=True)
    opt = zerograd.optim.AdamW([p], lr=0.1, amsgrad=True)
    for _ in range(3):
        opt.zero_grad()
        (p * p).sum().backward()
        opt.step()
    zerograd.save(opt.state_dict(), tmp_path / "o.safetensors")
    sd = zerograd.load(tmp_path / "o.safetensors")
    assert list(sd["state"]) == [0] and sd["state"][0]["step"].item() == 3.0
    assert sd["param_groups"] == opt.state_dict()["param_groups"]
    assert _same_tree(sd["state"], opt.state_dict()["state"])


def test_unsupported_objects_raise_and_write_nothing(tmp_path):
    path = tmp_path / "x.safetensors"
    zerograd.save({"v": 1}, path)
    before = path.read_bytes()
    for bad in ({"f": lambda: 0}, {"o": object()}, {(1, 2): 3}, {"s": {1, 2}}):
        with pytest.raises(TypeError, match="zerograd.save cannot store"):
            zerograd.save(bad, path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["x.safetensors"]


# ------------------------------------------------------------------------------------------------
# both directions with PyTorch, through the safetensors package
# ------------------------------------------------------------------------------------------------
def _torch_model():
    return torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.ReLU(), torch.nn.Linear(5, 2))


@requires_torch
def test_zerograd_state_dict_loads_into_the_identical_torch_model(tmp_path):
    from safetensors.torch import load_file
    state = _tiny_model_state()
    path = tmp_path / "model.safetensors"
    zerograd.save(state, path)
    model = _torch_model()
    sd = load_file(str(path))
    assert list(sd) == sorted(state) or set(sd) == set(state)
    model.load_state_dict(sd, strict=True)
    x = np.random.default_rng(1).standard_normal((4, 3)).astype(np.float32)
    with torch.no_grad():
        want = model(torch.tensor(x)).numpy()
    got = _forward(state, zerograd.tensor(x))._data
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


@requires_torch
def test_torch_save_file_loads_into_zerograd(tmp_path):
    from safetensors.torch import save_file
    torch.manual_seed(0)
    model = _torch_model()
    path = tmp_path / "torch.safetensors"
    save_file(model.state_dict(), str(path))
    state = zerograd.load(path)
    assert set(state) == set(model.state_dict())
    for k, v in model.state_dict().items():
        assert state[k].dtype == zerograd.float32 and state[k].tolist() == v.tolist()
    x = np.random.default_rng(2).standard_normal((6, 3)).astype(np.float32)
    with torch.no_grad():
        want = model(torch.tensor(x)).numpy()
    np.testing.assert_allclose(_forward(state, zerograd.tensor(x))._data, want, rtol=1e-6,
                               atol=1e-6)


@requires_torch
def test_dtypes_cross_over_both_ways(tmp_path):
    from safetensors.torch import load_file, save_file
    tensors = {"f64": torch.randn(3, dtype=torch.float64), "f16": torch.randn(2).half(),
               "bf16": torch.randn(2).bfloat16(), "i64": torch.arange(4), "i8":
               torch.tensor([-1, 2], dtype=torch.int8), "u8": torch.tensor([7], dtype=torch.uint8),
               "b": torch.tensor([True, False]), "scalar": torch.tensor(1.5)}
    if zerograd.bfloat16.np is None:
        tensors.pop("bf16")
    save_file(tensors, str(tmp_path / "a.safetensors"))
    mine = zerograd.load(tmp_path / "a.safetensors")
    for k, v in tensors.items():
        assert mine[k].dtype.name == str(v.dtype).replace("torch.", "")
        assert mine[k].shape == tuple(v.shape)
        assert mine[k].float().tolist() == v.float().tolist()
    zerograd.save(mine, tmp_path / "b.safetensors")
    theirs = load_file(str(tmp_path / "b.safetensors"))
    for k, v in tensors.items():
        assert theirs[k].dtype == v.dtype and torch.equal(theirs[k], v)


# ------------------------------------------------------------------------------------------------
# atomic writes: a save killed mid-write leaves the previous file whole
# ------------------------------------------------------------------------------------------------
_CHILD = textwrap.dedent("""
    import sys
    sys.path.insert(0, {repo!r})
    import numpy as np
    import zerograd
    path = {path!r}
    def state(k):
        return {{"step": k, "w": [zerograd.tensor(np.full(2_000_000, float(k))) for _ in range(4)]}}
    zerograd.save(state(0), path)          # the "previous" checkpoint, complete
    print("ready", flush=True)
    k = 1
    while True:                            # keep overwriting it with bigger news
        zerograd.save(state(k), path)
        k += 1
""")


def _temp_files(directory):
    return [f for f in os.listdir(directory) if f.endswith(".tmp")]


def test_a_save_killed_mid_write_leaves_the_previous_file_intact(tmp_path):
    """A child process saves a 64 MB checkpoint over and over; as soon as a temporary file shows
    up (a write is in progress) the child is SIGKILLed.  The target must still load, whole and
    consistent (every tensor from the same save), and the stray temp file is not the target."""
    path = str(tmp_path / "ckpt.safetensors")
    caught_mid_write = 0
    for delay in (0.0, 0.01, 0.03, 0.0, 0.02, 0.0):
        child = subprocess.Popen([sys.executable, "-c", _CHILD.format(repo=REPO, path=path)],
                                 stdout=subprocess.PIPE, text=True)
        try:
            assert child.stdout.readline().strip() == "ready"
            deadline = time.monotonic() + 20
            while not _temp_files(tmp_path) and time.monotonic() < deadline:
                time.sleep(0.0005)
            time.sleep(delay)
            os.kill(child.pid, signal.SIGKILL)
        finally:
            child.wait()
        assert child.returncode == -signal.SIGKILL
        leftovers = _temp_files(tmp_path)
        caught_mid_write += bool(leftovers)
        ckpt = zerograd.load(path)                       # whole: loads and checks out
        k = ckpt["step"]
        assert all(w.shape == (2_000_000,) and bool((w == float(k)).all()) for w in ckpt["w"])
        for f in leftovers:                              # a stray temp file never is the target
            os.unlink(tmp_path / f)
        if caught_mid_write >= 2:
            break
    assert caught_mid_write, "the kill never landed during a write; the test proved nothing"


def test_no_temp_file_remains_after_a_failed_write(tmp_path, monkeypatch):
    path = tmp_path / "c.safetensors"
    zerograd.save({"a": zerograd.ones(2)}, path)

    def boom(*args, **kwargs):
        raise OSError("disk full")
    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        zerograd.save({"a": zerograd.zeros(2)}, path)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["c.safetensors"]
    assert zerograd.load(path)["a"].tolist() == [1.0, 1.0]


# ------------------------------------------------------------------------------------------------
# truncated and corrupted files
# ------------------------------------------------------------------------------------------------
def _good_file(tmp_path):
    path = tmp_path / "good.safetensors"
    zerograd.save({"model": _tiny_model_state(), "epoch": 3}, path)
    return path, path.read_bytes()


@pytest.mark.parametrize("cut", [0, 4, 8, 20, -1, -7, -60])
def test_truncated_files_raise_a_clear_error_naming_the_file(tmp_path, cut):
    _, data = _good_file(tmp_path)
    bad = tmp_path / "truncated.safetensors"
    bad.write_bytes(data[:cut] if cut else b"")
    with pytest.raises(RuntimeError, match=r"zerograd.load: '.*truncated\.safetensors' is not a "
                                           r"valid checkpoint"):
        zerograd.load(bad)


def test_a_flipped_byte_in_the_tensor_data_is_caught_by_the_checksum(tmp_path):
    _, data = _good_file(tmp_path)
    corrupt = bytearray(data)
    corrupt[-5] ^= 0x40
    bad = tmp_path / "flipped.safetensors"
    bad.write_bytes(bytes(corrupt))
    with pytest.raises(RuntimeError, match="does not match its checksum"):
        zerograd.load(bad)


def test_damaged_headers_raise(tmp_path):
    _, data = _good_file(tmp_path)
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    cases = {
        "garbage": b"this is not a checkpoint at all, just some text" * 3,
        "huge size": struct.pack("<Q", 10 ** 12) + data[8:],
        "broken json": data[:8] + b"[" + data[9:],
    }
    header["__metadata__"]["zerograd"] = "{\"dict\": [[\"model\", {\"tensor\": \"missing\"}]]}"
    raw = json.dumps(header).encode()
    raw += b" " * (n - len(raw)) if len(raw) <= n else b""
    if len(raw) == n:
        cases["dangling reference"] = data[:8] + raw + data[8 + n:]
    for name, blob in cases.items():
        bad = tmp_path / f"{name}.safetensors"
        bad.write_bytes(blob)
        with pytest.raises(RuntimeError, match="is not a valid checkpoint"):
            zerograd.load(bad)
    assert "dangling reference" in cases


def test_a_failed_load_changes_nothing(tmp_path):
    path, data = _good_file(tmp_path)
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(data[:-10])
    p = zerograd.tensor([1.0, 2.0], requires_grad=True)
    opt = zerograd.optim.SGD([p], lr=0.1)
    before = opt.state_dict()
    with pytest.raises(RuntimeError):
        opt.load_state_dict(zerograd.load(bad))
    assert opt.state_dict() == before and bad.read_bytes() == data[:-10]
    assert path.read_bytes() == data


def test_loading_never_unpickles(tmp_path):
    import pickle
    bad = tmp_path / "pickled.pt"
    bad.write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(RuntimeError, match="is not a valid checkpoint"):
        zerograd.load(bad)


def test_the_same_checkpoint_is_the_same_bytes_in_every_process(tmp_path):
    """safetensors writes its header in hash-map order (it changes per process); zerograd sorts it,
    so saving the same state twice gives identical files (checksums of runs can be compared)."""
    code = ("import sys, zerograd as zg; zg.manual_seed(0); "
            "m = zg.nn.Sequential(zg.nn.Linear(4, 3), zg.nn.LayerNorm(3)); "
            "opt = zg.optim.AdamW(m.parameters()); "
            "zg.save({'model': m.state_dict(), 'optim': opt.state_dict(), 'step': 7}, sys.argv[1])")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    files = []
    for i in range(3):
        path = tmp_path / f"c{i}.safetensors"
        subprocess.run([sys.executable, "-c", code, str(path)], check=True,
                       env=dict(os.environ, PYTHONPATH=root))
        files.append(path.read_bytes())
    assert files[0] == files[1] == files[2]
    assert zerograd.load(tmp_path / "c0.safetensors")["step"] == 7
