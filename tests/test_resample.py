"""interpolate / upsample*, unfold / fold, pixel_shuffle / pixel_unshuffle and their modules,
against torch as the oracle (zerograd/ops/resample.py)."""
import itertools
import warnings

import numpy as np
import pytest

import zerograd
import zerograd.nn.functional as F
from tests._oracle import requires_torch, torch
from zerograd.autograd import gradcheck
from zerograd.nn import (Fold, PixelShuffle, PixelUnshuffle, Unfold, Upsample,  # (on first use)
                         UpsamplingBilinear2d, UpsamplingNearest2d)

MODES = [("nearest", 1), ("nearest", 2), ("nearest", 3), ("nearest-exact", 1),
         ("nearest-exact", 2), ("nearest-exact", 3), ("linear", 1), ("bilinear", 2),
         ("bicubic", 2), ("trilinear", 3), ("area", 1), ("area", 2), ("area", 3)]
INTERP = ("linear", "bilinear", "bicubic", "trilinear")


def _tol(mode, dt):
    if dt == np.float64:
        return 1e-12
    return 1e-5 if mode == "bicubic" else 2e-6     # (bicubic: 16 float32 terms, as torch's)


def _kwargs():
    out = [dict(size=s) for s in (1, 2, 3, 5, 8, 13)]
    for sf in (2, 3, 0.5, 1.5, 1.3, 0.7, 2.25, 1.1, 4.7):
        out.append(dict(scale_factor=sf))
        out.append(dict(scale_factor=sf, recompute_scale_factor=True))
    return out


def _both(fz, ft):
    """(zerograd result or exception, torch result or exception)"""
    try:
        z = fz()
    except Exception as e:         # noqa: BLE001
        z = e
    try:
        t = ft()
    except Exception as e:         # noqa: BLE001
        t = e
    return z, t


def _same_error(z, t):
    assert isinstance(z, Exception), f"zerograd returned, torch raised {t!r}"
    assert type(z) is type(t) and str(z) == str(t), (z, t)


# ------------------------------------------------------------------------------------------------
# interpolate: forward values
# ------------------------------------------------------------------------------------------------

@requires_torch
@pytest.mark.parametrize("mode,nd", MODES)
@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_interpolate_forward_grid(mode, nd, dt):
    rng = np.random.default_rng(hash((mode, nd)) % 2**32)
    shapes = [(1, 1) + (5,) * nd, (2, 3) + tuple(int(v) for v in rng.integers(1, 8, nd)),
              (1, 2) + tuple(int(v) for v in rng.integers(1, 8, nd))]
    acs = [None] if mode in ("nearest", "nearest-exact", "area") else [False, True]
    checked = 0
    for shape in shapes:
        x = rng.standard_normal(shape).astype(dt)
        for ac, kw in itertools.product(acs, _kwargs()):
            z, t = _both(lambda: F.interpolate(zerograd.tensor(x), mode=mode, align_corners=ac, **kw),
                         lambda: torch.nn.functional.interpolate(torch.from_numpy(x), mode=mode,
                                                                 align_corners=ac, **kw))
            if isinstance(t, Exception):
                _same_error(z, t)
                continue
            assert not isinstance(z, Exception), (z, shape, ac, kw)
            assert z.dtype.name == str(t.dtype).split(".")[1]
            assert tuple(z.shape) == tuple(t.shape), (shape, ac, kw)
            np.testing.assert_allclose(z.numpy(), t.numpy(), rtol=0, atol=_tol(mode, dt),
                                       err_msg=f"{shape} ac={ac} {kw}")
            checked += 1
    assert checked > 50


@requires_torch
@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "linear"])
def test_interpolate_tuple_scales_and_sizes(mode):
    """Per-dim scales and sizes, sizes staying in some dims only (torch's per-dim shortcuts)."""
    x = np.random.default_rng(0).standard_normal((2, 2, 3, 4, 5))
    m = {"linear": "trilinear"}.get(mode, mode)
    for x_, kws in [(x[:, :, 0], [dict(scale_factor=(2.25, 1.1)), dict(scale_factor=(1.1, 2.25)),
                                  dict(scale_factor=(1.3, 0.6)), dict(size=(3, 9)),
                                  dict(size=(6, 4))]),
                    (x, [dict(scale_factor=(1.1, 1.3, 1.1)), dict(scale_factor=(2, 1.1, 0.5)),
                         dict(size=(3, 8, 5))])]:
        mm = m if x_.ndim == 5 else {"trilinear": "bilinear"}.get(m, m)
        for kw in kws:
            z = F.interpolate(zerograd.tensor(x_), mode=mm, **kw)
            t = torch.nn.functional.interpolate(torch.from_numpy(x_), mode=mm, **kw)
            np.testing.assert_allclose(z.numpy(), t.numpy(), rtol=0, atol=1e-12, err_msg=str(kw))


@requires_torch
def test_interpolate_known_values():
    x = zerograd.arange(4.).reshape(1, 1, 4)
    assert F.interpolate(x, size=8, mode="linear", align_corners=True).tolist() == \
        torch.nn.functional.interpolate(torch.arange(4.).reshape(1, 1, 4), size=8, mode="linear",
                                        align_corners=True).tolist()
    assert F.interpolate(x, scale_factor=2).tolist() == [[[0., 0., 1., 1., 2., 2., 3., 3.]]]


@requires_torch
@pytest.mark.parametrize("mode,nd", MODES)
def test_interpolate_half_types(mode, nd):
    x = np.random.default_rng(3).standard_normal((1, 2) + (4,) * nd).astype(np.float32)
    for dt in ("float16", "bfloat16"):
        if mode == "area" and nd < 3 and dt == "bfloat16":
            continue        # F.adaptive_avg_pool1d/2d (pool_norm.py) return float32 for bfloat16
        z = F.interpolate(zerograd.tensor(x).to(getattr(zerograd, dt)), scale_factor=1.5,
                          mode=mode)
        t = torch.nn.functional.interpolate(torch.from_numpy(x).to(getattr(torch, dt)),
                                            scale_factor=1.5, mode=mode)
        assert z.dtype.name == dt
        np.testing.assert_allclose(z.float().numpy(), t.float().numpy(), atol=0.05, rtol=0.02)


@requires_torch
@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("mode", ["nearest", "nearest-exact"])
def test_nearest_uint8(nd, mode):
    x = np.random.default_rng(0).integers(0, 256, (2, 3) + (5,) * nd).astype(np.uint8)
    for kw in (dict(scale_factor=2), dict(scale_factor=0.7), dict(size=7)):
        z = F.interpolate(zerograd.tensor(x), mode=mode, **kw)
        t = torch.nn.functional.interpolate(torch.from_numpy(x), mode=mode, **kw)
        assert z.dtype == zerograd.uint8
        assert np.array_equal(z.numpy(), t.numpy())


@requires_torch
@pytest.mark.parametrize("mode,nd", MODES)
@pytest.mark.parametrize("dt", ["int64", "int32", "int8", "bool", "uint8"])
def test_interpolate_integer_dtypes(mode, nd, dt):
    """torch's kernels' errors for dtypes they lack (uint8 works for nearest)."""
    x = np.random.default_rng(0).integers(0, 5, (2, 3) + (4,) * nd)
    z, t = _both(lambda: F.interpolate(zerograd.tensor(x).to(getattr(zerograd, dt)),
                                       scale_factor=2, mode=mode),
                 lambda: torch.nn.functional.interpolate(torch.from_numpy(x).to(getattr(torch, dt)),
                                                         scale_factor=2, mode=mode))
    if isinstance(t, Exception):
        _same_error(z, t)
    elif dt == "uint8" and mode in ("bilinear", "bicubic"):
        assert isinstance(z, NotImplementedError)      # (torch's fixed-point kernel: not here)
    else:
        assert np.array_equal(z.numpy(), t.numpy())


def test_uint8_bilinear_not_implemented():
    x = zerograd.zeros(1, 1, 4, 4, dtype=zerograd.uint8)
    with pytest.raises(NotImplementedError, match="uint8"):
        F.interpolate(x, scale_factor=2, mode="bilinear")


@requires_torch
def test_empty_batch():
    for mode, nd in MODES:
        x = np.zeros((0, 2) + (4,) * nd, np.float32)
        z = F.interpolate(zerograd.tensor(x), size=3, mode=mode)
        t = torch.nn.functional.interpolate(torch.from_numpy(x), size=3, mode=mode)
        assert tuple(z.shape) == tuple(t.shape)


# ------------------------------------------------------------------------------------------------
# interpolate: gradients
# ------------------------------------------------------------------------------------------------

@requires_torch
@pytest.mark.parametrize("mode,nd", MODES)
@pytest.mark.parametrize("ac", [None, False, True])
def test_interpolate_grad_vs_torch(mode, nd, ac):
    if ac is not None and mode not in INTERP:
        return
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 3) + tuple(int(v) for v in rng.integers(2, 7, nd)))
    for kw in (dict(scale_factor=2.25), dict(scale_factor=0.6), dict(size=5),
               dict(scale_factor=1.7, recompute_scale_factor=True)):
        xz = zerograd.tensor(x, requires_grad=True)
        xt = torch.tensor(x, requires_grad=True)
        yz = F.interpolate(xz, mode=mode, align_corners=ac, **kw)
        yt = torch.nn.functional.interpolate(xt, mode=mode, align_corners=ac, **kw)
        p = rng.standard_normal(tuple(yt.shape))
        (yz * zerograd.tensor(p)).sum().backward()
        (yt * torch.tensor(p)).sum().backward()
        np.testing.assert_allclose(xz.grad.numpy(), xt.grad.numpy(), atol=1e-12, rtol=0)
        assert yz.grad_fn.name() == yt.grad_fn.name()


@pytest.mark.parametrize("mode,nd", MODES)
def test_interpolate_gradcheck(mode, nd):
    rng = np.random.default_rng(1)
    x = zerograd.tensor(rng.standard_normal((1, 2) + (3,) * nd), requires_grad=True)
    ac = False if mode in INTERP else None
    assert gradcheck(lambda t: F.interpolate(t, scale_factor=1.7, mode=mode, align_corners=ac),
                     (x,))
    assert gradcheck(lambda t: F.interpolate(t, size=2, mode=mode), (x,))


@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
def test_interpolate_double_backward(mode):
    rng = np.random.default_rng(2)
    x = zerograd.tensor(rng.standard_normal((1, 1, 3, 4)), requires_grad=True)
    w = zerograd.tensor(rng.standard_normal((1, 1, 5, 7)))

    def f(t):
        y = F.interpolate(t, size=(5, 7), mode=mode)
        g, = zerograd.autograd.grad((y * y * w).sum(), t, create_graph=True)
        return g
    assert zerograd.autograd.gradgradcheck(lambda t: F.interpolate(t, size=(5, 7), mode=mode),
                                           (x,))
    assert gradcheck(f, (x,))


# ------------------------------------------------------------------------------------------------
# interpolate: errors and warnings
# ------------------------------------------------------------------------------------------------

def _error_cases(zz):
    """(name, fn(F, x3, x4, x5)) for both libraries"""
    return [
        lambda F, x3, x4, x5: F.interpolate(x4, scale_factor=0.),
        lambda F, x3, x4, x5: F.interpolate(x4, scale_factor=0.1),
        lambda F, x3, x4, x5: F.interpolate(x4, scale_factor=-1.),
        lambda F, x3, x4, x5: F.interpolate(x4, size=0),
        lambda F, x3, x4, x5: F.interpolate(x4, size=(0, 3), mode="bilinear"),
        lambda F, x3, x4, x5: F.interpolate(x3, size=0, mode="linear"),
        lambda F, x3, x4, x5: F.interpolate(x5, size=0, mode="trilinear"),
        lambda F, x3, x4, x5: F.interpolate(x5, size=0, mode="nearest"),
        lambda F, x3, x4, x5: F.interpolate(x4, size=-2),
        lambda F, x3, x4, x5: F.interpolate(x4, size=2, scale_factor=2),
        lambda F, x3, x4, x5: F.interpolate(x4),
        lambda F, x3, x4, x5: F.interpolate(x4, size=2, align_corners=True),
        lambda F, x3, x4, x5: F.interpolate(x4, size=2, align_corners=False),
        lambda F, x3, x4, x5: F.interpolate(x4, size=2, mode="area", align_corners=False),
        lambda F, x3, x4, x5: F.interpolate(x4, size=(2, 3, 4)),
        lambda F, x3, x4, x5: F.interpolate(x4, size=[2]),
        lambda F, x3, x4, x5: F.interpolate(x4, size=(2., 3)),
        lambda F, x3, x4, x5: F.interpolate(x4, scale_factor=(2, 3, 4)),
        lambda F, x3, x4, x5: F.interpolate(x4, size=2, recompute_scale_factor=True),
        lambda F, x3, x4, x5: F.interpolate(x4, size=2, antialias=True),
        lambda F, x3, x4, x5: F.interpolate(x5, size=2, mode="trilinear", antialias=True),
        lambda F, x3, x4, x5: F.interpolate(x4, size=2, mode="foo"),
        lambda F, x3, x4, x5: F.interpolate(x4[0, 0], size=2),
        lambda F, x3, x4, x5: F.interpolate(x5[None], size=2),
        lambda F, x3, x4, x5: F.interpolate(x3, size=2, mode="bilinear"),
        lambda F, x3, x4, x5: F.interpolate(x3, size=2, mode="trilinear"),
        lambda F, x3, x4, x5: F.interpolate(x3, size=2, mode="bicubic"),
        lambda F, x3, x4, x5: F.interpolate(x4, size=2, mode="linear"),
        lambda F, x3, x4, x5: F.interpolate(x4, size=2, mode="trilinear"),
        lambda F, x3, x4, x5: F.interpolate(x5, size=2, mode="linear"),
        lambda F, x3, x4, x5: F.interpolate(x5, size=2, mode="bilinear"),
        lambda F, x3, x4, x5: F.interpolate(x5, size=2, mode="bicubic"),
        lambda F, x3, x4, x5: F.interpolate(x4, size=3, mode="lanczos"),
        lambda F, x3, x4, x5: F.interpolate(x4, size=3, mode="lanczos", align_corners=True),
        lambda F, x3, x4, x5: F.interpolate(x4, scale_factor=1e-9, mode="bilinear"),
        lambda F, x3, x4, x5: F.interpolate(x4[:, :0], size=2),
        lambda F, x3, x4, x5: F.interpolate(x4[:, :, :0], size=2),
        lambda F, x3, x4, x5: F.interpolate(x4[:, :, :0], size=2, mode="bilinear"),
        lambda F, x3, x4, x5: F.interpolate(x3[:, :0], size=2, mode="linear"),
        lambda F, x3, x4, x5: F.upsample_bilinear(x3, scale_factor=2),
        lambda F, x3, x4, x5: F.interpolate(x4, size=0, mode="area"),
        lambda F, x3, x4, x5: F.interpolate(x3, size=0, mode="area"),
        lambda F, x3, x4, x5: F.interpolate(x5, size=0, mode="area"),
        lambda F, x3, x4, x5: F.interpolate(x5, size=(-1, 2, -3), mode="area"),
        lambda F, x3, x4, x5: F.interpolate(x4, size=-1, mode="area"),
        lambda F, x3, x4, x5: F.interpolate(x5[:, :0], size=2, mode="area"),
        lambda F, x3, x4, x5: F.interpolate(x5[:, :, :0], size=2, mode="area"),
        lambda F, x3, x4, x5: F.interpolate(x5, scale_factor=0.1, mode="area"),
        lambda F, x3, x4, x5: F.interpolate(x4[:, :0, :0], size=2),
    ]


@requires_torch
def test_interpolate_errors():
    rng = np.random.default_rng(0)
    arrs = [rng.standard_normal(s).astype(np.float32) for s in ((2, 3, 5), (2, 3, 5, 7),
                                                                 (1, 2, 3, 4, 5))]
    zs = [zerograd.tensor(a) for a in arrs]
    ts = [torch.from_numpy(a) for a in arrs]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, case in enumerate(_error_cases(None)):
            z, t = _both(lambda: case(F, *zs), lambda: case(torch.nn.functional, *ts))
            if isinstance(t, Exception):
                _same_error(z, t)
            else:
                assert tuple(z.shape) == tuple(t.shape), i


def test_antialias_and_lanczos_not_implemented():
    x = zerograd.zeros(1, 1, 4, 4)
    with pytest.raises(NotImplementedError, match="antialias"):
        F.interpolate(x, size=2, mode="bilinear", antialias=True)
    with pytest.raises(NotImplementedError, match="lanczos"):
        F.interpolate(x, size=2, mode="lanczos", antialias=True)


@requires_torch
@pytest.mark.parametrize("name", ["upsample", "upsample_nearest", "upsample_bilinear"])
def test_deprecated_upsample_warnings(name):
    x = np.random.default_rng(0).standard_normal((1, 2, 3, 4)).astype(np.float32)
    with warnings.catch_warnings(record=True) as wz:
        warnings.simplefilter("always")
        z = getattr(F, name)(zerograd.tensor(x), scale_factor=2)
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter("always")
        t = getattr(torch.nn.functional, name)(torch.from_numpy(x), scale_factor=2)
    assert [(w.category, str(w.message)) for w in wz] == \
        [(w.category, str(w.message)) for w in wt]
    assert wz[0].filename == __file__
    np.testing.assert_allclose(z.numpy(), t.numpy(), atol=1e-6)


# ------------------------------------------------------------------------------------------------
# unfold / fold
# ------------------------------------------------------------------------------------------------

UF_PARAMS = [dict(kernel_size=k, dilation=d, padding=p, stride=s)
             for k, d, p, s in itertools.product([1, 2, (2, 3)], [1, (2, 1)], [0, 1, (2, 0)],
                                                 [1, 2, (1, 3)])]


@requires_torch
@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_unfold_fold_vs_torch(dt):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3, 7, 8)).astype(dt)
    n = 0
    for kw in UF_PARAMS:
        z, t = _both(lambda: F.unfold(zerograd.tensor(x), **kw),
                     lambda: torch.nn.functional.unfold(torch.from_numpy(x), **kw))
        if isinstance(t, Exception):
            _same_error(z, t)
            continue
        assert np.array_equal(z.numpy(), t.numpy()), kw
        fz = F.fold(z, (7, 8), **kw)
        ft = torch.nn.functional.fold(t, (7, 8), **kw)
        np.testing.assert_allclose(fz.numpy(), ft.numpy(), atol=1e-12 if dt == np.float64 else 1e-5)
        # unbatched
        assert np.array_equal(F.unfold(zerograd.tensor(x[0]), **kw).numpy(),
                              torch.nn.functional.unfold(torch.from_numpy(x[0]), **kw).numpy())
        assert np.allclose(F.fold(z[0], (7, 8), **kw).numpy(),
                           torch.nn.functional.fold(t[0], (7, 8), **kw).numpy(), atol=1e-5)
        n += 1
    assert n > 30


@requires_torch
def test_unfold_fold_grads_vs_torch():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 2, 6, 7))
    for kw in UF_PARAMS[::5]:
        xz, xt = zerograd.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        yz, yt = F.unfold(xz, **kw), torch.nn.functional.unfold(xt, **kw)
        assert yz.grad_fn.name() == yt.grad_fn.name()
        fz = F.fold(yz * 2, (6, 7), **kw)
        ft = torch.nn.functional.fold(yt * 2, (6, 7), **kw)
        assert fz.grad_fn.name() == ft.grad_fn.name()
        p = rng.standard_normal(tuple(ft.shape))
        (fz * zerograd.tensor(p)).sum().backward()
        (ft * torch.tensor(p)).sum().backward()
        np.testing.assert_allclose(xz.grad.numpy(), xt.grad.numpy(), atol=1e-12)


def test_unfold_fold_gradcheck():
    rng = np.random.default_rng(8)
    x = zerograd.tensor(rng.standard_normal((1, 2, 5, 4)), requires_grad=True)
    kw = dict(kernel_size=(2, 3), dilation=(1, 1), padding=1, stride=(2, 1))
    assert gradcheck(lambda t: F.unfold(t, **kw), (x,))
    c = zerograd.tensor(F.unfold(x, **kw).detach().numpy(), requires_grad=True)
    assert gradcheck(lambda t: F.fold(t, (5, 4), **kw), (c,))
    assert zerograd.autograd.gradgradcheck(lambda t: F.fold(t, (5, 4), **kw), (c,))


@requires_torch
def test_unfold_fold_errors():
    rng = np.random.default_rng(0)
    a4 = rng.standard_normal((2, 3, 5, 7)).astype(np.float32)
    c3 = rng.standard_normal((2, 12, 6)).astype(np.float32)
    cases = [
        lambda F, x, c: F.unfold(x, 3),
        lambda F, x, c: F.unfold(x[None], 3),
        lambda F, x, c: F.unfold(x[0, 0], 3),
        lambda F, x, c: F.unfold(x, 0),
        lambda F, x, c: F.unfold(x, 2, dilation=0),
        lambda F, x, c: F.unfold(x, 2, padding=-1),
        lambda F, x, c: F.unfold(x, 2, stride=0),
        lambda F, x, c: F.unfold(x, 6),
        lambda F, x, c: F.unfold(x, (2, 8)),
        lambda F, x, c: F.unfold(x, (2, 2, 2)),
        lambda F, x, c: F.unfold(x.long(), 2),
        lambda F, x, c: F.unfold(x.to(zerograd.uint8 if F is _F else torch.uint8), 2),
        lambda F, x, c: F.unfold(x[:, :0], 2),
        lambda F, x, c: F.unfold(x[:0], 2),
        lambda F, x, c: F.unfold(x, 2.0),
        lambda F, x, c: F.fold(c[0, :, None, :].reshape(1, 2, 12, 3), (3, 4), 2),
        lambda F, x, c: F.fold(c[0, 0], (3, 4), 2),
        lambda F, x, c: F.fold(c[:, :11], (3, 4), 2),
        lambda F, x, c: F.fold(c[:, :, :5], (3, 4), 2),
        lambda F, x, c: F.fold(c, (3, 4), 2, stride=2),
        lambda F, x, c: F.fold(c, (3, 4), 0),
        lambda F, x, c: F.fold(c, (0, 4), 2),
        lambda F, x, c: F.fold(c, (3, 4), 2, dilation=0),
        lambda F, x, c: F.fold(c, (3, 4), 2, stride=0),
        lambda F, x, c: F.fold(c, (3, 4), 2, padding=-1),
        lambda F, x, c: F.fold(c, (3, 4), (2, 5)),
        lambda F, x, c: F.fold(c.long(), (3, 4), 2),
        lambda F, x, c: F.fold(c[:0], (3, 4), 2),
        lambda F, x, c: F.fold(c[:, :0], (3, 4), 2),
        lambda F, x, c: F.fold(c.bool(), (3, 4), 2),
        lambda F, x, c: F.unfold(x.bool(), 2),
    ]
    for i, case in enumerate(cases):
        z, t = _both(lambda: case(_F, zerograd.tensor(a4), zerograd.tensor(c3)),
                     lambda: case(torch.nn.functional, torch.from_numpy(a4), torch.from_numpy(c3)))
        if isinstance(t, Exception):
            _same_error(z, t)
        else:
            assert not isinstance(z, Exception), (i, z)
            assert np.array_equal(z.numpy(), t.numpy()), i


_F = F


# ------------------------------------------------------------------------------------------------
# pixel shuffle
# ------------------------------------------------------------------------------------------------

@requires_torch
def test_pixel_shuffle_vs_torch():
    rng = np.random.default_rng(0)
    for shape, r in [((2, 12, 3, 4), 2), ((8, 2, 5), 2), ((2, 1, 9, 2, 3), 3), ((1, 4, 2, 2), 1)]:
        x = rng.standard_normal(shape)
        xz, xt = zerograd.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        yz, yt = F.pixel_shuffle(xz, r), torch.nn.functional.pixel_shuffle(xt, r)
        assert np.array_equal(yz.detach().numpy(), yt.detach().numpy())
        assert yz.grad_fn.name() == yt.grad_fn.name()
        uz, ut = F.pixel_unshuffle(yz, r), torch.nn.functional.pixel_unshuffle(yt, r)
        assert np.array_equal(uz.detach().numpy(), x)
        assert uz.grad_fn.name() == ut.grad_fn.name()
        p = rng.standard_normal(tuple(yt.shape))
        (yz * zerograd.tensor(p)).sum().backward()
        (yt * torch.tensor(p)).sum().backward()
        assert np.array_equal(xz.grad.numpy(), xt.grad.numpy())
    ints = np.arange(16).reshape(1, 4, 2, 2)
    assert F.pixel_shuffle(zerograd.tensor(ints), 2).tolist() == \
        torch.nn.functional.pixel_shuffle(torch.from_numpy(ints), 2).tolist()


def test_pixel_shuffle_gradcheck():
    x = zerograd.tensor(np.random.default_rng(1).standard_normal((1, 8, 2, 3)), requires_grad=True)
    assert gradcheck(lambda t: F.pixel_shuffle(t, 2), (x,))
    y = zerograd.tensor(np.random.default_rng(2).standard_normal((1, 2, 4, 6)), requires_grad=True)
    assert gradcheck(lambda t: F.pixel_unshuffle(t, 2), (y,))
    assert zerograd.autograd.gradgradcheck(lambda t: F.pixel_shuffle(t, 2), (x,))


@requires_torch
def test_pixel_shuffle_errors():
    cases = [
        lambda F, m: F.pixel_shuffle(m.zeros(2, 3, 5, 7), 2),
        lambda F, m: F.pixel_shuffle(m.zeros(5, 7), 2),
        lambda F, m: F.pixel_shuffle(m.zeros(1, 4, 2, 2), 0),
        lambda F, m: F.pixel_shuffle(m.zeros(1, 4, 2, 2), -1),
        lambda F, m: F.pixel_shuffle(m.zeros(1, 4, 2, 2), 2.0),
        lambda F, m: F.pixel_unshuffle(m.zeros(2, 3, 5, 6), 2),
        lambda F, m: F.pixel_unshuffle(m.zeros(2, 3, 4, 5), 2),
        lambda F, m: F.pixel_unshuffle(m.zeros(4, 4), 2),
        lambda F, m: F.pixel_unshuffle(m.zeros(1, 1, 4, 4), 0),
        lambda F, m: F.pixel_unshuffle(m.zeros(1, 1, 4, 4), -2),
    ]
    for case in cases:
        z, t = _both(lambda: case(F, zerograd), lambda: case(torch.nn.functional, torch))
        _same_error(z, t)


# ------------------------------------------------------------------------------------------------
# modules
# ------------------------------------------------------------------------------------------------

@requires_torch
def test_module_reprs_and_forward():
    pairs = [
        (lambda nn: nn.Upsample(scale_factor=2), Upsample(scale_factor=2)),
        (lambda nn: nn.Upsample(size=(3, 4), mode="bilinear", align_corners=True),
         Upsample(size=(3, 4), mode="bilinear", align_corners=True)),
        (lambda nn: nn.Upsample(scale_factor=(2, 1.5), mode="bicubic"),
         Upsample(scale_factor=(2, 1.5), mode="bicubic")),
        (lambda nn: nn.Upsample(size=5), Upsample(size=5)),
        (lambda nn: nn.UpsamplingNearest2d(scale_factor=2), UpsamplingNearest2d(scale_factor=2)),
        (lambda nn: nn.UpsamplingBilinear2d(size=(5, 6)), UpsamplingBilinear2d(size=(5, 6))),
        (lambda nn: nn.Unfold(2, dilation=(1, 2), padding=1, stride=2),
         Unfold(2, dilation=(1, 2), padding=1, stride=2)),
        (lambda nn: nn.PixelShuffle(2), PixelShuffle(2)),
        (lambda nn: nn.PixelUnshuffle(2), PixelUnshuffle(2)),
    ]
    x = np.random.default_rng(0).standard_normal((1, 4, 4, 6)).astype(np.float32)
    for make, mz in pairs:
        mt = make(torch.nn)
        assert repr(mz) == repr(mt)
        yz, yt = mz(zerograd.tensor(x)), mt(torch.from_numpy(x))
        np.testing.assert_allclose(yz.numpy(), yt.numpy(), atol=1e-5)
    fz, ft = Fold((4, 5), 2, padding=1), torch.nn.Fold((4, 5), 2, padding=1)
    assert repr(fz) == repr(ft)
    c = np.random.default_rng(1).standard_normal((2, 8, 30)).astype(np.float32)
    np.testing.assert_allclose(fz(zerograd.tensor(c)).numpy(), ft(torch.from_numpy(c)).numpy(),
                               atol=1e-5)
    mz, mt = Upsample(scale_factor=1.7, mode="nearest", recompute_scale_factor=True), \
        torch.nn.Upsample(scale_factor=1.7, mode="nearest", recompute_scale_factor=True)
    assert mz.recompute_scale_factor is True and repr(mz) == repr(mt)
    assert np.array_equal(mz(zerograd.tensor(x)).numpy(), mt(torch.from_numpy(x)).numpy())


@requires_torch
def test_top_level_pixel_shuffle_and_loading_on_first_use():
    """torch.pixel_shuffle / pixel_unshuffle exist at top level; `import zerograd` loads
    ops/resample.py only when one of these functions or modules is first used."""
    import subprocess
    import sys
    x = np.arange(32.0, dtype=np.float32).reshape(1, 8, 2, 2)
    for lib in (zerograd, torch):
        assert lib.pixel_unshuffle(lib.pixel_shuffle(lib.tensor(x), 2), 2).tolist() == x.tolist()
    assert zerograd.pixel_shuffle(zerograd.tensor(x), 2).tolist() == \
        torch.pixel_shuffle(torch.tensor(x), 2).tolist()
    code = ("import sys, zerograd; assert 'zerograd.ops.resample' not in sys.modules; "
            "zerograd.nn.functional.unfold(zerograd.ones(1, 1, 3, 3), 2); "
            "assert 'zerograd.ops.resample' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
