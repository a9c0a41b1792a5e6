"""Shortcuts taken for per-call overhead (issue 7, session 9), each checked against the general
path it skips (and torch where it has the same thing): module attribute descriptors, the plain
cross-entropy forward, the one-input branch of Op.apply, shape arguments, 3-D linear, the
2-norm in clip_grad_norm_."""
import numpy as np
import pytest

import zerograd
from tests._oracle import requires_torch, torch
from zerograd import nn
from zerograd.nn.modules.module import Module, _Member

F = nn.functional


# ---- module attributes: _Member descriptors ----------------------------------------------------

def _member(cls, name):
    for k in cls.__mro__:
        if name in k.__dict__:
            return k.__dict__[name]
    return None


def test_member_descriptor_returns_what_getattr_returns():
    class Net(Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(3, 2, bias=False)
            self.register_buffer("running", zerograd.zeros(2))
            self.scale = nn.Parameter(zerograd.ones(1))

    net = Net()
    first = (net.lin, net.running, net.scale, net.lin.weight, net.lin.bias)   # via __getattr__
    assert isinstance(_member(Net, "lin"), _Member) and isinstance(_member(nn.Linear, "weight"), _Member)
    second = (net.lin, net.running, net.scale, net.lin.weight, net.lin.bias)  # via the descriptor
    assert all(a is b for a, b in zip(first, second)) and net.lin.bias is None
    # torch's order when a name sits in several dicts (only by direct dict edits): parameters,
    # then buffers, then modules
    net._buffers["scale"] = zerograd.zeros(3)
    assert net.scale is net._parameters["scale"]
    del net._parameters["scale"]
    assert net.scale is net._buffers["scale"]


def test_member_descriptor_misses_like_getattr():
    a, b = nn.Linear(2, 2), nn.Linear(2, 2)
    a.weight                                        # installs Linear.weight
    del a.weight
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'weight'"):
        a.weight
    assert not hasattr(a, "weight") and b.weight.shape == (2, 2)
    with pytest.raises(AttributeError, match="type object 'Linear' has no attribute 'weight'"):
        nn.Linear.weight
    assert not hasattr(nn.Linear, "bias")
    b.__dict__["weight"] = "plain"                  # the instance's __dict__ comes first
    assert b.weight == "plain"


def test_member_descriptor_dir_and_class_attributes():
    lin = nn.Linear(2, 2)
    lin.weight
    assert dir(lin).count("weight") == 1 and dir(lin).count("bias") == 1
    del lin.bias
    assert "bias" not in dir(lin)

    class WithClassAttr(Module):
        gain = 3.0                                  # a class attribute of the same name

        def __init__(self):
            super().__init__()

    m = WithClassAttr()
    m._parameters["gain"] = nn.Parameter(zerograd.ones(1))
    assert m.gain == 3.0 and WithClassAttr.__dict__["gain"] == 3.0   # as torch: not replaced


def test_member_descriptor_not_installed_over_a_custom_getattr():
    seen = []

    class Custom(Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(zerograd.ones(2))

        def __getattr__(self, name):
            seen.append(name)
            return super().__getattr__(name)

    c = Custom()
    seen.clear()
    c.w, c.w
    assert seen == ["w", "w"] and _member(Custom, "w") is None

    class Base(Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(zerograd.ones(2))

    Base().w                                        # installs Base.w
    assert isinstance(_member(Base, "w"), _Member)

    class Sub(Base):                                # inherits the descriptor, has its own hook
        def __getattr__(self, name):
            seen.append(name)
            return super().__getattr__(name)

    sub = Sub()
    seen.clear()
    assert tuple(sub.w.shape) == (2,) and seen == ["w"]


# ---- cross entropy: the plain forward against the general one ----------------------------------

def _ce(x0, t0, dtype, reduction, ignore_index, create_graph=False):
    x = zerograd.tensor(x0.astype(dtype), requires_grad=True)
    t = zerograd.tensor(t0)
    loss = F.cross_entropy(x, t, reduction=reduction, ignore_index=ignore_index)
    (g,) = zerograd.autograd.grad(loss, x, create_graph=create_graph)
    if create_graph:
        (gg,) = zerograd.autograd.grad((g * g).sum(), x)
        return loss.detach().numpy(), g.detach().numpy(), gg.numpy()
    return loss.detach().numpy(), g.numpy()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_plain_cross_entropy_equals_the_general_path(dtype, reduction):
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal((37, 11)) * 3
    t0 = rng.integers(1, 11, 37)                    # no target 0: ignore_index=0 ignores nothing
    plain = _ce(x0, t0, dtype, reduction, -100)     # (ignore_index outside [0, C): the shortcut)
    general = _ce(x0, t0, dtype, reduction, 0)      # (inside: the general path, same numbers)
    for p, g in zip(plain, general):
        np.testing.assert_array_equal(p, g)
    plain2 = _ce(x0, t0, dtype, reduction, -1, create_graph=True)   # double backward
    general2 = _ce(x0, t0, dtype, reduction, 0, create_graph=True)
    for p, g in zip(plain2, general2):
        np.testing.assert_allclose(p, g, rtol=1e-6 if dtype == "float32" else 1e-12)


def test_plain_cross_entropy_leaves_bad_targets_to_the_checks():
    x = zerograd.randn(4, 3)
    for bad, err in (([0, 1, 3, 2], IndexError), ([0, -2, 1, 2], IndexError)):
        with pytest.raises(err, match="out of bounds"):
            F.cross_entropy(x, zerograd.tensor(bad))
    with pytest.raises(RuntimeError, match="expected target dtype to be Long"):
        F.cross_entropy(x, zerograd.tensor([0, 1, 2, 1], dtype=zerograd.int32))


@requires_torch
def test_plain_cross_entropy_equals_torch():
    rng = np.random.default_rng(1)
    x0 = (rng.standard_normal((64, 28)) * 2).astype(np.float32)
    t0 = rng.integers(0, 28, 64)
    tx = torch.tensor(x0, requires_grad=True)
    tl = torch.nn.functional.cross_entropy(tx, torch.tensor(t0), ignore_index=-1)
    tl.backward()
    zx = zerograd.tensor(x0, requires_grad=True)
    zl = F.cross_entropy(zx, zerograd.tensor(t0), ignore_index=-1)
    zl.backward()
    assert zl.grad_fn.name() == tl.grad_fn.name()
    np.testing.assert_allclose(zl.item(), tl.item(), rtol=1e-6)
    np.testing.assert_allclose(zx.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-8)


# ---- views and shape arguments --------------------------------------------------------------

def test_shape_arguments_keep_their_errors():
    x = zerograd.arange(12.0)
    assert x.view(3, 4).shape == (3, 4) and x.view((2, 6)).shape == (2, 6)
    assert x.view(np.int64(4), 3).shape == (4, 3) and x.view(-1, 6).shape == (2, 6)
    with pytest.raises(RuntimeError, match=r"shape '\[5, 3\]' is invalid for input of size 12"):
        x.view(5, 3)
    with pytest.raises(RuntimeError, match="invalid shape dimension -2"):
        x.view(-2, -6)
    with pytest.raises(RuntimeError, match="only one dimension can be inferred"):
        x.view(-1, -1)
    with pytest.raises(TypeError):
        x.view(True, 12)
    assert zerograd.zeros(0, 3).view(3, 0).shape == (3, 0)


def test_one_input_ops_record_what_several_input_ops_do():
    a = zerograd.randn(2, 3, requires_grad=True)
    v = a.t()                                       # one input (the unrolled branch), a leaf
    s = (a * 2).sum(1)                              # one input, not a leaf
    assert v.grad_fn.next_functions == ((a._acc(), 0),) and v.grad_fn.needs_input_grad == (True,)
    assert s.grad_fn.next_functions[0][0] is not None and s.grad_fn._nrs == (0,)
    q, k = (a * 1).split(2, dim=1)                  # an output number 1 as the input
    w = k.view(2)
    assert w.grad_fn._nrs == (1,)
    (v.sum() + s.sum() + w.sum()).backward()
    np.testing.assert_allclose(a.grad.numpy(), np.array([[3, 3, 4]] * 2, np.float32))
    with zerograd.no_grad():
        assert a.t().grad_fn is None


@requires_torch
def test_linear_on_3d_input_records_torchs_graph():
    x0 = np.random.default_rng(2).standard_normal((2, 5, 4)).astype(np.float32)
    tl, zl = torch.nn.Linear(4, 3), nn.Linear(4, 3)
    with torch.no_grad():
        tl.weight.copy_(torch.tensor(zl.weight.detach().numpy()))
        tl.bias.copy_(torch.tensor(zl.bias.detach().numpy()))
    tx, zx = torch.tensor(x0, requires_grad=True), zerograd.tensor(x0, requires_grad=True)
    ty, zy = tl(tx), zl(zx)

    def names(fn, depth=3):
        if fn is None or depth == 0:
            return None
        return (fn.name(), [names(f, depth - 1) for f, _ in fn.next_functions])
    assert names(zy.grad_fn) == names(ty.grad_fn)
    ty.sum().backward()
    zy.sum().backward()
    np.testing.assert_allclose(zy.detach().numpy(), ty.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(zx.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(zl.weight.grad.numpy(), tl.weight.grad.numpy(), rtol=1e-5, atol=1e-5)


# ---- clip_grad_norm_: the 2-norm without abs and copy ------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_two_norm_of_signed_values_equals_the_abs_form(dtype):
    g = np.array([-3.0, 4.0, -0.0, 1e-20, -1e20, 7.5], dtype)
    p = zerograd.tensor(np.zeros_like(g), requires_grad=True)
    p.grad = zerograd.tensor(g)
    total = nn.utils.clip_grad_norm_([p], 1e30)
    x = np.abs(g)
    with np.errstate(over="ignore"):
        assert total.numpy() == np.asarray(np.sqrt((x * x).sum())).astype(dtype)
    p = zerograd.tensor(np.zeros(2, dtype), requires_grad=True)
    p.grad = zerograd.tensor(np.array([np.nan, 1.0], dtype))
    assert np.isnan(nn.utils.clip_grad_norm_([p], 1.0).item())


# ---- Adam: constants as 0-d arrays, the step counter without a ufunc ---------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("decoupled", [False, True])
def test_adam_constants_as_arrays_round_as_python_floats(dtype, decoupled):
    rng = np.random.default_rng(3)
    p0 = [rng.standard_normal(s).astype(dtype) for s in ((4, 3), (7,))]
    grads = [[rng.standard_normal(p.shape).astype(dtype) for p in p0] for _ in range(5)]
    ps = [zerograd.tensor(p.copy(), requires_grad=True) for p in p0]
    opt = (zerograd.optim.AdamW if decoupled else zerograd.optim.Adam)(
        ps, lr=3e-3, betas=(0.9, 0.99), eps=1e-7, weight_decay=0.05)
    ref = [p.copy() for p in p0]
    m = [np.zeros_like(p) for p in p0]
    v = [np.zeros_like(p) for p in p0]
    for step, gs in enumerate(grads, 1):
        for p, g in zip(ps, gs):
            p.grad = zerograd.tensor(g)
        opt.step()
        for j, g in enumerate(gs):      # the update with Python floats (NumPy's weak scalars)
            if decoupled:
                ref[j] *= 1 - 3e-3 * 0.05
            else:
                g = g + 0.05 * ref[j]
            w = dtype(1 - 0.9)
            m[j] += w * (g - m[j])
            v[j] *= 0.99
            t = g * float(1 - 0.99)
            t *= g
            v[j] += t
            denom = np.sqrt(v[j])
            denom /= (1 - 0.99 ** step) ** 0.5
            denom += 1e-7
            t = m[j] * -float(3e-3 / (1 - 0.9 ** step))
            t /= denom
            ref[j] += t
        assert float(opt.state[ps[0]]["step"]) == step
    for p, r in zip(ps, ref):
        assert np.array_equal(p.detach().numpy().view(np.uint8), r.view(np.uint8))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sgd_step_size_as_array_rounds_as_a_python_float(dtype):
    rng = np.random.default_rng(4)
    p0 = rng.standard_normal((5, 3)).astype(dtype)
    p = zerograd.tensor(p0.copy(), requires_grad=True)
    opt = zerograd.optim.SGD([p], lr=0.0123)
    ref = p0.copy()
    for _ in range(3):
        g = rng.standard_normal(p0.shape).astype(dtype)
        p.grad = zerograd.tensor(g)
        opt.step()
        ref += -0.0123 * g
    assert np.array_equal(p.detach().numpy().view(np.uint8), ref.view(np.uint8))


def test_clip_grad_norm_scales_plain_grads_in_place_like_mul_():
    import warnings
    rng = np.random.default_rng(5)
    ps = [zerograd.tensor(rng.standard_normal(s).astype(dt), requires_grad=True)
          for s, dt in (((3, 4), np.float32), ((5,), np.float64), ((2,), np.float16))]
    gs = [rng.standard_normal(p.shape).astype(p.numpy().dtype) * 10 for p in (q.detach() for q in ps)]
    for p, g in zip(ps, gs):
        p.grad = zerograd.tensor(g.copy())
    before = [p.grad._version for p in ps]
    ids = [id(p.grad) for p in ps]
    total = nn.utils.clip_grad_norm_(ps, 1.0)
    from zerograd.nn.utils.clip_grad import _clip_coef
    coef = _clip_coef(total, 1.0)                   # (what mul_ was given before)
    for p, g, v, i in zip(ps, gs, before, ids):
        assert id(p.grad) == i and p.grad._version == v + 1
        ref = zerograd.tensor(g.copy()).mul_(coef) if g.dtype != np.float16 else None
        if ref is not None:
            assert np.array_equal(p.grad.numpy().view(np.uint8), ref.numpy().view(np.uint8))
    big = zerograd.tensor(np.zeros(2, np.float32), requires_grad=True)
    big.grad = zerograd.tensor(np.array([1e20, -3.0], np.float32))     # x² overflows: no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert nn.utils.clip_grad_norm_([big], 1.0).item() == np.inf


# ---- session 10: relu against a zeros array, GELU's derivative as gelu(a)/a + a·φ(a) -----------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [100, 16384, 70001])
def test_large_relu_equals_the_scalar_bound_maximum_bit_for_bit(dtype, n):
    """relu of a large contiguous float array runs np.maximum against a zeros array (NumPy's
    fast loop): the same bits as maximum(0, x) - ±0, nan of both signs, ±inf - forward and
    backward, and non-contiguous inputs take the scalar bound."""
    from zerograd.ops.elementwise import _np_relu
    it = np.int32 if dtype == np.float32 else np.int64
    x = np.random.default_rng(n).standard_normal(n).astype(dtype)
    x[:7] = [0.0, -0.0, np.nan, -np.nan, np.inf, -np.inf, 1e-300]
    for a in (x, x.reshape(-1, 1) if n % 2 else x.reshape(2, -1), x[::2]):
        got = _np_relu(a)
        assert got.dtype == dtype and got.shape == a.shape
        assert np.array_equal(got.view(it), np.maximum(0, a).view(it))
    t = zerograd.tensor(x, requires_grad=True)
    y = zerograd.relu(t)
    assert np.array_equal(y.detach().numpy().view(it), np.maximum(0, x).view(it))
    y.sum().backward()
    assert np.array_equal(t.grad.numpy(), np.where(np.maximum(0, x) != 0, 1, 0).astype(dtype))


def test_float32_gelu_derivative_at_zero_tiny_and_in_the_tail():
    """gelu'(a) = gelu(a)/a + a·φ(a): exactly ½ at ±0 and below |a| 1e-20 (0/0, subnormal
    gelu values), nan at ±inf and nan (as torch), and relative accuracy in the negative tail,
    where the old ½ + sign(a)·(...) form lost the digits (5e-2 relative near a = -5, 0 below -6)."""
    import math
    from zerograd.ops import nn_ops
    a = np.zeros(nn_ops._BLOCK + 9, np.float32)
    special = [0.0, -0.0, 1e-45, -1e-45, 1e-30, -1e-21, np.inf, -np.inf, np.nan]
    a[:9] = special
    a[-9:] = special                                   # (the second, partial block too)
    a[9:-9] = np.linspace(-12, 8, a.size - 18, dtype=np.float32)
    _, d = nn_ops.np_gelu(a, True)
    for k in (slice(0, 6), slice(-9, -3)):
        assert (d[k] == 0.5).all()
    assert np.isnan(d[6:9]).all() and np.isnan(d[-3:]).all()
    x = a[9:-9].astype(np.float64)
    exact = np.array([0.5 * math.erfc(-v / math.sqrt(2)) for v in x]) + \
        x * np.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    err = np.abs(d[9:-9] - exact)
    assert err.max() < 3e-7
    tail = (x < -1.5) & (np.abs(exact) > 1e-30)
    assert (err[tail] / np.abs(exact[tail])).max() < 1e-5


@requires_torch
def test_float32_gelu_matches_torch_forward_and_backward():
    x = np.random.default_rng(5).standard_normal(70001).astype(np.float32) * 3
    x[:4] = [0.0, -0.0, 1e-30, -7.5]
    a = zerograd.tensor(x, requires_grad=True)
    b = torch.tensor(x, requires_grad=True)
    ya, yb = F.gelu(a), torch.nn.functional.gelu(b)
    np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy(), rtol=1e-5, atol=1e-6)
    g = np.random.default_rng(6).standard_normal(x.size).astype(np.float32)
    ya.backward(zerograd.tensor(g))
    yb.backward(torch.tensor(g))
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-5, atol=1e-6)
    assert (a.grad.numpy()[:3] == g[:3] * 0.5).all()


# ----- row_op: a (C,) vector against (N, C) rows, on tiled rows ----------------------------------

@pytest.mark.parametrize("shape", [(1024, 128), (1000, 130), (1024, 384), (64, 8192), (300, 200),
                                   (4, 3), (0, 5), (5, 0), (70000, 1)])
@pytest.mark.parametrize("op", ["add", "multiply"])
def test_row_op_equals_the_broadcast_bit_for_bit(shape, op):
    from zerograd.ops._util import row_op
    rng = np.random.default_rng(0)
    z = rng.standard_normal(shape).astype(np.float32)
    v = rng.standard_normal(shape[1]).astype(np.float32)
    ufunc = getattr(np, op)
    assert np.array_equal(row_op(ufunc, z, v, np.empty_like(z)), ufunc(z, v))
    w = z.copy()
    row_op(ufunc, w, v, w)                      # in place, as the bias add
    assert np.array_equal(w, ufunc(z, v))


def test_layer_norm_row_path_matches_the_general_path():
    """LayerNorm's (N, C) row path (one normalized axis, weight and bias) against the general one
    (reached here through a 2-axis normalized shape of the same numbers)."""
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((6, 50, 96)) * 2 + 3).astype(np.float32)
    g = rng.standard_normal(x.shape).astype(np.float32)
    w = rng.standard_normal(96).astype(np.float32)
    b = rng.standard_normal(96).astype(np.float32)
    out = []
    for rows in (True, False):
        X = zerograd.tensor(x if rows else x.reshape(6, 50, 1, 96), requires_grad=True)
        W = zerograd.tensor(w if rows else w.reshape(1, 96), requires_grad=True)
        B = zerograd.tensor(b if rows else b.reshape(1, 96), requires_grad=True)
        y = zerograd.nn.functional.layer_norm(X, (96,) if rows else (1, 96), W, B)
        y.backward(zerograd.tensor(g if rows else g.reshape(6, 50, 1, 96)))
        out.append([t.reshape(-1).numpy() for t in (y.detach(), X.grad, W.grad, B.grad)])
    for a, c in zip(*out):
        np.testing.assert_allclose(a, c, rtol=2e-5, atol=2e-6)


def test_relu_backward_keeps_gs_bits_where_the_output_is_nonzero():
    x = zerograd.tensor(np.array([-1, -0.0, 0, 2, np.nan, -np.nan, np.inf, -np.inf] * 4000,
                                 np.float32), requires_grad=True)
    g = np.array([1, -0.0, np.nan, -0.0, 3, -np.nan, -5, 7] * 4000, np.float32)
    x.relu().backward(zerograd.tensor(g))
    want = np.where(np.maximum(x.detach().numpy(), 0) != 0, g, np.float32(0))
    assert np.array_equal(x.grad.numpy().view(np.int32), want.view(np.int32))


# ---- ExactMetas: the sweep skips checking the gradients of these nodes ------------------------

from zerograd.autograd.function import ExactMetas  # noqa: E402


def _exact(t):
    return type(t.grad_fn._metas) is ExactMetas


def test_exact_metas_only_where_the_vjp_cannot_miss_the_shape():
    a = zerograd.randn(3, 4, requires_grad=True)
    b = zerograd.randn(3, 4, requires_grad=True)
    row = zerograd.randn(4, requires_grad=True)
    const = zerograd.randn(3, 4)
    const_row = zerograd.randn(4)
    s = zerograd.randn((), requires_grad=True)
    d = zerograd.randn(3, 4, dtype=zerograd.float64, requires_grad=True)
    # exact: one shape and dtype in and out, or a tensor and a Python number
    for y in (a * b, a + b, a - b, a / b, a.tanh(), a.exp(), a.sigmoid(), a.relu(), -a,
              a * 2.0, a + 1, a / 3, 2.0 * a, d * d):
        assert _exact(y), y.grad_fn
    # checked: broadcasting (either side), a tensor operand without grad, 0-d, mixed dtypes
    for y in (a * row, row * a, a + const_row, const * a, a * const, s * s, s.tanh(), s * 2.0,
              a * d, d + a):
        assert not _exact(y), y.grad_fn


@pytest.mark.parametrize("op", ["mul", "add", "sub", "div"])
def test_exact_and_checked_nodes_give_the_general_paths_gradients(op):
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal((3, 4)).astype(np.float32) + 3
    y0 = rng.standard_normal((3, 4)).astype(np.float32) + 3
    r0 = rng.standard_normal(4).astype(np.float32) + 3
    f = {"mul": lambda p, q: p * q, "add": lambda p, q: p + q, "sub": lambda p, q: p - q,
         "div": lambda p, q: p / q}[op]
    for other in (y0, r0):                  # the same shape (exact) and a broadcast row (checked)
        x, y = zerograd.tensor(x0, requires_grad=True), zerograd.tensor(other, requires_grad=True)
        (f(x, y).tanh() * 2.0).sum().backward()
        xa, ya = zerograd.tensor(x0, requires_grad=True), zerograd.tensor(other, requires_grad=True)
        cls = {"mul": "Mul", "add": "Add", "sub": "Sub", "div": "Div"}[op]
        from zerograd.ops import elementwise as ew
        ew.Tanh.apply(getattr(ew, cls).apply(xa, ya)).sum().backward(
            zerograd.tensor(np.float32(2.0)))
        assert x.grad.shape == x.shape and y.grad.shape == y.shape
        np.testing.assert_array_equal(x.grad.numpy(), xa.grad.numpy())
        np.testing.assert_array_equal(y.grad.numpy(), ya.grad.numpy())


@requires_torch
def test_data_assignment_after_forward_keeps_torchs_gradients():
    """`.data =` can change a saved input's dtype or shape without a version bump: the sweep then
    checks (casts, sums) the trusted nodes' gradients again, as torch's engine does."""
    def run(lib, swap):
        a = lib.ones(3, 4, requires_grad=True)
        b = lib.ones(3, 4, requires_grad=True)
        y = (a * b).exp() * 0.5
        swap(lib, a, b)
        y.sum().backward()
        return (str(a.grad.dtype), tuple(a.grad.shape), round(float(a.grad.sum()), 3),
                str(b.grad.dtype), tuple(b.grad.shape), round(float(b.grad.sum()), 3))

    def to_double(lib, a, b):
        b.data = lib.ones(3, 4, dtype=lib.float64) * 2

    def to_row(lib, a, b):
        b.data = lib.ones(1, 4) * 3

    for swap in (to_double, to_row):
        assert run(zerograd, swap) == run(torch, swap)


def test_graphs_recorded_after_a_data_assignment_are_trusted_again():
    from zerograd.autograd import function as fn
    a = zerograd.ones(3, 4, requires_grad=True)
    a.data = zerograd.ones(3, 4, dtype=zerograd.float64)
    swap = fn.DATA_SWAP[0]
    y = a * a
    assert y.grad_fn._seq > swap and _exact(y)
    y.sum().backward()
    assert a.grad.dtype == zerograd.float64
    a.data = zerograd.zeros(3, 4, dtype=zerograd.float64)      # same shape and dtype: no mark
    assert fn.DATA_SWAP[0] == swap
