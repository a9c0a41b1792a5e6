"""The distance functions, the remaining losses, softmin/Softmax2d/PReLU, channel dropout and
ParameterList/ParameterDict, against torch 2.13.

Functional cases run the same inputs through both libraries in float64 and float32 and compare
values, dtypes, the top node's name, and the gradients of a random projection of the output;
kink points (where torch picks a one-sided derivative) are cases of their own.  gradcheck and
gradgradcheck run in float64 away from kinks, and the fused ops' second derivatives are compared
with torch's.  Bad input must raise torch's exception type and message; warnings must be
torch's.  Module and container behaviour is checked with snippets printed by both libraries.
"""
import contextlib
import io
import math
import re
import textwrap
import warnings

import numpy as np
import pytest

import zerograd
import zerograd.nn.functional as ZF
from tests._oracle import requires_torch, torch
from zerograd.autograd import gradcheck, gradgradcheck

TF = torch.nn.functional if torch is not None else None
RNG = np.random.default_rng(2024)


def randn(*shape):
    return RNG.standard_normal(shape)


def signs(*shape):
    return np.where(RNG.random(shape) < 0.5, -1.0, 1.0)


# ----------------------------------------------------------------------------------------------
# parity harness
# ----------------------------------------------------------------------------------------------

class Arg:
    """An input array and how it enters the call: as a float tensor of the case's dtype that
    requires grad (grad=True), one that does not, or as it is (fixed=True: an integer array
    or a constant kept in float64)."""

    def __init__(self, a, grad=True, fixed=False):
        self.a, self.grad, self.fixed = np.asarray(a), grad and not fixed, fixed

    def make(self, lib, dtype):
        if self.fixed or self.a.dtype.kind != "f":
            return lib.tensor(self.a)
        return lib.tensor(self.a, dtype=getattr(lib, dtype)).requires_grad_(self.grad)


def _args(arrays):
    return [a if isinstance(a, Arg) else Arg(a) for a in arrays]


def run_both(case, dtype):
    """((zerograd output, inputs), (torch output, inputs)) of a case, warnings silenced."""
    make, arrays = case
    args = _args(arrays)
    out = []
    for lib, F in ((zerograd, ZF), (torch, TF)):
        xs = [a.make(lib, dtype) for a in args]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out.append((make(lib, F)(*xs), xs))
    return out


def assert_close(z, t, tol):
    np.testing.assert_allclose(z, t, rtol=tol, atol=tol)


def check_parity(case, dtype):
    """Values, dtype, shape and top node equal torch's, and so are the gradients of
    sum(out * R) w.r.t. every input that requires grad."""
    tol = 1e-10 if dtype == "float64" else 3e-5
    (oz, xz), (ot, xt) = run_both(case, dtype)
    assert tuple(oz.shape) == tuple(ot.shape)
    assert str(oz.dtype) == str(ot.dtype)
    assert_close(oz.detach().numpy(), ot.detach().numpy(), tol)
    assert (oz.grad_fn is None) == (ot.grad_fn is None)
    if ot.grad_fn is None:
        return oz, ot
    assert oz.grad_fn.name() == ot.grad_fn.name()
    r = RNG.standard_normal(tuple(ot.shape))
    oz.backward(zerograd.tensor(r, dtype=oz.dtype))
    ot.backward(torch.tensor(r, dtype=ot.dtype))
    for z, t in zip(xz, xt):
        if t.requires_grad:
            assert (z.grad is None) == (t.grad is None)      # (p = 0 norms: no gradient at all)
            if t.grad is not None:
                assert str(z.grad.dtype) == str(t.grad.dtype)
                assert_close(z.grad.numpy(), t.grad.numpy(), tol)
    return oz, ot


def call(name, *a, **kw):
    """make(lib, F) calling F.<name>(*inputs, *a, **kw)."""
    return lambda lib, F: lambda *xs: getattr(F, name)(*xs, *a, **kw)


X, Y, Z = randn(4, 5), randn(4, 5), randn(4, 5)
POS = RNG.random((4, 5)) + 0.1
ZERO_ROW = X.copy()
ZERO_ROW[1] = 0.0
TINY_ROW = X.copy()
TINY_ROW[2] *= 1e-10
# kink points, exact in binary: |input - target| == delta (= 1), the hinge of the margin losses
HUBER_IN = np.array([[0.5, 1.0, -1.0, 2.0, 0.25], [-2.0, 0.0, 3.0, -0.5, 1.5]])
HUBER_TG = np.array([[-0.5, 0.0, 0.0, 1.0, 0.25], [-1.0, 1.0, 1.5, 0.5, 0.5]])
PRELU_IN = np.array([[[0.0, -1.5], [2.0, 0.0], [-0.25, 0.0]], [[1.0, -2.0], [0.0, 0.5], [3.0, -1]]])

CASES = {
    # distances
    "normalize": (call("normalize"), [X]),
    "normalize_p1_dim0": (call("normalize", p=1, dim=0), [X]),
    "normalize_p3_3d_last": (call("normalize", p=3.0, dim=-1), [randn(2, 3, 4)]),
    "normalize_pinf": (call("normalize", p=float("inf")), [X]),
    "normalize_1d": (call("normalize", dim=0), [randn(6)]),
    "normalize_zero_row": (call("normalize"), [ZERO_ROW.T.copy()]),
    "normalize_below_eps": (call("normalize", dim=1, eps=1e-3), [TINY_ROW]),
    "cosine_similarity": (call("cosine_similarity"), [X, Y]),
    "cosine_similarity_broadcast": (call("cosine_similarity"), [X, randn(5)]),
    "cosine_similarity_broadcast_both": (call("cosine_similarity", dim=-1),
                                         [randn(3, 1, 5), randn(4, 5)]),
    "cosine_similarity_dim0": (call("cosine_similarity", dim=0), [X, Y]),
    "cosine_similarity_3d_eps": (call("cosine_similarity", dim=2, eps=0.5),
                                 [randn(2, 3, 4) * 0.1, randn(2, 3, 4)]),
    "cosine_similarity_1d": (call("cosine_similarity", dim=0), [randn(5), randn(5)]),
    "cosine_similarity_zero_vector": (call("cosine_similarity"), [ZERO_ROW, Y]),
    "cosine_similarity_tiny_vector": (call("cosine_similarity"), [TINY_ROW, Y]),
    "cosine_similarity_int_other": (
        call("cosine_similarity"),
        [X[:, :3], np.array([[1, 2, 0], [0, 0, 1], [3, 1, 1], [2, 2, 2]])]),
    "pairwise_distance": (call("pairwise_distance"), [X, Y]),
    "pairwise_distance_broadcast_keepdim": (call("pairwise_distance", keepdim=True),
                                            [randn(2, 3, 5), randn(5)]),
    "pairwise_distance_p1": (call("pairwise_distance", p=1), [X, Y]),
    "pairwise_distance_p3_eps": (call("pairwise_distance", p=3.0, eps=0.1), [X, Y]),
    "pairwise_distance_pinf": (call("pairwise_distance", p=float("inf")), [X, Y]),
    "pairwise_distance_p_half": (call("pairwise_distance", p=0.5), [X, Y]),
    "pairwise_distance_p0": (call("pairwise_distance", p=0), [X, Y]),
    "pairwise_distance_1d": (call("pairwise_distance"), [randn(5), randn(5)]),
    "pairwise_distance_0d": (call("pairwise_distance"), [randn(), randn()]),
    "pairwise_distance_equal_inputs": (call("pairwise_distance"), [X, X]),
    "pairwise_distance_equal_inputs_p1": (call("pairwise_distance", p=1, eps=0.0), [X, X]),
    # huber
    "huber_loss": (call("huber_loss"), [X * 2, Y]),
    "huber_loss_none_delta": (call("huber_loss", reduction="none", delta=0.5), [X, Y]),
    "huber_loss_sum_delta2": (call("huber_loss", reduction="sum", delta=2.0), [X * 3, Y]),
    "huber_loss_broadcast_target": (call("huber_loss", reduction="none"), [X * 2, randn(5)]),
    "huber_loss_broadcast_input": (call("huber_loss"), [randn(1, 5) * 2, Y]),
    "huber_loss_target_no_grad": (call("huber_loss"), [X * 2, Arg(Y, grad=False)]),
    "huber_loss_weight_mean": (lambda L, F: lambda x, y, w: F.huber_loss(x, y, weight=w),
                               [X * 2, Y, Arg(POS, grad=False)]),
    "huber_loss_weight_none": (lambda L, F: lambda x, y, w: F.huber_loss(x, y, "none", 0.7, w),
                               [X * 2, Y, POS]),
    "huber_loss_weight_sum": (lambda L, F: lambda x, y, w: F.huber_loss(x, y, "sum", weight=w),
                              [X * 2, Y, POS]),
    "huber_loss_at_delta": (call("huber_loss", reduction="none"), [HUBER_IN, HUBER_TG]),
    "huber_loss_at_delta_mean": (call("huber_loss", delta=0.5),
                                 [HUBER_IN, HUBER_TG + np.sign(HUBER_IN - HUBER_TG) * -0.5]),
    # kl_div
    "kl_div_mean": (call("kl_div"), [np.log(POS), RNG.random((4, 5))]),
    "kl_div_sum": (call("kl_div", reduction="sum"), [X, RNG.random((4, 5))]),
    "kl_div_none": (call("kl_div", reduction="none"), [X, RNG.random((4, 5))]),
    "kl_div_batchmean": (call("kl_div", reduction="batchmean"), [X, RNG.random((4, 5))]),
    "kl_div_batchmean_3d": (call("kl_div", reduction="batchmean"),
                            [randn(3, 2, 4), RNG.random((3, 2, 4))]),
    "kl_div_batchmean_0d": (call("kl_div", reduction="batchmean"), [randn(), RNG.random()]),
    "kl_div_log_target": (call("kl_div", reduction="batchmean", log_target=True), [X, Y]),
    "kl_div_log_target_none": (call("kl_div", reduction="none", log_target=True), [X, Y]),
    "kl_div_zero_target": (call("kl_div", reduction="sum"),
                           [X, np.where(RNG.random((4, 5)) < 0.3, 0.0, RNG.random((4, 5)))]),
    "kl_div_broadcast": (call("kl_div", reduction="sum"), [X, RNG.random(5)]),
    "kl_div_legacy_size_average": (call("kl_div", size_average=False), [X, RNG.random((4, 5))]),
    "kl_div_legacy_reduce": (call("kl_div", reduce=False), [X, RNG.random((4, 5))]),
    # soft margin
    "soft_margin_loss": (call("soft_margin_loss"), [X, Arg(signs(4, 5), grad=False)]),
    "soft_margin_loss_sum_real_target": (call("soft_margin_loss", reduction="sum"),
                                         [X * 3, Arg(Y, grad=False)]),
    "soft_margin_loss_none_broadcast": (call("soft_margin_loss", reduction="none"),
                                        [X, Arg(signs(5), grad=False)]),
    "soft_margin_loss_int_target": (call("soft_margin_loss"),
                                    [X, Arg(signs(4, 5).astype(np.int64), fixed=True)]),
    "soft_margin_loss_legacy": (call("soft_margin_loss", size_average=False),
                                [X, Arg(signs(4, 5), grad=False)]),
    # margin ranking
    "margin_ranking_loss": (call("margin_ranking_loss"), [X, Y, Arg(signs(4, 5), grad=False)]),
    "margin_ranking_loss_margin_none": (call("margin_ranking_loss", margin=0.5, reduction="none"),
                                        [X, Y, Arg(signs(4, 5), grad=False)]),
    "margin_ranking_loss_sum_target_grad": (call("margin_ranking_loss", reduction="sum"),
                                            [X, Y, Y]),
    "margin_ranking_loss_broadcast": (call("margin_ranking_loss", 0.2),
                                      [X, randn(1, 5), Arg(signs(4, 1), grad=False)]),
    "margin_ranking_loss_1d": (call("margin_ranking_loss"), [randn(6), randn(6), signs(6)]),
    "margin_ranking_loss_at_hinge": (call("margin_ranking_loss", 0.5, reduction="none"),
                                     [np.array([1.0, 0.5, 2.0]), np.array([0.5, 1.0, 2.5]),
                                      Arg(np.array([1.0, -1.0, 1.0]), grad=False)]),
    # hinge embedding
    "hinge_embedding_loss": (call("hinge_embedding_loss"), [X, Arg(signs(4, 5), grad=False)]),
    "hinge_embedding_loss_margin_sum": (call("hinge_embedding_loss", 0.3, reduction="sum"),
                                        [X, Arg(signs(4, 5), grad=False)]),
    "hinge_embedding_loss_none_other_targets": (
        call("hinge_embedding_loss", reduction="none"),
        [X, Arg(RNG.integers(-1, 2, (4, 5)).astype(float), grad=False)]),
    "hinge_embedding_loss_broadcast_int_target": (
        call("hinge_embedding_loss", reduction="none"), [X, Arg(np.array([1, -1, -1, 1, 1]))]),
    "hinge_embedding_loss_at_margin": (call("hinge_embedding_loss", 1.0, reduction="none"),
                                       [np.array([1.0, 0.5, 1.0, 2.0]),
                                        Arg(np.array([-1.0, -1.0, 1.0, -1.0]), grad=False)]),
    # cosine embedding
    "cosine_embedding_loss": (call("cosine_embedding_loss"), [X, Y, Arg(signs(4), grad=False)]),
    "cosine_embedding_loss_margin_none": (
        call("cosine_embedding_loss", margin=0.2, reduction="none"),
        [X, Y, Arg(np.array([1, -1, -1, 1]))]),
    "cosine_embedding_loss_sum_1d": (call("cosine_embedding_loss", reduction="sum"),
                                     [randn(5), randn(5), Arg(np.array(-1.0), grad=False)]),
    "cosine_embedding_loss_at_hinge": (
        call("cosine_embedding_loss", reduction="none"),
        [np.array([[1.0, 0.0, 0.0], [0.0, 2.0, 1.0]]),
         np.array([[0.0, 1.0, 0.0], [0.0, -1.0, 2.0]]), Arg(np.array([-1.0, -1.0]), grad=False)]),
    # poisson nll
    "poisson_nll_loss": (call("poisson_nll_loss"), [X, RNG.poisson(2.0, (4, 5)).astype(float)]),
    "poisson_nll_loss_not_log_full": (call("poisson_nll_loss", log_input=False, full=True),
                                      [POS, RNG.poisson(2.0, (4, 5)).astype(float)]),
    "poisson_nll_loss_full_sum_target_grad": (
        call("poisson_nll_loss", full=True, reduction="sum"), [X, RNG.random((4, 5)) * 4 + 0.5]),
    "poisson_nll_loss_full_at_one": (call("poisson_nll_loss", full=True, reduction="none"),
                                     [X[0], np.array([1.0, 2.0, 0.5, 1.0, 3.0])]),
    "poisson_nll_loss_none_eps_broadcast": (
        call("poisson_nll_loss", log_input=False, eps=0.5, reduction="none"), [POS, POS[0]]),
    "poisson_nll_loss_legacy": (call("poisson_nll_loss", reduce=False), [X, POS]),
    # gaussian nll
    "gaussian_nll_loss": (call("gaussian_nll_loss"), [X, Y, POS]),
    "gaussian_nll_loss_full_sum": (call("gaussian_nll_loss", full=True, reduction="sum"),
                                   [X, Y, POS]),
    "gaussian_nll_loss_var_per_sample": (call("gaussian_nll_loss", reduction="none"),
                                         [X, Y, POS[:, 0]]),
    "gaussian_nll_loss_var_one_dim": (call("gaussian_nll_loss"), [X, Y, POS[:, :1]]),
    "gaussian_nll_loss_var_channel": (call("gaussian_nll_loss", reduction="none"),
                                      [randn(2, 3, 4), randn(2, 3, 4), RNG.random((2, 1, 4)) + .1]),
    "gaussian_nll_loss_var_float": (lambda L, F: lambda x, y: F.gaussian_nll_loss(x, y, 0.7),
                                    [X, Y]),
    "gaussian_nll_loss_var_below_eps": (call("gaussian_nll_loss", eps=0.3, reduction="none"),
                                        [X, Y, np.where(POS < 0.5, 0.0, POS)]),
    "gaussian_nll_loss_target_broadcast": (call("gaussian_nll_loss"), [X, randn(5), POS]),
    # multilabel soft margin
    "multilabel_soft_margin_loss": (call("multilabel_soft_margin_loss"),
                                    [X * 2, Arg((RNG.random((4, 5)) < 0.5) * 1.0, grad=False)]),
    "multilabel_soft_margin_loss_weight_none": (
        lambda L, F: lambda x, y, w: F.multilabel_soft_margin_loss(x, y, w, reduction="none"),
        [X, RNG.random((4, 5)), POS[0]]),
    "multilabel_soft_margin_loss_3d_sum": (call("multilabel_soft_margin_loss", reduction="sum"),
                                           [randn(2, 3, 4), RNG.random((2, 3, 4))]),
    "multilabel_soft_margin_loss_1d": (call("multilabel_soft_margin_loss"),
                                       [randn(5), RNG.random(5)]),
    "multilabel_soft_margin_loss_legacy": (call("multilabel_soft_margin_loss", reduce=False),
                                           [X, RNG.random((4, 5))]),
    # triplet margin
    "triplet_margin_loss": (call("triplet_margin_loss"), [X, Y, Z]),
    "triplet_margin_loss_p1_margin_none": (call("triplet_margin_loss", 2.0, 1, reduction="none"),
                                           [X, Y, Z]),
    "triplet_margin_loss_swap_sum": (call("triplet_margin_loss", swap=True, reduction="sum"),
                                     [X, X + 0.1 * Y, Z]),
    "triplet_margin_loss_swap_tie": (call("triplet_margin_loss", swap=True, reduction="none"),
                                     [X, Y, X]),
    "triplet_margin_loss_1d_eps": (call("triplet_margin_loss", eps=0.5), [randn(5), randn(5),
                                                                          randn(5)]),
    "triplet_margin_loss_anchor_is_positive": (call("triplet_margin_loss", reduction="none"),
                                               [X, X, Z]),
    # softmin, prelu
    "softmin": (call("softmin", 1), [X]),
    "softmin_dim0_3d": (call("softmin", dim=0), [randn(2, 3, 4)]),
    "softmin_dtype": (call("softmin", -1, dtype=torch.float64 if torch else None), [X]),
    "prelu_one_weight": (call("prelu"), [X, np.array([0.25])]),
    "prelu_channels_3d": (call("prelu"), [randn(2, 3, 4), randn(3)]),
    "prelu_channels_2d": (call("prelu"), [X, randn(5)]),
    "prelu_0d_weight": (call("prelu"), [X, np.array(-0.5)]),
    "prelu_1d_input": (call("prelu"), [randn(6), np.array([0.1])]),
    "prelu_0d_input": (call("prelu"), [np.array(-1.5), np.array([0.3])]),
    "prelu_at_zero": (call("prelu"), [PRELU_IN, np.array([0.25, -0.5, 2.0])]),
}
# softmin's dtype case needs each library's own dtype object
CASES["softmin_dtype"] = (lambda L, F: lambda x: F.softmin(x, -1, dtype=L.float64), [X])


@requires_torch
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_parity_values_gradients_and_node(name, dtype):
    check_parity(CASES[name], dtype)


@requires_torch
@pytest.mark.parametrize("name", ["huber_loss", "huber_loss_at_delta", "soft_margin_loss",
                                  "prelu_channels_3d", "prelu_at_zero", "pairwise_distance",
                                  "pairwise_distance_p3_eps", "cosine_similarity_broadcast",
                                  "kl_div_batchmean", "gaussian_nll_loss_var_below_eps",
                                  "triplet_margin_loss_swap_sum", "cosine_embedding_loss"])
def test_second_derivatives_match_torch(name):
    """d/dx Σ (dL/dx)², through create_graph=True (the fused nodes' backward recorded)."""
    (oz, xz), (ot, xt) = run_both(CASES[name], "float64")
    wz = [x for x in xz if x.requires_grad]
    wt = [x for x in xt if x.requires_grad]
    gz = zerograd.autograd.grad(oz.sum(), wz, create_graph=True)
    gt = torch.autograd.grad(ot.sum(), wt, create_graph=True)
    sum((g ** 2).sum() for g in gz).backward()
    sum((g ** 2).sum() for g in gt).backward()
    for z, t in zip(wz, wt):
        assert_close(z.grad.numpy(), t.grad.numpy(), 1e-9)


@requires_torch
@pytest.mark.parametrize("cls, kwargs, inputs", [
    ("CosineSimilarity", dict(dim=0, eps=1e-3), [X, Y]),
    ("PairwiseDistance", dict(p=1.5, keepdim=True), [X, Y]),
    ("HuberLoss", dict(reduction="sum", delta=0.4), [X, Y]),
    ("KLDivLoss", dict(reduction="batchmean", log_target=True), [X, Y]),
    ("SoftMarginLoss", dict(reduction="none"), [X, Arg(signs(4, 5), grad=False)]),
    ("MarginRankingLoss", dict(margin=0.3), [X, Y, Arg(signs(4, 5), grad=False)]),
    ("HingeEmbeddingLoss", dict(margin=0.5, reduction="sum"), [X, Arg(signs(4, 5), grad=False)]),
    ("CosineEmbeddingLoss", dict(margin=-0.1), [X, Y, Arg(signs(4), grad=False)]),
    ("PoissonNLLLoss", dict(log_input=False, full=True, eps=1e-3), [POS, POS * 3]),
    ("GaussianNLLLoss", dict(full=True, eps=1e-2, reduction="none"), [X, Y, POS]),
    ("MultiLabelSoftMarginLoss", dict(reduction="sum"), [X, RNG.random((4, 5))]),
    ("TripletMarginLoss", dict(margin=0.5, p=1.0, swap=True), [X, Y, Z]),
    ("Softmin", dict(dim=0), [X]),
    ("Softmax2d", {}, [randn(2, 3, 4, 2)]),
    ("Softmax2d", {}, [randn(3, 4, 2)]),
])
def test_modules_compute_their_functionals(cls, kwargs, inputs):
    check_parity((lambda L, F: getattr(L.nn, cls)(**kwargs), inputs), "float64")


@requires_torch
def test_modules_with_weights_and_legacy_flags():
    w = POS[0]
    check_parity((lambda L, F: L.nn.MultiLabelSoftMarginLoss(L.tensor(w), reduce=False),
                  [X, RNG.random((4, 5))]), "float64")
    check_parity((lambda L, F: L.nn.KLDivLoss(size_average=False), [X, POS]), "float64")
    check_parity((lambda L, F: L.nn.TripletMarginLoss(reduce=False), [X, Y, Z]), "float64")
    check_parity((lambda L, F: L.nn.PoissonNLLLoss(size_average=True, reduce=True), [X, POS]),
                 "float64")


@requires_torch
def test_prelu_module_parameters_and_training():
    for kw in [{}, dict(num_parameters=3, init=-0.1), dict(num_parameters=3, dtype="float64")]:
        zkw = {k: (getattr(zerograd, v) if k == "dtype" else v) for k, v in kw.items()}
        tkw = {k: (getattr(torch, v) if k == "dtype" else v) for k, v in kw.items()}
        zm, tm = zerograd.nn.PReLU(**zkw), torch.nn.PReLU(**tkw)
        assert repr(zm) == repr(tm)
        assert list(zm.state_dict()) == list(tm.state_dict()) == ["weight"]
        assert str(zm.weight.dtype) == str(tm.weight.dtype)
        np.testing.assert_array_equal(zm.weight.detach().numpy(), tm.weight.detach().numpy())
        assert zm.init == tm.init and zm.num_parameters == tm.num_parameters
    x = randn(2, 3, 4)
    zm, tm = zerograd.nn.PReLU(3).double(), torch.nn.PReLU(3).double()
    zy, ty = zm(zerograd.tensor(x)), tm(torch.tensor(x))
    assert zy.grad_fn.name() == ty.grad_fn.name() == "PreluKernelBackward0"
    zy.sum().backward()
    ty.sum().backward()
    assert_close(zm.weight.grad.numpy(), tm.weight.grad.numpy(), 1e-12)


# ----------------------------------------------------------------------------------------------
# gradcheck / gradgradcheck (float64, away from kinks)
# ----------------------------------------------------------------------------------------------

def _t(a):
    return zerograd.tensor(a, dtype=zerograd.float64, requires_grad=True)


def _c(a):
    return zerograd.tensor(a, dtype=zerograd.float64)


SGN = _c(signs(3, 4))
RATES = _c(RNG.random((3, 4)) * 3)
GG = {
    "normalize": (lambda x: ZF.normalize(x, p=3.0), lambda: (_t(randn(3, 4)),)),
    "cosine_similarity": (ZF.cosine_similarity, lambda: (_t(randn(3, 4)), _t(randn(4)))),
    "pairwise_distance": (lambda a, b: ZF.pairwise_distance(a, b, p=1.5),
                          lambda: (_t(randn(3, 4)), _t(randn(3, 4)))),
    "huber_loss": (lambda x, y: ZF.huber_loss(x, y, delta=0.8),
                   lambda: (_t(randn(3, 4) * 2), _t(randn(3, 4)))),
    "huber_loss_weight": (lambda x, y, w: ZF.huber_loss(x, y, "none", weight=w),
                          lambda: (_t(randn(3, 4) * 2), _t(randn(3, 4)), _t(randn(3, 4)))),
    "kl_div": (lambda x, y: ZF.kl_div(x, y, reduction="batchmean"),
               lambda: (_t(randn(3, 4)), _t(RNG.random((3, 4)) + 0.1))),
    "kl_div_log_target": (lambda x, y: ZF.kl_div(x, y, reduction="sum", log_target=True),
                          lambda: (_t(randn(3, 4)), _t(randn(3, 4)))),
    "soft_margin_loss": (lambda x: ZF.soft_margin_loss(x, SGN), lambda: (_t(randn(3, 4)),)),
    "margin_ranking_loss": (lambda a, b: ZF.margin_ranking_loss(a, b, SGN, margin=0.1),
                            lambda: (_t(randn(3, 4)), _t(randn(3, 4)))),
    "hinge_embedding_loss": (lambda x: ZF.hinge_embedding_loss(x, SGN, reduction="sum"),
                             lambda: (_t(randn(3, 4)),)),
    "cosine_embedding_loss": (lambda a, b: ZF.cosine_embedding_loss(a, b, _c([1, -1, -1]), -0.5),
                              lambda: (_t(randn(3, 4)), _t(randn(3, 4)))),
    "poisson_nll_loss": (lambda x, y: ZF.poisson_nll_loss(x, y, full=True),
                         lambda: (_t(randn(3, 4)), _t(RNG.random((3, 4)) * 3 + 1.2))),
    "poisson_nll_loss_not_log": (lambda x: ZF.poisson_nll_loss(x, RATES, log_input=False),
                                 lambda: (_t(RNG.random((3, 4)) + 0.5),)),
    "gaussian_nll_loss": (lambda x, y, v: ZF.gaussian_nll_loss(x, y, v, full=True),
                          lambda: (_t(randn(3, 4)), _t(randn(3, 4)), _t(RNG.random(3) + 0.5))),
    "multilabel_soft_margin_loss": (
        lambda x, y, w: ZF.multilabel_soft_margin_loss(x, y, w),
        lambda: (_t(randn(3, 4)), _t(RNG.random((3, 4))), _t(RNG.random(4)))),
    "triplet_margin_loss": (lambda a, p, n: ZF.triplet_margin_loss(a, p, n, swap=True),
                            lambda: (_t(randn(3, 4)), _t(randn(3, 4)), _t(randn(3, 4)))),
    "softmin": (lambda x: ZF.softmin(x, 0), lambda: (_t(randn(3, 4)),)),
    "prelu": (ZF.prelu, lambda: (_t(randn(2, 3, 4)), _t(randn(3)))),
}


@pytest.mark.parametrize("name", sorted(GG))
def test_gradcheck_and_gradgradcheck(name):
    f, make = GG[name]
    inputs = make()
    assert gradcheck(f, inputs)
    assert gradgradcheck(f, inputs)


def test_gradcheck_catches_a_wrong_rule():
    """The check above can fail: a loss with a deliberately wrong gradient is rejected."""
    class Wrong(zerograd.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return ZF.huber_loss(x, zerograd.zeros_like(x), delta=0.5).detach()

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * x.clamp(-1.0, 1.0) / x.numel()         # delta 1 instead of 0.5
    with pytest.raises(Exception):
        gradcheck(Wrong.apply, (_t(randn(3, 4) * 2),))


# ----------------------------------------------------------------------------------------------
# errors and warnings
# ----------------------------------------------------------------------------------------------

class _Lib:
    def __init__(self, lib, F):
        self.lib, self.F, self.nn, self.t = lib, F, lib.nn, lib.tensor
        self.x = lib.tensor(X, dtype=lib.float32)
        self.y = lib.tensor(Y, dtype=lib.float32)
        self.i = lib.tensor([[1, -1, 1]])


BAD = {
    "normalize_int": lambda L: L.F.normalize(L.i),
    "normalize_dim": lambda L: L.F.normalize(L.x[0]),
    "cosine_similarity_int": lambda L: L.F.cosine_similarity(L.i, L.i),
    "cosine_similarity_bool": lambda L: L.F.cosine_similarity(L.i > 0, L.i > 0),
    "cosine_similarity_shapes": lambda L: L.F.cosine_similarity(L.x, L.lib.ones(3)),
    "cosine_similarity_dim": lambda L: L.F.cosine_similarity(L.x, L.y, dim=2),
    "cosine_similarity_0d_dim": lambda L: L.F.cosine_similarity(L.t(2.0), L.t(3.0), dim=1),
    "normalize_0d_dim": lambda L: L.F.normalize(L.t(2.0), dim=-2),
    "pairwise_distance_p_str": lambda L: L.F.pairwise_distance(L.x, L.y, p="fro"),
    "huber_delta": lambda L: L.F.huber_loss(L.x, L.y, delta=0.0),
    "huber_reduction": lambda L: L.F.huber_loss(L.x, L.y, reduction="avg"),
    "huber_weight_reduction": lambda L: L.F.huber_loss(L.x, L.y, "avg", weight=L.lib.ones(4, 5)),
    "huber_weight_size": lambda L: L.F.huber_loss(L.x, L.y, weight=L.lib.ones(5)),
    "huber_shapes": lambda L: L.F.huber_loss(L.x, L.lib.ones(3)),
    "huber_int": lambda L: L.F.huber_loss(L.i, L.i),
    "huber_bool": lambda L: L.F.huber_loss(L.i > 0, L.i > 0),
    "huber_int_input_float_target": lambda L: L.F.huber_loss(L.i, L.i.float()),
    "HuberLoss_delta_type": lambda L: L.nn.HuberLoss(delta="1"),
    "kl_div_int": lambda L: L.F.kl_div(L.i, L.i.float(), reduction="sum"),
    "kl_div_reduction": lambda L: L.F.kl_div(L.x, L.y, reduction="avg"),
    "soft_margin_reduction": lambda L: L.F.soft_margin_loss(L.x, L.y, reduction="avg"),
    "soft_margin_target_requires_grad": lambda L: L.F.soft_margin_loss(
        L.x, L.y.requires_grad_()),
    "soft_margin_target_bigger": lambda L: L.F.soft_margin_loss(L.x[:1], L.y),
    "soft_margin_shapes": lambda L: L.F.soft_margin_loss(L.x, L.lib.ones(3)),
    "soft_margin_int": lambda L: L.F.soft_margin_loss(L.i, L.i),
    "soft_margin_bool": lambda L: L.F.soft_margin_loss(L.i > 0, L.x[:1, :3]),
    "margin_ranking_dims": lambda L: L.F.margin_ranking_loss(L.x, L.y, L.lib.ones(5)),
    "margin_ranking_reduction": lambda L: L.F.margin_ranking_loss(L.x, L.y, L.y, reduction="a"),
    "hinge_int_mean": lambda L: L.F.hinge_embedding_loss(L.i, L.i),
    "cosine_embedding_target_2d": lambda L: L.F.cosine_embedding_loss(L.x, L.y, L.lib.ones(4, 1)),
    "cosine_embedding_1d_target_1d_inputs": lambda L: L.F.cosine_embedding_loss(
        L.x[0], L.y[0], L.lib.ones(4)),
    "cosine_embedding_0d_target_2d_inputs": lambda L: L.F.cosine_embedding_loss(
        L.x, L.y, L.t(1.0)),
    "poisson_reduction": lambda L: L.F.poisson_nll_loss(L.x, L.y, reduction="elementwise_mean"),
    "gaussian_negative_var": lambda L: L.F.gaussian_nll_loss(L.x, L.y, -L.lib.ones(4, 5)),
    "gaussian_negative_float_var": lambda L: L.F.gaussian_nll_loss(L.x, L.y, -1.0),
    "gaussian_int_var": lambda L: L.F.gaussian_nll_loss(L.x, L.y, 1),
    "gaussian_var_size": lambda L: L.F.gaussian_nll_loss(L.x, L.y, L.lib.ones(3)),
    "gaussian_var_two_dims_differ": lambda L: L.F.gaussian_nll_loss(L.x, L.y, L.lib.ones(1, 1)),
    "gaussian_reduction": lambda L: L.F.gaussian_nll_loss(L.x, L.y, L.lib.ones(4, 5),
                                                          reduction="a"),
    "multilabel_reduction": lambda L: L.F.multilabel_soft_margin_loss(L.x, L.y, reduction="a"),
    "multilabel_0d": lambda L: L.F.multilabel_soft_margin_loss(L.t(1.0), L.t(1.0)),
    "triplet_margin": lambda L: L.F.triplet_margin_loss(L.x, L.y, L.y, margin=0),
    "triplet_dims": lambda L: L.F.triplet_margin_loss(L.x, L.y, L.y[0]),
    "triplet_reduction_before_margin": lambda L: L.F.triplet_margin_loss(
        L.x, L.y, L.y, margin=-1, reduction="a"),
    "TripletMarginLoss_margin": lambda L: L.nn.TripletMarginLoss(margin=-1),
    "softmax2d_2d": lambda L: L.nn.Softmax2d()(L.x),
    "prelu_dtype": lambda L: L.F.prelu(L.x, L.lib.ones(1, dtype=L.lib.float64)),
    "prelu_count": lambda L: L.F.prelu(L.x, L.lib.ones(3)),
    "prelu_1d_input_count": lambda L: L.F.prelu(L.x[0], L.lib.ones(5)),
    "prelu_0d_input": lambda L: L.F.prelu(L.t(1.0), L.lib.ones(3)),
    "prelu_2d_weight": lambda L: L.F.prelu(L.x, L.lib.ones(1, 1)),
    "prelu_int": lambda L: L.F.prelu(L.i, L.t([1])),
    "prelu_weight_float": lambda L: L.F.prelu(L.x, 0.25),
    "prelu_input_float": lambda L: L.F.prelu(0.25, L.x),
    "dropout1d_4d": lambda L: L.F.dropout1d(L.lib.ones(2, 3, 4, 5)),
    "dropout1d_1d": lambda L: L.F.dropout1d(L.lib.ones(5)),
    "dropout1d_p": lambda L: L.F.dropout1d(L.x, 1.5),
    "dropout2d_p": lambda L: L.F.dropout2d(L.x, -0.1),
    "dropout2d_1d": lambda L: L.F.dropout2d(L.lib.ones(5)),
    "dropout3d_0d": lambda L: L.F.dropout3d(L.t(1.0)),
    "dropout2d_int": lambda L: L.F.dropout2d(L.lib.ones(2, 3, 4, dtype=L.lib.int64)),
    "alpha_dropout_p": lambda L: L.F.alpha_dropout(L.x, 2.0),
    "feature_alpha_dropout_1d": lambda L: L.F.feature_alpha_dropout(L.x[0], 0.5, True),
    "Dropout2d_p": lambda L: L.nn.Dropout2d(p=1.5),
}

# zerograd's core elementwise ops and mean() append a hint to torch's message (the shapes, or
# how to fix it); for these cases the message must start with torch's and go on with the hint.
CORE_HINT = {"hinge_int_mean": ". Fix: call .float() first"}


@requires_torch
@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_raises_like_torch(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as ez:
            BAD[name](_Lib(zerograd, ZF))
        with pytest.raises(Exception) as et:
            BAD[name](_Lib(torch, TF))
    assert ez.type is et.type
    hint = CORE_HINT.get(name)
    if hint is None:
        assert str(ez.value) == str(et.value)
    else:
        assert str(ez.value).startswith(str(et.value) + hint)


# raised by zerograd's core ops: torch's message + ". (shapes ... do not broadcast)"
SHAPE_ERRORS = {
    "kl_div": lambda L: L.F.kl_div(L.x, L.lib.ones(3), reduction="sum"),
    "margin_ranking": lambda L: L.F.margin_ranking_loss(L.x, L.y, L.lib.ones(1, 3)),
    "poisson": lambda L: L.F.poisson_nll_loss(L.x, L.lib.ones(3)),
    "multilabel": lambda L: L.F.multilabel_soft_margin_loss(L.x, L.lib.ones(3)),
    "triplet": lambda L: L.F.triplet_margin_loss(L.x, L.y, L.lib.ones(4, 3)),
    "pairwise_distance": lambda L: L.F.pairwise_distance(L.x, L.lib.ones(3)),
    "cosine_embedding": lambda L: L.F.cosine_embedding_loss(L.x, L.lib.ones(4, 3), L.lib.ones(4)),
}


@requires_torch
@pytest.mark.parametrize("name", sorted(SHAPE_ERRORS))
def test_shape_errors_of_composites_start_with_torchs_message(name):
    with pytest.raises(RuntimeError) as ez:
        SHAPE_ERRORS[name](_Lib(zerograd, ZF))
    with pytest.raises(RuntimeError) as et:
        SHAPE_ERRORS[name](_Lib(torch, TF))
    assert str(ez.value).startswith(str(et.value))
    assert str(ez.value)[len(str(et.value)):].startswith(". (shapes")


WARN = {
    "huber_size": lambda L: L.F.huber_loss(L.x, L.y[0]),
    "huber_elementwise_mean": lambda L: L.F.huber_loss(L.x, L.y, reduction="elementwise_mean"),
    "kl_div_mean": lambda L: L.F.kl_div(L.x, L.y),
    "kl_div_batchmean": lambda L: L.F.kl_div(L.x, L.y, reduction="batchmean"),
    "kl_div_legacy": lambda L: L.F.kl_div(L.x, L.y, reduce=False),
    "soft_margin_legacy": lambda L: L.F.soft_margin_loss(L.x, L.y, size_average=False),
    "margin_ranking_legacy": lambda L: L.F.margin_ranking_loss(L.x, L.y, L.y, size_average=True),
    "hinge_legacy": lambda L: L.F.hinge_embedding_loss(L.x, L.y, reduce=False, size_average=False),
    "poisson_legacy": lambda L: L.F.poisson_nll_loss(L.x, L.y, reduce=True),
    "multilabel_legacy": lambda L: L.F.multilabel_soft_margin_loss(L.x, L.y, size_average=False),
    "triplet_legacy": lambda L: L.F.triplet_margin_loss(L.x, L.y, L.y, reduce=False),
    "TripletMarginLoss_legacy": lambda L: L.nn.TripletMarginLoss(size_average=False),
    "gaussian_none": lambda L: L.F.gaussian_nll_loss(L.x, L.y, L.x.abs()),
    "softmin_implicit_dim": lambda L: L.F.softmin(L.x),
    "Softmin_implicit_dim": lambda L: L.nn.Softmin()(L.x),
    "dropout2d_2d": lambda L: L.F.dropout2d(L.x),
    "dropout2d_3d": lambda L: L.F.dropout2d(L.x[None]),
    "dropout2d_5d": lambda L: L.F.dropout2d(L.x[None, None, None]),
    "dropout2d_4d": lambda L: L.F.dropout2d(L.x[None, None]),
    "dropout3d_3d": lambda L: L.F.dropout3d(L.x[None]),
    "dropout3d_6d": lambda L: L.F.dropout3d(L.x[None, None, None, None], training=False),
    "Dropout3d_4d": lambda L: L.nn.Dropout3d()(L.x[None, None]),
    "dropout1d_3d": lambda L: L.F.dropout1d(L.x[None]),
}


@requires_torch
@pytest.mark.parametrize("name", sorted(WARN))
def test_warnings_are_torchs(name):
    got = []
    for lib, F in ((zerograd, ZF), (torch, TF)):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            WARN[name](_Lib(lib, F))
        got.append([(x.category, str(x.message)) for x in w])
    assert got[0] == got[1]


def test_warnings_point_at_the_caller():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        ZF.kl_div(zerograd.zeros(2), zerograd.zeros(2))
        ZF.dropout2d(zerograd.zeros(2, 3))
        ZF.poisson_nll_loss(zerograd.zeros(2), zerograd.zeros(2), size_average=False)
    assert [x.filename for x in w] == [__file__] * 3


# ----------------------------------------------------------------------------------------------
# dropout family
# ----------------------------------------------------------------------------------------------

def _channel_scales(out, x, feature_shape):
    """out / x per element, checked constant over each channel; returns the per-channel values."""
    ratio = out / x
    per = ratio.reshape(feature_shape + (-1,))
    np.testing.assert_allclose(per, per[..., :1] * np.ones_like(per), rtol=1e-6)
    return per[..., 0]


@pytest.mark.parametrize("fn, shape, feature", [
    (ZF.dropout1d, (30, 40, 7), (30, 40)),
    (ZF.dropout1d, (40, 9), (40,)),
    (ZF.dropout2d, (20, 30, 3, 4), (20, 30)),
    (ZF.dropout3d, (10, 20, 2, 3, 2), (10, 20)),
    (ZF.dropout3d, (60, 2, 3, 2), (60,)),
])
def test_channel_dropout_zeroes_whole_channels_and_scales(fn, shape, feature):
    zerograd.manual_seed(0)
    x = zerograd.tensor(RNG.random(shape) + 0.5, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = fn(x, p=0.3)
    scales = _channel_scales(y.detach().numpy(), x.detach().numpy(), feature)
    kept = scales != 0
    np.testing.assert_allclose(scales[kept], 1 / 0.7, rtol=1e-6)
    assert abs(kept.mean() - 0.7) < 0.1
    assert 0 < kept.sum() < kept.size
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), (y / x).detach().numpy(), rtol=1e-6)


@requires_torch
@pytest.mark.parametrize("fname, shape", [("dropout1d", (3, 4, 5)), ("dropout1d", (4, 5)),
                                          ("dropout2d", (2, 3, 4, 5)), ("dropout3d", (2, 3, 4, 5)),
                                          ("dropout3d", (2, 3, 4, 5, 1)),
                                          ("alpha_dropout", (4, 5)),
                                          ("feature_alpha_dropout", (2, 3, 4))])
@pytest.mark.parametrize("p, training", [(0.0, True), (1.0, True), (0.5, False), (0.4, True)])
def test_dropout_graph_identity_and_extremes_as_torch(fname, shape, p, training):
    """p = 0 and eval mode return the input (a view of it for unbatched inputs, as torch), p = 1
    multiplies by zero; the node on top is torch's in every case."""
    res = []
    for lib, F in ((zerograd, ZF), (torch, TF)):
        x = lib.ones(shape, dtype=lib.float64, requires_grad=True)
        y = getattr(F, fname)(x, p, training)
        res.append((y is x, y.grad_fn.name() if y.grad_fn else None, tuple(y.shape),
                    (y.detach().numpy() == 0).all() if p == 1.0 else None,
                    None if (p, training) == (0.4, True) else y.detach().numpy().tolist()))
    assert res[0] == res[1]


@pytest.mark.parametrize("feature", [False, True])
def test_alpha_dropout_keeps_selu_statistics(feature):
    zerograd.manual_seed(1)
    x = zerograd.randn(200, 50, 40, dtype=zerograd.float64)
    f = ZF.feature_alpha_dropout if feature else ZF.alpha_dropout
    y = f(x, 0.2, training=True).numpy()
    assert abs(y.mean()) < 0.05 and abs(y.std() - 1) < 0.05
    assert (f(x, 0.2) is x) and (zerograd.nn.AlphaDropout(0.2).eval()(x) is x)


@requires_torch
@pytest.mark.parametrize("fname, shape", [("alpha_dropout", (50, 40)),
                                          ("feature_alpha_dropout", (50, 40, 3))])
def test_alpha_dropout_values_are_torchs_affine_maps(fname, shape):
    """Every output element of torch's and zerograd's alpha dropout is one of the two affine
    maps of its input: a·x + α·a·p (kept) or α·a·(p - 1) (dropped), with α = -SELU's
    scale·alpha."""
    p, alpha = 0.3, 1.7580993408473766
    a = 1 / math.sqrt((alpha ** 2 * p + 1) * (1 - p))
    x = randn(*shape)
    for lib, F in ((zerograd, ZF), (torch, TF)):
        y = getattr(F, fname)(lib.tensor(x), p, True).numpy()
        kept = np.isclose(y, a * x + alpha * a * p, rtol=1e-12, atol=1e-12)
        dropped = np.isclose(y, alpha * a * (p - 1), rtol=1e-12, atol=1e-12)
        assert (kept | dropped).all() and kept.any() and dropped.any()
        if fname == "feature_alpha_dropout":
            assert (dropped == dropped[:, :, :1]).all()


def test_inplace_channel_dropout_changes_the_input():
    zerograd.manual_seed(2)
    for f, shape in [(ZF.dropout1d, (8, 6)), (ZF.dropout2d, (4, 8, 2, 3)), (ZF.dropout3d,
                                                                             (8, 2, 2, 3))]:
        x = zerograd.ones(shape)
        y = f(x, 0.5, inplace=True)
        assert y is x
        vals = np.unique(x.numpy())
        assert set(vals.tolist()) == {0.0, 2.0}
    x = zerograd.randn(4, 5, 2)
    before = x.numpy().copy()
    y = ZF.alpha_dropout(x, 0.5, True, inplace=True)
    assert y is x and not np.array_equal(x.numpy(), before)


@requires_torch
def test_dropout_modules_repr_and_modes():
    for name, shape in [("Dropout", (2, 3)), ("Dropout1d", (2, 3, 4)), ("Dropout2d", (2, 3, 4, 5)),
                        ("Dropout3d", (2, 3, 4, 5, 6)), ("AlphaDropout", (2, 3)),
                        ("FeatureAlphaDropout", (2, 3, 4))]:
        for kw in [{}, dict(p=0.2, inplace=True)]:
            zm, tm = getattr(zerograd.nn, name)(**kw), getattr(torch.nn, name)(**kw)
            assert repr(zm) == repr(tm)
            x, tx = zerograd.randn(*shape), torch.randn(*shape)
            assert zm.training and (zm(x) is x) == (tm(tx) is tx)     # (in place: itself)
            zm.eval()
            assert zm(x) is x
    m = zerograd.nn.Dropout2d(1.0)
    assert (m(zerograd.ones(2, 3, 4, 5)).numpy() == 0).all()


# ----------------------------------------------------------------------------------------------
# reprs and snippets printed by both libraries
# ----------------------------------------------------------------------------------------------

MODULES = [
    ("CosineSimilarity", {}), ("CosineSimilarity", dict(dim=0, eps=0.1)),
    ("PairwiseDistance", {}), ("PairwiseDistance", dict(p=1.0, keepdim=True)),
    ("HuberLoss", {}), ("HuberLoss", dict(reduction="sum", delta=2)),
    ("KLDivLoss", dict(reduction="batchmean", log_target=True)),
    ("SoftMarginLoss", {}), ("MarginRankingLoss", dict(margin=1.0)),
    ("HingeEmbeddingLoss", {}), ("CosineEmbeddingLoss", dict(margin=0.5)),
    ("PoissonNLLLoss", dict(log_input=False, full=True)), ("GaussianNLLLoss", dict(full=True)),
    ("MultiLabelSoftMarginLoss", {}), ("TripletMarginLoss", dict(margin=2.0, swap=True)),
    ("Softmin", {}), ("Softmin", dict(dim=1)), ("Softmax2d", {}),
    ("PReLU", {}), ("PReLU", dict(num_parameters=4, init=0.1)),
]


@requires_torch
@pytest.mark.parametrize("name, kwargs", MODULES)
def test_module_repr_attributes_and_state_dict_as_torch(name, kwargs):
    zm, tm = getattr(zerograd.nn, name)(**kwargs), getattr(torch.nn, name)(**kwargs)
    assert repr(zm) == repr(tm)
    assert list(zm.state_dict()) == list(tm.state_dict())
    public = {k: v for k, v in vars(tm).items() if not k.startswith("_") and k != "training"}
    for k, v in public.items():
        assert getattr(zm, k) == v, k
    assert zm.training and tm.training


ADDR = re.compile(r"0x[0-9a-fA-F]+")


def run_snippet(code, lib):
    """Run code with torch/nn/F bound to lib; `err(f)` prints the exception f() raises."""
    out = io.StringIO()

    def err(f):
        try:
            f()
        except Exception as e:  # noqa: BLE001 - the point is to print it
            print(type(e).__name__, e)
        else:
            print("no error")
    env = {"torch": lib, "nn": lib.nn, "F": lib.nn.functional, "err": err}
    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(textwrap.dedent(code), env)
    return ADDR.sub("0x…", out.getvalue())


def same_as_torch(code):
    mine = run_snippet(code, zerograd)
    theirs = run_snippet(code, torch)
    assert mine == theirs, f"zerograd printed:\n{mine}\ntorch printed:\n{theirs}"
    return mine


@requires_torch
def test_parameter_list_as_torch():
    out = same_as_torch("""
        pl = nn.ParameterList([nn.Parameter(torch.zeros(2, 3)), torch.ones(4)])
        print(pl, len(pl))
        print([type(p).__name__ for p in pl], [p.requires_grad for p in pl])
        pl.append(torch.zeros(1, dtype=torch.float64))
        pl.extend([nn.Parameter(torch.zeros(2), requires_grad=False), "text", 3])
        pl += (torch.ones(()),)
        print(pl)
        print(len(pl), [n for n, _ in pl.named_parameters()], list(pl.state_dict()))
        print(pl[-1].shape, pl[4], pl[5], type(pl[1:4]).__name__, len(pl[::2]), len(pl[10:]))
        print(pl[1:4])
        pl[0] = torch.full((1,), 2.0)
        print(type(pl[0]).__name__, pl[0].tolist(), pl[-7] is pl[0])
        pl[4] = torch.ones(3)
        print(list(pl.state_dict()), pl[4].shape)
        err(lambda: pl[7])
        err(lambda: pl[-8])
        err(lambda: pl.__setitem__(8, torch.ones(1)))
        err(lambda: pl.__setitem__("a", torch.ones(1)))
        err(lambda: pl.extend(torch.ones(2)))
        err(lambda: pl.extend(5))
        err(lambda: pl())
        err(lambda: pl.insert(0, torch.ones(1)))
        err(lambda: pl.append(torch.ones(2, dtype=torch.int64)))
        print(len(pl))
        err(lambda: pl.__setitem__(1, 7))
        print([k for k in dir(pl) if k.isdigit()], nn.ParameterList(), nn.ParameterList([]))
        print(nn.ParameterList([torch.zeros(2)]))
        one = nn.ParameterList([nn.Linear(2, 1)])
        print(one, [n for n, _ in one.named_parameters()])
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.ws = nn.ParameterList([torch.zeros(2, 2) for _ in range(2)])
                self.bias = nn.Parameter(torch.zeros(2))
        net = Net()
        print(net)
        print([n for n, _ in net.named_parameters()], list(net.state_dict()))
        net.load_state_dict({"ws.0": torch.ones(2, 2), "ws.1": torch.full((2, 2), 3.0),
                             "bias": torch.ones(2)})
        print([p.sum().item() for p in net.ws], net.double().ws[1].dtype)
        net.ws.append(torch.zeros(1))
        print(list(net.state_dict()), sum(p.numel() for p in net.parameters()))
    """)
    assert "Parameter containing: [torch.float32 of size 2x3]" in out


@requires_torch
def test_parameter_dict_as_torch():
    out = same_as_torch("""
        pd = nn.ParameterDict({"b": torch.zeros(2), "a": nn.Parameter(torch.ones(3, 1))})
        print(pd, len(pd), list(pd), list(pd.keys()))
        print([type(v).__name__ for v in pd.values()], [k for k, _ in pd.items()])
        pd["c"] = torch.zeros(1, dtype=torch.float64)
        pd["note"] = "text"
        pd.update([("d", torch.ones(2)), ["e", nn.Parameter(torch.ones(1), requires_grad=False)]])
        print(pd)
        print([n for n, _ in pd.named_parameters()], list(pd.state_dict()))
        print("a" in pd, "z" in pd, list(reversed(pd)), pd.get("z"), pd.get("z", 5))
        print(pd.setdefault("a").shape, pd.setdefault("f", torch.ones(2)).shape, list(pd))
        print(pd.pop("b").shape, list(pd), pd.popitem()[0], list(pd))
        del pd["c"]
        print(list(pd), list(pd.state_dict()))
        cp = pd.copy()
        print(type(cp).__name__, list(cp), cp["a"] is pd["a"])
        fk = pd.fromkeys(["x", "y"], torch.zeros(1))
        print(list(fk), [n for n, _ in fk.named_parameters()])
        other = nn.ParameterDict({"z": torch.ones(1)})
        print(list(pd | other), list(other | pd))
        other |= {"y": torch.ones(1), "x": torch.ones(1)}
        print(list(other))
        from collections import OrderedDict
        od = nn.ParameterDict(OrderedDict([("q", torch.ones(1)), ("p", torch.ones(1))]))
        print(list(od))
        err(lambda: pd["missing"])
        err(lambda: pd[1])
        err(lambda: pd.update(5))
        err(lambda: pd.update([("k", torch.ones(1)), 3]))
        err(lambda: pd.update([("k2", torch.ones(1)), ("a", "b", "c")]))
        print(list(pd))
        err(lambda: pd(torch.ones(1)))
        err(lambda: nn.ParameterDict().popitem())
        err(lambda: pd.__delitem__("nope"))
        bad = nn.ParameterDict()
        err(lambda: bad.__setitem__(2, torch.ones(1)))
        err(lambda: bad.__setitem__("x.y", torch.ones(1)))
        print(list(bad._keys), list(bad.state_dict()))
        pd.clear()
        print(pd, len(pd), list(pd.state_dict()))
        print(nn.ParameterDict({"w": torch.zeros(2, 2)}))
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.heads = nn.ParameterDict({"left": torch.zeros(2), "right": torch.zeros(3)})
        net = Net()
        print(net, list(net.state_dict()))
        net.load_state_dict({"heads.left": torch.ones(2), "heads.right": torch.ones(3)})
        print(net.heads["right"].sum().item(), net.double().heads["left"].dtype)
    """)
    assert "(a): Parameter containing: [torch.FloatTensor of size 3x1]" in out


@requires_torch
def test_loss_modules_as_torch():
    same_as_torch("""
        torch.manual_seed(0)
        x = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]])
        y = torch.tensor([[1.0, -1.0, 1.0], [-1.0, 1.0, 1.0]])
        for m in [nn.HuberLoss(delta=0.5), nn.SoftMarginLoss(), nn.HingeEmbeddingLoss(0.5),
                  nn.MultiLabelSoftMarginLoss(weight=torch.tensor([1.0, 2.0, 0.5])),
                  nn.PoissonNLLLoss(), nn.KLDivLoss(reduction="sum")]:
            print(m, m.reduction, round(m(x, y).item(), 5), list(m.state_dict()))
        print(round(nn.GaussianNLLLoss()(x, y, torch.ones(2, 3)).item(), 5))
        for m in [nn.MarginRankingLoss(0.1), nn.CosineEmbeddingLoss(0.2)]:
            t = y[:, 0] if isinstance(m, nn.CosineEmbeddingLoss) else y
            print(m, round(m(x, x.flip(1), t).item(), 5))
        print(round(nn.TripletMarginLoss(swap=True)(x, y, x.flip(0)).item(), 5))
        print(nn.PairwiseDistance(keepdim=True)(x, y).shape, nn.CosineSimilarity(0)(x, y).shape)
        print(nn.KLDivLoss(size_average=False).reduction, nn.SoftMarginLoss(reduce=False).reduction)
        err(lambda: nn.GaussianNLLLoss(True))
        err(lambda: nn.HuberLoss("mean", 1.0, 2))
    """)


@requires_torch
def test_signatures_and_defaults_are_torchs():
    import inspect

    def params(f, drop=()):
        return [(p.name, p.default, p.kind) for p in inspect.signature(f).parameters.values()
                if p.name not in drop]
    for n in ["huber_loss", "kl_div", "soft_margin_loss", "margin_ranking_loss",
              "hinge_embedding_loss", "cosine_embedding_loss", "poisson_nll_loss",
              "gaussian_nll_loss", "multilabel_soft_margin_loss", "triplet_margin_loss",
              "softmin", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
              "feature_alpha_dropout"]:
        assert params(getattr(ZF, n)) == params(getattr(TF, n)), n
        assert n in ZF.__all__
    assert params(ZF.normalize) == params(TF.normalize, drop=("out",))
    for n in ["CosineSimilarity", "PairwiseDistance", "HuberLoss", "KLDivLoss", "SoftMarginLoss",
              "MarginRankingLoss", "HingeEmbeddingLoss", "CosineEmbeddingLoss", "PoissonNLLLoss",
              "GaussianNLLLoss", "MultiLabelSoftMarginLoss", "TripletMarginLoss", "Softmin",
              "PReLU", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
              "FeatureAlphaDropout", "ParameterList", "ParameterDict"]:
        z, t = getattr(zerograd.nn, n), getattr(torch.nn, n)
        assert params(z.__init__) == params(t.__init__), n
        assert params(z.forward) == params(t.forward), n
    for n in ["normalize", "cosine_similarity", "pairwise_distance", "prelu"]:
        assert n in ZF.__all__


@requires_torch
def test_tensor_prelu_method_as_torch():
    def run(L):
        x = L.tensor([[-1.0, 2.0], [3.0, -4.0]], requires_grad=True)
        w = L.tensor([0.25, 0.5], requires_grad=True)
        y = x.prelu(w)
        y.sum().backward()
        return repr(y), x.grad.tolist(), w.grad.tolist()
    assert run(zerograd) == run(torch)
