"""Op parity tests, driven by the table in tests/op_db.py (one test per row and case).

For every case:
  test_forward   values, shapes and dtypes equal torch's for float64, float32, int64 and mixed
                 dtype inputs (Python and NumPy scalars included); where torch raises, zerograd
                 raises the same exception type (for the table's error cases: with torch's
                 message); zerograd warns only where torch warns
  test_backward  the gradients of sum(out * R) w.r.t. every float input equal torch's
  test_graph     grad_fn names along next_functions[0] (and the root's inputs) equal torch's,
                 and the table's expected node name is torch's; under no_grad nothing is
                 recorded and requires_grad is torch's (views of leaves keep it)
  test_gradcheck zerograd.autograd.gradcheck / gradgradcheck in float64 (no torch needed)
plus hypothesis property tests of broadcasting for the binary ops (values, grads, and torch's
error message for shapes that do not broadcast).  0-d and empty inputs are ordinary cases in the
table.  Run:  python3 -m pytest tests/test_ops.py -q -p no:cacheprovider
"""
from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import zerograd
from tests._oracle import requires_torch, torch
from tests.op_db import OP_DB

F32, F64, I64 = np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.int64)


def _quiet(test):
    """Silence the warnings the table's cases provoke on purpose (a degenerate var) in the tests
    that do not compare warnings (test_forward does, so it stays unfiltered)."""
    for text in ("degrees of freedom is <= 0",):
        test = pytest.mark.filterwarnings(f"ignore:.*{text}")(test)
    return test


def _params(kind, keep=lambda r, c: True):
    """One pytest param per (row, case), id `name-index`, with the table's xfail marks."""
    out = []
    for r in OP_DB:
        for i, c in enumerate(r.samples()):
            if not keep(r, c):
                continue
            reason = c.xfail.get(kind) or r.xfail.get(kind)
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            out.append(pytest.param(r, c, id=f"{r.name}-{i}", marks=marks))
    return out


def _diff(r, c):
    return r.differentiable and c.error is None


# ------------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------------

def _slots(case):
    """Indices of the args that are castable arrays (not bool masks)."""
    return [i for i, a in enumerate(case.args) if isinstance(a, np.ndarray) and a.dtype != np.bool_]


def _cast(case, dtypes):
    """The case's args with its arrays cast to `dtypes` (ints: round(3 x), see op_db)."""
    args, it = list(case.args), iter(dtypes)
    for i in _slots(case):
        dt = next(it)
        a = case.args[i]
        with np.errstate(invalid="ignore"):     # nan/inf cases: any int will do
            args[i] = np.asarray(np.round(a * 3) if dt.kind in "iu" else a).astype(dt)
    return args


def _lib_args(m, args, grad=False, nograd=()):
    out = []
    for i, a in enumerate(args):
        if isinstance(a, np.ndarray):
            t = torch.from_numpy(a.copy()) if m is torch else zerograd.from_numpy(a.copy())
            if grad and a.dtype.kind == "f" and i not in nograd:
                t.requires_grad_(True)
            a = t
        out.append(a)
    return out


def _run(spec, m, args, kwargs):
    """(output, None, warnings) or (None, the exception, warnings)."""
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always", append=True)    # after the library's own filters
        try:
            return spec.call(m, args, kwargs), None, w
        except Exception as e:  # noqa: BLE001 - compared with torch's
            return None, e, w


_TORCH_WARNED = set()      # what torch has warned this session (it warns some things only once)


def _warn_text(w):
    return str(w.message).split(" (Triggered internally")[0]


def _outs(o):
    return list(o) if isinstance(o, tuple) else [o]


def _np(t):
    return t.detach().numpy() if isinstance(t, (torch.Tensor, zerograd.Tensor)) else t


def _assert_same(z, t, tol, what=""):
    """zerograd result `z` equals torch result `t`: type, shape, dtype, values.  `tol(dtype)`
    gives (rtol, atol) for an output of that dtype."""
    zs, ts = _outs(z), _outs(t)
    assert len(zs) == len(ts), f"{what}: {len(zs)} outputs, torch has {len(ts)}"
    for name in ("values", "indices") if isinstance(t, tuple) else ():
        if hasattr(t, name):
            assert hasattr(z, name), f"{what}: torch's result has .{name}"
    for k, (zi, ti) in enumerate(zip(zs, ts)):
        if isinstance(ti, torch.Tensor):
            assert isinstance(zi, zerograd.Tensor), f"{what}[{k}]: got {type(zi).__name__}"
            assert str(zi.dtype) == str(ti.dtype), f"{what}[{k}]: dtype {zi.dtype} != {ti.dtype}"
            assert tuple(zi.shape) == tuple(ti.shape), \
                f"{what}[{k}]: shape {tuple(zi.shape)} != {tuple(ti.shape)}"
            rtol, atol = tol(_np(ti).dtype)
            np.testing.assert_allclose(_np(zi), _np(ti), rtol=rtol, atol=atol, equal_nan=True,
                                       err_msg=f"{what}[{k}]")
        else:
            assert type(zi) is type(ti) and zi == ti, f"{what}[{k}]: {zi!r} != {ti!r}"


def _dtype_modes(spec, case):
    n = len(_slots(case))
    kinds = [F64, F32] + ([I64] if spec.ints else [])
    modes = [(k,) * n for k in kinds]
    if n >= 2 and case.mixed:
        modes += [c for c in itertools.product(kinds, repeat=n) if len(set(c)) > 1]
    return modes or [()]


def _float_outs(out, lib):
    return [o for o in _outs(out) if isinstance(o, lib.Tensor) and o.is_floating_point()]


def _chain(t, depth):
    names, node = [], t.grad_fn
    while node is not None and len(names) < depth:
        names.append(node.name())
        nf = node.next_functions
        node = nf[0][0] if nf else None
    return names


def _root_inputs(t):
    if t.grad_fn is None:
        return None
    return [None if n is None else n.name() for n, _ in t.grad_fn.next_functions]


# ------------------------------------------------------------------------------------------------
# 1. forward: values and dtypes, every dtype mix
# ------------------------------------------------------------------------------------------------

@requires_torch
@pytest.mark.parametrize("spec,case", _params("forward"))
def test_forward(spec, case):
    failures = []
    base = (F64,) * len(_slots(case))
    for dts in _dtype_modes(spec, case):
        label = "(" + ", ".join(d.name for d in dts) + ")"
        args = _cast(case, dts)
        to, te, tw = _run(spec, torch, _lib_args(torch, args), case.kwargs)
        zo, ze, zw = _run(spec, zerograd, _lib_args(zerograd, args), case.kwargs)
        _TORCH_WARNED.update(map(_warn_text, tw))
        if zw and not tw and _warn_text(zw[0]) not in _TORCH_WARNED:
            failures.append(f"{label}: zerograd warns, torch does not: {zw[0].message}")
        if te is not None:
            if dts == base and case.error is None:
                failures.append(f"{label}: torch raised {te!r} (a bad case in op_db?)")
            elif ze is None:
                failures.append(f"{label}: torch raises {type(te).__name__}({te}), zerograd "
                                f"returned {zo!r}")
            elif not isinstance(ze, type(te)):
                failures.append(f"{label}: torch raises {type(te).__name__}({te}), zerograd "
                                f"raised {type(ze).__name__}({ze})")
            elif dts == base and case.match and str(te).splitlines()[0] not in str(ze):
                failures.append(f"{label}: torch's message {str(te).splitlines()[0]!r} is not in "
                                f"zerograd's {str(ze)!r}")
            continue
        if dts == base and case.error is not None:
            failures.append(f"{label}: the table expects torch to raise {case.error.__name__}")
        if ze is not None:
            failures.append(f"{label}: zerograd raised {type(ze).__name__}({ze}); torch returned "
                            f"{to!r}")
            continue
        try:
            _assert_same(zo, to, spec.tol, what=label)
        except AssertionError as e:
            failures.append(str(e))
    assert not failures, "\n".join(failures)


# ------------------------------------------------------------------------------------------------
# 2. backward: gradients of sum(out * R)
# ------------------------------------------------------------------------------------------------

@_quiet
@requires_torch
@pytest.mark.parametrize("spec,case", _params("backward", _diff))
@pytest.mark.parametrize("dtype", [F64, F32], ids=["float64", "float32"])
def test_backward(spec, case, dtype):
    args = _cast(case, (dtype,) * len(_slots(case)))
    tin = _lib_args(torch, args, grad=True, nograd=case.nograd)
    zin = _lib_args(zerograd, args, grad=True, nograd=case.nograd)
    tout = _float_outs(spec.call(torch, tin, case.kwargs), torch)
    zout = _float_outs(spec.call(zerograd, zin, case.kwargs), zerograd)
    assert len(zout) == len(tout)
    rng = np.random.default_rng(0)
    rs = [rng.standard_normal(tuple(o.shape)).astype(_np(o).dtype) for o in tout]
    tloss = sum((o * torch.from_numpy(r)).sum() for o, r in zip(tout, rs))
    zloss = sum((o * zerograd.from_numpy(r)).sum() for o, r in zip(zout, rs))
    tx = [t for t in tin if isinstance(t, torch.Tensor) and t.requires_grad]
    zx = [t for t in zin if isinstance(t, zerograd.Tensor) and t.requires_grad]
    if not tx or not tloss.requires_grad:
        pytest.skip("no input requires grad")
    tg = torch.autograd.grad(tloss, tx, allow_unused=True)
    zg = zerograd.autograd.grad(zloss, zx, allow_unused=True)

    def tol(dt):
        rtol, atol = spec.tol(dt)
        return rtol * 10, atol * 10
    for k, (z, t) in enumerate(zip(zg, tg)):
        assert (z is None) == (t is None), f"grad {k}: zerograd {z!r}, torch {t!r}"
        if t is not None:
            _assert_same(z, t, tol, what=f"grad {k}")


# ------------------------------------------------------------------------------------------------
# 3. the graph: node names
# ------------------------------------------------------------------------------------------------

@_quiet
@requires_torch
@pytest.mark.parametrize("spec,case", _params("graph", lambda r, c: c.error is None))
def test_graph(spec, case):
    args = _cast(case, (F64,) * len(_slots(case)))
    tout = _outs(spec.call(torch, _lib_args(torch, args, True, case.nograd), case.kwargs))
    zout = _outs(spec.call(zerograd, _lib_args(zerograd, args, True, case.nograd), case.kwargs))
    for k, (z, t) in enumerate(zip(zout, tout)):
        if not isinstance(t, torch.Tensor):
            continue
        assert z.requires_grad == t.requires_grad, f"output {k}: requires_grad"
        assert z.is_leaf == t.is_leaf, f"output {k}: is_leaf"
        assert _chain(z, spec.depth) == _chain(t, spec.depth), f"output {k}: node chain"
        assert _root_inputs(z) == _root_inputs(t), f"output {k}: the root node's inputs"
        if not spec.differentiable and spec.node is None:
            assert not t.requires_grad
    with zerograd.no_grad(), torch.no_grad():      # under no_grad nothing is recorded
        zs = _outs(spec.call(zerograd, _lib_args(zerograd, args, True, case.nograd), case.kwargs))
        ts = _outs(spec.call(torch, _lib_args(torch, args, True, case.nograd), case.kwargs))
    for k, (z, t) in enumerate(zip(zs, ts)):
        if isinstance(t, torch.Tensor):
            assert z.grad_fn is None, f"output {k}: recorded under no_grad"
            assert z.requires_grad == t.requires_grad, f"output {k}: requires_grad under no_grad"
    expected = spec.expected_node(case)
    first = tout[0]
    if expected == "":
        assert first.grad_fn is None
    elif expected is not None:
        assert first.grad_fn is not None and first.grad_fn.name() == expected, \
            "the table's node name is not torch's"
    elif spec.differentiable:
        pytest.fail("differentiable row without an expected node name")


# ------------------------------------------------------------------------------------------------
# 4. gradcheck / gradgradcheck (float64, zerograd only)
# ------------------------------------------------------------------------------------------------

def _check_fn(spec, case):
    args = _lib_args(zerograd, _cast(case, (F64,) * len(_slots(case))), True, case.nograd)
    slots = [i for i, a in enumerate(args) if isinstance(a, zerograd.Tensor) and a.requires_grad]

    def fn(*xs):
        full = list(args)
        for i, x in zip(slots, xs):
            full[i] = x
        outs = _float_outs(spec.call(zerograd, full, case.kwargs), zerograd)
        return outs[0] if len(outs) == 1 else tuple(outs)
    return fn, tuple(args[i] for i in slots)


def _checkable(r, c):
    return _diff(r, c) and r.gradcheck and c.gradcheck


@_quiet
@pytest.mark.parametrize("spec,case", _params("gradcheck", _checkable))
def test_gradcheck(spec, case):
    fn, inputs = _check_fn(spec, case)
    if not inputs:
        pytest.skip("no input requires grad")
    assert zerograd.autograd.gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3)
    if spec.gradgrad and case.gradgrad:
        assert zerograd.autograd.gradgradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3)


@_quiet
@pytest.mark.parametrize("spec,case", _params("sweep", lambda r, c: _diff(r, c) and r.gradgrad
                                                and c.gradgrad))
@pytest.mark.parametrize("dtype", [F64, F32], ids=["float64", "float32"])
def test_array_sweep_equals_tensor_sweep(spec, case, dtype):
    """Without create_graph the engine runs each node's `np_backward` on NumPy arrays; with it,
    the node's Tensor `backward` (which records).  The two must give the same gradients - and
    both are checked against finite differences above (gradcheck / gradgradcheck)."""
    args = _cast(case, (dtype,) * len(_slots(case)))
    zin = _lib_args(zerograd, args, grad=True, nograd=case.nograd)
    outs = _float_outs(spec.call(zerograd, zin, case.kwargs), zerograd)
    rng = np.random.default_rng(0)
    loss = sum((o * zerograd.from_numpy(rng.standard_normal(tuple(o.shape)).astype(o.detach().numpy().dtype)))
               .sum() for o in outs)
    xs = [t for t in zin if isinstance(t, zerograd.Tensor) and t.requires_grad]
    if not xs or not loss.requires_grad:
        pytest.skip("no input requires grad")
    fast = zerograd.autograd.grad(loss, xs, allow_unused=True, retain_graph=True)
    slow = zerograd.autograd.grad(loss, xs, allow_unused=True, create_graph=True)
    tol = 1e-12 if dtype == F64 else 1e-5
    for k, (a, b) in enumerate(zip(fast, slow)):
        assert (a is None) == (b is None), f"grad {k}"
        if a is not None:
            assert a.dtype == b.dtype and a.shape == b.shape, f"grad {k}"
            np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=tol, atol=tol,
                                       err_msg=f"grad {k}")


# ------------------------------------------------------------------------------------------------
# 5. broadcasting, as a property (hypothesis)
# ------------------------------------------------------------------------------------------------

BINARY = {
    "add": lambda m, a, b: a + b,
    "sub": lambda m, a, b: a - b,
    "mul": lambda m, a, b: a * b,
    "div": lambda m, a, b: a / b,
    "maximum": lambda m, a, b: m.maximum(a, b),
    "where": lambda m, a, b: m.where(a > 0, a, b),
}


def _TIGHT(dtype):
    return 1e-12, 1e-12


SETTINGS = settings(max_examples=50, deadline=None, derandomize=True)


def _values(seed, shape, op, second):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
    return x if not (second and op == "div") else x + np.sign(x)  # divisors away from 0


@requires_torch
@pytest.mark.parametrize("op", list(BINARY))
@SETTINGS
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, min_side=1, max_side=4),
       seed=st.integers(0, 2 ** 16))
def test_broadcast_property(op, shapes, seed):
    f = BINARY[op]
    sa, sb = shapes.input_shapes
    a, b = _values(seed, sa, op, False), _values(seed + 1, sb, op, True)
    ta, tb = (torch.tensor(v, requires_grad=True) for v in (a, b))
    za, zb = (zerograd.tensor(v, requires_grad=True) for v in (a, b))
    tz, zz = f(torch, ta, tb), f(zerograd, za, zb)
    _assert_same(zz, tz, _TIGHT, what=op)
    r = np.random.default_rng(seed).standard_normal(shapes.result_shape)
    tg = torch.autograd.grad((tz * torch.from_numpy(r)).sum(), (ta, tb))
    zg = zerograd.autograd.grad((zz * zerograd.from_numpy(r)).sum(), (za, zb))
    for z, t in zip(zg, tg):
        _assert_same(z, t, _TIGHT, what=f"{op} grad")


@st.composite
def _incompatible(draw):
    """Two shapes (up to 3 dims, sizes 1-4) that clash at one dim: sizes p != q, both > 1."""
    a = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    i = draw(st.integers(0, len(a) - 1))
    a[i] = draw(st.integers(2, 4))
    b = [draw(st.sampled_from([s, 1])) for s in a]      # elsewhere: equal, or 1
    b[i] = draw(st.sampled_from([q for q in (2, 3, 4) if q != a[i]]))
    b = b[draw(st.integers(0, i)):]                     # b may lack leading dims
    return (tuple(a), tuple(b)) if draw(st.booleans()) else (tuple(b), tuple(a))


@requires_torch
@pytest.mark.parametrize("op", list(BINARY))
@SETTINGS
@given(shapes=_incompatible())
def test_broadcast_error_property(op, shapes):
    sa, sb = shapes
    f = BINARY[op]
    a, b = np.ones(sa), np.ones(sb)
    with pytest.raises(RuntimeError) as te:
        f(torch, torch.tensor(a), torch.tensor(b))
    with pytest.raises(RuntimeError) as ze:
        f(zerograd, zerograd.tensor(a), zerograd.tensor(b))
    assert str(te.value).splitlines()[0] in str(ze.value)


BOOL_REFUSALS = {
    "abs": lambda m, b: m.abs(b),
    "abs_": lambda m, b: b.clone().abs_(),
    "relu": lambda m, b: m.relu(b),
    "relu_": lambda m, b: b.clone().relu_(),
    "argmax": lambda m, b: m.argmax(b),
    "argmin_dim": lambda m, b: b.argmin(0),
    "matmul_1d": lambda m, b: m.matmul(b, b),
    "matmul_2d1d": lambda m, b: m.matmul(b.reshape(1, 4), b),
    "matmul_1d2d": lambda m, b: m.matmul(b, b.reshape(4, 1)),
    "mm": lambda m, b: m.mm(b.reshape(2, 2), b.reshape(2, 2)),
    "bmm": lambda m, b: m.bmm(b.reshape(1, 2, 2), b.reshape(1, 2, 2)),
    "addmm": lambda m, b: m.addmm(b.reshape(2, 2), b.reshape(2, 2), b.reshape(2, 2)),
    "dot": lambda m, b: m.dot(b, b),
    "mv": lambda m, b: m.mv(b.reshape(1, 4), b),
}


@requires_torch
@pytest.mark.parametrize("name", sorted(BOOL_REFUSALS))
def test_bool_inputs_refused_as_torch_refuses_them(name):
    """torch has no bool kernel for abs, relu, argmax/argmin and the matrix products: the same
    error type and message (bool @ bool used to compute something here)."""
    f = BOOL_REFUSALS[name]
    errors = []
    for m in (zerograd, torch):
        with pytest.raises(Exception) as e:
            f(m, m.tensor([True, False, True, True]))
        errors.append((e.type, str(e.value)))
    assert errors[0] == errors[1]


def test_abs_in_place_matches_abs():
    x = zerograd.tensor([-1.5, 2.0, -0.0], requires_grad=True)
    y = x * 1
    y.abs_()
    assert y.grad_fn.name() == "AbsBackward0" and y.tolist() == [1.5, 2.0, 0.0]
    y.sum().backward()
    assert x.grad.tolist() == [-1.0, 1.0, 0.0]


@requires_torch
def test_number_mod_tensor_as_torch():
    """number % tensor: the number is a weak scalar (7.5 % int tensor is float32), and torch has
    no derivative for it: a NotImplemented node whose backward raises."""
    for L in (zerograd, torch):
        assert (7.5 % L.tensor([2, 3])).dtype is L.float32
        assert (7 % L.tensor([2, 3])).tolist() == [1, 1]
    errors = []
    for L in (zerograd, torch):
        x = L.tensor([2.0, 3.0], requires_grad=True)
        y = 7.5 % x
        assert y.grad_fn.name() == "torch::autograd::NotImplemented"
        assert repr(y).endswith("grad_fn=<NotImplemented>)")
        with pytest.raises(RuntimeError) as e:
            y.sum().backward()
        errors.append(str(e.value))
    assert errors[0] == errors[1]
