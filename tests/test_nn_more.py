"""bilinear, local_response_norm, rrelu, gumbel_softmax, multi_margin_loss,
multilabel_margin_loss, triplet_margin_with_distance_loss and embedding_bag (and their modules)
against torch."""
import warnings

import numpy as np
import pytest

import zerograd as zg
from tests._oracle import requires_torch, torch

FX = zg.nn.functional      # (loaded on first use: see test_loaded_on_first_use)
M = zg.nn

if torch is not None:
    import torch.nn.functional as TF


def Z(t, grad=False):
    """A zerograd copy of a torch tensor."""
    if t.dtype == torch.bfloat16:
        z = zg.tensor(t.detach().float().numpy()).to(zg.bfloat16)
        return z.requires_grad_() if grad else z
    z = zg.tensor(t.detach().numpy())
    return z.requires_grad_() if grad else z


def close(z, t, tol=None):
    z = z.detach().numpy() if hasattr(z, "detach") else np.asarray(z)
    t = t.detach().numpy()
    assert z.shape == t.shape and z.dtype == t.dtype
    if tol is None:
        tol = 1e-12 if t.dtype == np.float64 else 2e-6
    np.testing.assert_allclose(z, t, rtol=tol, atol=tol)


def same_error(zf, tf):
    with pytest.raises(Exception) as te:
        tf()
    with pytest.raises(type(te.value)) as ze:
        zf()
    assert str(ze.value) == str(te.value)


def parity(zfn, tfn, tensors, dtype=None, tol=None):
    """Values and gradients (w.r.t. every float tensor) of zfn vs tfn."""
    ts = [t.to(dtype) if dtype is not None and t.is_floating_point() else t for t in tensors]
    ts = [t.detach().requires_grad_(t.is_floating_point()) for t in ts]
    zs = [Z(t, t.is_floating_point()) for t in ts]
    out_t, out_z = tfn(*ts), zfn(*zs)
    close(out_z, out_t, tol)
    g = torch.tensor(np.random.default_rng(0).standard_normal(tuple(out_t.shape)),
                     dtype=out_t.dtype)          # (not torch's generator: the draws stay equal)
    out_t.backward(g)
    out_z.backward(Z(g))
    for z, t in zip(zs, ts):
        if t.requires_grad:
            close(z.grad, t.grad, tol)
    return out_z, out_t


# ---------------------------------------------------------------------------------------------
# bilinear
# ---------------------------------------------------------------------------------------------

@requires_torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("batch", [(), (5,), (2, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_bilinear_parity(dtype, batch, bias):
    torch.manual_seed(0)
    dt = getattr(torch, dtype)
    ts = [torch.randn(*batch, 4), torch.randn(*batch, 6), torch.randn(3, 4, 6)]
    if bias:
        ts.append(torch.randn(3))
    out, _ = parity(FX.bilinear, TF.bilinear, ts, dt)
    assert type(out.grad_fn).__name__ == ("AddBackward0" if bias else "ViewBackward0")
    node = out.grad_fn.next_functions[0][0] if bias else out.grad_fn
    assert type(node.next_functions[0][0]).__name__ == "TrilinearBackward0"


@requires_torch
def test_bilinear_gradcheck_and_errors():
    a, b = zg.randn(3, 2, dtype=zg.float64), zg.randn(3, 4, dtype=zg.float64)
    w, c = zg.randn(5, 2, 4, dtype=zg.float64), zg.randn(5, dtype=zg.float64)
    for t in (a, b, w, c):
        t.requires_grad_()
    assert zg.autograd.gradcheck(FX.bilinear, (a, b, w, c))
    assert zg.autograd.gradgradcheck(FX.bilinear, (a, b, w, c))
    cases = [((3, 4), (2, 6), (2, 4, 6), None), ((3, 4), (3, 6), (2, 3, 6), None),
             ((3, 4), (3, 6), (2, 4, 3), None), ((3, 4), (3, 6), (2, 4, 6), (3,)),
             ((1, 3, 4), (3, 6), (2, 4, 6), None), ((3, 4), (3, 6), (2, 4, 6, 1), None),
             ((3, 4), (3, 6), (2, 4, 6), ())]
    for s1, s2, sw, sb in cases:
        ts = [torch.randn(s1), torch.randn(s2), torch.randn(sw)]
        ts += [torch.randn(sb)] if sb is not None else []
        same_error(lambda: FX.bilinear(*map(Z, ts)), lambda: TF.bilinear(*ts))
    ts = [torch.randn(3, 4).double(), torch.randn(3, 6), torch.randn(2, 4, 6), torch.randn(2)]
    same_error(lambda: FX.bilinear(*map(Z, ts)), lambda: TF.bilinear(*ts))


@requires_torch
def test_bilinear_module_init_and_repr():
    for bias in (True, False):
        torch.manual_seed(7)
        tm = torch.nn.Bilinear(3, 4, 5, bias=bias)
        zg.manual_seed(7)
        zm = M.Bilinear(3, 4, 5, bias=bias)
        assert repr(zm) == repr(tm)
        assert np.array_equal(zm.weight.detach().numpy(), tm.weight.detach().numpy())
        if bias:
            assert np.array_equal(zm.bias.detach().numpy(), tm.bias.detach().numpy())
        assert np.array_equal(zg.rand(3).numpy(), torch.rand(3).numpy())   # same draws used
        x1, x2 = torch.randn(2, 3), torch.randn(2, 4)
        close(zm(Z(x1), Z(x2)), tm(x1, x2))


# ---------------------------------------------------------------------------------------------
# local_response_norm
# ---------------------------------------------------------------------------------------------

@requires_torch
@pytest.mark.parametrize("shape", [(2, 6, 5), (2, 6, 3, 3), (2, 5, 3, 2, 2), (1, 4, 2, 2, 1, 2)])
@pytest.mark.parametrize("size", [1, 2, 3])
def test_local_response_norm(shape, size):
    torch.manual_seed(1)
    x = torch.randn(*shape) * 3
    for dt in (torch.float32, torch.float64):
        parity(lambda t: FX.local_response_norm(t, size, 1e-2, 0.6, 2.0),
               lambda t: TF.local_response_norm(t, size, 1e-2, 0.6, 2.0), [x], dt, tol=1e-5)
        parity(lambda t: M.LocalResponseNorm(size)(t),
               lambda t: torch.nn.LocalResponseNorm(size)(t), [x], dt, tol=1e-5)


@requires_torch
def test_local_response_norm_misc():
    x = zg.randn(2, 4, 3, dtype=zg.float64, requires_grad=True)
    assert zg.autograd.gradcheck(lambda t: FX.local_response_norm(t, 3, 0.1, 0.75, 1.0), (x,))
    e = zg.randn(0, 4, 3)
    assert FX.local_response_norm(e, 2) is e
    same_error(lambda: FX.local_response_norm(zg.randn(3, 4), 2),
               lambda: TF.local_response_norm(torch.randn(3, 4), 2))
    assert repr(M.LocalResponseNorm(3)) == repr(torch.nn.LocalResponseNorm(3))
    assert repr(M.LocalResponseNorm(2, 0.1, 0.5, 2)) == \
        repr(torch.nn.LocalResponseNorm(2, 0.1, 0.5, 2))
    y = FX.local_response_norm(x, 3)
    assert type(y.grad_fn).__name__ == "DivBackward0"


# ---------------------------------------------------------------------------------------------
# rrelu
# ---------------------------------------------------------------------------------------------

@requires_torch
@pytest.mark.parametrize("dtype", ["float32", "float64", "bfloat16"])
def test_rrelu_training_draws_match(dtype):
    dt = getattr(torch, dtype)
    x = torch.randn(7, 9).to(dt)
    x[0, :3] = 0
    for lo, hi in ((1 / 8, 1 / 3), (0.1, 0.7), (0.3, 0.3)):
        torch.manual_seed(11)
        tx = x.clone().requires_grad_()
        ty = TF.rrelu(tx, lo, hi, training=True)
        zg.manual_seed(11)
        zx = Z(x.float()).to(getattr(zg, dtype)).requires_grad_()
        zy = FX.rrelu(zx, lo, hi, training=True)
        assert np.array_equal(zy.detach().float().numpy(), ty.detach().float().numpy())
        assert np.array_equal(zg.rand(4).numpy(), torch.rand(4).numpy())    # as many draws
        g = torch.randn(7, 9).to(dt)
        ty.backward(g)
        zy.backward(Z(g.float()).to(getattr(zg, dtype)))
        if dtype == "bfloat16":     # (torch's bf16 backward rounds differently, by an ulp)
            close(zx.grad.float(), tx.grad.float(), 1e-2)
        else:
            assert np.array_equal(zx.grad.numpy(), tx.grad.numpy())
        assert type(zy.grad_fn).__name__ == "RreluWithNoiseBackward0"


@requires_torch
def test_rrelu_eval_inplace_module_errors():
    x = torch.randn(4, 5, dtype=torch.float64)
    x[0, 0] = 0
    parity(FX.rrelu, TF.rrelu, [x])
    parity(lambda t: FX.rrelu(t, 0.2, 0.4), lambda t: TF.rrelu(t, 0.2, 0.4), [x], torch.float32)
    z = Z(x + 0.01, True)         # (away from the kink at 0)
    assert zg.autograd.gradcheck(lambda t: FX.rrelu(t * 1, 0.2, 0.3), (z,))
    # in place (train and eval): RreluWithNoiseBackward1 and the same values / draws
    for training in (False, True):
        tx, zx = x.clone().requires_grad_(), Z(x, True)
        torch.manual_seed(3)
        zg.manual_seed(3)
        ty = tx * 1
        zy = zx * 1
        r1 = TF.rrelu(ty, training=training, inplace=True)
        r2 = FX.rrelu(zy, training=training, inplace=True)
        assert r2 is zy and type(zy.grad_fn).__name__ == "RreluWithNoiseBackward1"
        close(zy, ty)
        r1.sum().backward()
        r2.sum().backward()
        close(zx.grad, tx.grad)
        FX.rrelu_(Z(x))
    # the module
    for args in ((), (0.1, 0.3, True)):
        assert repr(M.RReLU(*args)) == repr(torch.nn.RReLU(*args))
    tm, zm = torch.nn.RReLU(), M.RReLU()
    torch.manual_seed(2)
    zg.manual_seed(2)
    close(zm(Z(x)), tm(x))
    close(zm.eval()(Z(x)), tm.eval()(x))
    # errors
    same_error(lambda: FX.rrelu(Z(x), 0.5, 0.1), lambda: TF.rrelu(x, 0.5, 0.1))
    xi = torch.tensor([1, -2])
    same_error(lambda: FX.rrelu(Z(xi)), lambda: TF.rrelu(xi))
    same_error(lambda: FX.rrelu(Z(xi), training=True), lambda: TF.rrelu(xi, training=True))


# ---------------------------------------------------------------------------------------------
# gumbel_softmax
# ---------------------------------------------------------------------------------------------

@requires_torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("hard", [False, True])
@pytest.mark.parametrize("dim", [-1, 0])
def test_gumbel_softmax(dtype, hard, dim):
    x = torch.randn(4, 6, dtype=getattr(torch, dtype))
    torch.manual_seed(9)
    zg.manual_seed(9)
    out, ref = parity(lambda t: FX.gumbel_softmax(t, tau=0.7, hard=hard, dim=dim),
                      lambda t: TF.gumbel_softmax(t, tau=0.7, hard=hard, dim=dim), [x])
    if hard:
        assert np.array_equal(out.detach().numpy(), ref.detach().numpy())
        assert type(out.grad_fn).__name__ == "AddBackward0"
    assert np.array_equal(zg.rand(2).numpy(), torch.rand(2).numpy())


@requires_torch
def test_gumbel_softmax_warning_and_errors():
    with pytest.warns(UserWarning, match="`eps` parameter is deprecated"):
        FX.gumbel_softmax(zg.randn(2, 3), eps=1e-3)
    x = torch.randn(3, 5)
    same_error(lambda: FX.gumbel_softmax(Z(x).long()), lambda: TF.gumbel_softmax(x.long()))


# ---------------------------------------------------------------------------------------------
# multi_margin_loss / multilabel_margin_loss
# ---------------------------------------------------------------------------------------------

@requires_torch
@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("weighted", [False, True])
def test_multi_margin_loss(p, reduction, weighted):
    torch.manual_seed(4)
    x, y = torch.randn(6, 5), torch.tensor([1, 0, 4, 2, 2, 3])
    for dt in (torch.float32, torch.float64):
        w = torch.rand(5, dtype=dt) if weighted else None
        fz = lambda t: FX.multi_margin_loss(t, Z(y), p, 0.6, None if w is None else Z(w),
                                            reduction=reduction)
        ft = lambda t: TF.multi_margin_loss(t, y, p, 0.6, w, reduction=reduction)
        out, _ = parity(fz, ft, [x], dt)
        assert type(out.grad_fn).__name__ == "MultiMarginLossBackward0"
        parity(lambda t: FX.multi_margin_loss(t[0], Z(y[0]), p, 0.6,
                                              None if w is None else Z(w), reduction=reduction),
               lambda t: TF.multi_margin_loss(t[0], y[0], p, 0.6, w, reduction=reduction), [x], dt)
        zm = M.MultiMarginLoss(p, 0.6, None if w is None else Z(w), reduction=reduction)
        tm = torch.nn.MultiMarginLoss(p, 0.6, w, reduction=reduction)
        assert repr(zm) == repr(tm)
        parity(lambda t: zm(t, Z(y)), lambda t: tm(t, y), [x], dt)
    xz = Z(x.double(), True)
    assert zg.autograd.gradcheck(lambda t: FX.multi_margin_loss(t, Z(y), p, 0.6,
                                                                reduction=reduction), (xz,))


@requires_torch
def test_multi_margin_loss_errors():
    x, y = torch.randn(3, 5), torch.tensor([1, 0, 4])
    cases = [((x, y), dict(p=3)), ((x, y), dict(reduction="bad")),
             ((x, torch.tensor([1, 0, 5])), {}), ((x, torch.tensor([1, 0])), {}),
             ((x, y.float()), {}), ((x, y), dict(weight=torch.ones(4))),
             ((torch.randn(2, 3, 4), y), {}), ((x.long(), y), {}), ((x.half(), y), {}),
             ((x, y), dict(weight=torch.ones(5).double())), ((x, y), dict(weight=torch.ones(1, 5))),
             ((x, torch.tensor([1, 0, -1])), {}), ((x[0], torch.tensor([1, 0])), {}),
             ((torch.randn(3, 0), y), {}), ((x, y.view(3, 1)), {})]
    for args, kw in cases:
        zk = {k: Z(v) if hasattr(v, "detach") else v for k, v in kw.items()}
        same_error(lambda: FX.multi_margin_loss(*map(Z, args), **zk),
                   lambda: TF.multi_margin_loss(*args, **kw))
    same_error(lambda: M.MultiMarginLoss(p=3), lambda: torch.nn.MultiMarginLoss(p=3))
    same_error(lambda: M.MultiMarginLoss(weight=zg.ones(2, 2)),
               lambda: torch.nn.MultiMarginLoss(weight=torch.ones(2, 2)))
    same_error(lambda: FX.multi_margin_loss(Z(x), Z(y), weight=zg.ones(5, requires_grad=True)),
               lambda: TF.multi_margin_loss(x, y, weight=torch.ones(5, requires_grad=True)))
    # no double backward in torch
    xt, xz = x.clone().requires_grad_(), Z(x, True)
    gt, = torch.autograd.grad(TF.multi_margin_loss(xt, y), xt, create_graph=True)
    gz, = zg.autograd.grad(FX.multi_margin_loss(xz, Z(y)), xz, create_graph=True)
    assert type(gz.grad_fn).__name__ == type(gt.grad_fn).__name__ == "NotImplemented"
    same_error(lambda: zg.autograd.grad(gz.sum(), xz), lambda: torch.autograd.grad(gt.sum(), xt))
    # empty batch: none (torch's 'mean' and 'sum' of nothing are uninitialised memory: ours nan, 0)
    e, ey = torch.randn(0, 3), torch.tensor([], dtype=torch.long)
    for r in ("none",):
        close(FX.multi_margin_loss(Z(e), Z(ey), reduction=r),
              TF.multi_margin_loss(e, ey, reduction=r))
    with pytest.warns(UserWarning, match="size_average and reduce"):
        close(FX.multi_margin_loss(Z(x), Z(y), size_average=False),
              TF.multi_margin_loss(x, y, reduction="sum"))


TARGETS = [[1, 2, -1, 0, 0], [0, -1, 0, 0, 0], [4, 3, 2, 1, 0], [3, 3, -1, 2, 2], [-1, 1, 1, 1, 1],
           [2, 0, 4, 1, -1]]


@requires_torch
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_multilabel_margin_loss(reduction):
    torch.manual_seed(5)
    x, y = torch.randn(6, 5), torch.tensor(TARGETS)
    for dt in (torch.float32, torch.float64):
        out, _ = parity(lambda t: FX.multilabel_margin_loss(t, Z(y), reduction=reduction),
                        lambda t: TF.multilabel_margin_loss(t, y, reduction=reduction), [x], dt)
        assert type(out.grad_fn).__name__ == "MultilabelMarginLossBackward0"
        for i in range(3):
            parity(lambda t: FX.multilabel_margin_loss(t[i], Z(y[i]), reduction=reduction),
                   lambda t: TF.multilabel_margin_loss(t[i], y[i], reduction=reduction), [x], dt)
        parity(lambda t: FX.multilabel_margin_loss(t[0, 0], zg.tensor([0]), reduction=reduction),
               lambda t: TF.multilabel_margin_loss(t[0, 0], torch.tensor([0]),
                                                   reduction=reduction), [x], dt)
        zm, tm = M.MultiLabelMarginLoss(reduction=reduction), torch.nn.MultiLabelMarginLoss(
            reduction=reduction)
        assert repr(zm) == repr(tm)
        parity(lambda t: zm(t, Z(y)), lambda t: tm(t, y), [x], dt)
    xz = Z(x.double(), True)
    assert zg.autograd.gradcheck(lambda t: FX.multilabel_margin_loss(t, Z(y), reduction=reduction),
                                 (xz,))


@requires_torch
def test_multilabel_margin_loss_errors():
    x, y = torch.randn(3, 5), torch.tensor(TARGETS[:3])
    cases = [(x, y[:2]), (x, y.float()), (x, y + 1), (x, y - 2), (x[0], y[0, :4]),
             (torch.randn(2, 3, 4), y), (x.long(), y), (x.bfloat16(), y), (x.long(), y.float()),
             (x, torch.zeros(3, 5) + 7), (torch.tensor(1.), torch.zeros(1, 1).long()),
             (torch.randn(3, 0), torch.zeros(3, 0).long())]
    for a, b in cases:
        same_error(lambda: FX.multilabel_margin_loss(Z(a), Z(b)),
                   lambda: TF.multilabel_margin_loss(a, b))
    same_error(lambda: FX.multilabel_margin_loss(Z(x), Z(y), reduction="bad"),
               lambda: TF.multilabel_margin_loss(x, y, reduction="bad"))
    xt, xz = x.clone().requires_grad_(), Z(x, True)
    gt, = torch.autograd.grad(TF.multilabel_margin_loss(xt, y), xt, create_graph=True)
    gz, = zg.autograd.grad(FX.multilabel_margin_loss(xz, Z(y)), xz, create_graph=True)
    same_error(lambda: zg.autograd.grad(gz.sum(), xz), lambda: torch.autograd.grad(gt.sum(), xt))


# ---------------------------------------------------------------------------------------------
# triplet_margin_with_distance_loss
# ---------------------------------------------------------------------------------------------

@requires_torch
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("swap", [False, True])
def test_triplet_margin_with_distance_loss(reduction, swap):
    torch.manual_seed(6)
    ts = [torch.randn(5, 4) for _ in range(3)]
    cos_z = lambda a, b: 1 - zg.nn.functional.cosine_similarity(a, b)
    cos_t = lambda a, b: 1 - TF.cosine_similarity(a, b)
    for dt in (torch.float32, torch.float64):
        for dz, dtf in ((None, None), (cos_z, cos_t)):
            parity(lambda a, p, n: FX.triplet_margin_with_distance_loss(
                       a, p, n, distance_function=dz, margin=0.8, swap=swap, reduction=reduction),
                   lambda a, p, n: TF.triplet_margin_with_distance_loss(
                       a, p, n, distance_function=dtf, margin=0.8, swap=swap,
                       reduction=reduction), ts, dt)
        zm = M.TripletMarginWithDistanceLoss(margin=0.8, swap=swap, reduction=reduction)
        tm = torch.nn.TripletMarginWithDistanceLoss(margin=0.8, swap=swap, reduction=reduction)
        assert repr(zm) == repr(tm)
        parity(zm, tm, ts, dt)
    zs = [Z(t.double(), True) for t in ts]
    assert zg.autograd.gradcheck(lambda a, p, n: FX.triplet_margin_with_distance_loss(
        a, p, n, swap=swap, reduction=reduction), zs)


@requires_torch
def test_triplet_margin_with_distance_loss_errors():
    a = torch.randn(3, 4)
    for args, kw in (((a, a, a), dict(margin=0)), ((a, a, a[0]), {}),
                     ((a, a, a), dict(reduction="bad")), ((a, a, a[0]), dict(reduction="bad"))):
        same_error(lambda: FX.triplet_margin_with_distance_loss(*map(Z, args), **kw),
                   lambda: TF.triplet_margin_with_distance_loss(*args, **kw))
    same_error(lambda: M.TripletMarginWithDistanceLoss(margin=0),
               lambda: torch.nn.TripletMarginWithDistanceLoss(margin=0))
    assert repr(M.TripletMarginWithDistanceLoss(distance_function=lambda x, y: x)) == \
        repr(torch.nn.TripletMarginWithDistanceLoss(distance_function=lambda x, y: x))


# ---------------------------------------------------------------------------------------------
# embedding_bag
# ---------------------------------------------------------------------------------------------

IDX = [1, 2, 4, 5, 4, 3, 2, 9, 4, 4]


@requires_torch
@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("padding_idx", [None, 4, -1])
def test_embedding_bag(mode, padding_idx):
    torch.manual_seed(8)
    w = torch.randn(10, 3)
    i1 = torch.tensor(IDX)
    for dt in (torch.float32, torch.float64):
        for offsets, last in (([0, 4, 4, 6, 8], False), ([0, 3, 3, 7, 10], True), ([0], False)):
            off = torch.tensor(offsets)
            out, _ = parity(
                lambda t: FX.embedding_bag(Z(i1), t, Z(off), mode=mode, padding_idx=padding_idx,
                                           include_last_offset=last),
                lambda t: TF.embedding_bag(i1, t, off, mode=mode, padding_idx=padding_idx,
                                           include_last_offset=last), [w], dt)
            assert type(out.grad_fn).__name__ == "EmbeddingBagBackward0"
        parity(lambda t: FX.embedding_bag(Z(i1).view(2, 5).int(), t, mode=mode,
                                          padding_idx=padding_idx),
               lambda t: TF.embedding_bag(i1.view(2, 5).int(), t, mode=mode,
                                          padding_idx=padding_idx), [w], dt)
    if mode == "sum":
        psw = torch.rand(10)
        off = torch.tensor([0, 4, 4, 6])
        parity(lambda t, p: FX.embedding_bag(Z(i1), t, Z(off), mode="sum", per_sample_weights=p,
                                             padding_idx=padding_idx),
               lambda t, p: TF.embedding_bag(i1, t, off, mode="sum", per_sample_weights=p,
                                             padding_idx=padding_idx), [w, psw], torch.float64)
    wz = Z(w.double(), True)
    assert zg.autograd.gradcheck(lambda t: FX.embedding_bag(Z(i1), t, zg.tensor([0, 3, 7]),
                                                            mode=mode, padding_idx=padding_idx),
                                 (wz,))


@requires_torch
def test_embedding_bag_module():
    for kw in ({}, dict(mode="sum", padding_idx=2), dict(mode="max", max_norm=1.0, norm_type=3.0),
               dict(include_last_offset=True, scale_grad_by_freq=True)):
        torch.manual_seed(12)
        tm = torch.nn.EmbeddingBag(10, 3, **kw)
        zg.manual_seed(12)
        zm = M.EmbeddingBag(10, 3, **kw)
        assert repr(zm) == repr(tm)
        assert np.array_equal(zm.weight.detach().numpy(), tm.weight.detach().numpy())
        if "max_norm" in kw:
            continue
        i = torch.tensor([[1, 2, 3], [4, 5, 6]]) if not kw.get("include_last_offset") else None
        if i is not None:
            close(zm(Z(i)), tm(i))
    pre = torch.randn(4, 3)
    tm = torch.nn.EmbeddingBag.from_pretrained(pre, mode="sum")
    zm = M.EmbeddingBag.from_pretrained(Z(pre), mode="sum")
    assert repr(zm) == repr(tm) and zm.weight.requires_grad is False
    # max_norm renormalises the rows used, in place
    torch.manual_seed(1)
    w = torch.randn(10, 3) * 3
    wt, wz = w.clone(), Z(w)
    i, off = torch.tensor(IDX), torch.tensor([0, 5])
    close(FX.embedding_bag(Z(i), wz, Z(off), max_norm=1.0),
          TF.embedding_bag(i, wt, off, max_norm=1.0))
    close(wz, wt)


@requires_torch
def test_embedding_bag_errors():
    w, i, off = torch.randn(10, 3), torch.tensor(IDX[:8]), torch.tensor([0, 4])
    cases = [((i, w), {}), ((i.view(2, 4), w, off), {}), ((i.view(2, 2, 2), w), {}),
             ((i, w, off), dict(mode="bad")), ((i, w, off), dict(per_sample_weights=torch.rand(8))),
             ((i, w, off), dict(mode="sum", per_sample_weights=torch.rand(7))),
             ((i, w, off), dict(mode="sum", per_sample_weights=torch.rand(8).double())),
             ((i, w, torch.tensor([1, 4])), {}), ((i, w, torch.tensor([0, 9])), {}),
             ((i, w, torch.tensor([[0, 4]])), {}), ((i.float(), w, off), {}),
             ((i, w, off.float()), {}), ((i - 2, w, off), {}), ((i + 5, w, off), dict(mode="max")),
             ((i, w, off), dict(padding_idx=10)), ((i, w, off), dict(padding_idx=-11)),
             ((i, w.long(), off), {}), ((i, w[0], off), {}), ((torch.tensor(1), w, off), {}),
             ((i, w, off), dict(mode="max", scale_grad_by_freq=True)),
             ((i, w, off), dict(mode="max", sparse=True)),
             ((torch.zeros(2, 0, dtype=torch.long), w), {})]
    for args, kw in cases:
        zk = {k: Z(v) if hasattr(v, "detach") else v for k, v in kw.items()}
        same_error(lambda: FX.embedding_bag(*map(Z, args), **zk),
                   lambda: TF.embedding_bag(*args, **kw))
    same_error(lambda: M.EmbeddingBag(10, 3, padding_idx=10),
               lambda: torch.nn.EmbeddingBag(10, 3, padding_idx=10))
    same_error(lambda: M.EmbeddingBag(10, 3, _weight=zg.randn(3, 3)),
               lambda: torch.nn.EmbeddingBag(10, 3, _weight=torch.randn(3, 3)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        close(FX.embedding_bag(Z(w), Z(i), Z(off)), TF.embedding_bag(w, i, off))


def test_loaded_on_first_use():
    """`import zerograd` loads neither file; F.bilinear and nn.Bilinear do, as torch's names."""
    import subprocess
    import sys
    code = ("import sys, zerograd; assert not {'zerograd.nn._functional_extra', "
            "'zerograd.nn.modules.extra'} & set(sys.modules); "
            "from zerograd.nn.functional import gumbel_softmax; "
            "from zerograd.nn import EmbeddingBag; import zerograd.nn.modules.extra as e; "
            "assert EmbeddingBag is e.EmbeddingBag and 'rrelu' in dir(zerograd.nn.functional)")
    subprocess.run([sys.executable, "-c", code], check=True)


PDIST_ETC = {
    "pdist p=2": lambda L, x: L.pdist(x),
    "pdist p=1": lambda L, x: L.nn.functional.pdist(x, p=1),
    "pdist p=3": lambda L, x: L.pdist(x, 3),
    "pdist p=inf": lambda L, x: L.pdist(x, float("inf")),
    "pdist p=0": lambda L, x: L.pdist(x, 0),
    "pdist one row": lambda L, x: L.pdist(x[:1]),
    "pdist duplicate rows": lambda L, x: L.pdist(L.cat([x[:2], x[:1]])),
    "channel_shuffle": lambda L, x: L.nn.functional.channel_shuffle(x.reshape(1, 4, 2, 1), 2),
    "ChannelShuffle": lambda L, x: L.nn.ChannelShuffle(4)(x.reshape(2, 4, 1)),
    "lp_pool3d": lambda L, x: L.nn.functional.lp_pool3d(x.abs().reshape(1, 1, 2, 2, 2), 2, 2),
    "LPPool3d": lambda L, x: L.nn.LPPool3d(1.5, (2, 1, 2))(x.abs().reshape(1, 2, 2, 1, 2)),
}


@requires_torch
@pytest.mark.parametrize("name", sorted(PDIST_ETC))
def test_pdist_channel_shuffle_lp_pool3d_as_torch(name):
    x0 = np.random.default_rng(3).standard_normal((4, 2))
    out = []
    for L in (zg, torch):
        x = L.tensor(x0, requires_grad=True)
        y = PDIST_ETC[name](L, x)
        (y * L.arange(1, y.numel() + 1, dtype=L.float64).reshape(tuple(y.shape))).sum().backward()
        out.append((y.detach().numpy(), x.grad.numpy()))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-10, atol=1e-12)


@requires_torch
def test_pdist_channel_shuffle_errors_and_repr_as_torch():
    for L in (zg, torch):
        for bad, msg in ((lambda: L.pdist(L.ones(3)), "pdist only supports 2D tensors, got: 1D"),
                         (lambda: L.pdist(L.ones(3, 2), p=-1), "non-negative p"),
                         (lambda: L.nn.functional.channel_shuffle(L.ones(1, 4, 2), 3),
                          "Got 4 channels and 3 groups")):
            with pytest.raises(RuntimeError, match=msg):
                bad()
    assert repr(zg.nn.ChannelShuffle(2)) == repr(torch.nn.ChannelShuffle(2))
    assert repr(zg.nn.LPPool3d(2, 3)) == repr(torch.nn.LPPool3d(2, 3))
