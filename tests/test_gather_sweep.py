"""The gather / scatter / index_* / masked_* family against torch: a seeded random sweep over the
argument space (dtypes, 0-d and empty shapes, dims in and out of range, index dtypes and shapes,
indices out of range, fill values that overflow, the in-place forms) comparing the result's dtype,
shape and values, its grad_fn name, the gradients of every input, the version bump of an in-place
op, or the error's type *and* message; then one focused test per rule the sweep found.

    python -m tests.test_gather_sweep SEED N     prints every difference of N cases
"""
import re
import sys
import warnings

import numpy as np
import pytest

import zerograd
from tests._oracle import requires_torch, torch

_DTYPES = ["float32", "float64", "int64", "int32", "bool", "float16", "uint8"]
_SHAPES = [(), (3,), (2, 3), (2, 0, 3), (2, 3, 2)]
_GATHERS = ["gather", "take_along_dim", "scatter_src", "scatter_val", "scatter_add",
            "scatter_reduce", "scatter_legacy", "scatter_", "scatter_add_"]
_INDEXES = ["index_select", "index_add", "index_copy", "index_fill", "index_add_", "index_copy_",
            "index_fill_"]
_MASKS = ["masked_fill", "masked_select", "masked_scatter", "masked_fill_", "masked_scatter_"]
_OPS = _GATHERS + _INDEXES + _MASKS


# ----- cases ------------------------------------------------------------------------------------

def _value(rng, dt):
    """A fill value: mostly small numbers, sometimes one the dtype cannot hold."""
    r = rng.random()
    if r < 0.06:
        return [2 ** 40, 1e20, -1, 70000.0, float("nan"), 2 ** 70][rng.integers(6)]
    if r < 0.5:
        return int(rng.integers(-3, 3))
    return float(rng.choice([1.5, -2.0, 0.0]))


def _fill_value(rng, c):
    """index_fill / masked_fill's value: a number, or (30%) a 0-d tensor of some dtype that may
    require grad (or, rarely, a 1-d one, which torch refuses)."""
    if rng.random() < 0.7:
        c["value"] = _value(rng, c["dt"])
        return
    vdt = str(rng.choice(["float32", "float64", "int64"]))
    c["value_tensor"] = (vdt, bool(rng.random() < 0.5), bool(rng.random() < 0.1))
    c["value"] = [2, -1, 2 ** 40][rng.integers(3)] if vdt == "int64" else \
        [1.5, -2.0, 70000.0, 1e20][rng.integers(4)]


def _case(rng):
    op, dt = str(rng.choice(_OPS)), str(rng.choice(_DTYPES))
    shape = _SHAPES[rng.integers(len(_SHAPES))]
    nd = len(shape)
    dim = int(rng.integers(-max(nd, 1), max(nd, 1))) if rng.random() < 0.9 else 5
    if dt == "bool":
        xs = rng.random(shape) < 0.5
    elif dt == "uint8":
        xs = (np.abs(rng.standard_normal(shape)) * 3).astype(dt)
    else:
        xs = (rng.standard_normal(shape) * 3).astype(dt)
    rg = dt in ("float32", "float64") and rng.random() < 0.6
    d = dim % nd if nd else 0
    n = shape[d] if nd and -nd <= dim < nd else 1
    idt = str(rng.choice(["int64", "int64", "int32", "float32"]))
    sdt = dt if rng.random() < 0.93 else str(rng.choice(["float32", "int64"]))   # src dtype
    c = dict(op=op, dt=dt, shape=shape, dim=dim, xs=xs, rg=rg, idx=None, src=None, value=None)
    if op in _GATHERS:
        ishape = tuple(max(0, s - int(rng.integers(0, 2))) for s in shape)
        if rng.random() < 0.1 and nd:
            ishape = ishape + (1,)
        hi = n + (1 if rng.random() < 0.1 else 0)
        lo = -1 if rng.random() < 0.1 else 0
        c["idx"] = rng.integers(lo, max(hi, 1), ishape).astype(idt)
        if op in ("scatter_src", "scatter_add", "scatter_reduce", "scatter_", "scatter_add_",
                  "scatter_legacy"):
            sshape = shape if rng.random() < 0.8 else ishape
            if rng.random() < 0.05:
                sshape = sshape[1:]
            c["src"] = rng.standard_normal(sshape).astype(sdt)
        if op in ("scatter_val", "scatter_legacy", "scatter_") and (op == "scatter_val" or
                                                                      rng.random() < 0.4):
            c["src"], c["value"] = None, _value(rng, dt)
        if op == "scatter_reduce":
            c["reduce"] = str(rng.choice(["sum", "prod", "mean", "amax", "amin"]))
            c["include_self"] = bool(rng.random() < 0.5)
        if op == "scatter_legacy" or op == "scatter_" and rng.random() < 0.3:
            c["reduce"] = str(rng.choice(["add", "multiply"]))
    elif op in _INDEXES:
        k = int(rng.integers(0, 4))
        lo = -1 if rng.random() < 0.1 else 0
        hi = max(n + (1 if rng.random() < 0.1 else 0), 1)
        ishape = (k,) if rng.random() < 0.9 else [(), (1, k)][rng.integers(2)]
        c["idx"] = rng.integers(lo, hi, ishape).astype(idt)
        if op.startswith(("index_add", "index_copy")):
            sh = list(shape)
            if sh and -nd <= dim < nd:
                sh[d] = c["idx"].size
            if rng.random() < 0.05:
                sh = sh[1:]
            c["src"] = rng.standard_normal(tuple(sh)).astype(sdt)
            if op.startswith("index_add"):
                c["alpha"] = [1, 2, 1.0, -1][rng.integers(4)]
        if op.startswith("index_fill"):
            _fill_value(rng, c)
    else:
        mshape = shape if rng.random() < 0.7 else [shape[1:], (2,) + shape, (3,)][rng.integers(3)]
        c["idx"] = rng.random(mshape) < 0.5
        if rng.random() < 0.07:
            c["idx"] = c["idx"].astype(str(rng.choice(["uint8", "int64", "float32"])))
        if op.startswith("masked_fill"):
            _fill_value(rng, c)
        if op.startswith("masked_scatter"):
            m = c["idx"]
            count = int(np.broadcast_to(m, np.broadcast_shapes(m.shape, shape)).sum()) \
                if _broadcasts(m.shape, shape) else 0
            c["src"] = rng.standard_normal(max(count - int(rng.random() < 0.1), 0) + 1
                                           ).astype(sdt)
    if op in ("index_copy", "index_copy_") and c["idx"].size > 1 and \
            len(set(c["idx"].ravel().tolist())) < c["idx"].size:
        return None             # repeated indices: which source slice wins is unspecified
    return c


def _broadcasts(a, b):
    try:
        np.broadcast_shapes(a, b)
        return True
    except ValueError:
        return False


# ----- running one case in a library ------------------------------------------------------------

def _err(e):
    return f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"


def _apply(L, c, x, i, src, value):
    op, dim = c["op"], c["dim"]
    if op == "gather":
        return L.gather(x, dim, i)
    if op == "take_along_dim":
        return L.take_along_dim(x, i, dim)
    if op in ("scatter_src", "scatter_val"):
        return L.scatter(x, dim, i, src if op == "scatter_src" else value)
    if op == "scatter_add":
        return L.scatter_add(x, dim, i, src)
    if op == "scatter_reduce":
        return L.scatter_reduce(x, dim, i, src, c["reduce"], include_self=c["include_self"])
    if op == "scatter_legacy":
        return L.scatter(x, dim, i, src if src is not None else value, reduce=c["reduce"])
    if op == "scatter_":
        kw = {"reduce": c["reduce"]} if "reduce" in c else {}
        return x.scatter_(dim, i, src, **kw) if src is not None else \
            x.scatter_(dim, i, value=value, **kw)
    if op == "scatter_add_":
        return x.scatter_add_(dim, i, src)
    if op == "index_select":
        return L.index_select(x, dim, i)
    if op == "index_add":
        return L.index_add(x, dim, i, src, alpha=c["alpha"])
    if op == "index_add_":
        return x.index_add_(dim, i, src, alpha=c["alpha"])
    if op == "index_copy":
        return L.index_copy(x, dim, i, src)
    if op == "index_copy_":
        return x.index_copy_(dim, i, src)
    if op == "index_fill":
        return L.index_fill(x, dim, i, value)
    if op == "index_fill_":
        return x.index_fill_(dim, i, value)
    if op == "masked_fill":
        return L.masked_fill(x, i, value)
    if op == "masked_fill_":
        return x.masked_fill_(i, value)
    if op == "masked_select":
        return L.masked_select(x, i)
    if op == "masked_scatter":
        return L.masked_scatter(x, i, src)
    if op == "masked_scatter_":
        return x.masked_scatter_(i, src)
    raise AssertionError(op)


def _run(L, c):
    """[dtype, shape, values, node, version bump, backward] or 'Error: message' (forward);
    backward is the input gradients, or the error the backward pass raised."""
    rg, inplace = c["rg"], c["op"].endswith("_")
    leaves = []
    try:
        x0 = L.tensor(c["xs"])
        if rg:
            x0.requires_grad_()
            leaves.append(x0)
        x = x0.clone() if rg and inplace else x0
        i = L.tensor(c["idx"]) if c["idx"] is not None else None
        src = None
        if c["src"] is not None:
            src = L.tensor(c["src"])
            if rg and src.is_floating_point():
                src.requires_grad_()
                leaves.append(src)
        value = c["value"]
        if "value_tensor" in c:
            vdt, vrg, vdim = c["value_tensor"]
            value = L.tensor([value] if vdim else value, dtype=getattr(L, vdt))
            if vrg and rg and value.is_floating_point():
                value.requires_grad_()
                leaves.append(value)
        v0 = x._version
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = _apply(L, c, x, i, src, value)
    except Exception as e:                                          # noqa: BLE001
        return _err(e)
    res = [str(y.dtype).split(".")[-1], tuple(y.shape),
           y.detach().double().numpy().round(5).tolist(),
           y.grad_fn.name() if y.grad_fn is not None else None, x._version - v0]
    if y.requires_grad:
        try:
            g = np.random.default_rng(5).standard_normal(tuple(y.shape))
            y.backward(L.tensor(g.astype(y.detach().numpy().dtype)))
            res.append([None if t.grad is None else t.grad.double().numpy().round(4).tolist()
                        for t in leaves])
        except Exception as e:                                      # noqa: BLE001
            res.append(_err(e))
    return res


# ----- comparing --------------------------------------------------------------------------------

def _norm(msg):
    """torch prints the strides of the tensor it restrides in index_fill/index_copy's storage
    error, and those depend on how an empty tensor was made (torch.tensor of an empty array has
    all-zero strides); zerograd prints a contiguous tensor's."""
    return re.sub(r"strides \[[^]]*\], (storage offset 0, and itemsize \d+) requiring a storage "
                  r"size of \d+", r"strides ..., \1 ...", msg)


def _close(a, b):
    a, b = np.array(a, float), np.array(b, float)
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-3, atol=1e-3, equal_nan=True)


def _torch_backward_bug(c):
    """torch's backward is wrong where the forward was fine: with scatter_reduce's src larger
    than the index, ScatterReduceBackward0 returns a gradient shaped like the index (an "invalid
    gradient" error), or amax/amin compare src with it (a size error), or prod divides all of
    src by it (wrong values); index_fill's value gradient fails for a negative index (it
    index_selects the unwrapped indices).  zerograd computes those gradients; only the forwards
    are compared."""
    if c["op"] == "scatter_reduce":
        return c["src"].shape != c["idx"].shape
    return c["op"].startswith("index_fill") and "value_tensor" in c and (c["idx"] < 0).any()


def _same(c, z, t):
    if isinstance(z, str) or isinstance(t, str):
        return isinstance(z, str) and isinstance(t, str) and _norm(z) == _norm(t)
    if z[0:2] != t[0:2] or z[3:5] != t[3:5] or not _close(z[2], t[2]) or len(z) != len(t):
        return False
    if len(z) == 5:
        return True
    zb, tb = z[5], t[5]
    if _torch_backward_bug(c):
        return not isinstance(zb, str)
    if isinstance(zb, str) or isinstance(tb, str):
        return isinstance(zb, str) and isinstance(tb, str) and _norm(zb) == _norm(tb)
    return len(zb) == len(tb) and all((p is None) == (q is None) and (p is None or _close(p, q))
                                      for p, q in zip(zb, tb))


def sweep(seed, n):
    """The differences (case, zerograd's result, torch's) over n random cases."""
    rng, diffs = np.random.default_rng(seed), []
    for _ in range(n):
        c = _case(rng)
        if c is None:
            continue
        z, t = _run(zerograd, c), _run(torch, c)
        if not _same(c, z, t):
            diffs.append((c, z, t))
    return diffs


def _describe(c):
    keys = ("op", "dt", "shape", "dim", "rg", "value", "reduce", "include_self", "alpha",
            "value_tensor")
    parts = [f"{k}={c[k]!r}" for k in keys if k in c and c[k] is not None]
    parts.append(f"idx={c['idx'].dtype}{list(c['idx'].shape)}={c['idx'].ravel()[:6].tolist()}")
    if c["src"] is not None:
        parts.append(f"src={c['src'].dtype}{list(c['src'].shape)}")
    return " ".join(parts)


@requires_torch
@pytest.mark.parametrize("seed", range(4))
def test_random_gather_family_as_torch(seed):
    diffs = sweep(seed, 250)
    assert not diffs, "\n".join(f"{_describe(c)}\n  Z: {str(z)[:300]}\n  T: {str(t)[:300]}"
                                for c, z, t in diffs[:5])


if __name__ == "__main__":
    found = sweep(int(sys.argv[1]) if len(sys.argv) > 1 else 0,
                  int(sys.argv[2]) if len(sys.argv) > 2 else 400)
    for case, zres, tres in found:
        print(_describe(case))
        print("   Z:", str(zres)[:300])
        print("   T:", str(tres)[:300])
    print("diffs", len(found))


# ----- focused cases: one test per rule ---------------------------------------------------------

def _outcome(L, fn):
    """fn(L)'s [dtype, shape, values, node] or 'Error: message'."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = fn(L)
    except Exception as e:                                          # noqa: BLE001
        return _err(e)
    return [str(y.dtype).split(".")[-1], tuple(y.shape), y.detach().double().numpy().tolist(),
            y.grad_fn.name() if y.grad_fn is not None else None]


def _as_torch(*calls, expect=None):
    """Each call gives zerograd's outcome exactly as torch's; `expect` (a prefix of torch's
    error, or of its str(outcome)) pins what the case is about."""
    for fn in calls:
        z, t = _outcome(zerograd, fn), _outcome(torch, fn)
        if expect is not None:
            assert str(t).startswith(expect), t
        if isinstance(z, str) or isinstance(t, str):
            assert z == t
        else:
            assert z[0:2] == t[0:2] and z[3] == t[3] and _close(z[2], t[2]), (z, t)


def _T(L, v, dt="float32"):
    return L.tensor(np.asarray(v, dtype=dt))


def _I(L, v, dt="int64"):
    return L.tensor(np.asarray(v, dtype=dt).reshape(np.shape(v)))


@requires_torch
def test_index_dtype_rules():
    # index_fill: int64 only, an IndexError checked before the dim
    _as_torch(lambda L: L.index_fill(L.zeros(2, 3), 5, _I(L, [0], "int32"), 1.5),
              expect="IndexError: index_fill_(): Expected dtype int64 for index.")
    # index_copy: Long only, a RuntimeError (after the index's dims and the scalar-source rule)
    _as_torch(lambda L: L.index_copy(L.zeros(3), 0, _I(L, [1, 2], "int32"), L.zeros(2)),
              expect="RuntimeError: index_copy_(): Expected a long tensor for index, but got Int")
    _as_torch(lambda L: L.index_copy(L.zeros(3), 0, _I(L, [[1.0]], "float32"), L.zeros(())),
              expect="IndexError: index_copy_(): Index should have dimension 1 or 0 (got 2)")
    _as_torch(lambda L: L.index_copy(L.zeros(3), 0, _I(L, [1, 2], "float32"), L.zeros(())),
              expect="IndexError: index_copy_(): When source is scalar")
    # index_add: int32 or int64; a matrix index is reported first, with its dtype and size
    _as_torch(lambda L: L.index_add(L.zeros(2, 3), 0, _I(L, [0], "float32"), L.ones(1, 3)),
              expect="RuntimeError: index_add_(): Expected dtype int32/int64 for index but got: "
                     "Float")
    _as_torch(lambda L: L.index_add(L.zeros(2, 3), 0, _I(L, [[0]], "float32"), L.ones(1, 3)),
              expect="IndexError: index_add_(): Index is supposed to be a vector, but got dim: 2 "
                     "with type: Float and size: [1, 1]")
    _as_torch(lambda L: L.index_add(L.zeros(2, 3), 0, _I(L, [1], "int32"), L.ones(1, 3)),
              expect="['float32', (2, 3)")
    # take_along_dim: Long (after the ndim check, before the dim); without dim it is gather's rule
    _as_torch(lambda L: L.take_along_dim(L.zeros(2, 3), _I(L, [[0, 1, 2]], "int32"), 1),
              expect="RuntimeError: torch.take_along_dim(): dtype of indices should be Long but "
                     "got Int")
    _as_torch(lambda L: L.take_along_dim(L.zeros(()), _I(L, 0, "int32"), 3),
              expect="RuntimeError: torch.take_along_dim(): dtype of indices should be Long")
    _as_torch(lambda L: L.take_along_dim(L.arange(6.0).reshape(2, 3), _I(L, [[5, 1]], "int32")),
              expect="['float32', (2,)")
    _as_torch(lambda L: L.take_along_dim(L.zeros(2, 3), _I(L, [[0, 1]], "float32")),
              expect="RuntimeError: gather(): Expected dtype int32/int64 for index")
    # gather / scatter*: an empty index of any dtype is fine; all of scatter's say "scatter()"
    for fn in (lambda L: L.gather(L.zeros(2, 3), 1, _I(L, np.zeros((2, 0)), "float32")),
               lambda L: L.scatter(L.zeros(2, 3), 1, _I(L, np.zeros((2, 0)), "float32"), 1.0),
               lambda L: L.scatter_add(L.zeros(2, 3), 1, _I(L, np.zeros((2, 0)), "float32"),
                                       L.ones(2, 3)),
               lambda L: L.scatter_reduce(L.zeros(2, 3), 1, _I(L, np.zeros((2, 0)), "float32"),
                                          L.ones(2, 3), "amax")):
        _as_torch(fn, expect="['float32'")
    for fn in (lambda L: L.scatter_add(L.zeros(2), 0, _I(L, [0], "float32"), L.ones(1)),
               lambda L: L.scatter_reduce(L.zeros(2), 0, _I(L, [0], "float32"), L.ones(1),
                                          "sum")):
        _as_torch(fn, expect="RuntimeError: scatter(): Expected dtype int32/int64 for index")


@requires_torch
def test_scatter_check_order():
    x = lambda L: L.zeros(2, 3)                                         # noqa: E731
    # the dim before src's dtype; the index's dtype before it; shapes before the reduce's name
    _as_torch(lambda L: L.scatter(x(L), 5, _I(L, [[0, 1]]), _T(L, [[1, 2]], "int64")),
              expect="IndexError: Dimension out of range (expected to be in range of [-2, 1], "
                     "but got 5)")
    _as_torch(lambda L: L.scatter(x(L), 1, _I(L, [[0, 1]], "float32"),
                                  _T(L, [[1, 2]], "int64")),
              expect="RuntimeError: scatter(): Expected dtype int32/int64 for index")
    _as_torch(lambda L: L.scatter_add(x(L), 1, _I(L, [[0, 1]]), _T(L, [[1, 2]], "int64")),
              expect="RuntimeError: scatter(): Expected self.dtype to be equal to src.dtype")
    _as_torch(lambda L: L.scatter_reduce(L.zeros(2), 0, _I(L, [[0, 0]]), L.ones(2), "foo"),
              expect="RuntimeError: Index tensor must have the same number of dimensions as self")
    _as_torch(lambda L: L.scatter(L.zeros(2), 0, _I(L, [0], "float32"), 1.0, reduce="foo"),
              expect="RuntimeError: scatter(): Expected dtype int32/int64 for index")
    _as_torch(lambda L: L.scatter_reduce(L.zeros(2), 0, _I(L, [0]), L.ones(1), "foo"),
              expect="RuntimeError: reduce argument must be either sum, prod, mean, amax or amin,"
                     " got foo")
    # a src with fewer dims than the index fails on src.size(d) before the dims rule
    _as_torch(lambda L: L.scatter(x(L), 1, _I(L, [[0, 1]]), L.ones(3)),
              expect="IndexError: Dimension out of range (expected to be in range of [-1, 0], "
                     "but got 1)")
    _as_torch(lambda L: L.scatter(x(L), 0, _I(L, [[0, 1]]), L.ones(())),
              expect="RuntimeError: Index tensor must have the same number of dimensions as src")
    # index.size(d) <= src.size(d) for every d, a 0-d src counting as size 1
    _as_torch(lambda L: L.scatter_add(L.zeros(1), 0, _I(L, [0, 0]), L.ones(())),
              expect="RuntimeError: Expected index [2] to be no larger than self [1] apart from "
                     "dimension 0 and to be no larger size than src []")
    _as_torch(lambda L: L.scatter_reduce(L.zeros(2, 3), 0, _I(L, [[0, 1], [1, 0], [0, 0]]),
                                         L.ones(2, 3), "sum"),
              expect="RuntimeError: Expected index [3, 2] to be no larger than self [2, 3]")


@requires_torch
def test_empty_tensors():
    # gather / scatter: an empty index with more dims than self passes every shape check
    _as_torch(lambda L: L.gather(L.zeros(2, 3), 1, _I(L, np.zeros((1, 0, 2)))),
              expect="['float32', (1, 0, 2)")
    _as_torch(lambda L: L.scatter(L.zeros(2, 0, 3), 1, _I(L, np.zeros((1, 0, 3, 1))), 1.5),
              expect="['float32', (2, 0, 3)")
    _as_torch(lambda L: L.scatter_add(L.zeros(2, 0, 3), 2, _I(L, np.zeros((2, 0, 2, 1))),
                                      L.ones(2, 0, 3)), expect="['float32', (2, 0, 3)")
    # index_add into an empty dim checks no index (2+ dims); a 1-d one does
    _as_torch(lambda L: L.index_add(L.zeros(2, 0, 3), 1, _I(L, [0, 3]), L.ones(2, 2, 3)),
              expect="['float32', (2, 0, 3)")
    _as_torch(lambda L: L.index_add(L.zeros(0), 0, _I(L, [0, 3]), L.ones(2)),
              expect="IndexError: index out of range in self")
    # index_copy / index_fill restride self: an empty self that the restrided view would fill
    # is torch's storage error; with another empty dim nothing is checked
    _as_torch(lambda L: L.index_copy(L.zeros(2, 0, 3), 1, _I(L, [1]), L.zeros(2, 1, 3)),
              lambda L: L.index_fill(L.zeros(2, 0, 3), 1, _I(L, [0]), 1.5),
              expect="RuntimeError: setStorage: sizes [2, 1, 3], strides [3, 0, 1], storage "
                     "offset 0, and itemsize 4 requiring a storage size of 24")
    _as_torch(lambda L: L.index_copy(L.zeros(2, 0, 3), 0, _I(L, [5]), L.zeros(1, 0, 3)),
              lambda L: L.index_fill(L.zeros(2, 0, 3), 0, _I(L, [7]), 1.5),
              expect="['float32', (2, 0, 3)")
    # take_along_dim along an empty dim: indices modulo 0
    _as_torch(lambda L: L.take_along_dim(L.zeros(2, 0), _I(L, [[0], [1]]), 1),
              expect="RuntimeError: ZeroDivisionError")
    _as_torch(lambda L: L.take_along_dim(L.zeros(0, 0), _I(L, [[0], [1]]), 0),
              expect="['float32', (2, 0)")
    # index_select from an empty tensor
    _as_torch(lambda L: L.index_select(L.zeros(2, 0, 3), 1, _I(L, [0])),
              expect="RuntimeError: index_select(): self indexing axis dim should be positive")
    _as_torch(lambda L: L.index_select(L.zeros(2, 0, 3), 0, _I(L, [-2, 5])),
              expect="RuntimeError: INDICES element is out of DATA bounds, id=-2 axis_dim=2")
    # scatter_reduce's mean has no bool kernel (torch names the one it reaches)
    _as_torch(lambda L: L.scatter_reduce(_T(L, [1, 0], "bool"), 0, _I(L, np.zeros(0)),
                                         _T(L, [1], "bool"), "mean"),
              expect="NotImplementedError: \"div_floor_cpu\" not implemented for 'Bool'")
    _as_torch(lambda L: L.scatter_reduce(_T(L, [1, 0], "bool"), 0, _I(L, [5]),
                                         _T(L, [1], "bool"), "mean"),
              expect="NotImplementedError: \"scatter_gather_tensor_cpu_reduce_mean\" not "
                     "implemented for 'Bool'")


@requires_torch
@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_zero_dim_scatter_reduce(reduce, include_self):
    """0-d self: the index and src are 0-d or 1-d, as if self were 1-d of size 1."""
    for idx, src in ((0, 3.0), ([0, 0], [3.0, -4.0]), ([0], [3.0, 5.0]), (0, [3.0])):
        _as_torch(lambda L: L.scatter_reduce(L.tensor(2.0), 0, _I(L, idx), _T(L, src), reduce,
                                             include_self=include_self), expect="['float32', ()")
        if np.shape(src) != np.shape(idx):     # (torch's backward is wrong then: see below)
            continue
        grads = []
        for L in (zerograd, torch):
            x, s = L.tensor(2.0, requires_grad=True), _T(L, src).requires_grad_()
            L.scatter_reduce(x, 0, _I(L, idx), s, reduce, include_self=include_self).backward()
            grads.append((x.grad.item(), s.grad.numpy().tolist()))
        assert np.allclose(grads[0][0], grads[1][0]) and np.allclose(grads[0][1], grads[1][1])
    _as_torch(lambda L: L.scatter_reduce(L.tensor(2.0), 0, _I(L, [1]), L.ones(1), reduce),
              expect="RuntimeError: index 1 is out of bounds for dimension 0 with size 1")
    _as_torch(lambda L: L.scatter_reduce(_I(L, 7), 0, _I(L, [0, 0]), _I(L, [3, 4]), reduce,
                                         include_self=include_self), expect="['int64', ()")


@requires_torch
def test_zero_dim_index_ops():
    _as_torch(lambda L: L.scatter(L.tensor(1.0), 0, _I(L, [0, 0]), L.tensor([2.0, 3.0]),
                                  reduce="multiply"),
              lambda L: L.scatter(L.tensor(1.0), 0, _I(L, 0), 2.0, reduce="add"),
              expect="['float32', ()")
    # index_add: a 0-d source stands for one index; another count reads source.size(0)
    _as_torch(lambda L: L.index_add(L.tensor(2.0), 0, _I(L, [0, 0]), L.tensor(1.0)),
              lambda L: L.index_add(L.zeros(2, 3), 0, _I(L, [0, 1]), L.tensor(1.0)),
              expect="IndexError: Dimension specified as 0 but tensor has no dimensions")
    _as_torch(lambda L: L.index_add(L.zeros(2, 3), 1, _I(L, [0]), L.tensor(1.0)),
              expect="RuntimeError: index_add_(): Indexing dim 1 is out of bounds of the source "
                     "tensor with dim 0")
    _as_torch(lambda L: L.index_add(L.tensor(2.0), 0, _I(L, [1]), L.tensor(1.0)),
              expect="IndexError: index out of range in self")
    _as_torch(lambda L: L.index_add(L.tensor(2.0), 0, _I(L, [0]), L.tensor(1.0)),
              expect="['float32', (), 3.0")
    # index_copy
    _as_torch(lambda L: L.index_copy(L.zeros(2, 3), 0, _I(L, [0, 1]), L.tensor(1.0)),
              expect="IndexError: index_copy_(): When source is scalar, index should have one "
                     "element (got 2)")
    _as_torch(lambda L: L.index_copy(L.zeros(2, 3), 1, _I(L, [0]), L.tensor(1.0)),
              expect="RuntimeError: index_copy_(): Source/destination tensor must have same slice "
                     "shapes. Destination slice shape: 2 at dimension 1 and source slice shape:  "
                     "at dimension 0.")
    _as_torch(lambda L: L.index_copy(L.tensor(2.0), 0, _I(L, np.zeros(0)), L.zeros(0)),
              expect="['float32', (), 2.0")
    _as_torch(lambda L: L.index_copy(L.tensor(2.0), 0, _I(L, [0, 0]), L.tensor([5.0, 6.0])),
              expect="['float32', (), 6.0")
    # take_along_dim reads indices.size(dim)
    _as_torch(lambda L: L.take_along_dim(L.tensor(2.0), _I(L, 0), -1),
              expect="IndexError: Dimension specified as 0 but tensor has no dimensions")


@requires_torch
def test_out_of_range_indices():
    # index_select: three kernels, three messages
    _as_torch(lambda L: L.index_select(L.zeros(3), 0, _I(L, [0, -1])),
              lambda L: L.index_select(L.zeros(2, 3, 2), 2, _I(L, [3])),
              lambda L: L.index_select(L.tensor(3.0), 0, _I(L, 1)),
              expect="IndexError: index out of range in self")
    _as_torch(lambda L: L.index_select(L.zeros(2, 3, 2), 1, _I(L, [0, 3, -1])),
              expect="RuntimeError: INDICES element is out of DATA bounds, id=3 axis_dim=3")
    # index_add: scatter_add's message for alpha 1, an int64 index and the first or last dim
    _as_torch(lambda L: L.index_add(L.zeros(2, 3), 1, _I(L, [0, 3]), L.ones(2, 2)),
              lambda L: L.index_add(L.zeros(2, 3), 1, _I(L, [0, 3]), L.ones(2, 2), alpha=1.0),
              expect="RuntimeError: index 3 is out of bounds for dimension 1 with size 3")
    _as_torch(lambda L: L.index_add(L.zeros(2, 3), 1, _I(L, [0, 3]), L.ones(2, 2), alpha=2),
              lambda L: L.index_add(L.zeros(2, 3), 1, _I(L, [0, 3], "int32"), L.ones(2, 2)),
              lambda L: L.index_add(L.zeros(2, 3, 2), 1, _I(L, [0, 3]), L.ones(2, 2, 2)),
              lambda L: L.index_add(L.zeros(3), 0, _I(L, [-1]), L.ones(1)),
              expect="IndexError: index out of range in self")
    # the first bad index in C order is the one named (not the smallest or largest)
    _as_torch(lambda L: L.gather(L.zeros(2, 3), 1, _I(L, [[0, 5, -1], [7, 0, 0]])),
              lambda L: L.scatter(L.zeros(2, 3), 0, _I(L, [[0, 5, -1], [7, 0, 0]]), 1.0),
              expect="RuntimeError: index 5 is out of bounds")
    _as_torch(lambda L: L.index_fill(L.zeros(2, 3), 1, _I(L, [0, 3, -4]), 1.5),
              expect="IndexError: index 3 is out of bounds for dimension 1 with size 3")
    _as_torch(lambda L: L.index_copy(L.zeros(2, 3), 1, _I(L, [-1, 3]), L.ones(2, 2)),
              expect="IndexError: index_copy_(): index -1 is out of bounds for dimension 1 with "
                     "size 3")
    _as_torch(lambda L: L.index_fill(L.zeros(2, 3), 1, _I(L, [0, -1]), 1.5),
              expect="['float32', (2, 3), [[1.5, 0.0, 1.5]")
    # take_along_dim: indices wrap around modulo the size; shapes broadcast or fail as torch's
    _as_torch(lambda L: L.take_along_dim(L.arange(6.0).reshape(2, 3),
                                         _I(L, [[0, 5, -1], [7, 0, -4]]), 1),
              expect="['float32', (2, 3), [[0.0, 2.0, 2.0], [4.0, 3.0, 5.0]]")
    _as_torch(lambda L: L.take_along_dim(L.arange(6.0).reshape(2, 3), _I(L, [[0, 1]]), 0),
              expect="RuntimeError: The size of tensor a (3) must match the size of tensor b (2) "
                     "at non-singleton dimension 1")
    _as_torch(lambda L: L.take_along_dim(L.zeros(2, 1, 3), _I(L, np.zeros((3, 4, 2))), 2),
              expect="RuntimeError: The size of tensor a (2) must match the size of tensor b (3) "
                     "at non-singleton dimension 0")
    grads = []
    for L in (zerograd, torch):
        x = L.arange(6.0).reshape(2, 3).requires_grad_()
        y = L.take_along_dim(x, _I(L, [[0, 5, -1]]), 1)
        y.sum().backward()
        grads.append((y.grad_fn.name(), y.grad_fn.next_functions[0][0].name(), x.grad.tolist()))
    assert grads[0] == grads[1] == ("GatherBackward0", "ExpandBackward0",
                                    [[1.0, 0.0, 2.0], [1.0, 0.0, 2.0]])


@requires_torch
def test_fill_values_convert_as_torch():
    i = lambda L: _I(L, [0])                                            # noqa: E731
    m = lambda L: L.tensor([True, False, False])                        # noqa: E731
    for dt, v in (("int32", 2 ** 40), ("int32", float("nan")), ("int32", 1e20), ("uint8", 256),
                  ("uint8", -1.0), ("int16", 70000), ("float16", 70000.0), ("float32", 1e300),
                  ("int64", 2 ** 63)):
        _as_torch(lambda L: L.masked_fill(_T(L, [0, 0, 0], dt), m(L), v),
                  lambda L: L.index_fill(_T(L, [0, 0, 0], dt), 0, i(L), v),
                  lambda L: L.scatter(_T(L, [0, 0, 0], dt), 0, i(L), v),
                  expect="RuntimeError: value cannot be converted to type")
    for dt, v in (("uint8", -1), ("uint8", -255), ("bool", 2 ** 63), ("bool", float("nan")),
                  ("float16", float("inf")), ("int32", 2.9)):
        _as_torch(lambda L: L.masked_fill(_T(L, [0, 0, 0], dt), m(L), v),
                  lambda L: L.index_fill(_T(L, [0, 0, 0], dt), 0, i(L), v),
                  lambda L: L.scatter(_T(L, [0, 0, 0], dt), 0, i(L), v), expect=f"['{dt}'")
    # a 0-d value tensor converts its item; a fill into an empty place converts all the same
    _as_torch(lambda L: L.masked_fill(_T(L, [0, 0, 0], "int32"), m(L), L.tensor(1e20)),
              lambda L: L.index_fill(_T(L, [0, 0, 0], "float16"), 0, i(L), L.tensor(7e4)),
              lambda L: L.masked_fill(_T(L, [], "int32"), L.tensor([], dtype=L.bool), 2 ** 40),
              lambda L: L.index_fill(_T(L, [0], "int32"), 0, _I(L, np.zeros(0)), 2 ** 40),
              expect="RuntimeError: value cannot be converted to type")
    # scatter converts at each element: an out-of-range first index is reported first
    _as_torch(lambda L: L.scatter(_T(L, [0, 0, 0], "int32"), 0, _I(L, [0, 5]), 2 ** 40),
              expect="RuntimeError: value cannot be converted to type int without overflow")
    _as_torch(lambda L: L.scatter(_T(L, [0, 0, 0], "int32"), 0, _I(L, [5, 0]), 2 ** 40),
              expect="RuntimeError: index 5 is out of bounds")
    _as_torch(lambda L: L.scatter(_T(L, [0, 0, 0], "int32"), 0, _I(L, np.zeros(0)), 2 ** 40),
              expect="['int32'")
    # the argument parser: ints beyond 64 bits, and what is no number at all
    _as_torch(lambda L: L.masked_fill(L.zeros(3), m(L), 2 ** 70),
              lambda L: L.scatter(L.zeros(3), 0, _I(L, [5]), 2 ** 70),
              expect="OverflowError: int too big to convert")
    _as_torch(lambda L: L.zeros(3).masked_fill(m(L), -2 ** 70),
              expect="OverflowError: can't convert negative int to unsigned")
    _as_torch(lambda L: L.index_fill(L.zeros(3), 0, i(L), None),
              expect="TypeError: index_fill() received an invalid combination of arguments - got "
                     "(Tensor, int, Tensor, NoneType), but expected one of:")
    _as_torch(lambda L: L.zeros(3).masked_fill([True], 1.0),
              expect="TypeError: masked_fill() received an invalid combination of arguments - "
                     "got (list, float), but expected one of:")
    _as_torch(lambda L: L.index_add(L.zeros(2, 3, dtype=L.uint8), 1, _I(L, [0, 1]),
                                    L.ones(2, 2, dtype=L.uint8), alpha=-1),
              expect="['uint8', (2, 3), [[255.0, 255.0, 0.0]")


@requires_torch
def test_mask_check_order():
    mask = lambda L, v, dt="bool": _T(L, v, dt)                         # noqa: E731
    # out of place: mask and self broadcast first (a = mask)
    _as_torch(lambda L: L.masked_fill(L.zeros(2, 3), mask(L, [[1.0]] * 3, "float32"), 1.5),
              lambda L: L.masked_scatter(L.zeros(2, 3), mask(L, [[1.0]] * 3, "float32"),
                                         L.ones(1)),
              expect="RuntimeError: The size of tensor a (3) must match the size of tensor b (2) "
                     "at non-singleton dimension 0")
    _as_torch(lambda L: L.masked_fill(L.zeros(3), mask(L, [1, 0, 1], "int64"), L.tensor([1.0])),
              expect="RuntimeError: masked_fill_ only supports a 0-dimensional value tensor")
    _as_torch(lambda L: L.masked_scatter(L.zeros(3), mask(L, [1, 0, 1], "uint8"),
                                         L.ones(3, dtype=L.float64)),
              expect="RuntimeError: masked_scatter: expected self and source to have same dtypes "
                     "but gotFloat and Double")
    _as_torch(lambda L: L.masked_scatter(L.zeros(3), mask(L, [1, 0, 1], "int64"), L.ones(3)),
              expect="RuntimeError: masked_scatter_ only supports boolean masks, but got mask "
                     "with dtype Long")
    _as_torch(lambda L: L.masked_scatter(L.zeros(3), mask(L, [1, 0, 1]), L.ones(1)),
              expect="RuntimeError: Number of elements of source < number of ones in mask")
    # in place: the mask's dtype first, then the mask against self (a = self)
    _as_torch(lambda L: L.zeros(2, 3).masked_fill_(mask(L, [[1, 1]] * 2, "int64"), 1),
              expect="RuntimeError: masked_fill_ only supports boolean masks, but got mask with "
                     "dtype long int")
    _as_torch(lambda L: L.zeros(2, 3).masked_fill_(mask(L, [[1, 1]] * 2), 1),
              expect="RuntimeError: The size of tensor a (3) must match the size of tensor b (2) "
                     "at non-singleton dimension 1")
    _as_torch(lambda L: L.zeros(3).masked_fill_(mask(L, [[1, 0, 1]] * 2), L.tensor(1.0)),
              expect="RuntimeError: output with shape [3] doesn't match the broadcast shape [2, 3]")
    _as_torch(lambda L: L.zeros(3).masked_scatter_(mask(L, [[1, 0, 1]] * 2), L.ones(6)),
              expect="RuntimeError: expand(CPUBoolType{[2, 3]}, size=[3]): the number of sizes "
                     "provided (1) must be greater or equal to the number of dimensions in the "
                     "tensor (2)")
    _as_torch(lambda L: L.zeros(3).masked_scatter_(mask(L, [[1, 0, 1]] * 2, "uint8"), L.ones(3)),
              expect="RuntimeError: expand(torch.ByteTensor{[2, 3]}, size=[3])")
    _as_torch(lambda L: L.zeros(2, 3).masked_scatter_(mask(L, [1, 0]), L.ones(3)),
              expect="RuntimeError: The expanded size of the tensor (3) must match the existing "
                     "size (2) at non-singleton dimension 1.  Target sizes: [2, 3].  Tensor "
                     "sizes: [2]")


@requires_torch
def test_argument_types_name_positions_as_torch():
    """torch counts positions without self through the Tensor method."""
    i = lambda L: _I(L, [0])                                            # noqa: E731
    _as_torch(lambda L: L.scatter_reduce(L.zeros(3), 0, i(L), 1.0, "sum"),
              expect="TypeError: scatter_reduce(): argument 'src' (position 4) must be Tensor")
    _as_torch(lambda L: L.zeros(3).scatter_reduce(0, i(L), 1.0, "sum"),
              lambda L: L.zeros(3).index_add_(0, i(L), 1.0),
              lambda L: L.zeros(3).scatter_add_(0, i(L), 1.0),
              expect="TypeError: ")
    _as_torch(lambda L: L.take_along_dim(L.zeros(3), [0]),
              expect="TypeError: take_along_dim(): argument 'indices' (position 2) must be Tensor")
    _as_torch(lambda L: L.zeros(3).take_along_dim([0]),
              expect="TypeError: take_along_dim(): argument 'indices' (position 1) must be Tensor")
    _as_torch(lambda L: L.zeros(3).masked_scatter_(L.tensor([True]), 1.0),
              expect="TypeError: masked_scatter_(): argument 'source' (position 2) must be Tensor")


@requires_torch
def test_in_place_forms_bump_the_version_and_record_the_node():
    cases = [("scatter_", lambda L, x: x.scatter_(0, _I(L, [[1, 0, 1]]), 2.0), "ScatterBackward1"),
             ("scatter_add_", lambda L, x: x.scatter_add_(0, _I(L, [[1, 0, 1]]), L.ones(1, 3)),
              "ScatterAddBackward0"),
             ("index_add_", lambda L, x: x.index_add_(1, _I(L, [2]), L.ones(2, 1), alpha=3),
              "IndexAddBackward0"),
             ("index_fill_", lambda L, x: x.index_fill_(1, _I(L, [-1]), 7.0), "IndexFillBackward0"),
             ("index_fill_", lambda L, x: x.index_fill_(1, _I(L, [0]), L.tensor(7.0)),
              "IndexFillBackward1"),
             ("index_copy_", lambda L, x: x.index_copy_(0, _I(L, [1]), L.ones(1, 3)),
              "IndexCopyBackward0"),
             ("masked_fill_", lambda L, x: x.masked_fill_(L.tensor([True, False, True]), 7.0),
              "MaskedFillBackward0"),
             ("masked_scatter_", lambda L, x: x.masked_scatter_(L.tensor([True, False, True]),
                                                                L.ones(6)),
              "MaskedScatterBackward0")]
    for name, op, node in cases:
        out = []
        for L in (zerograd, torch):
            leaf = L.arange(6.0).reshape(2, 3).requires_grad_()
            x = leaf * 1
            v = x._version
            r = op(L, x)
            r.backward(L.arange(6.0).reshape(2, 3))
            plain = L.zeros(2, 3)
            op(L, plain)
            out.append((r is x, x._version - v, x.grad_fn.name(), x.tolist(), leaf.grad.tolist(),
                        plain._version))
        assert out[0] == out[1], (name, out)
        assert out[0][:3] == (True, 1, node) and out[0][5] == 1
    # the reduce= form records a node that cannot differentiate; in place it names scatter_
    errs = []
    for L in (zerograd, torch):
        x = L.zeros(3, requires_grad=True) * 1
        x.scatter_(0, _I(L, [0]), 2.0, reduce="add")
        with pytest.raises(RuntimeError) as e:
            x.sum().backward()
        errs.append(str(e.value))
    assert errs[0] == errs[1] == "derivative for aten::scatter_ is not implemented"


@requires_torch
def test_backward_checks_what_an_empty_forward_let_through():
    """index_add / index_copy into an empty tensor check no index; their backward index_selects
    and fails as torch's does."""
    cases = [(lambda L, x, s: L.index_add(x, 1, _I(L, [0]), s), (2, 1, 3),
              "index_select(): self indexing axis dim should be positive"),
             (lambda L, x, s: L.index_copy(x, 0, _I(L, [5]), s), (1, 0, 3),
              "INDICES element is out of DATA bounds, id=5 axis_dim=2")]
    for make, src_shape, message in cases:
        errs = []
        for L in (zerograd, torch):
            x, s = L.zeros(2, 0, 3, requires_grad=True), L.ones(src_shape, requires_grad=True)
            y = make(L, x, s)
            with pytest.raises(RuntimeError) as e:
                y.sum().backward()
            errs.append(str(e.value))
        assert errs[0] == errs[1] == message


@requires_torch
def test_scatter_reduce_gradients_where_src_is_larger_than_index():
    """torch's ScatterReduceBackward0 mishandles a src larger than the index (an invalid-gradient
    error, a size error for amax/amin, wrong values for prod: a torch bug).  zerograd's gradient
    is torch's for the part of src the index reads, and zero elsewhere."""
    rng = np.random.default_rng(0)
    x0, s0 = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    idx = np.array([[0, 2, 1], [2, 2, 0]])
    for reduce in ("sum", "prod", "mean", "amax", "amin"):
        for include_self in (True, False):
            out = []
            for L, src in ((zerograd, s0), (torch, s0[:2, :3])):
                x, s = L.tensor(x0, requires_grad=True), L.tensor(src, requires_grad=True)
                y = L.scatter_reduce(x, 0, L.tensor(idx), s, reduce, include_self=include_self)
                y.backward(L.tensor(np.arange(12.0).reshape(3, 4)))
                out.append((y.detach().numpy(), x.grad.numpy(), s.grad.numpy()))
            (zy, zx, zs), (ty, tx, ts) = out
            assert np.allclose(zy, ty) and np.allclose(zx, tx) and np.allclose(zs[:2, :3], ts)
            assert not zs[2:].any() and not zs[:, 3:].any()


@requires_torch
def test_index_fill_value_gradient_with_a_negative_index():
    """torch's IndexFillBackward1 index_selects the raw indices for the value's gradient, so a
    negative index fails there (a torch bug); zerograd's gradient is torch's for the same index
    counted from the start."""
    out = []
    for L, index in ((zerograd, [0, -1]), (torch, [0, 2])):
        x, v = L.ones(2, 3, requires_grad=True), L.tensor(5.0, requires_grad=True)
        y = x.index_fill(1, _I(L, index), v)
        y.backward(L.arange(6.0).reshape(2, 3))
        out.append((y.tolist(), x.grad.tolist(), v.grad.item()))
    assert out[0] == out[1] and out[0][2] == 0.0 + 2 + 3 + 5
    with pytest.raises(RuntimeError, match="INDICES element is out of DATA bounds, id=-1"):
        torch.ones(2, 3).index_fill(1, torch.tensor([0, -1]),
                                    torch.tensor(5.0, requires_grad=True)).sum().backward()
