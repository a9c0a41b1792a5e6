"""affine_grid, grid_sample and ctc_loss / nn.CTCLoss against torch as the oracle
(zerograd/ops/sampling.py, zerograd/ops/ctc.py, zerograd/nn/_functional_sampling.py)."""
import itertools
import warnings

import numpy as np
import pytest

import zerograd
from tests._oracle import requires_torch, torch
from zerograd.autograd import gradcheck, gradgradcheck
from zerograd.nn.functional import affine_grid, ctc_loss, grid_sample  # (on first use)
from zerograd.nn import CTCLoss

DTYPES = [(np.float32, 1e-5), (np.float64, 1e-10)]


def _zt(a, rg=False):
    return zerograd.tensor(np.asarray(a), requires_grad=rg)


def _close(z, t, tol):
    z = z.detach().numpy() if hasattr(z, "detach") else np.asarray(z)
    t = t.detach().numpy()
    assert z.shape == t.shape and z.dtype == t.dtype
    np.testing.assert_allclose(z, t, rtol=tol, atol=tol)


def _both(fz, ft):
    out = []
    for f in (fz, ft):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out.append(f())
        except Exception as e:      # noqa: BLE001
            out.append(e)
    return out


def _same_error(fz, ft):
    z, t = _both(fz, ft)
    assert isinstance(t, Exception), t
    assert type(z) is type(t), (z, t)
    assert str(z) == str(t)


# ------------------------------------------------------------------------------------------------
# grid_sample
# ------------------------------------------------------------------------------------------------

def _grid_case(k, dt, seed):
    """input (2, 3, *spatial) and a grid reaching past [-1, 1], with exact -1, 0 and 1 too."""
    rng = np.random.default_rng(seed)
    spatial = (5, 6) if k == 2 else (4, 5, 3)
    out = (4, 3) if k == 2 else (3, 2, 3)
    x = rng.standard_normal((2, 3) + spatial).astype(dt)
    g = (rng.random((2,) + out + (k,)) * 3.2 - 1.6).astype(dt)
    g.reshape(-1)[:3] = [1.0, -1.0, 0.0]
    return x, g


@requires_torch
@pytest.mark.parametrize("dt,tol", DTYPES)
@pytest.mark.parametrize("k,mode", [(2, "bilinear"), (2, "nearest"), (2, "bicubic"),
                                    (3, "bilinear"), (3, "nearest")])
def test_grid_sample_values_and_grads(dt, tol, k, mode):
    for i, (pad, ac) in enumerate(itertools.product(("zeros", "border", "reflection"),
                                                    (True, False))):
        x, g = _grid_case(k, dt, 17 * i + k)
        xt = torch.tensor(x, requires_grad=True)
        gt = torch.tensor(g, requires_grad=True)
        yt = torch.nn.functional.grid_sample(xt, gt, mode, pad, ac)
        go = np.random.default_rng(i).standard_normal(tuple(yt.shape)).astype(dt)
        gxt, ggt = torch.autograd.grad(yt, (xt, gt), torch.tensor(go))
        xz, gz = _zt(x, True), _zt(g, True)
        yz = grid_sample(xz, gz, mode, pad, ac)
        assert yz.grad_fn.name() == yt.grad_fn.name()
        gxz, ggz = zerograd.autograd.grad(yz, (xz, gz), _zt(go))
        t = tol * (4 if mode == "bicubic" else 1)
        _close(yz, yt, t)
        _close(gxz, gxt, t)
        _close(ggz, ggt, t)


@requires_torch
def test_grid_sample_only_one_input_requires_grad():
    x, g = _grid_case(2, np.float64, 3)
    for rx, rg in ((True, False), (False, True)):
        xt, gt = torch.tensor(x, requires_grad=rx), torch.tensor(g, requires_grad=rg)
        xz, gz = _zt(x, rx), _zt(g, rg)
        yt = torch.nn.functional.grid_sample(xt, gt, align_corners=False)
        yz = grid_sample(xz, gz, align_corners=False)
        yt.sum().backward()
        yz.sum().backward()
        a, b = (xz, xt) if rx else (gz, gt)
        _close(a.grad, b.grad, 1e-10)
        assert (gz if rx else xz).grad is None


@requires_torch
def test_grid_sample_half_and_empty():
    x, g = _grid_case(2, np.float32, 5)
    yt = torch.nn.functional.grid_sample(torch.tensor(x).half(), torch.tensor(g).half(),
                                         align_corners=True)
    yz = grid_sample(_zt(x).half(), _zt(g).half(), align_corners=True)
    assert yz.dtype == zerograd.float16
    np.testing.assert_allclose(yz.float().numpy(), yt.float().numpy(), atol=1e-2)
    for xs, gs in (((2, 0, 4, 5), (2, 3, 3, 2)), ((0, 3, 4, 5), (0, 3, 3, 2)),
                   ((2, 3, 4, 5), (2, 0, 3, 2))):
        yz = grid_sample(zerograd.zeros(xs), zerograd.zeros(gs), align_corners=True)
        assert tuple(yz.shape) == tuple(torch.nn.functional.grid_sample(
            torch.zeros(xs), torch.zeros(gs), align_corners=True).shape)


def test_grid_sample_gradcheck():
    rng = np.random.default_rng(0)
    for mode, pad, ac in [("bilinear", "zeros", False), ("bilinear", "reflection", True),
                          ("bicubic", "border", False), ("bicubic", "reflection", False),
                          ("nearest", "zeros", True)]:
        x = _zt(rng.standard_normal((1, 2, 3, 4)), True)
        # points kept off the kinks (integers, clip and reflection edges) for finite differences
        g = _zt(np.array([[[[-1.3, 0.27], [0.61, -0.43]], [[1.37, 1.21], [-0.17, 0.83]]]]), True)
        f = lambda a, b: grid_sample(a, b, mode, pad, ac)        # noqa: E731
        assert gradcheck(f, (x, g))
        if mode == "bilinear":
            assert gradgradcheck(f, (x, g))
    x3 = _zt(rng.standard_normal((1, 2, 2, 3, 2)), True)
    g3 = _zt(np.array([[[[[0.31, -0.62, 0.13], [-1.21, 0.47, 0.88]]]]]), True)
    assert gradcheck(lambda a, b: grid_sample(a, b, "bilinear", "border", False), (x3, g3))
    assert gradgradcheck(lambda a, b: grid_sample(a, b, "bilinear", "zeros", True), (x3, g3))


@requires_torch
def test_grid_sample_double_backward_matches_torch():
    x, g = _grid_case(2, np.float64, 11)
    for mode in ("bilinear", "bicubic"):
        r = []
        for lib, make in ((torch, lambda a: torch.tensor(a, requires_grad=True)),
                          (zerograd, lambda a: _zt(a, True))):
            xx, gg = make(x), make(g)
            fn = torch.nn.functional.grid_sample if lib is torch else grid_sample
            y = fn(xx, gg, mode, "reflection", False)
            go = make(np.cos(np.arange(y.numel())).reshape(tuple(y.shape)))
            a, b = lib.autograd.grad(y, (xx, gg), go, create_graph=True)
            s = (a ** 2).sum() + (b ** 3).sum()
            r.append(lib.autograd.grad(s, (xx, gg, go)))
        for z, t in zip(*reversed(r)):
            _close(z, t, 1e-9)


@requires_torch
def test_grid_sample_errors_and_warning():
    x, g = np.zeros((2, 3, 4, 5), np.float32), np.zeros((2, 3, 3, 2), np.float32)
    T, Z = torch.nn.functional.grid_sample, grid_sample
    cases = [
        lambda m, a, b: m(a(x), a(g), mode="area", align_corners=True),
        lambda m, a, b: m(a(x), a(g), padding_mode="circular", align_corners=True),
        lambda m, a, b: m(a(x), a(g.astype(np.float64)), align_corners=True),
        lambda m, a, b: m(a(x.astype(np.float64)), a(g), align_corners=True),
        lambda m, a, b: m(a(x), a(g[:1]), align_corners=True),
        lambda m, a, b: m(a(x), a(np.zeros((2, 3, 3, 3), np.float32)), align_corners=True),
        lambda m, a, b: m(a(x[:, :, :0]), a(g), align_corners=True),
        lambda m, a, b: m(a(x[0]), a(g), align_corners=True),
        lambda m, a, b: m(a(np.zeros((2, 4, 5), np.float32)), a(np.zeros((2, 3, 1), np.float32)),
                          align_corners=True),
        lambda m, a, b: m(a(x), a(np.zeros((2, 3, 3, 3, 2), np.float32)), align_corners=True),
        lambda m, a, b: m(a(x[None]), a(np.zeros((1, 2, 3, 3, 3), np.float32)), mode="bicubic",
                          align_corners=True),
        lambda m, a, b: m(a(x.astype(np.int32)), a(g.astype(np.int32)), align_corners=True),
        lambda m, a, b: m(a(x), a(g), align_corners=1),
        lambda m, a, b: m(a(x), [1.0], align_corners=True),
        lambda m, a, b: m([1.0], a(g), align_corners=True),
    ]
    for c in cases:
        _same_error(lambda: c(Z, _zt, zerograd), lambda: c(T, torch.tensor, torch))
    with pytest.warns(UserWarning, match="Default grid_sample and affine_grid behavior"):
        grid_sample(_zt(x), _zt(g))


# ------------------------------------------------------------------------------------------------
# affine_grid
# ------------------------------------------------------------------------------------------------

@requires_torch
@pytest.mark.parametrize("dt,tol", [(np.float32, 1e-5), (np.float64, 1e-12)])
def test_affine_grid(dt, tol):
    rng = np.random.default_rng(1)
    for size in [(2, 3, 4, 5), (2, 3, 1, 5), (2, 1, 3, 1), (2, 3, 4, 5, 6), (2, 1, 1, 3, 2)]:
        for ac in (True, False):
            th = rng.standard_normal((2, len(size) - 2, len(size) - 1)).astype(dt)
            tt, tz = torch.tensor(th, requires_grad=True), _zt(th, True)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                yt = torch.nn.functional.affine_grid(tt, size, align_corners=ac)
                yz = affine_grid(tz, size, align_corners=ac)
            assert yz.grad_fn.name() == "AffineGridGeneratorBackward0"
            go = rng.standard_normal(tuple(yt.shape)).astype(dt)
            _close(yz, yt, tol)
            _close(zerograd.autograd.grad(yz, tz, _zt(go))[0],
                   torch.autograd.grad(yt, tt, torch.tensor(go))[0], tol * 10)
    th = _zt(rng.standard_normal((1, 2, 3)), True)
    assert gradcheck(lambda t: affine_grid(t, (1, 1, 3, 2), align_corners=False), (th,))
    assert gradgradcheck(lambda t: affine_grid(t, (1, 1, 3, 2), align_corners=False) ** 2, (th,))


@requires_torch
def test_affine_grid_errors_and_warnings():
    th = np.zeros((2, 2, 3), np.float32)
    cases = [
        lambda m, a: m(a(th.astype(np.int32)), (2, 3, 4, 5), align_corners=True),
        lambda m, a: m(a(th), (2, 3, 4, 5, 6), align_corners=True),
        lambda m, a: m(a(np.zeros((2, 3, 4), np.float32)), (2, 3, 4, 5), align_corners=True),
        lambda m, a: m(a(np.zeros((3, 3, 4), np.float32)), (2, 3, 4, 5, 6), align_corners=False),
        lambda m, a: m(a(th), (2, 3, 4), align_corners=True),
        lambda m, a: m(a(th), (2, 3, 0, 5), align_corners=True),
        lambda m, a: m(a(th), (2, -3, 4, 5), align_corners=True),
        lambda m, a: m(a(th), (0, 3, 4, 5), align_corners=False),
        lambda m, a: m(a(th), (3, 3, 4, 5), align_corners=True),
        lambda m, a: m(a(th), (2, 3, 4, 5.0), align_corners=True),
        lambda m, a: m(a(th), (2, 3, 4, 5), align_corners=1),
    ]
    for c in cases:
        _same_error(lambda: c(affine_grid, _zt), lambda: c(torch.nn.functional.affine_grid,
                                                           torch.tensor))
    with pytest.warns(UserWarning, match="Default grid_sample and affine_grid behavior"):
        affine_grid(_zt(th), (2, 3, 4, 5))
    with pytest.warns(UserWarning, match="unit-size grids when align_corners=True"):
        y = affine_grid(_zt(th), (2, -3, 1, 5), align_corners=True)
    assert tuple(y.shape) == (2, 1, 5, 2)


# ------------------------------------------------------------------------------------------------
# ctc_loss
# ------------------------------------------------------------------------------------------------

def _ctc_case(rng, dt):
    T, N, C, S = (int(rng.integers(1, 12)), int(rng.integers(1, 5)), int(rng.integers(2, 6)),
                  int(rng.integers(0, 6)))
    blank = int(rng.integers(0, C))
    x = rng.standard_normal((T, N, C))
    lp = (x - np.log(np.exp(x).sum(-1, keepdims=True))).astype(dt)
    labels = [c for c in range(C) if c != blank]
    tl = rng.integers(0, S + 1, N)
    il = rng.integers(0, T + 1, N)                    # (impossible alignments included)
    tg = rng.choice(labels, size=(N, max(S, 1)))
    return lp, tg, il, tl, blank


@requires_torch
@pytest.mark.parametrize("dt,tol", [(np.float32, 2e-5), (np.float64, 1e-10)])
def test_ctc_loss_matches_torch(dt, tol):
    rng = np.random.default_rng(7)
    for trial in range(24):
        lp, tg, il, tl, blank = _ctc_case(rng, dt)
        concat = trial % 2 == 1
        tgt = np.concatenate([tg[i, :tl[i]] for i in range(len(tl))]) if concat else tg
        as_tuple = trial % 4 >= 2
        for red, zi in itertools.product(("none", "mean", "sum"), (False, True)):
            lpt = torch.tensor(lp, requires_grad=True)
            lpz = _zt(lp, True)
            ilt, tlt = ((tuple(int(v) for v in il), tuple(int(v) for v in tl)) if as_tuple
                        else (torch.tensor(il), torch.tensor(tl)))
            ilz, tlz = ((tuple(int(v) for v in il), tuple(int(v) for v in tl)) if as_tuple
                        else (_zt(il), _zt(tl)))
            lt = torch.nn.functional.ctc_loss(lpt, torch.tensor(tgt), ilt, tlt, blank, red, zi)
            lz = ctc_loss(lpz, _zt(tgt), ilz, tlz, blank, red, zi)
            assert lz.grad_fn.name() == lt.grad_fn.name()
            go = rng.random(tuple(lt.shape)).astype(dt)
            gt, = torch.autograd.grad(lt, lpt, torch.tensor(go))
            gz, = zerograd.autograd.grad(lz, lpz, _zt(go))
            a, b = lz.detach().numpy(), lt.detach().numpy()
            np.testing.assert_array_equal(np.isinf(a), np.isinf(b))
            np.testing.assert_array_equal(np.isnan(gz.numpy()), np.isnan(gt.numpy()))
            assert a.dtype == b.dtype and a.shape == b.shape
            np.testing.assert_allclose(a[np.isfinite(b)], b[np.isfinite(b)], rtol=tol, atol=tol)
            ok = np.isfinite(gt.numpy())
            np.testing.assert_allclose(gz.numpy()[ok], gt.numpy()[ok], rtol=tol, atol=tol)


@requires_torch
def test_ctc_loss_graph_module_and_unbatched():
    rng = np.random.default_rng(3)
    lp = np.log(rng.dirichlet(np.ones(5), size=(7, 3)))
    tg, il, tl = rng.integers(1, 5, (3, 4)), np.array([7, 6, 2]), np.array([4, 2, 3])
    lt = torch.nn.functional.ctc_loss(torch.tensor(lp, requires_grad=True), torch.tensor(tg),
                                      torch.tensor(il), torch.tensor(tl), zero_infinity=True)
    lz = ctc_loss(_zt(lp, True), _zt(tg), _zt(il), _zt(tl), zero_infinity=True)
    names = lambda n: [n.name()] + [names(e[0]) for e in n.next_functions if e[0]]  # noqa: E731
    assert names(lz.grad_fn) == names(lt.grad_fn)     # Mean <- Div <- Where <- CtcLoss <- Acc
    _close(lz, lt, 1e-10)
    m = CTCLoss(blank=0, reduction="sum", zero_infinity=True)
    assert repr(m) == "CTCLoss()" and m.blank == 0 and m.zero_infinity is True
    _close(m(_zt(lp), _zt(tg), _zt(il), _zt(tl)),
           torch.nn.CTCLoss(0, "sum", True)(torch.tensor(lp), torch.tensor(tg),
                                            torch.tensor(il), torch.tensor(tl)), 1e-10)
    for red in ("none", "mean", "sum"):
        for tens in (True, False):
            lens = (np.int64(7), np.int64(4))
            z = ctc_loss(_zt(lp[:, 0], True), _zt(tg[0]),
                         *((_zt(v) for v in lens) if tens else ((7,), (4,))), reduction=red)
            t = torch.nn.functional.ctc_loss(torch.tensor(lp[:, 0], requires_grad=True),
                                             torch.tensor(tg[0]),
                                             *((torch.tensor(v) for v in lens) if tens
                                               else ((7,), (4,))), reduction=red)
            assert z.grad_fn.name() == t.grad_fn.name()
            _close(z, t, 1e-10)
    with pytest.raises(RuntimeError, match="derivative for aten::_ctc_loss_backward is not"):
        x = _zt(lp, True)
        g, = zerograd.autograd.grad(ctc_loss(x, _zt(tg), _zt(il), _zt(tl), reduction="sum"), x,
                                    create_graph=True)
        zerograd.autograd.grad(g.sum(), x)
    z = ctc_loss(_zt(lp), _zt(tg), _zt(np.array([0, 6, 2])), _zt(np.array([0, 2, 3])),
                 reduction="none")
    assert np.signbit(z.numpy()[0]) and z.numpy()[0] == 0         # torch's -0.0
    # lengths of any shape are read as their values in order (torch's)
    _close(ctc_loss(_zt(lp), _zt(tg), _zt(il[None]), _zt(tl[:, None])),
           torch.nn.functional.ctc_loss(torch.tensor(lp), torch.tensor(tg),
                                        torch.tensor(il[None]), torch.tensor(tl[:, None])), 1e-10)


@requires_torch
def test_ctc_loss_errors():
    lp = np.log(np.full((6, 3, 4), 0.25, np.float32))
    tg, il, tl = np.ones((3, 3), np.int64), np.array([6, 5, 4]), np.array([3, 2, 1])
    T = lambda a: a if isinstance(a, (tuple, list, int)) else torch.tensor(a)   # noqa: E731
    Zt = lambda a: a if isinstance(a, (tuple, list, int)) else _zt(a)            # noqa: E731
    cases = [
        (lp, tg, il, tl, dict(reduction="foo")),
        (lp, tg, il, tl, dict(blank=4)),
        (lp, tg, il, tl, dict(blank=-1)),
        (lp, tg, np.array([7, 5, 4]), tl, {}),
        (lp, tg, np.array([6, 5]), tl, {}),
        (lp, tg, il, np.array([4, 2, 1]), {}),
        (lp, tg, il, np.array([3, 2]), {}),
        (lp, tg, il, np.array([-1, 2, 1]), {}),
        (lp, tg, np.array([-1, 5, 4]), tl, {}),
        (lp, tg, il.astype(np.float32), tl, {}),
        (lp, tg, il, tl.astype(np.float32), {}),
        (lp[0], tg, il, tl, {}),
        (lp[None], tg, il, tl, dict(blank=9)),
        (lp.astype(np.int32), tg, il, tl, {}),
        (lp[:0], tg, il, tl, dict(blank=9)),
        (lp, tg.reshape(-1), il, tl, {}),
        (lp, tg.reshape(1, -1), il, tl, {}),
        (lp, tg[None], il, tl, dict(blank=9)),
        (lp, tg, il, np.array([-1, 9, 9]), {}),
        (lp, tg, il[None, :2], tl, {}),
        (lp, tg, (6, 5, 4), tl, {}),
        (lp, tg, (6, 5, 4), (3, 2, 1.5), {}),
        (lp, tg, il, tl, dict(blank=True)),
        (lp, tg, il, tl, dict(zero_infinity=1)),
        (lp, tg, 6, 3, {}),
    ]
    for a, b, c, d, kw in cases:
        _same_error(lambda: ctc_loss(Zt(a), Zt(b), Zt(c), Zt(d), **kw),
                    lambda: torch.nn.functional.ctc_loss(T(a), T(b), T(c), T(d), **kw))


@requires_torch
def test_grid_sample_non_finite_points():
    x = np.random.default_rng(0).standard_normal((1, 2, 4, 5)).astype(np.float32)
    g = np.array([[[[np.nan, 0.2], [1e20, -1e20]], [[np.inf, 0.0], [-np.inf, 0.3]]]], np.float32)
    for mode, pad, ac in itertools.product(("bilinear", "nearest", "bicubic"),
                                           ("zeros", "border", "reflection"), (True, False)):
        with warnings.catch_warnings():
            warnings.simplefilter("error")              # (no NumPy RuntimeWarning leaks out)
            a = grid_sample(_zt(x), _zt(g), mode, pad, ac).numpy()
        b = torch.nn.functional.grid_sample(torch.tensor(x), torch.tensor(g), mode, pad,
                                            ac).numpy()
        np.testing.assert_allclose(a, b, atol=1e-5, equal_nan=True)


@requires_torch
def test_signatures():
    import inspect
    for z, t in ((affine_grid, torch.nn.functional.affine_grid),
                 (grid_sample, torch.nn.functional.grid_sample),
                 (ctc_loss, torch.nn.functional.ctc_loss),
                 (CTCLoss.__init__, torch.nn.CTCLoss.__init__)):
        zs, ts = inspect.signature(z).parameters, inspect.signature(t).parameters
        assert [(p.name, p.kind, p.default) for p in zs.values()] == \
            [(p.name, p.kind, p.default) for p in ts.values()]


def test_loaded_on_first_use():
    """`import zerograd` loads neither file; torch's names load them."""
    import subprocess
    import sys
    code = ("import sys, zerograd; names = {'zerograd.nn._functional_sampling', "
            "'zerograd.ops.sampling', 'zerograd.ops.ctc', 'zerograd.nn.modules.ctc'}; "
            "assert not names & set(sys.modules); "
            "zerograd.nn.functional.grid_sample; zerograd.nn.CTCLoss()(zerograd.zeros(2, 1, 3)"
            ".log_softmax(2), zerograd.tensor([[1]]), (2,), (1,)); "
            "assert names <= set(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)
