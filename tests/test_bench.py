"""The benchmark suite (zerograd/bench, benchmarks/): smoke runs, no timing assertions.

Each workload runs with tiny sizes in its worker processes and yields a table row; the
hand-written NumPy GPT (the suite's no-overhead limit) computes the same loss and gradients as
zerograd's GPT; the table's ratios and targets are computed the right way round.
"""
import importlib.util
import io
import os
import subprocess
import sys

import numpy as np
import pytest

import zerograd
from zerograd._threads import blas_libraries, get_blas_threads, set_blas_threads
from zerograd.bench import WORKLOADS, format_table, make_plan, run_bench
from zerograd.bench import runner
from zerograd.bench.numpy_gpt import NumpyAdamW, NumpyGPT
from zerograd.models.gpt import GPTConfig, build_gpt

from .conftest import TORCH_SKIP_REASON

HAS_TORCH = importlib.util.find_spec("torch") is not None
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _row(table, start):
    rows = [ln for ln in table.splitlines() if ln.startswith("| " + start)]
    assert rows, f"no row starting {start!r} in\n{table}"
    return [c.strip() for c in rows[0].strip("|").split("|")]


def _is_number(cell):
    try:
        float(cell.replace(",", ""))
        return True
    except ValueError:
        return False


def test_set_blas_threads():
    before = get_blas_threads()
    try:
        ok = set_blas_threads(1)
        assert isinstance(ok, bool)
        if blas_libraries():                        # NumPy's bundled OpenBLAS was found
            assert ok and get_blas_threads() == 1
    finally:
        if before:
            set_blas_threads(before)
    with pytest.raises(ValueError):
        set_blas_threads(0)


def test_smoke_every_workload_zerograd_and_numpy():
    out = io.StringIO()
    table = run_bench(smoke=True, libs=["zerograd", "numpy"], file=out)
    assert out.getvalue().strip() == table.strip()
    res = run_bench.last_results
    assert res["workloads"] == list(WORKLOADS)
    for start in ("tiny-op chain", "MLP step", "matmul", "deep tanh chain, depth 10²",
                  "deep tanh chain, depth 10³", "GPT step", "peak RSS", "RSS after import",
                  "RSS growth"):
        cells = _row(table, start)
        assert _is_number(cells[2]) and _is_number(cells[3]), cells      # zerograd, NumPy
    assert "Machine:" in table and "Command:" in table
    assert res["machine"]["blas_threads"]["numpy"] in (1, None)


@pytest.mark.skipif(not HAS_TORCH, reason=TORCH_SKIP_REASON)
def test_smoke_torch_column():
    table = run_bench(smoke=True, only="tiny,gpt", file=io.StringIO())
    assert "PyTorch" in table and "zerograd ÷ PyTorch" in table
    for start in ("tiny-op chain", "GPT step"):
        cells = _row(table, start)
        assert all(_is_number(c) for c in cells[2:5]), cells
        assert cells[5].endswith("×")


def test_unknown_workload():
    with pytest.raises(ValueError, match="unknown workload"):
        run_bench(only="nope")


def test_a_failing_worker_is_reported_not_raised():
    cfg = make_plan(smoke=True)["tiny"]["cfg"]
    w = runner.Worker(["no-such-workload"], "numpy", cfg, 1)
    try:
        msg = w.read(60)
    finally:
        w.close()
    assert "error" in msg and "KeyError" in msg["error"], msg


def _fake_results():
    plan = make_plan(smoke=True)
    res = {wl: {c: {} for c, _, _ in plan[wl]["cases"]} for wl in WORKLOADS}
    vals = {"tiny": (2.0, 4.0, 1.0), "mlp": (5.0, 5.0, 5.0), "matmul": (10.0, 5.0, 10.0),
            "gpt": (1000.0, 2000.0, 1000.0)}
    for wl, (z, t, n) in vals.items():
        res[wl][wl] = {"zerograd": [z], "torch": [t], "numpy": [n]}
    for case in res["deep"]:
        res["deep"][case] = {"zerograd": ["failed: RecursionError: too deep"], "torch": [3.0],
                             "numpy": [1.0]}
    mem = {"base": 50.0, "rss10": 60.0, "rss_end": 60.0, "peak": 61.0, "growth": 0.0}
    res["memory"]["memory"] = {k: [dict(mem)] for k in ("zerograd", "torch", "numpy")}
    return {"machine": runner._machine({}, 1, None), "libs": ["zerograd", "torch", "numpy"],
            "plan": plan, "workloads": list(WORKLOADS), "results": res, "quick": False,
            "smoke": True, "threads": 1, "seconds": 1.0}


def test_table_ratios_and_targets():
    table = format_table(_fake_results(), command="zerograd bench")
    tiny = _row(table, "tiny-op chain")
    assert tiny[5:8] == ["0.50×", "2.00×", "≤ 0.5× torch ✓"]
    assert _row(table, "MLP step")[7] == "≤ 1.05× NumPy ✓"
    assert _row(table, "matmul")[5:8] == ["2.00×", "1.00×", "≤ 1.05× NumPy ✓"]
    gpt = _row(table, "GPT step")                    # tokens/s: half the throughput = 2x the cost
    assert gpt[5] == "2.00×" and gpt[7].endswith("✗")
    deep = _row(table, "deep tanh chain")
    assert deep[2].startswith("failed: RecursionError") and deep[5] == "—"
    assert "failed" in deep[7]
    assert _row(table, "RSS growth")[7].endswith("✓")
    assert "Command: `zerograd bench`" in table


def test_numpy_gpt_matches_zerograd():
    cfg = GPTConfig(vocab_size=11, block_size=8, n_layer=2, n_head=2, n_embd=16)
    ng = NumpyGPT(11, 8, 2, 2, 16, seed=3)
    model = build_gpt(zerograd, cfg)
    model.load_state_dict({k: zerograd.tensor(v.copy()) for k, v in ng.params.items()})
    rng = np.random.default_rng(0)
    idx, tgt = rng.integers(0, 11, (3, 7)), rng.integers(0, 11, (3, 7))
    tgt[1, 4:] = -1                                   # ignored positions
    loss, grads = ng.loss_and_grads(idx, tgt)
    _, zl = model(zerograd.tensor(idx), zerograd.tensor(tgt))
    zl.backward()
    assert abs(loss - zl.item()) < 1e-5
    named = dict(model.named_parameters())
    assert set(named) == set(grads)
    for k, p in named.items():
        np.testing.assert_allclose(grads[k], p.grad.numpy(), rtol=1e-4, atol=1e-6, err_msg=k)
    # and one AdamW step moves the weights as zerograd's AdamW does
    opt = zerograd.optim.AdamW(model.parameters(), lr=1e-2)
    opt.step()
    NumpyAdamW(ng.params, lr=1e-2).step(grads)
    for k, p in named.items():
        np.testing.assert_allclose(ng.params[k], p.detach().numpy(), rtol=1e-5, atol=1e-4,
                                   err_msg=k)    # a step is ±lr·m/√v: noisy where g ≈ 0


@pytest.mark.skipif(not HAS_TORCH, reason=TORCH_SKIP_REASON)
def test_gpt_vs_torch_script():
    r = subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", "gpt_vs_torch.py"),
                        "--steps", "4", "--n-layer", "1", "--n-head", "2", "--n-embd", "16",
                        "--batch-size", "4"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "max |zerograd - PyTorch|" in r.stdout and "tokens/s" in r.stdout
    diff = float(r.stdout.split("max |zerograd - PyTorch| = ")[1].split()[0])
    assert diff < 1e-4


def test_zerograd_bench_rejects_unknown_names_before_starting(capsys):
    """`zerograd bench --only/--libs` (the options of benchmarks/run_all.py): an unknown name is
    one line and exit code 2, before any worker starts."""
    from zerograd.cli import main
    assert main(["bench", "--only", "tiny,nope"]) == 2
    assert "unknown workload(s) nope" in capsys.readouterr().err
    assert main(["bench", "--libs", "zerograd,jax"]) == 2
    assert "unknown library jax; choose from zerograd, torch, numpy" in capsys.readouterr().err
    assert main(["bench", "--libs", "floor"]) == 2          # (benchmarks/floor.py's alone)
    assert "unknown library floor" in capsys.readouterr().err
    with pytest.raises(ValueError, match="unknown library"):
        runner.available_libs(["tensorflow"])


# ---- the floor (zerograd/bench/floor.py, benchmarks/floor.py) --------------------------------

def _chains(lib, x0, w0, depth):
    """the tiny-op chain and the deep chain of the suite; -> (x.grad, w.grad, z.grad)"""
    x, w = lib.tensor(x0, requires_grad=True), lib.tensor(w0, requires_grad=True)
    y = x
    for _ in range(5):
        y = y * w
        y = y + 0.1
        y = y.tanh()
    y.sum().backward()
    z = lib.tensor(x0, requires_grad=True)
    y = z
    for _ in range(depth):
        y = y.tanh()
    y.sum().backward()
    return [np.asarray(t.grad) for t in (x, w, z)]


def test_floor_is_an_autograd():
    """The floor computes what zerograd computes on the workloads it runs (a lower bound that
    did less work would be no bound), iteratively at any depth, and frees its graph as it goes."""
    from zerograd.bench import floor
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal((4, 4)).astype(np.float32)
    w0 = (rng.standard_normal((4, 4)) * 0.5).astype(np.float32)
    for got, want in zip(_chains(floor, x0, w0, 3000), _chains(zerograd, x0, w0, 3000)):
        assert got.dtype == want.dtype == np.float32 and got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    a, b = floor.tensor(x0, requires_grad=True), floor.tensor(w0)
    for _ in range(2):                                  # two graphs: .grad accumulates
        y = (a * b).tanh()
        assert not b.requires_grad and y.requires_grad
        y.sum().backward()
        assert y.inputs is None                         # (freed as the backward ran)
    np.testing.assert_allclose(a.grad, 2 * w0 * (1 - np.tanh(x0 * w0) ** 2), rtol=1e-6)
    assert b.grad is None


def test_floor_runs_only_its_workloads():
    with pytest.raises(ValueError, match="floor implements only the tiny and deep workloads"):
        runner.run_suite(smoke=True, only="tiny,mlp", libs=["zerograd", "floor"])


def test_floor_script_smoke():
    spec = importlib.util.spec_from_file_location("_floor_script",
                                                  os.path.join(ROOT, "benchmarks", "floor.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    res = runner.run_suite(smoke=True, only=["tiny", "deep"], libs=["zerograd", "floor"],
                           log=lambda msg: None)
    table = mod.table(res)
    for start in ("tiny-op chain", "deep chain 100 ", "deep chain 1,000"):
        cells = _row(table, start)
        assert _is_number(cells[1]) and _is_number(cells[2]), cells
        assert cells[3].endswith("×"), cells                        # zerograd ÷ floor
    assert "zerograd ÷ floor" in table


def _pyc_is_current(src):
    """A timestamp pyc's header holds its source's mtime and size: the import system uses the
    pyc only when both match."""
    import importlib.util as iu
    pyc = iu.cache_from_source(src)
    if not os.path.exists(pyc):
        return False
    with open(pyc, "rb") as f:
        head = f.read(16)
    st = os.stat(src)
    return (head[:4] == iu.MAGIC_NUMBER and int.from_bytes(head[8:12], "little") == int(st.st_mtime)
            and int.from_bytes(head[12:16], "little") == st.st_size & 0xFFFFFFFF)


def test_byte_compile_writes_the_bytecode_workers_import(tmp_path, monkeypatch):
    """The runner byte-compiles zerograd before its workers (which run with
    PYTHONDONTWRITEBYTECODE) import it: otherwise each compiles the package from source, and the
    compiler's memory (~4 MiB) is measured as zerograd's RSS."""
    pkg = tmp_path / "pkg"
    (pkg / "bench").mkdir(parents=True)
    (pkg / "mod.py").write_text("X = 1\n")
    (pkg / "bench" / "runner.py").write_text("")
    with monkeypatch.context() as m:
        m.setattr(runner, "HERE", str(pkg / "bench"))
        assert not _pyc_is_current(str(pkg / "mod.py"))
        assert runner.byte_compile() is True
        assert _pyc_is_current(str(pkg / "mod.py"))
        assert _pyc_is_current(str(pkg / "bench" / "runner.py"))
    # the real package: what the workers import has current bytecode afterwards
    assert runner.byte_compile() is True
    for name in ("zerograd.tensor", "zerograd.autograd.engine", "zerograd.nn.functional"):
        mod = sys.modules[name]
        assert _pyc_is_current(mod.__file__), mod.__name__


def test_byte_compile_reports_a_failure(tmp_path, monkeypatch):
    pkg = tmp_path / "pkg"
    (pkg / "bench").mkdir(parents=True)
    (pkg / "bad.py").write_text("def (:\n")
    monkeypatch.setattr(runner, "HERE", str(pkg / "bench"))
    said = []
    assert runner.byte_compile(said.append) is False
    assert said and "compile from source" in said[0]
