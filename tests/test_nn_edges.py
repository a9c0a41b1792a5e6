"""nn.functional at the edges of its arguments, against torch: a vector of weights in linear,
empty adaptive max pools, normalize over several dims, torch's errors (not NumPy's) for shapes
that do not broadcast or weights of the wrong rank, one_hot's checks, and the default dtype of
the norm of no gradients."""
import numpy as np
import pytest

import zerograd

from ._oracle import requires_torch, torch

pytestmark = requires_torch


def _outcome(fn, L):
    try:
        r = fn(L)
    except Exception as e:                      # noqa: BLE001 - compared with torch's
        return (type(e).__name__, str(e).split(" Fix: ")[0])
    return ("ok", tuple(r.shape), str(r.dtype), r.detach().flatten().tolist())


def _clip_no_grads(L):
    L.set_default_dtype(L.float64)
    try:
        return L.nn.utils.clip_grad_norm_([L.nn.Parameter(L.ones(2))], 1.0)
    finally:
        L.set_default_dtype(L.float32)


CASES = {
    "linear, 3-D input, vector weight": lambda L: L.nn.functional.linear(
        L.ones(2, 3, 5), L.ones(5), L.tensor(0.5)),
    "linear, 1-D input, vector weight": lambda L: L.nn.functional.linear(
        L.ones(5), L.ones(5), L.tensor(0.5)),
    "linear, 2-D input, vector weight": lambda L: L.nn.functional.linear(
        L.ones(2, 5), L.ones(5), L.ones(2)),
    "addmm of a vector": lambda L: L.addmm(L.ones(3), L.ones(5), L.ones(5, 3)),
    "adaptive max pool to 0": lambda L: L.nn.functional.adaptive_max_pool1d(L.ones(1, 1, 5), 0),
    "adaptive max pool 2d to (0, 2)": lambda L: L.nn.AdaptiveMaxPool2d((0, 2))(L.ones(1, 1, 5, 4)),
    "normalize over a tuple of dims": lambda L: L.nn.functional.normalize(
        L.arange(24.0).reshape(2, 3, 4), dim=(1, 2)),
    "normalize over a list of dims": lambda L: L.nn.functional.normalize(
        L.arange(24.0).reshape(2, 3, 4), dim=[0, 2]),
    "normalize, a dim repeated": lambda L: L.nn.functional.normalize(L.ones(2, 3), dim=(1, 1)),
    "bce with logits, pos_weight that does not broadcast": lambda L:
        L.nn.functional.binary_cross_entropy_with_logits(L.zeros(2, 3, 4), L.zeros(2, 3, 4),
                                                         pos_weight=L.ones(3)),
    "bce with logits, weight that does not broadcast": lambda L:
        L.nn.functional.binary_cross_entropy_with_logits(L.zeros(2, 3, 4), L.zeros(2, 3, 4),
                                                         weight=L.ones(3)),
    "embedding of a 1-D weight": lambda L: L.nn.functional.embedding(L.tensor([0, 1]), L.ones(3)),
    "embedding of a 3-D weight": lambda L: L.nn.functional.embedding(L.tensor([0, 1]),
                                                                      L.ones(3, 2, 2)),
    "one_hot of nothing, classes inferred": lambda L: L.nn.functional.one_hot(
        L.zeros(0, dtype=L.long)),
    "one_hot with float classes": lambda L: L.nn.functional.one_hot(L.tensor([0, 1]), 2.0),
    "one_hot of nothing, 3 classes": lambda L: L.nn.functional.one_hot(L.zeros(0, dtype=L.long), 3),
    "clip_grad_norm_ without gradients": _clip_no_grads,
}


@pytest.mark.parametrize("case", list(CASES))
def test_as_torch(case):
    assert _outcome(CASES[case], zerograd) == _outcome(CASES[case], torch)


def test_max_pool_window_in_the_padding_gets_no_gradient():
    """dilation and ceil_mode can make a window that lies entirely in the padding: its output is
    -inf (torch's too) and depends on no input, so no gradient flows from it (NumPy's IndexError
    escaped before; torch 2.13's own backward aborts the process here)."""
    x = zerograd.ones(1, 1, 2, requires_grad=True)
    y = zerograd.nn.functional.max_pool1d(x, 2, stride=4, padding=1, dilation=3, ceil_mode=True)
    assert y.tolist() == [[[float("-inf")]]]
    y.sum().backward()
    assert x.grad.tolist() == [[[0.0, 0.0]]]
    x2 = zerograd.ones(1, 1, 2, 2, requires_grad=True)
    zerograd.nn.functional.max_pool2d(x2, 2, stride=4, padding=1, dilation=3,
                                      ceil_mode=True).sum().backward()
    assert x2.grad.tolist() == [[[[0.0, 0.0], [0.0, 0.0]]]]


@pytest.mark.parametrize("call", [
    lambda L: L.zeros(0).kthvalue(1),
    lambda L: L.zeros(2, 0).kthvalue(1, 1),
    lambda L: L.linalg.cross(L.ones(3, dtype=L.bool), L.ones(3, dtype=L.bool)),
])
def test_errors_as_torch(call):
    errors = []
    for L in (torch, zerograd):
        with pytest.raises(Exception) as e:
            call(L)
        errors.append((e.type.__name__, str(e.value)))
    assert errors[0] == errors[1]


def _view_dtype(L):
    z = L.zeros(2)
    w = z.view(L.int32)
    w[0] = 1                                    # the same memory and version counter
    x = L.ones(2, requires_grad=True) * 1
    return (L.ones(2).view(L.int32).tolist(), tuple(L.ones(2, 3).view(L.uint8).shape),
            L.ones(2, 4).view(L.float64).tolist(), z.tolist(), z._version, w._version,
            x.view(L.float32).requires_grad)


def _bincount_weights_requiring_grad(L):
    b = L.bincount(L.tensor([0, 1, 1]), weights=L.ones(3, requires_grad=True))
    out = (b.tolist(), b.requires_grad, b.grad_fn.name())
    b.sum().backward()                          # torch: no derivative
    return out


@pytest.mark.parametrize("call", [
    _view_dtype,
    lambda L: L.ones(3).view(L.float64),
    lambda L: L.ones(2, 4).t().view(L.float64),
    lambda L: [tuple(c.shape) for c in L.zeros(0, 2).chunk(3)],
    _bincount_weights_requiring_grad,
    lambda L: L.nn.functional.batch_norm(L.ones(3, 2), L.zeros(2, requires_grad=True),
                                         L.ones(2)),
])
def test_tensor_api_edges_as_torch(call):
    def outcome(L):
        try:
            r = call(L)
        except Exception as e:                  # noqa: BLE001 - compared with torch's
            return (type(e).__name__, str(e).split(" Fix: ")[0])
        return ("ok", r) if not hasattr(r, "shape") else ("ok", r.tolist(), str(r.dtype))
    assert outcome(zerograd) == outcome(torch)


@pytest.mark.parametrize("case", ["1d", "1dq", "dtype_k", "dtype_v", "mask_long", "mask_half",
                                  "mask_f64", "mask_f32_on_f64", "mask_uint8", "mask_bool"])
def test_sdpa_input_checks_as_torch(case):
    """torch's dtype and rank checks (session 15): an integer mask was added to the scores as a
    float one, silently; a 1-D query raised IndexError."""
    def run(L):
        F = L.nn.functional
        q = L.randn(3, 4)
        args = {"1d": (L.randn(4), L.randn(4), L.randn(4)), "1dq": (L.randn(4), q, q),
                "dtype_k": (q, q.double(), q), "dtype_v": (q, q, q.half())}.get(case, (q, q, q))
        masks = {"mask_long": L.long, "mask_half": L.half, "mask_f64": L.float64,
                 "mask_uint8": L.uint8, "mask_bool": L.bool, "mask_f32_on_f64": L.float32}
        kw = {"attn_mask": L.ones(3, 3, dtype=masks[case])} if case in masks else {}
        if case == "mask_f32_on_f64":
            args = tuple(a.double() for a in args)
        try:
            return "ok", F.scaled_dot_product_attention(*args, **kw).tolist()
        except Exception as e:  # noqa: BLE001 - compared with torch's
            return type(e).__name__, str(e)
    torch.manual_seed(0)
    want = run(torch)
    zerograd.manual_seed(0)
    got = run(zerograd)
    assert got[0] == want[0]
    if want[0] == "ok":
        np.testing.assert_allclose(np.array(got[1]), np.array(want[1]), rtol=1e-5, atol=1e-6)
    else:
        assert got[1] == want[1]


@pytest.mark.parametrize("dt", ["float16", "bfloat16", "float32", "float64"])
def test_rms_norm_dtypes_as_torch(dt):
    """Half types computed in float32 and rounded once, with float32's eps by default, as torch
    (bfloat16 crashed on NumPy's finfo, then came out float32; float16 was an ulp off)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 6)).astype(np.float32) * 3
    w = rng.standard_normal(6).astype(np.float32)
    g = rng.standard_normal((64, 6)).astype(np.float32)
    res = []
    for L in (torch, zerograd):
        d = getattr(L, dt)
        X = L.tensor(x).to(d).requires_grad_()
        W = L.tensor(w).to(d).requires_grad_()
        y = L.nn.functional.rms_norm(X, (6,), W)
        y.backward(L.tensor(g).to(d))
        m = L.nn.RMSNorm(6).to(d)
        res.append((str(y.dtype), str(m(X).dtype), y.float().detach().numpy(),
                    X.grad.float().numpy(), W.grad.float().numpy()))
    (td, tm, ty, tx, tw), (zd, zm, zy, zx, zw) = res
    assert (zd, zm) == (td, tm)
    half = dt in ("float16", "bfloat16")
    np.testing.assert_allclose(zy, ty, rtol=0 if half else 1e-6, atol=0 if half else 1e-6)
    np.testing.assert_allclose(zx, tx, rtol=2 ** -8 if half else 1e-5, atol=1e-5)
    np.testing.assert_allclose(zw, tw, rtol=2 ** -8 if half else 1e-5, atol=1e-5)


@pytest.mark.parametrize("call", ["too_many", "bad_kw"])
def test_module_to_refuses_bad_arguments_as_torch(call):
    got = []
    for L in (torch, zerograd):
        m = L.nn.Linear(2, 2)
        with pytest.raises(TypeError) as e:
            m.to("cpu", L.float16, True, 4) if call == "too_many" else m.to(foo=1)
        got.append(str(e.value).split(", but expected")[0])
    assert got[1] == got[0]


def test_utils_hooks_and_module_setstate():
    from zerograd.autograd.hooks import RemovableHandle
    assert zerograd.utils.hooks.RemovableHandle is RemovableHandle
    m = zerograd.nn.Linear(2, 2)
    state = dict(m.__dict__)
    del state["_forward_hooks"], state["_state_dict_pre_hooks"]
    n = zerograd.nn.Linear.__new__(zerograd.nn.Linear)
    n.__setstate__(state)                   # (an older state without some hook tables)
    assert len(n._forward_hooks) == 0 and tuple(n(zerograd.ones(1, 2)).shape) == (1, 2)
    assert type(torch.nn.Linear(1, 1).__setstate__).__name__ == type(n.__setstate__).__name__


HALF_POOLS = {
    "max_pool2d": lambda F, x: F.max_pool2d(x, 2),
    "max_pool2d overlapping": lambda F, x: F.max_pool2d(x, 3, 2, 1),
    "avg_pool2d": lambda F, x: F.avg_pool2d(x, 2),
    "adaptive_avg_pool2d": lambda F, x: F.adaptive_avg_pool2d(x, 4),
    "adaptive_max_pool2d": lambda F, x: F.adaptive_max_pool2d(x, 4),
    "max_pool1d": lambda F, x: F.max_pool1d(x[0], 2),
    "avg_pool1d": lambda F, x: F.avg_pool1d(x[0], 2),
    "adaptive_avg_pool1d": lambda F, x: F.adaptive_avg_pool1d(x[0], 4),
    "adaptive_max_pool1d": lambda F, x: F.adaptive_max_pool1d(x[0], 4),
    "avg_pool2d overlapping (forward)": lambda F, x: F.avg_pool2d(x, 3, 2, 1),
}


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("name", sorted(HALF_POOLS))
def test_half_precision_pooling_as_torch(name, dtype):
    """Pools of float16/bfloat16 tensors: torch's dtype and values bit for bit, and gradients
    (summed in float32, rounded once).  bfloat16 max pools raised NumPy's ValueError, bfloat16
    average pools divided their sums as integers (values off by up to 0.9), and adaptive average
    pools returned float32."""
    x = np.random.default_rng(0).standard_normal((1, 2, 6, 6)).astype(np.float32)
    out = []
    for L in (zerograd, torch):
        t = L.tensor(x).to(getattr(L, dtype)).requires_grad_()
        y = HALF_POOLS[name](L.nn.functional, t)
        (y.float() * L.arange(y.numel()).reshape(tuple(y.shape))).sum().backward()
        out.append((str(y.dtype), str(t.grad.dtype), y.float().detach().numpy(),
                    t.grad.float().numpy()))
    (zd, zg, zy, zx), (td, tg, ty, tx) = out
    assert (zd, zg) == (td, tg) == (f"torch.{dtype}",) * 2
    np.testing.assert_array_equal(zy, ty)
    if "overlapping (forward)" in name:     # overlapping windows: torch sums the gradients in
        ulp = 2.0 ** -7 if dtype == "bfloat16" else 2.0 ** -10   # another order (an ulp)
        np.testing.assert_allclose(zx, tx, rtol=ulp, atol=0)
    else:
        np.testing.assert_array_equal(zx, tx)


LP_POOLS = {
    "lp_pool2d p=2": lambda L, x: L.nn.functional.lp_pool2d(x, 2, 2),
    "lp_pool2d p=3 stride 1 ceil": lambda L, x: L.nn.functional.lp_pool2d(x, 3, (2, 3), 1, True),
    "lp_pool2d p=1.5": lambda L, x: L.nn.functional.lp_pool2d(x.abs(), 1.5, 3, 2),
    "lp_pool1d p=2": lambda L, x: L.nn.functional.lp_pool1d(x[0], 2, 3),
    "lp_pool1d p=1 stride 2": lambda L, x: L.nn.functional.lp_pool1d(x[0], 1, 2, 2),
    "LPPool2d": lambda L, x: L.nn.LPPool2d(2, 3, stride=2)(x),
    "LPPool1d": lambda L, x: L.nn.LPPool1d(2, 2)(x[0]),
}


@pytest.mark.parametrize("name", sorted(LP_POOLS))
def test_lp_pool_as_torch(name):
    x = np.random.default_rng(1).standard_normal((2, 3, 7, 7))
    out = []
    for L in (zerograd, torch):
        t = L.tensor(x, requires_grad=True)
        y = LP_POOLS[name](L, t)
        (y * L.arange(y.numel(), dtype=L.float64).reshape(tuple(y.shape))).sum().backward()
        out.append((y.detach().numpy(), t.grad.numpy(), type(y.grad_fn).__name__))
    (zy, zg, zn), (ty, tg, tn) = out
    assert zn == tn
    np.testing.assert_allclose(zy, ty, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(zg, tg, rtol=1e-10, atol=1e-12)


def test_lp_pool_repr_and_gradcheck():
    assert repr(zerograd.nn.LPPool2d(2, 3)) == repr(torch.nn.LPPool2d(2, 3))
    assert repr(zerograd.nn.LPPool1d(1.5, 2, 1, True)) == repr(torch.nn.LPPool1d(1.5, 2, 1, True))
    x = zerograd.tensor(np.random.default_rng(2).random((1, 2, 4, 4)) + 0.5, requires_grad=True)
    assert zerograd.autograd.gradcheck(lambda t: zerograd.nn.functional.lp_pool2d(t, 3, 2), (x,))


POOL_ARGUMENT_ERRORS = [
    "F.max_pool2d(x, 2.0)", "F.avg_pool2d(x, 2.0)", "F.max_pool2d(x, 2, None, None)",
    "F.max_pool2d(x, (2, -1))", "F.avg_pool2d(x, (2, -1))", "F.max_pool1d(x[0], 2.5)",
    "F.avg_pool1d(x[0], -1)", "F.max_pool2d(x, (2.0, 2))", "F.max_pool2d(x, 2, 1.5)",
    "F.max_pool2d(x, 2, 1, 0, 1.5)", "F.avg_pool2d(x, 2, 1, None)", "F.max_pool2d(x, '2')",
    "F.avg_pool1d(x[0], 2.0)", "F.avg_pool1d(x[0], 2, 1.5)", "F.max_pool2d(x, True)",
    "F.max_pool2d(x, [2, 2], [])",
]


@pytest.mark.parametrize("code", POOL_ARGUMENT_ERRORS)
def test_pool_argument_types_as_torch(code):
    """A float kernel size or padding=None is torch's parser TypeError naming the argument (it
    was Python's "'float' object is not iterable"); a negative kernel size is torch's "kernel
    size should be greater than zero" (C's division toward zero in the padding check)."""
    def outcome(L):
        F, x = L.nn.functional, L.ones(1, 1, 4, 4)   # noqa: F841 - read by eval
        try:
            return repr(eval(code).tolist())
        except Exception as e:                      # noqa: BLE001 - compared with torch's
            return type(e).__name__, str(e)
    assert outcome(zerograd) == outcome(torch)
