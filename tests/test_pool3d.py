"""3-d pooling (max, avg, adaptive avg / max) and max_unpool1d/2d/3d against torch.

  - seeded random sweeps over kernel / stride / padding / dilation / ceil_mode (and
    count_include_pad / divisor_override, adaptive output sizes with None and 0), batched and
    unbatched: the same values, indices, dtypes, node names and gradients (of a weighted sum) as
    torch, or the same exception type and message
  - float16 / bfloat16 (computed in float32, rounded once), integer dtypes, NaN inputs
  - double backward against torch's, gradcheck / gradgradcheck in float64
  - argument errors (type and message), module reprs, max_unpool round trips and output_size
"""
from __future__ import annotations

import numpy as np
import pytest

import zerograd
from tests._oracle import requires_torch, torch

ZF = zerograd.nn.functional
TF = torch.nn.functional if torch is not None else None


def _z(a, grad=False, dtype=None):
    t = zerograd.tensor(a, requires_grad=grad)
    return t if dtype is None else t.to(getattr(zerograd, dtype)).detach().requires_grad_(grad)


def _t(a, grad=False, dtype=None):
    t = torch.tensor(a, requires_grad=grad)
    return t if dtype is None else t.to(getattr(torch, dtype)).detach().requires_grad_(grad)


def _np(t):
    t = t.detach()
    if str(t.dtype).endswith(("float16", "bfloat16")):
        t = t.float()
    return t.numpy()


def _compare(fz, ft, x, grad=True, dtype=None, rtol=1e-9, atol=1e-10, loose_index=False):
    """fz(zerograd x) vs ft(torch x): the exception (type, message), else every output's shape,
    dtype and values, the node name and the gradient of a weighted sum."""
    grad = grad and x.dtype.kind == "f"
    zx, tx = _z(x, grad, dtype), _t(x, grad, dtype)
    te = ze = None
    try:
        to = ft(tx)
    except Exception as e:  # noqa: BLE001 - compared below
        te = e
    try:
        zo = fz(zx)
    except Exception as e:  # noqa: BLE001
        ze = e
    if te is not None:
        assert ze is not None, f"torch raised {te!r}, zerograd did not"
        assert type(ze) is type(te), f"{type(ze).__name__}({ze}) vs {type(te).__name__}({te})"
        if loose_index and str(te).startswith("Found an invalid max index"):
            # (which invalid index torch names depends on its threads: here the last one)
            assert str(ze).startswith("Found an invalid max index")
            assert str(ze).split("(")[1] == str(te).split("(")[1], f"{ze} vs {te}"
        else:               # (zerograd's mean() adds a hint to torch's message)
            assert str(ze) == str(te) or str(ze).startswith(str(te) + ". Fix:"), f"{ze} vs {te}"
        return "error"
    assert ze is None, f"zerograd raised {ze!r}, torch returned"
    touts = to if isinstance(to, tuple) else (to,)
    zouts = zo if isinstance(zo, tuple) else (zo,)
    assert len(touts) == len(zouts)
    for z, t in zip(zouts, touts):
        assert tuple(z.shape) == tuple(t.shape), (tuple(z.shape), tuple(t.shape))
        assert str(z.dtype) == str(t.dtype)
        np.testing.assert_allclose(_np(z), _np(t), rtol=rtol, atol=atol)
    if not grad:
        return "ok"
    assert zouts[0].grad_fn.name() == touts[0].grad_fn.name()
    if touts[0].numel() == 0:
        return "ok"
    r = np.random.default_rng(1).standard_normal(tuple(touts[0].shape))
    zg, = zerograd.autograd.grad((zouts[0] * _z(r, dtype=dtype)).sum(), [zx])
    tg, = torch.autograd.grad((touts[0] * _t(r, dtype=dtype)).sum(), [tx])
    np.testing.assert_allclose(_np(zg), _np(tg), rtol=rtol * 10, atol=atol * 10)
    return "ok"


def _pool_case(rng, kind):
    nd = 3
    shape = tuple(int(s) for s in rng.integers(1, 7, nd))
    lead = (int(rng.integers(1, 3)), int(rng.integers(1, 3))) if rng.random() < 0.7 else \
        (int(rng.integers(1, 3)),)
    x = rng.standard_normal(lead + shape)
    k = int(rng.integers(1, 4)) if rng.random() < 0.5 else \
        tuple(int(v) for v in rng.integers(1, 4, nd))
    kw = {}
    if rng.random() < 0.6:
        kw["stride"] = int(rng.integers(1, 4)) if rng.random() < 0.5 else \
            tuple(int(v) for v in rng.integers(1, 4, nd))
    if rng.random() < 0.5:
        kw["padding"] = int(rng.integers(0, 2)) if rng.random() < 0.6 else \
            tuple(int(v) for v in rng.integers(0, 3, nd))
    if kind == "max" and rng.random() < 0.4:
        kw["dilation"] = int(rng.integers(1, 3)) if rng.random() < 0.5 else \
            tuple(int(v) for v in rng.integers(1, 3, nd))
    if rng.random() < 0.4:
        kw["ceil_mode"] = True
    if kind == "avg":
        if rng.random() < 0.4:
            kw["count_include_pad"] = False
        if rng.random() < 0.2:
            kw["divisor_override"] = int(rng.integers(1, 5))
    if kind == "max" and rng.random() < 0.5:
        kw["return_indices"] = True
    if rng.random() < 0.05:
        x = x.reshape(-1, *x.shape[-2:]) if rng.random() < 0.5 else x[None, None]  # a bad ndim
    return x, k, kw


@requires_torch
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_random_pooling_3d_matches_torch(kind):
    rng = np.random.default_rng(7 + (kind == "avg"))
    name = f"{kind}_pool3d"
    kinds = {"ok": 0, "error": 0}
    for _ in range(160):
        x, k, kw = _pool_case(rng, kind)
        kinds[_compare(lambda a: getattr(ZF, name)(a, k, **kw),
                       lambda a: getattr(TF, name)(a, k, **kw), x)] += 1
    assert kinds["ok"] > 60 and kinds["error"] > 10, kinds


@requires_torch
@pytest.mark.parametrize("name", ["adaptive_avg_pool3d", "adaptive_max_pool3d"])
def test_random_adaptive_pooling_3d_matches_torch(name):
    rng = np.random.default_rng(11 + (name == "adaptive_max_pool3d"))
    kinds = {"ok": 0, "error": 0}
    for _ in range(100):
        lead = (int(rng.integers(1, 3)), 2) if rng.random() < 0.7 else (2,)
        x = rng.standard_normal(lead + tuple(int(s) for s in rng.integers(1, 8, 3)))
        r = rng.random()
        if r < 0.3:
            out = int(rng.integers(1, 5))
        elif r < 0.5:
            out = tuple(None if rng.random() < 0.3 else int(v) for v in rng.integers(1, 9, 3))
        elif r < 0.55:
            out = (int(rng.integers(0, 2)), 2, -1) if rng.random() < 0.5 else (2, 2)
        else:
            out = tuple(int(v) for v in rng.integers(1, 9, 3))
        kw = {"return_indices": True} if name == "adaptive_max_pool3d" and rng.random() < 0.5 \
            else {}
        kinds[_compare(lambda a: getattr(ZF, name)(a, out, **kw),
                       lambda a: getattr(TF, name)(a, out, **kw), x)] += 1
    assert kinds["ok"] > 60, kinds


@requires_torch
@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
def test_reduced_precision_pooling_3d(dtype):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 5, 6, 7)) * 3
    tol = {"float32": (1e-6, 1e-6), "float16": (1e-3, 1e-3), "bfloat16": (1e-2, 1e-2)}[dtype]
    cases = [
        (lambda F, a: F.max_pool3d(a, 3, 2, 1, return_indices=True)),
        (lambda F, a: F.max_pool3d(a, (2, 3, 2), (1, 2, 2), (1, 1, 0), 2, ceil_mode=True)),
        (lambda F, a: F.adaptive_avg_pool3d(a, (3, 4, 5))),
        (lambda F, a: F.adaptive_avg_pool3d(a, (2, 7, 3))),
        (lambda F, a: F.adaptive_max_pool3d(a, (3, 4, 5), return_indices=True)),
        (lambda F, a: F.avg_pool3d(a, 2, 1, 1, count_include_pad=False)),   # (no half kernels)
    ]
    for f in cases:
        _compare(lambda a: f(ZF, a), lambda a: f(TF, a), x, dtype=dtype, rtol=tol[0],
                 atol=tol[1])


@requires_torch
def test_half_adaptive_avg_sums_in_its_dtype():
    # torch sums each window in float16 / bfloat16 (2048 + 1 stays 2048), then divides
    x = np.array([2049.0, 1.0, 1.0, 0.5, 0.25, 0.125], np.float32).reshape(1, 1, 1, 1, 6)
    for dt in ("float16", "bfloat16"):
        z = ZF.adaptive_avg_pool3d(_z(x, dtype=dt), (1, 1, 2))
        t = TF.adaptive_avg_pool3d(_t(x, dtype=dt), (1, 1, 2))
        assert str(z.dtype) == str(t.dtype)
        np.testing.assert_array_equal(_np(z), _np(t))


@requires_torch
@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "int8", "uint8", "bool"])
def test_integer_pooling_3d(dtype):
    rng = np.random.default_rng(5)
    x = rng.integers(-50, 50, (2, 2, 4, 5, 5))
    if dtype in ("uint8", "bool"):
        x = np.abs(x) % (2 if dtype == "bool" else 256)
    x = x.astype(dtype)
    for f in (lambda F, a: F.max_pool3d(a, 2, 1, 1, return_indices=True),
              lambda F, a: F.max_pool3d(a, 3, 2, 1, 2),
              lambda F, a: F.avg_pool3d(a, 2, 1, 1),
              lambda F, a: F.avg_pool3d(a, 3, 2, 1, count_include_pad=False),
              lambda F, a: F.avg_pool3d(a, 2, divisor_override=3),
              lambda F, a: F.adaptive_avg_pool3d(a, 2),
              lambda F, a: F.adaptive_max_pool3d(a, 2)):
        _compare(lambda a: f(ZF, a), lambda a: f(TF, a), x, grad=False, rtol=0, atol=0)


@requires_torch
def test_max_pooling_3d_nan_follows_torch():
    rng = np.random.default_rng(9)
    x = rng.standard_normal((2, 2, 5, 5, 5))
    x[rng.random(x.shape) < 0.15] = np.nan
    x[0, 0, :2, :2, :2] = np.nan                     # a window of several NaNs
    x[1, 1, 2:, 2:, 2:] = -np.inf
    for f in (lambda F, a: F.max_pool3d(a, 2, 1, return_indices=True),
              lambda F, a: F.max_pool3d(a, 3, 2, 1, 2, ceil_mode=True, return_indices=True),
              lambda F, a: F.adaptive_max_pool3d(a, (3, 2, 4), return_indices=True),
              lambda F, a: F.adaptive_avg_pool3d(a, (3, 2, 4)),
              lambda F, a: F.avg_pool3d(a, 2, 1)):
        _compare(lambda a: f(ZF, a), lambda a: f(TF, a), x)


@requires_torch
def test_double_backward_matches_torch():
    rng = np.random.default_rng(13)
    x = rng.standard_normal((2, 2, 5, 4, 6))
    cases = {
        "max": lambda F, a: F.max_pool3d(a, 3, 2, 1),
        "avg": lambda F, a: F.avg_pool3d(a, 3, 2, 1, ceil_mode=True, count_include_pad=False),
        "aavg": lambda F, a: F.adaptive_avg_pool3d(a, (3, 3, 4)),
        "amax": lambda F, a: F.adaptive_max_pool3d(a, (3, 3, 4)),
        "unb": lambda F, a: F.max_pool3d(a[0], 2, 1),
    }
    for name, f in cases.items():
        res = []
        for lib, F in ((zerograd, ZF), (torch, TF)):
            a = lib.tensor(x, requires_grad=True)
            y = f(F, a)
            v = lib.tensor(np.random.default_rng(3).standard_normal(tuple(y.shape)),
                           requires_grad=True)
            g, = lib.autograd.grad(y, a, v, create_graph=True)
            w = lib.tensor(np.random.default_rng(2).standard_normal(tuple(g.shape)))
            gv, = lib.autograd.grad((g * w).sum(), v)
            res.append((g.grad_fn.name(), _np(g), _np(gv)))
        if name != "unb":   # (there g's node is select's backward: zerograd names it otherwise)
            assert res[0][0] == res[1][0]
        np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(res[0][2], res[1][2], rtol=1e-10, atol=1e-12)


def test_gradcheck_float64():
    rng = np.random.default_rng(17)
    x = zerograd.tensor(rng.standard_normal((1, 2, 4, 5, 4)), requires_grad=True)
    fns = [lambda a: ZF.max_pool3d(a, 2, 1, 1),
           lambda a: ZF.max_pool3d(a, (2, 3, 2), 2, (1, 1, 0), dilation=(1, 1, 2), ceil_mode=True),
           lambda a: ZF.avg_pool3d(a, 3, 2, 1, ceil_mode=True),
           lambda a: ZF.avg_pool3d(a, 2, 1, 1, count_include_pad=False, divisor_override=3),
           lambda a: ZF.adaptive_avg_pool3d(a, (3, 2, 3)),
           lambda a: ZF.adaptive_max_pool3d(a, (3, 2, 3)),
           lambda a: ZF.max_unpool3d(*ZF.max_pool3d(a, 2, return_indices=True), 2,
                                     output_size=(4, 5, 4))]
    for f in fns:
        assert zerograd.autograd.gradcheck(f, (x,))
        assert zerograd.autograd.gradgradcheck(f, (x,))


# ------------------------------------------------------------------------------------------------
# errors, modules
# ------------------------------------------------------------------------------------------------

_X5 = np.zeros((2, 3, 5, 6, 7))
_ERRORS = [
    ("max_pool3d", _X5, ((2, 2),), {}),
    ("max_pool3d", _X5, (2, (2, 2)), {}),
    ("max_pool3d", _X5, (2, 2, (1, 1)), {}),
    ("max_pool3d", _X5, (2, 2, 0, (1, 1)), {}),
    ("max_pool3d", _X5, (0,), {}),
    ("max_pool3d", _X5, ((2, -1, 2),), {}),
    ("max_pool3d", _X5, ((2, -2, 2),), {}),
    ("max_pool3d", _X5, (2, (1, -1, 1)), {}),
    ("max_pool3d", _X5, (2, 1, 0, 0), {}),
    ("max_pool3d", _X5, (2, 1, 0, (1, -1, 1)), {}),
    ("max_pool3d", _X5, (2, 1, 2), {}),
    ("max_pool3d", _X5, (2, 1, -1), {}),
    ("max_pool3d", _X5, (3, 1, 2, 2), {}),
    ("max_pool3d", _X5, ((3, 2, 3), 1, (1, 1, 2), (1, 1, 2)), {}),
    ("max_pool3d", _X5[0, 0], (2,), {}),
    ("max_pool3d", _X5[None], (2,), {}),
    ("max_pool3d", _X5, (6,), {}),
    ("max_pool3d", _X5, ((2, 7, 2),), {}),
    ("max_pool3d", np.zeros((2, 0, 4, 4, 4)), (2,), {}),
    ("max_pool3d", np.zeros((2, 2, 4, 0, 4)), (2,), {}),
    ("max_pool3d", np.zeros((0, 4, 4, 4)), (2,), {}),
    ("max_pool3d", np.zeros((2, 0, 4, 4, 4)), (2, 0), {}),
    ("max_pool3d", _X5, (2.0,), {}),
    ("max_pool3d", _X5, (2.0,), {"return_indices": True}),
    ("max_pool3d", _X5, (2, 1, (1, None, 1)), {}),
    ("max_pool3d", _X5, (True,), {}),
    ("max_pool3d", np.zeros((1, 2, 4, 4, 4), bool), (2,), {}),
    ("avg_pool3d", _X5, ((2, 2),), {}),
    ("avg_pool3d", _X5, (2, (2, 2)), {}),
    ("avg_pool3d", _X5, (2, 2, (1, 1)), {}),
    ("avg_pool3d", _X5, (0,), {}),
    ("avg_pool3d", _X5, (2, 1, 2), {}),
    ("avg_pool3d", _X5[0, 0], (2,), {}),
    ("avg_pool3d", _X5[0, 0], (2,), {"divisor_override": 0}),
    ("avg_pool3d", _X5, (2,), {"divisor_override": 0}),
    ("avg_pool3d", _X5, (2, 0), {"divisor_override": 0}),
    ("avg_pool3d", _X5, (6,), {}),
    ("avg_pool3d", _X5, ((6, 2, 2),), {"ceil_mode": True}),
    ("avg_pool3d", np.zeros((1, 1, 1, 4, 4)), (2, 1, (1, 0, 0)), {}),
    ("avg_pool3d", np.zeros((2, 2, 4, 4, 0)), (2,), {}),
    ("avg_pool3d", np.zeros((2, 0, 1, 4, 4)), (2,), {}),
    ("avg_pool3d", np.zeros((1, 1, 4, 4, 4), np.float16), (2,), {}),
    ("avg_pool3d", np.zeros((1, 1, 4, 4, 4), np.int32), (2,), {}),
    ("avg_pool3d", _X5, (2.0,), {}),
    ("adaptive_avg_pool3d", _X5, ((2, 2),), {}),
    ("adaptive_avg_pool3d", _X5, ((2, -1, 2),), {}),
    ("adaptive_avg_pool3d", _X5[0, 0], (2,), {}),
    ("adaptive_avg_pool3d", _X5[None], (2,), {}),
    ("adaptive_avg_pool3d", _X5[0, 0], ((2, None, 2),), {}),
    ("adaptive_avg_pool3d", np.zeros((2, 0, 4, 4, 4)), (2,), {}),
    ("adaptive_avg_pool3d", np.zeros((2, 2, 0, 4, 4)), (2,), {}),
    ("adaptive_avg_pool3d", np.zeros((2, 0, 4, 5), np.int64), ((2, 1, 1),), {}),
    ("adaptive_avg_pool3d", np.zeros((1, 2, 4, 4, 4), np.int64), (2,), {}),
    ("adaptive_avg_pool3d", np.zeros((1, 2, 4, 4, 4), np.int64), (1,), {}),
    ("adaptive_avg_pool3d", np.zeros((4, 5)), (1,), {}),
    ("adaptive_avg_pool3d", _X5, (2.0,), {}),
    ("adaptive_max_pool3d", _X5, ((2, 2),), {}),
    ("adaptive_max_pool3d", _X5, ((2, -1, 2),), {}),
    ("adaptive_max_pool3d", _X5[0, 0], (2,), {}),
    ("adaptive_max_pool3d", _X5[None], (2,), {}),
    ("adaptive_max_pool3d", np.zeros((2, 0, 4, 4, 4)), (2,), {}),
    ("adaptive_max_pool3d", np.zeros((2, 2, 4, 5), np.int64), ((1, -1, 1),), {}),
    ("adaptive_max_pool3d", np.zeros((2, 2, 4, 5), np.int64), ((1, 1),), {}),
    ("adaptive_max_pool3d", np.zeros((1, 2, 4, 4, 4), np.int64), (2,), {}),
    ("adaptive_max_pool3d", np.zeros((1, 2, 4, 4, 4), bool), (2,), {}),
]


@requires_torch
@pytest.mark.parametrize("i", range(len(_ERRORS)))
def test_pooling_3d_errors_match_torch(i):
    name, x, args, kw = _ERRORS[i]
    assert _compare(lambda a: getattr(ZF, name)(a, *args, **kw),
                    lambda a: getattr(TF, name)(a, *args, **kw), x, grad=False) == "error"


@requires_torch
def test_empty_batches():
    for shape in ((0, 2, 4, 4, 4), (0, 2, 4, 5)):
        x = np.zeros(shape)
        for f in (lambda F, a: F.max_pool3d(a, 2, return_indices=True) if a.dim() == 5
                  else F.adaptive_max_pool3d(a, (2, 1, 1), True),
                  lambda F, a: F.avg_pool3d(a, 2) if a.dim() == 5
                  else F.adaptive_avg_pool3d(a, (2, 1, 1)),
                  lambda F, a: F.adaptive_avg_pool3d(a, (1, 1, 1)),
                  lambda F, a: F.adaptive_max_pool3d(a, (0, 2, 2))):
            _compare(lambda a: f(ZF, a), lambda a: f(TF, a), x)


@requires_torch
def test_module_reprs_and_forward():
    mods = [
        lambda nn: nn.MaxPool3d(3),
        lambda nn: nn.MaxPool3d((2, 3, 1), stride=2, padding=1, dilation=2, return_indices=True,
                                ceil_mode=True),
        lambda nn: nn.AvgPool3d(3),
        lambda nn: nn.AvgPool3d((2, 3, 1), stride=2, padding=1, ceil_mode=True,
                                count_include_pad=False, divisor_override=3),
        lambda nn: nn.AdaptiveAvgPool3d(3),
        lambda nn: nn.AdaptiveAvgPool3d((2, None, 3)),
        lambda nn: nn.AdaptiveMaxPool3d(2),
        lambda nn: nn.AdaptiveMaxPool3d((2, None, 1), True),
        lambda nn: nn.MaxUnpool1d(2),
        lambda nn: nn.MaxUnpool2d(2),
        lambda nn: nn.MaxUnpool3d(2),
        lambda nn: nn.MaxUnpool2d((2, 3), stride=1, padding=(1, 0)),
        lambda nn: nn.MaxUnpool3d(2, stride=(1, 2, 1)),
    ]
    for m in mods:
        zm, tm = m(zerograd.nn), m(torch.nn)
        assert repr(zm) == repr(tm)
        for attr in ("kernel_size", "stride", "padding", "dilation", "ceil_mode",
                     "return_indices", "count_include_pad", "divisor_override", "output_size"):
            assert getattr(zm, attr, None) == getattr(tm, attr, None), attr
    x = np.random.default_rng(0).standard_normal((2, 2, 6, 5, 7))
    for m in mods[:8]:
        _compare(lambda a: m(zerograd.nn)(a), lambda a: m(torch.nn)(a), x)
        _compare(lambda a: m(zerograd.nn)(a[0]), lambda a: m(torch.nn)(a[0]), x)


# ------------------------------------------------------------------------------------------------
# max_unpool
# ------------------------------------------------------------------------------------------------

def _unpool_pair(lib_F, nd, a, k, s, p, out_size, unbatched):
    pool = getattr(lib_F, f"max_pool{nd}d")
    unpool = getattr(lib_F, f"max_unpool{nd}d")
    if unbatched:
        a = a[0]
    y, i = pool(a, k, s, p, return_indices=True)
    return unpool(y, i, k, s, p, output_size=out_size), y, i


@requires_torch
@pytest.mark.parametrize("nd", [1, 2, 3])
def test_max_unpool_round_trips_match_torch(nd):
    rng = np.random.default_rng(20 + nd)
    done = 0
    for _ in range(40):
        S = tuple(int(v) for v in rng.integers(2, 8, nd))
        x = rng.standard_normal((2, 2) + S)
        k = int(rng.integers(1, 4))
        s = int(rng.integers(1, 4)) if rng.random() < 0.5 else None
        p = int(rng.integers(0, k // 2 + 1))
        unb = bool(rng.random() < 0.3)
        out = None
        if rng.random() < 0.4:
            out = tuple(int(v) for v in S)
            if rng.random() < 0.3:
                out = (2, 2) + out
        for f in (lambda F, a: _unpool_pair(F, nd, a, k, s, p, out, unb)[0],):
            try:
                TF.__getattribute__(f"max_pool{nd}d")(torch.tensor(x), k, s, p)
            except RuntimeError:
                continue
            r = _compare(lambda a: f(ZF, a), lambda a: f(TF, a), x, loose_index=True)
            done += r == "ok"
    assert done > 15


@requires_torch
def test_max_unpool_is_the_inverse_on_maxima():
    rng = np.random.default_rng(4)
    x = np.abs(rng.standard_normal((2, 3, 4, 6, 6)))     # (positive: the zeros never win)
    y, i = ZF.max_pool3d(_z(x), 2, return_indices=True)
    u = ZF.max_unpool3d(y, i, 2)
    y2, i2 = ZF.max_pool3d(u, 2, return_indices=True)
    np.testing.assert_array_equal(_np(y2), _np(y))
    np.testing.assert_array_equal(i2.numpy(), i.numpy())
    # duplicate indices (overlapping windows): the last write wins (torch's vectorised kernel
    # leaves which one unspecified)
    v = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    idx = np.array([[[[5, 5], [5, 6]]]])
    z = _np(ZF.max_unpool2d(_z(v), zerograd.tensor(idx), 2))
    t = _np(TF.max_unpool2d(_t(v), torch.tensor(idx), 2))
    assert z[0, 0, 1, 1] == 3.0 and t[0, 0, 1, 1] in (1.0, 2.0, 3.0)
    z[0, 0, 1, 1] = t[0, 0, 1, 1]
    np.testing.assert_array_equal(z, t)


@requires_torch
def test_max_unpool_gradients_and_graph_match_torch():
    rng = np.random.default_rng(6)
    for nd, shape in ((1, (2, 3, 7)), (2, (3, 5, 6)), (3, (2, 2, 4, 5, 4))):
        x = rng.standard_normal(shape)
        res = []
        for lib, F in ((zerograd, ZF), (torch, TF)):
            y, i = getattr(F, f"max_pool{nd}d")(lib.tensor(x), 2, 1, return_indices=True)
            y = y.detach().requires_grad_()
            u = getattr(F, f"max_unpool{nd}d")(y, i, 2, 1)
            v = lib.tensor(np.random.default_rng(nd).standard_normal(tuple(u.shape)),
                           requires_grad=True)
            g, = lib.autograd.grad(u, y, v, create_graph=True)
            gv, = lib.autograd.grad(g.sum(), v)
            names = []
            n = g.grad_fn
            while n is not None and n.next_functions:
                names.append(n.name())
                n = n.next_functions[0][0]
            res.append((u.grad_fn.name(), names, _np(u), _np(g), _np(gv)))
        assert res[0][0] == res[1][0]
        if nd > 1:      # (1-d: zerograd's squeeze/unsqueeze record other backward nodes)
            assert res[0][1] == res[1][1], (res[0][:2], res[1][:2])
        for a, b in zip(res[0][2:], res[1][2:]):
            np.testing.assert_allclose(a, b, rtol=1e-12)


_Y3 = np.zeros((2, 3, 2, 3, 3))
_I3 = np.zeros((2, 3, 2, 3, 3), np.int64)
_Y2 = np.zeros((3, 4, 3, 3))
_I2 = np.zeros((3, 4, 3, 3), np.int64)
_UNPOOL_ERRORS = [
    (3, _Y3, _I3, (2,), {"output_size": (9, 7, 7)}),
    (3, _Y3, _I3, (2,), {"output_size": (7, 7)}),
    (3, _Y3, _I3, (2,), {"output_size": (3, 7, 7, 7)}),
    (3, _Y3, _I3[:, :, :1], (2,), {}),
    (3, _Y3, _I3.astype(np.int32), (2,), {}),
    (3, _Y3, _I3.astype(np.float32), (2,), {}),
    (3, _Y3, _I3 + 1000, (2,), {}),
    (3, _Y3, _I3 - 1000, (2,), {}),
    (3, _Y3[0, 0], _I3[0, 0], (2,), {}),
    (3, _Y3[0, 0], _I3[0, 0].astype(np.int32), (2,), {}),
    (3, _Y3, _I3, ((2, 2),), {}),
    (3, _Y3[0, 0], _I3[0, 0], ((2, 2),), {}),
    (3, _Y3, _I3, (2, (1, 1)), {}),
    (3, _Y3, _I3, (2, 0), {}),
    (3, _Y3, _I3, (2, (1, -1, 1)), {}),
    (3, _Y3, _I3[:, :1], (2, 0), {}),
    (3, _Y3[:, :0], _I3[:, :0], (2,), {}),
    (3, _Y3[:, :0], _I3[:, :1], (2,), {}),
    (3, _Y3, _I3 + 1000, (2, 0), {}),
    (3, _Y3, _I3, (2, 2, 3), {}),
    (3, _Y3.astype(np.int64), _I3, (2,), {}),
    (3, _Y3.astype(bool), _I3, (2,), {}),
    (2, _Y2, _I2, (2,), {"output_size": (9, 7)}),
    (2, _Y2, _I2, (2,), {"output_size": (7,)}),
    (2, _Y2, _I2 + 1000, (2,), {}),
    (2, _Y2, _I2[:, :1], (2,), {}),
    (2, _Y2, _I2.astype(np.int32), (2,), {}),
    (2, _Y2, _I2.astype(np.float32), (2,), {}),
    (2, _Y2, _I2, ((2, 2, 2),), {}),
    (2, _Y2, _I2, ((2,),), {}),
    (2, _Y2[0, 0], _I2[0, 0], ((2,),), {}),
    (2, _Y2[0, 0], _I2[0, 0], (2,), {}),
    (2, _Y3, _I3, (2,), {}),
    (2, _Y2[:, :0], _I2[:, :0], (2,), {}),
    (2, _Y2[0, :, :0], _I2[0, :, :0], (2,), {"output_size": (1, 6)}),
    (2, _Y2, _I2, (2, 2, 4), {}),
    (2, _Y2.astype(np.int64), _I2 + 1000, (2,), {}),
    (1, _Y2[0], _I2[0], (2,), {"output_size": (9,)}),
    (1, _Y2[0], _I2[0] + 1000, (2,), {}),
    (1, _Y2[0], _I2[0], ((2, 2),), {}),
    (1, _Y2[0, 0, 0], _I2[0, 0, 0], (2,), {}),
    (1, _Y2, _I2, (2,), {}),
    (1, _Y2[0], _I2[0], (2,), {"output_size": 7}),
]


@requires_torch
@pytest.mark.parametrize("i", range(len(_UNPOOL_ERRORS)))
def test_max_unpool_errors_match_torch(i):
    nd, y, idx, args, kw = _UNPOOL_ERRORS[i]
    name = f"max_unpool{nd}d"
    assert _compare(lambda a: getattr(ZF, name)(a, zerograd.tensor(idx), *args, **kw),
                    lambda a: getattr(TF, name)(a, torch.tensor(idx), *args, **kw), y,
                    grad=False) == "error"


@requires_torch
def test_max_unpool_output_sizes_and_unbatched():
    x = np.random.default_rng(8).standard_normal((2, 3, 4, 6, 6))
    for f in (lambda F, a: F.max_unpool3d(*F.max_pool3d(a, 2, return_indices=True), 2,
                                          output_size=(5, 7, 7)),
              lambda F, a: F.max_unpool3d(*F.max_pool3d(a, 2, return_indices=True), 2,
                                          output_size=(2, 3, 5, 7, 7)),
              lambda F, a: F.max_unpool3d(*F.max_pool3d(a[0], 2, return_indices=True), 2,
                                          output_size=[3, 6, 7]),
              lambda F, a: F.max_unpool3d(*F.max_pool3d(a, 2, return_indices=True), 2, 2, -1),
              lambda F, a: F.max_unpool2d(*F.max_pool2d(a[0], 2, return_indices=True), 2,
                                          output_size=[6, 7]),
              lambda F, a: F.max_unpool2d(*F.max_pool2d(a[0, 0], 2, return_indices=True), 2),
              lambda F, a: F.max_unpool1d(*F.max_pool1d(a[0, 0], 2, return_indices=True), 2,
                                          output_size=(7,)),
              lambda F, a: F.max_unpool1d(*F.max_pool1d(a[0, 0, 0], 2, return_indices=True), 2),
              lambda F, a: F.max_unpool2d(*F.max_pool2d(a[0].half(), 2, return_indices=True), 2),
              lambda F, a: F.max_unpool3d(*F.max_pool3d(a.bfloat16(), 2, return_indices=True),
                                          2),
              lambda F, a: F.max_unpool3d(*F.max_pool3d(a[:0], 2, return_indices=True), 2),
              lambda F, a: F.max_unpool2d(*F.max_pool2d(a[0, :0], 2, return_indices=True), 2)):
        _compare(lambda a: f(ZF, a), lambda a: f(TF, a), x, loose_index=True)
    # the modules take output_size in forward
    y, i = ZF.max_pool2d(_z(x[0]), 2, return_indices=True)
    ty, ti = TF.max_pool2d(_t(x[0]), 2, return_indices=True)
    np.testing.assert_array_equal(
        _np(zerograd.nn.MaxUnpool2d(2)(y, i, output_size=(7, 7))),
        _np(torch.nn.MaxUnpool2d(2)(ty, ti, output_size=(7, 7))))


@requires_torch
def test_functional_names_exist():
    for name in ("max_pool3d", "max_pool3d_with_indices", "avg_pool3d", "adaptive_avg_pool3d",
                 "adaptive_max_pool3d", "adaptive_max_pool3d_with_indices", "max_unpool1d",
                 "max_unpool2d", "max_unpool3d"):
        assert hasattr(TF, name) and hasattr(ZF, name) and name in ZF.__all__
    for name in ("MaxPool3d", "AvgPool3d", "AdaptiveAvgPool3d", "AdaptiveMaxPool3d",
                 "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d"):
        assert hasattr(zerograd.nn, name)
