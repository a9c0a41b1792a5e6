"""Convolutions, poolings and batch / group / instance norm against torch.

The op table (zerograd/testing/op_db_conv.py) runs forward / backward / graph / gradcheck /
gradgradcheck per row; here:
  - seeded random sweeps over whole argument spaces (conv1d/2d, conv_transpose1d/2d, max/avg
    pooling, adaptive pooling, group norm): the same values, gradients of every input and node
    name as torch, or the same exception type with torch's message
  - double backward (create_graph) equal to torch's, and third order through the conv node
  - the layers: parameter shapes and initialisation bounds, reprs, state_dict keys, padding modes,
    ConvTranspose output_size, BatchNorm running statistics after several training steps (momentum,
    momentum=None's cumulative average, num_batches_tracked), eval mode, track_running_stats=False,
    InstanceNorm with running stats, GroupNorm, module errors
  - behaviour: ceil_mode shapes, return_indices, max pooling's NaN and tie rules
"""
from __future__ import annotations

import math

import re

import numpy as np
import pytest

import zerograd
from tests._oracle import requires_torch, torch

ZF = zerograd.nn.functional
pytestmark = requires_torch


def _t(a, grad=False):
    return torch.tensor(a, requires_grad=grad)


def _z(a, grad=False):
    return zerograd.tensor(a, requires_grad=grad)


def _np(t):
    return t.detach().numpy()


def _run_both(fz, ft, arrays, grad_mask=None, rtol=1e-9, atol=1e-10, check_grad=True):
    """Run fz on zerograd tensors and ft on torch tensors made from `arrays` (None passes
    through); compare the outcome: the exception (type, message) or outputs, node name, grads."""
    grad_mask = grad_mask or [a is not None and a.dtype.kind == "f" for a in arrays]
    zin = [None if a is None else _z(a, g) for a, g in zip(arrays, grad_mask)]
    tin = [None if a is None else _t(a, g) for a, g in zip(arrays, grad_mask)]
    te = ze = None
    try:
        to = ft(*tin)
    except Exception as e:  # noqa: BLE001 - compared below
        te = e
    try:
        zo = fz(*zin)
    except Exception as e:  # noqa: BLE001
        ze = e
    if te is not None:
        assert ze is not None, f"torch raised {te!r}, zerograd did not"
        assert type(ze) is type(te), f"{type(ze).__name__}({ze}) vs {type(te).__name__}({te})"
        assert str(te).splitlines()[0] in str(ze), f"{ze} vs {te}"
        return "error"
    assert ze is None, f"zerograd raised {ze!r}, torch returned"
    touts = to if isinstance(to, tuple) else (to,)
    zouts = zo if isinstance(zo, tuple) else (zo,)
    for z, t in zip(zouts, touts):
        assert tuple(z.shape) == tuple(t.shape) and str(z.dtype) == str(t.dtype)
        np.testing.assert_allclose(_np(z), _np(t), rtol=rtol, atol=atol)
    if not check_grad or not touts[0].requires_grad:
        return "ok"
    assert zouts[0].grad_fn.name() == touts[0].grad_fn.name()
    r = np.random.default_rng(1).standard_normal(tuple(touts[0].shape))
    tx = [t for t in tin if t is not None and t.requires_grad]
    zx = [z for z in zin if z is not None and z.requires_grad]
    zg = zerograd.autograd.grad((zouts[0] * _z(r)).sum(), zx, allow_unused=True)
    try:
        tg = torch.autograd.grad((touts[0] * _t(r)).sum(), tx, allow_unused=True)
    except RuntimeError as e:       # torch 2.13's group_norm backward with a bias but no weight:
        assert "does not have a device" in str(e)       # "tensor does not have a device"
        return "ok"
    for z, t in zip(zg, tg):
        assert (z is None) == (t is None)
        if t is not None:
            np.testing.assert_allclose(_np(z), _np(t), rtol=rtol * 10, atol=atol * 10)
    return "ok"


# ------------------------------------------------------------------------------------------------
# seeded sweeps
# ------------------------------------------------------------------------------------------------

def _conv_case(rng, nd, transposed):
    N = int(rng.integers(1, 3))
    g = int(rng.choice([1, 1, 2, 3]))
    cin = g * int(rng.integers(1, 3))
    cout = g * int(rng.integers(1, 3))
    K = tuple(int(k) for k in rng.integers(1, 4, nd))
    S = tuple(int(s) for s in rng.integers(1, 8, nd))
    kw = {}
    if rng.random() < 0.5:
        kw["stride"] = int(rng.integers(1, 4)) if rng.random() < 0.5 else \
            tuple(int(v) for v in rng.integers(1, 4, nd))
    if rng.random() < 0.5:
        kw["padding"] = int(rng.integers(0, 3)) if rng.random() < 0.7 else \
            tuple(int(v) for v in rng.integers(0, 3, nd))
    if rng.random() < 0.4:
        kw["dilation"] = int(rng.integers(1, 3))
    if transposed and rng.random() < 0.4:
        kw["output_padding"] = int(rng.integers(0, 3))
    if not transposed and rng.random() < 0.15:
        kw = {k: v for k, v in kw.items() if k != "stride"}
        kw["padding"] = str(rng.choice(["same", "valid"]))
    if g > 1:
        kw["groups"] = g
    if rng.random() < 0.05:          # a wrong channel count or group count
        cin += 1
    shape_x = ((N,) if rng.random() < 0.85 else ()) + (cin,) + S
    if transposed:
        shape_w = (cin - (cin % g if cin % g else 0), cout // g) + K
    else:
        shape_w = (cout, max(cin // g, 1)) + K
    b = rng.standard_normal(cout if not transposed else (shape_w[1] * g)) \
        if rng.random() < 0.7 else None
    return rng.standard_normal(shape_x), rng.standard_normal(shape_w), b, kw


@pytest.mark.parametrize("nd,transposed", [(1, False), (2, False), (1, True), (2, True)])
def test_random_convolutions_match_torch(nd, transposed):
    rng = np.random.default_rng(100 + 10 * nd + transposed)
    name = f"conv_transpose{nd}d" if transposed else f"conv{nd}d"
    kinds = {"ok": 0, "error": 0}
    for _ in range(150):
        x, w, b, kw = _conv_case(rng, nd, transposed)
        kinds[_run_both(lambda x, w, b: getattr(ZF, name)(x, w, b, **kw),
                        lambda x, w, b: getattr(torch.nn.functional, name)(x, w, b, **kw),
                        [x, w, b])] += 1
    assert kinds["ok"] > 60 and kinds["error"] > 5, kinds


def _pool_case(rng, avg):
    nd = int(rng.choice([3, 4]))
    shape = tuple(int(s) for s in rng.integers(1, 4, nd - 2)) + \
        tuple(int(s) for s in rng.integers(1, 9, 2))
    k = int(rng.integers(1, 5)) if rng.random() < 0.6 else tuple(int(v) for v in rng.integers(1, 5, 2))
    kw = {"kernel_size": k}
    if rng.random() < 0.6:
        kw["stride"] = int(rng.integers(1, 4)) if rng.random() < 0.6 else \
            tuple(int(v) for v in rng.integers(1, 4, 2))
    if rng.random() < 0.5:
        kw["padding"] = int(rng.integers(0, 3))
    if not avg and rng.random() < 0.4:
        kw["dilation"] = int(rng.integers(1, 3))
    if rng.random() < 0.4:
        kw["ceil_mode"] = True
    if avg and rng.random() < 0.4:
        kw["count_include_pad"] = False
    if avg and rng.random() < 0.2:
        kw["divisor_override"] = int(rng.integers(1, 5))
    if not avg and rng.random() < 0.3:
        kw["return_indices"] = True
    # distinct values: no ties between the window elements
    n = math.prod(shape)
    x = ((rng.permutation(n) + 1) * 0.25 * rng.choice([-1.0, 1.0], n)).reshape(shape)
    return x, kw


@pytest.mark.parametrize("avg", [False, True], ids=["max_pool2d", "avg_pool2d"])
def test_random_pooling_2d_matches_torch(avg):
    rng = np.random.default_rng(7 + avg)
    name = "avg_pool2d" if avg else "max_pool2d"
    kinds = {"ok": 0, "error": 0}
    for _ in range(250):
        x, kw = _pool_case(rng, avg)
        kinds[_run_both(lambda x: getattr(ZF, name)(x, **kw),
                        lambda x: getattr(torch.nn.functional, name)(x, **kw), [x])] += 1
    assert kinds["ok"] > 80 and kinds["error"] > 20, kinds


@pytest.mark.parametrize("name", ["max_pool1d", "avg_pool1d"])
def test_random_pooling_1d_matches_torch(name):
    rng = np.random.default_rng(11)
    kinds = {"ok": 0, "error": 0}
    for _ in range(150):
        shape = tuple(int(s) for s in rng.integers(1, 4, int(rng.integers(0, 3)))) + \
            (int(rng.integers(1, 10)),)
        kw = {"kernel_size": int(rng.integers(1, 5))}
        if rng.random() < 0.5:
            kw["stride"] = int(rng.integers(1, 4))
        if rng.random() < 0.5:
            kw["padding"] = int(rng.integers(0, 3))
        if rng.random() < 0.4:
            kw["ceil_mode"] = True
        if name == "max_pool1d" and rng.random() < 0.3:
            kw["dilation"] = int(rng.integers(1, 3))
        n = math.prod(shape)
        x = ((rng.permutation(n) + 1) * 0.5).reshape(shape)
        grad = bool(rng.random() < 0.5)       # torch's max_pool1d checks differ without grad
        kinds[_run_both(lambda x: getattr(ZF, name)(x, **kw),
                        lambda x: getattr(torch.nn.functional, name)(x, **kw), [x],
                        grad_mask=[grad])] += 1
    assert kinds["ok"] > 40 and kinds["error"] > 10, kinds


@pytest.mark.parametrize("name", ["adaptive_avg_pool2d", "adaptive_max_pool2d",
                                  "adaptive_avg_pool1d", "adaptive_max_pool1d"])
def test_random_adaptive_pooling_matches_torch(name):
    rng = np.random.default_rng(len(name))
    one = name.endswith("1d")
    kinds = {"ok": 0, "error": 0}
    for _ in range(120):
        lead = tuple(int(s) for s in rng.integers(1, 4, int(rng.choice([1, 2]))))
        spatial = (int(rng.integers(1, 9)),) if one else tuple(int(s) for s in rng.integers(1, 9, 2))
        shape = lead + spatial
        if one:
            out = int(rng.integers(1, 10))
        else:
            out = int(rng.integers(1, 10)) if rng.random() < 0.5 else \
                tuple(None if rng.random() < 0.15 else int(v) for v in rng.integers(1, 10, 2))
        n = math.prod(shape)
        x = ((rng.permutation(n) + 1) * 0.5 * rng.choice([-1.0, 1.0], n)).reshape(shape)
        kinds[_run_both(lambda x: getattr(ZF, name)(x, out),
                        lambda x: getattr(torch.nn.functional, name)(x, out), [x])] += 1
    assert kinds["ok"] > 60, kinds


def test_random_group_and_batch_norm_match_torch():
    rng = np.random.default_rng(5)
    kinds = {"ok": 0, "error": 0}
    for _ in range(120):
        G = int(rng.integers(1, 4))
        C = G * int(rng.integers(1, 3)) + (1 if rng.random() < 0.1 else 0)
        shape = (int(rng.integers(1, 4)), C) + tuple(int(s) for s in
                                                     rng.integers(1, 4, int(rng.integers(0, 3))))
        x = rng.standard_normal(shape)
        w = rng.standard_normal(C) if rng.random() < 0.6 else None
        b = rng.standard_normal(C) if rng.random() < 0.6 else None
        eps = float(rng.choice([1e-5, 1e-3]))
        kinds[_run_both(lambda x, w, b: ZF.group_norm(x, G, w, b, eps),
                        lambda x, w, b: torch.nn.functional.group_norm(x, G, w, b, eps),
                        [x, w, b], rtol=1e-8, atol=1e-9)] += 1
        training = bool(rng.random() < 0.6)
        rm = rng.standard_normal(C) if (rng.random() < 0.6 or not training) else None
        rv = rng.uniform(0.5, 2, C) if (rm is not None or not training) else None
        mom = float(rng.choice([0.1, 0.5]))
        zs = [None if a is None else _z(a.copy()) for a in (rm, rv)]
        ts = [None if a is None else _t(a.copy()) for a in (rm, rv)]
        kinds[_run_both(lambda x, w, b: ZF.batch_norm(x, zs[0], zs[1], w, b, training, mom, eps),
                        lambda x, w, b: torch.nn.functional.batch_norm(x, ts[0], ts[1], w, b,
                                                                       training, mom, eps),
                        [x, w, b], rtol=1e-8, atol=1e-9)] += 1
        for z, t in zip(zs, ts):
            if t is not None:
                np.testing.assert_allclose(_np(z), _np(t), rtol=1e-10, atol=1e-12)
    assert kinds["ok"] > 120 and kinds["error"] > 5, kinds


# ------------------------------------------------------------------------------------------------
# higher derivatives
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("transposed", [False, True])
def test_double_backward_of_conv_matches_torch(transposed):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 4, 6, 5))
    w = rng.standard_normal((4, 3, 3, 2) if transposed else (6, 2, 3, 2))
    b = rng.standard_normal(6)
    kw = dict(stride=2, padding=1, groups=2)
    if transposed:
        kw["output_padding"] = 1
    out = {}
    for lib, mk in ((torch, _t), (zerograd, _z)):
        F = lib.nn.functional
        xs, ws, bs = mk(x, True), mk(w, True), mk(b, True)
        f = F.conv_transpose2d if transposed else F.conv2d
        y = f(xs, ws, bs, **kw)
        gx, gw, gb = lib.autograd.grad((y * y).sum(), (xs, ws, bs), create_graph=True)
        assert gx.grad_fn.name() == "ConvolutionBackwardBackward0" or lib is torch
        s = (gx * gx).sum() + (gw ** 3).sum() + (gb * gx.sum()).sum()
        out[lib.__name__] = [_np(g) for g in lib.autograd.grad(s, (xs, ws, bs))]
    for z, t in zip(out["zerograd"], out["torch"]):
        np.testing.assert_allclose(z, t, rtol=1e-9, atol=1e-9)


def test_third_order_through_conv_passes_gradgradcheck_of_the_gradient():
    rng = np.random.default_rng(4)
    x = _z(rng.standard_normal((1, 2, 4, 4)), True)
    w = _z(rng.standard_normal((2, 2, 2, 2)), True)

    def grad_fn(x, w):
        y = ZF.conv2d(x, w, padding=1)
        gx, gw = zerograd.autograd.grad((y * y).sum(), (x, w), create_graph=True)
        return (gx * gx).sum() + (gw * gw).sum()
    assert zerograd.autograd.gradgradcheck(grad_fn, (x, w), eps=1e-6, atol=1e-5, rtol=1e-3)


@pytest.mark.parametrize("name", ["max_pool2d", "avg_pool2d", "adaptive_avg_pool2d",
                                  "adaptive_max_pool2d", "batch_norm", "group_norm"])
def test_second_derivatives_match_torch(name):
    rng = np.random.default_rng(9)
    n = 2 * 3 * 6 * 5
    x = ((rng.permutation(n) + 1) * 0.1 * rng.choice([-1.0, 1.0], n)).reshape(2, 3, 6, 5)
    w, b = rng.standard_normal(3), rng.standard_normal(3)
    calls = {
        "max_pool2d": lambda F, x, w, b: F.max_pool2d(x, 3, 2, 1) * w.sum(),
        "avg_pool2d": lambda F, x, w, b: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True,
                                                      count_include_pad=False) * w.sum(),
        "adaptive_avg_pool2d": lambda F, x, w, b: F.adaptive_avg_pool2d(x, (4, 3)) * w.sum(),
        "adaptive_max_pool2d": lambda F, x, w, b: F.adaptive_max_pool2d(x, (4, 3)) * w.sum(),
        "batch_norm": lambda F, x, w, b: F.batch_norm(x, None, None, w, b, True),
        "group_norm": lambda F, x, w, b: F.group_norm(x, 3, w, b),
    }
    out = {}
    for lib, mk in ((torch, _t), (zerograd, _z)):
        xs, ws, bs = mk(x, True), mk(w, True), mk(b, True)
        y = calls[name](lib.nn.functional, xs, ws, bs)
        r = mk(rng.standard_normal(tuple(y.shape)) if lib is torch else out["r"])
        out["r"] = _np(r)
        gx, gw = lib.autograd.grad((y * y * r).sum(), (xs, ws), create_graph=True)
        s = (gx * gx).sum() + (gw * gw).sum()
        out[lib.__name__] = [_np(g) for g in lib.autograd.grad(s, (xs, ws, bs), allow_unused=True)
                             if g is not None]
    for z, t in zip(out["zerograd"], out["torch"]):
        np.testing.assert_allclose(z, t, rtol=1e-7, atol=1e-8)


# ------------------------------------------------------------------------------------------------
# the layers
# ------------------------------------------------------------------------------------------------

_LAYERS = {
    "Conv1d": lambda nn: nn.Conv1d(4, 6, 3, stride=2, padding=1, bias=False),
    "Conv2d": lambda nn: nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=1, dilation=2, groups=2),
    "Conv2d_same": lambda nn: nn.Conv2d(4, 6, 4, padding="same", dilation=1),
    "Conv2d_valid": lambda nn: nn.Conv2d(4, 6, 3, padding="valid"),
    "Conv2d_reflect": lambda nn: nn.Conv2d(4, 6, 3, padding=2, padding_mode="reflect"),
    "Conv2d_replicate": lambda nn: nn.Conv2d(4, 6, 3, padding=(1, 2), padding_mode="replicate"),
    "Conv2d_circular": lambda nn: nn.Conv2d(4, 6, 3, padding=1, padding_mode="circular"),
    "Conv3d": lambda nn: nn.Conv3d(4, 2, 2),
    "ConvTranspose1d": lambda nn: nn.ConvTranspose1d(4, 6, 3, stride=2, output_padding=1),
    "ConvTranspose2d": lambda nn: nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, groups=2,
                                                     dilation=2),
    "MaxPool1d": lambda nn: nn.MaxPool1d(2),
    "MaxPool2d": lambda nn: nn.MaxPool2d(3, 2, 1, ceil_mode=True),
    "MaxPool2d_indices": lambda nn: nn.MaxPool2d((2, 3), return_indices=True),
    "AvgPool1d": lambda nn: nn.AvgPool1d(3, 2, 1, count_include_pad=False),
    "AvgPool2d": lambda nn: nn.AvgPool2d(3, 2, 1, ceil_mode=True, divisor_override=4),
    "AdaptiveAvgPool1d": lambda nn: nn.AdaptiveAvgPool1d(3),
    "AdaptiveAvgPool2d": lambda nn: nn.AdaptiveAvgPool2d((None, 2)),
    "AdaptiveMaxPool1d": lambda nn: nn.AdaptiveMaxPool1d(4),
    "AdaptiveMaxPool2d": lambda nn: nn.AdaptiveMaxPool2d(3, return_indices=True),
    "BatchNorm1d": lambda nn: nn.BatchNorm1d(4),
    "BatchNorm2d": lambda nn: nn.BatchNorm2d(4, momentum=None),
    "BatchNorm2d_noaffine": lambda nn: nn.BatchNorm2d(4, affine=False, momentum=0.3),
    "BatchNorm2d_untracked": lambda nn: nn.BatchNorm2d(4, track_running_stats=False),
    "BatchNorm3d": lambda nn: nn.BatchNorm3d(4, eps=1e-3, bias=False),
    "GroupNorm": lambda nn: nn.GroupNorm(2, 4),
    "GroupNorm_noaffine": lambda nn: nn.GroupNorm(4, 4, affine=False),
    "InstanceNorm1d": lambda nn: nn.InstanceNorm1d(4),
    "InstanceNorm2d": lambda nn: nn.InstanceNorm2d(4, affine=True, track_running_stats=True),
}
_INPUT = {"1d": (3, 4, 9), "2d": (3, 4, 7, 6), "3d": (2, 4, 3, 4, 3)}


def _input_shape(name):
    for k in ("1d", "3d"):
        if k in name:
            return _INPUT[k]
    return _INPUT["2d"] if "GroupNorm" not in name else (3, 4, 5, 2)


@pytest.mark.parametrize("name", sorted(_LAYERS))
def test_layer_matches_torch_over_training_steps(name):
    """repr, state_dict keys and dtypes, then several train steps (the same weights in both):
    outputs, every parameter's gradient, buffers; then eval mode."""
    tm, zm = _LAYERS[name](torch.nn).double(), _LAYERS[name](zerograd.nn).double()
    assert repr(zm) == repr(tm)
    tsd = tm.state_dict()
    assert list(zm.state_dict()) == list(tsd)
    zm.load_state_dict({k: zerograd.tensor(v.numpy()) for k, v in tsd.items()})
    for k, v in zm.state_dict().items():
        assert str(v.dtype) == str(tsd[k].dtype), k
    rng = np.random.default_rng(0)
    for step in range(4):
        if step == 3:
            tm.eval(), zm.eval()
        x = rng.standard_normal(_input_shape(name)) * 2 + 1
        tx, zx = _t(x, True), _z(x, True)
        to, zo = tm(tx), zm(zx)
        to, zo = (to[0], zo[0]) if isinstance(to, tuple) else (to, zo)
        np.testing.assert_allclose(_np(zo), _np(to), rtol=1e-9, atol=1e-10)
        assert zo.grad_fn.name() == to.grad_fn.name()
        r = rng.standard_normal(tuple(to.shape))
        (to * _t(r)).sum().backward()
        (zo * _z(r)).sum().backward()
        np.testing.assert_allclose(_np(zx.grad), _np(tx.grad), rtol=1e-8, atol=1e-9)
        for (k, tp), (_, zp) in zip(tm.named_parameters(), zm.named_parameters()):
            np.testing.assert_allclose(_np(zp.grad), _np(tp.grad), rtol=1e-8, atol=1e-9,
                                       err_msg=k)
        for (k, tb), (_, zb) in zip(tm.named_buffers(), zm.named_buffers()):
            np.testing.assert_allclose(_np(zb), _np(tb), rtol=1e-10, atol=1e-12, err_msg=k)
            assert str(zb.dtype) == str(tb.dtype), k


@pytest.mark.parametrize("name", [n for n in sorted(_LAYERS) if n.startswith("Conv")])
def test_conv_initialisation_is_torchs_kaiming_uniform(name):
    m = _LAYERS[name](zerograd.nn)
    w = m.weight.detach().numpy()
    fan_in = w.shape[1] * math.prod(w.shape[2:])
    bound = 1 / math.sqrt(fan_in)          # kaiming_uniform(a=sqrt(5)): gain·sqrt(3/fan_in)
    assert np.abs(w).max() <= bound + 1e-7 and np.abs(w).max() > bound * 0.5
    assert m.weight.dtype == zerograd.float32 and m.weight.requires_grad
    if m.bias is not None:
        assert np.abs(m.bias.detach().numpy()).max() <= bound + 1e-7
        assert m.bias.shape == (m.out_channels,)
    tm = _LAYERS[name](torch.nn)
    assert tuple(m.weight.shape) == tuple(tm.weight.shape)


def test_batchnorm_momentum_none_is_a_cumulative_average_and_counts_batches():
    zm = zerograd.nn.BatchNorm1d(3, momentum=None)
    rng = np.random.default_rng(2)
    xs = [(rng.standard_normal((5, 3)) * (i + 1) + i).astype(np.float32) for i in range(4)]
    for x in xs:
        zm(_z(x))
    assert int(zm.num_batches_tracked) == 4
    np.testing.assert_allclose(zm.running_mean.numpy(), np.mean([x.mean(0) for x in xs], 0),
                               rtol=1e-5)
    np.testing.assert_allclose(zm.running_var.numpy(),
                               np.mean([x.var(0, ddof=1) for x in xs], 0), rtol=1e-5)
    zm.eval()
    y = zm(_z(xs[0]))
    expect = (xs[0] - zm.running_mean.numpy()) / np.sqrt(zm.running_var.numpy() + 1e-5)
    np.testing.assert_allclose(y.detach().numpy(), expect, rtol=1e-5, atol=1e-6)
    zm.reset_running_stats()
    assert int(zm.num_batches_tracked) == 0 and float(zm.running_var.sum()) == 3.0


def test_batchnorm_updates_running_stats_in_place_and_bumps_their_version():
    m = zerograd.nn.BatchNorm2d(2)
    rm = m.running_mean
    v = rm._version
    m(zerograd.randn(3, 2, 4, 4))
    assert m.running_mean is rm and rm._version > v
    assert not rm.requires_grad and m.running_mean.grad_fn is None


def test_batchnorm_state_dict_of_an_old_version_gets_num_batches_tracked():
    m = zerograd.nn.BatchNorm1d(3)
    sd = m.state_dict()
    del sd["num_batches_tracked"]
    sd._metadata[""]["version"] = 1
    m.load_state_dict(sd)
    assert int(m.num_batches_tracked) == 0


@pytest.mark.parametrize("make", [
    lambda nn: nn.Conv2d(4, 6, 3, groups=3),
    lambda nn: nn.Conv2d(4, 6, 3, groups=0),
    lambda nn: nn.Conv2d(4, 5, 3, groups=2),
    lambda nn: nn.Conv2d(4, 6, 3, padding="full"),
    lambda nn: nn.Conv2d(4, 6, 3, padding="same", stride=2),
    lambda nn: nn.Conv2d(4, 6, 3, padding_mode="mirror"),
    lambda nn: nn.ConvTranspose2d(4, 6, 3, padding_mode="reflect"),
    lambda nn: nn.GroupNorm(3, 4),
    lambda nn: nn.BatchNorm2d(3)(torch_or(nn).randn(2, 3, 4)),
    lambda nn: nn.BatchNorm1d(3)(torch_or(nn).randn(2, 3, 4, 4)),
    lambda nn: nn.InstanceNorm1d(3, affine=True)(torch_or(nn).randn(2, 4, 5)),
    lambda nn: nn.ConvTranspose2d(4, 6, 3, stride=2)(torch_or(nn).randn(1, 4, 5, 5),
                                                     output_size=(20, 20)),
    lambda nn: nn.ConvTranspose2d(4, 6, 3, stride=2)(torch_or(nn).randn(1, 4, 5, 5),
                                                     output_size=(1, 2, 3)),
], ids=lambda f: "")
def test_layer_errors_match_torch(make):
    with pytest.raises(Exception) as te:
        make(torch.nn)
    with pytest.raises(Exception) as ze:
        make(zerograd.nn)
    assert type(ze.value) is type(te.value)
    assert _sets_sorted(str(ze.value)) == _sets_sorted(str(te.value))


def _sets_sorted(message):
    """The message with each printed set's items sorted: torch prints a set literal, whose order
    depends on the hash seed and on how the set was built (torch's and zerograd's differ)."""
    return re.sub(r"\{([^{}]*)\}", lambda m: "{" + ", ".join(sorted(m[1].split(", "))) + "}",
                  message)


def torch_or(nn):
    return torch if nn is torch.nn else zerograd


def test_conv_transpose_output_size_picks_the_output_padding():
    rng = np.random.default_rng(0)
    tm, zm = torch.nn.ConvTranspose2d(2, 3, 3, stride=3).double(), \
        zerograd.nn.ConvTranspose2d(2, 3, 3, stride=3).double()
    zm.load_state_dict({k: zerograd.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    x = rng.standard_normal((1, 2, 4, 4))
    for size in ((12, 12), (13, 14), [1, 3, 14, 12]):
        t, z = tm(_t(x), output_size=size), zm(_z(x), output_size=size)
        assert tuple(z.shape) == tuple(t.shape)
        np.testing.assert_allclose(_np(z), _np(t), rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------------------------------------------
# behaviour
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("ceil_mode", [False, True])
def test_ceil_mode_output_shapes_match_torch(ceil_mode):
    for size in range(1, 12):
        for k, s, p in ((2, 2, 0), (3, 2, 1), (3, 3, 1), (2, 3, 1), (4, 3, 2)):
            if size + 2 * p < k:
                continue
            for f in ("max_pool2d", "avg_pool2d"):
                t = getattr(torch.nn.functional, f)(torch.zeros(1, 1, size, size), k, s, p,
                                                    ceil_mode=ceil_mode)
                z = getattr(ZF, f)(zerograd.zeros(1, 1, size, size), k, s, p, ceil_mode=ceil_mode)
                assert tuple(z.shape) == tuple(t.shape), (f, size, k, s, p)


def test_max_pool_indices_nan_and_ties_follow_torch():
    x = np.array([[[[1.0, 1.0, 0.0], [1.0, np.nan, 2.0], [np.nan, 3.0, 3.0]]]])
    t = torch.nn.functional.max_pool2d(_t(x), 2, 1, return_indices=True)
    z = ZF.max_pool2d(_z(x), 2, 1, return_indices=True)
    np.testing.assert_array_equal(_np(z[1]), _np(t[1]))
    np.testing.assert_array_equal(_np(z[0]), _np(t[0]))
    assert z[1].dtype == zerograd.int64
    ints = np.array([[[[3, 3, -1], [3, 5, 5], [-7, -7, -7]]]])
    for f in (lambda F, a: F.max_pool2d(a, 2, 1, padding=1, return_indices=True),
              lambda F, a: F.max_pool2d(a, 2, 1, return_indices=True)):
        t, z = f(torch.nn.functional, torch.tensor(ints)), f(ZF, zerograd.tensor(ints))
        np.testing.assert_array_equal(_np(z[0]), _np(t[0]))
        np.testing.assert_array_equal(_np(z[1]), _np(t[1]))
    neg = np.full((1, 1, 3, 3), -np.inf)
    t = torch.nn.functional.max_pool2d(_t(neg), 3, 1, 1, return_indices=True)
    z = ZF.max_pool2d(_z(neg), 3, 1, 1, return_indices=True)
    np.testing.assert_array_equal(_np(z[1]), _np(t[1]))


def test_max_pool_overlapping_windows_sum_their_gradients():
    x = _z(np.arange(16.0).reshape(1, 1, 4, 4), True)
    ZF.max_pool2d(x, 3, 1).sum().backward()
    tx = _t(np.arange(16.0).reshape(1, 1, 4, 4), True)
    torch.nn.functional.max_pool2d(tx, 3, 1).sum().backward()
    np.testing.assert_array_equal(_np(x.grad), _np(tx.grad))


def test_eval_batch_norm_uses_running_stats_and_leaves_them():
    m = zerograd.nn.BatchNorm2d(3).eval()
    x = zerograd.randn(2, 3, 4, 4)
    y = m(x)
    np.testing.assert_allclose(y.detach().numpy(), x.numpy() / np.sqrt(1 + 1e-5), rtol=1e-6)
    assert float(m.running_mean.abs().sum()) == 0 and int(m.num_batches_tracked) == 0


def test_unbatched_conv_and_pool_record_torchs_chain():
    x = _z(np.random.default_rng(0).standard_normal((3, 6, 6)), True)
    w = _z(np.random.default_rng(1).standard_normal((2, 3, 3, 3)), True)
    y = ZF.conv2d(x, w)
    assert [y.grad_fn.name(), y.grad_fn.next_functions[0][0].name(),
            y.grad_fn.next_functions[0][0].next_functions[0][0].name()] == \
        ["SqueezeBackward1", "ConvolutionBackward0", "UnsqueezeBackward0"]
    assert ZF.max_pool2d(x, 2).grad_fn.name() == "MaxPool2DWithIndicesBackward0"
    assert ZF.adaptive_avg_pool2d(x, 1).grad_fn.name() == "MeanBackward1"


def test_conv_small_net_trains_like_torch():
    """A conv -> batchnorm -> relu -> maxpool -> linear net, SGD, five steps: the same losses."""
    def net(nn):
        return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                             nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 4 * 4, 3)).double()
    tn, zn = net(torch.nn), net(zerograd.nn)
    zn.load_state_dict({k: zerograd.tensor(v.numpy()) for k, v in tn.state_dict().items()})
    topt = torch.optim.SGD(tn.parameters(), lr=0.1, momentum=0.9)
    zopt = zerograd.optim.SGD(zn.parameters(), lr=0.1, momentum=0.9)
    rng = np.random.default_rng(0)
    for _ in range(5):
        x = rng.standard_normal((8, 1, 8, 8))
        yb = rng.integers(0, 3, 8)
        tl = torch.nn.functional.cross_entropy(tn(_t(x)), torch.tensor(yb))
        zl = ZF.cross_entropy(zn(_z(x)), zerograd.tensor(yb))
        np.testing.assert_allclose(float(zl), float(tl), rtol=1e-9)
        topt.zero_grad(), zopt.zero_grad()
        tl.backward(), zl.backward()
        topt.step(), zopt.step()
    for (k, tv), (_, zv) in zip(tn.state_dict().items(), zn.state_dict().items()):
        np.testing.assert_allclose(_np(zv), _np(tv), rtol=1e-8, atol=1e-10, err_msg=k)
