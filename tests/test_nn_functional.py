"""zerograd.nn.functional against torch.nn.functional: values, gradients, node names, errors.

Every case builds the same inputs in both libraries, runs forward, backpropagates the same random
`grad_output`, and compares outputs and input gradients (float64 tightly, float32 loosely).  The
fused ops are also gradchecked and gradgradchecked (their backward is differentiable).
"""
import warnings

import numpy as np
import pytest

import zerograd
import zerograd.nn.functional as ZF
from zerograd.autograd import gradcheck, gradgradcheck
from tests._oracle import requires_torch, torch

TF = torch.nn.functional if torch is not None else None
RNG = np.random.default_rng(1234)

# ----------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------


def _tensor(lib, a, dtype, rg):
    if isinstance(a, np.ndarray) and a.dtype.kind == "f":
        t = lib.tensor(a, dtype=getattr(lib, dtype))
        return t.requires_grad_(rg)
    return lib.tensor(a)


def compare(fz, ft, arrays, dtype="float64", grads=None, tol=None):
    """Run fz on zerograd tensors and ft on torch tensors made from `arrays`; compare the
    outputs and the gradients of the float arrays listed in `grads` (default: all float)."""
    tol = tol or (1e-10 if dtype == "float64" else 2e-5)
    if grads is None:
        grads = [isinstance(a, np.ndarray) and a.dtype.kind == "f" for a in arrays]
    zs = [_tensor(zerograd, a, dtype, g) for a, g in zip(arrays, grads)]
    ts = [_tensor(torch, a, dtype, g) for a, g in zip(arrays, grads)]
    oz, ot = fz(*zs), ft(*ts)
    np.testing.assert_allclose(oz.detach().numpy(), ot.detach().numpy(), rtol=tol, atol=tol)
    assert str(oz.dtype) == str(ot.dtype)
    if ot.requires_grad:
        g = RNG.standard_normal(tuple(ot.shape))
        oz.backward(zerograd.tensor(g, dtype=oz.dtype))
        ot.backward(torch.tensor(g, dtype=ot.dtype))
        for z, t, need in zip(zs, ts, grads):
            if need:
                np.testing.assert_allclose(z.grad.numpy(), t.grad.numpy(), rtol=tol, atol=tol)
    return oz, ot


def randn(*shape):
    return RNG.standard_normal(shape)


X = randn(4, 5)
Y = randn(4, 5)
W5 = RNG.random(5) + 0.5
T4 = np.array([1, 0, 4, 2])
T4_IGN = np.array([1, -100, 4, 2])
PROBS = RNG.random((4, 5))
X3 = randn(2, 5, 3)
T3 = np.array([[1, 0, 4], [2, 2, -100]])
X4 = randn(2, 5, 3, 2)
T4D = RNG.integers(0, 5, (2, 3, 2))
SIG = 1 / (1 + np.exp(-randn(4, 5)))
U01 = RNG.random((4, 5))


def lib_call(name, *a, **kw):
    """A pair (zerograd fn, torch fn) calling F.<name>(*inputs, *a, **kw), with every numpy
    array in a/kw turned into the library's tensor."""
    def make(lib, F):
        def call(*inputs):
            def conv(v):     # float constants in the inputs' dtype, index arrays as they are
                if not isinstance(v, np.ndarray):
                    return v
                return lib.tensor(v, dtype=inputs[0].dtype) if v.dtype.kind == "f" else \
                    lib.tensor(v)
            return getattr(F, name)(*inputs, *[conv(v) for v in a],
                                    **{k: conv(v) for k, v in kw.items()})
        return call
    return make(zerograd, ZF), (make(torch, TF) if torch is not None else None)


def both(make):
    """(make(zerograd, F), make(torch, F)) for a make(lib, F) -> callable."""
    return make(zerograd, ZF), (make(torch, TF) if torch is not None else None)


IDX2 = np.array([[1, 2, 1], [0, 9, 1]])

CASES = {
    # name: ((zerograd fn, torch fn), inputs)
    "linear": (lib_call("linear"), [X, randn(3, 5), randn(3)]),
    "linear_3d": (lib_call("linear"), [X3.transpose(0, 2, 1).copy(), randn(3, 5), randn(3)]),
    "linear_1d": (lib_call("linear"), [randn(5), randn(3, 5), randn(3)]),
    "linear_nobias": (lib_call("linear"), [X3.transpose(0, 2, 1).copy(), randn(3, 5)]),
    "linear_noncontig": (lib_call("linear"), [X3, randn(2, 3)]),
    "relu": (lib_call("relu"), [X]),
    "gelu": (lib_call("gelu"), [X]),
    "gelu_tanh": (lib_call("gelu", approximate="tanh"), [X]),
    "silu": (lib_call("silu"), [X]),
    "tanh": (lib_call("tanh"), [X]),
    "sigmoid": (lib_call("sigmoid"), [X]),
    "softmax": (lib_call("softmax", dim=1), [X]),
    "softmax_dim0_3d": (lib_call("softmax", dim=0), [X3]),
    "log_softmax": (lib_call("log_softmax", dim=-1), [X3]),
    "layer_norm": (both(lambda L, F: lambda x, w, b: F.layer_norm(x, (5,), w, b)),
                   [X3.transpose(0, 2, 1).copy(), randn(5), randn(5)]),
    "layer_norm_2dims_noaffine": (lib_call("layer_norm", (5, 3)), [X3]),
    "layer_norm_eps": (lib_call("layer_norm", [3], None, None, 0.1), [X3]),
    "rms_norm": (both(lambda L, F: lambda x, w: F.rms_norm(x, [5], w)), [X, randn(5)]),
    "rms_norm_noweight_eps": (lib_call("rms_norm", (5, 3), None, 1e-3), [X3]),
    "embedding": (both(lambda L, F: lambda w: F.embedding(L.tensor(IDX2), w)), [randn(10, 3)]),
    "embedding_padding": (both(lambda L, F: lambda w: F.embedding(L.tensor(IDX2), w, 1)),
                          [randn(10, 3)]),
    "embedding_neg_padding": (
        both(lambda L, F: lambda w: F.embedding(L.tensor([3, 9, 9]), w, padding_idx=-1)),
        [randn(10, 3)]),
    "embedding_freq": (both(lambda L, F: lambda w: F.embedding(L.tensor(IDX2), w,
                                                               scale_grad_by_freq=True)),
                       [randn(10, 3)]),
    "pad": (lib_call("pad", (1, 2)), [X]),
    "pad_crop_value": (lib_call("pad", (1, -2, -1, 1), value=3.5), [X]),
    "pad_3d": (lib_call("pad", (0, 0, 1, 1, 2, 0)), [X3]),
    "pad_reflect": (lib_call("pad", (2, 1), mode="reflect"), [X3]),
    "pad_reflect_2d_crop": (lib_call("pad", (1, 0, -1, 2), mode="reflect"), [X4]),
    "pad_replicate": (lib_call("pad", (3, 1, 0, 2), mode="replicate"), [X3]),
    "pad_replicate_3d": (lib_call("pad", (1, 1, 2, 0, 1, 1), mode="replicate"), [X4]),
    "pad_circular": (lib_call("pad", (2, 3, -1, 1), mode="circular"), [X3]),
    "cross_entropy": (lib_call("cross_entropy", T4), [X]),
    "cross_entropy_sum": (lib_call("cross_entropy", T4, reduction="sum"), [X]),
    "cross_entropy_none": (lib_call("cross_entropy", T4, reduction="none"), [X]),
    "cross_entropy_weight_ignore": (lib_call("cross_entropy", T4_IGN, weight=W5), [X]),
    "cross_entropy_ignore_custom": (lib_call("cross_entropy", T4, ignore_index=4), [X]),
    "cross_entropy_smoothing": (lib_call("cross_entropy", T4_IGN, label_smoothing=0.2), [X]),
    "cross_entropy_smoothing_weight_none": (
        lib_call("cross_entropy", T4_IGN, weight=W5, label_smoothing=0.3, reduction="none"), [X]),
    "cross_entropy_smoothing_weight_sum": (
        lib_call("cross_entropy", T4_IGN, weight=W5, label_smoothing=0.3, reduction="sum"), [X]),
    "cross_entropy_1d": (lib_call("cross_entropy", np.array(3)), [X[0]]),
    "cross_entropy_kdim": (lib_call("cross_entropy", T3, weight=W5), [X3]),
    "cross_entropy_kdim_none": (lib_call("cross_entropy", T3, reduction="none"), [X3]),
    "cross_entropy_4d_smooth": (lib_call("cross_entropy", T4D, label_smoothing=0.1), [X4]),
    "cross_entropy_probs": (lib_call("cross_entropy"), [X, PROBS]),
    "cross_entropy_probs_weight_smooth": (
        lib_call("cross_entropy", weight=W5, label_smoothing=0.25), [X, PROBS]),
    "cross_entropy_probs_sum": (lib_call("cross_entropy", reduction="sum"), [X, PROBS]),
    "cross_entropy_probs_none_kdim": (lib_call("cross_entropy", reduction="none"),
                                      [X3, RNG.random((2, 5, 3))]),
    "nll_loss": (lib_call("nll_loss", T4), [X]),
    "nll_loss_weight_ignore_sum": (lib_call("nll_loss", T4_IGN, weight=W5, reduction="sum"), [X]),
    "nll_loss_none_kdim": (lib_call("nll_loss", T3, reduction="none"), [X3]),
    "mse_loss": (lib_call("mse_loss"), [X, Y]),
    "mse_loss_sum": (lib_call("mse_loss", reduction="sum"), [X, Y]),
    "mse_loss_none": (lib_call("mse_loss", reduction="none"), [X, Y]),
    "mse_loss_weight": (lib_call("mse_loss", weight=U01), [X, Y]),
    "l1_loss": (lib_call("l1_loss"), [X, Y]),
    "l1_loss_none": (lib_call("l1_loss", reduction="none"), [X, Y]),
    "smooth_l1_loss": (lib_call("smooth_l1_loss"), [X * 2, Y]),
    "smooth_l1_loss_beta": (lib_call("smooth_l1_loss", reduction="none", beta=0.3), [X, Y]),
    "smooth_l1_loss_beta0": (lib_call("smooth_l1_loss", beta=0.0), [X, Y]),
    "binary_cross_entropy": (lib_call("binary_cross_entropy"), [SIG, U01]),
    "binary_cross_entropy_weight_sum": (
        lib_call("binary_cross_entropy", weight=W5, reduction="sum"), [SIG, U01]),
    "binary_cross_entropy_none": (lib_call("binary_cross_entropy", reduction="none"), [SIG, U01]),
    "bce_with_logits": (lib_call("binary_cross_entropy_with_logits"), [X * 3, U01]),
    "bce_with_logits_weights": (lib_call("binary_cross_entropy_with_logits", weight=W5,
                                         pos_weight=W5 * 2, reduction="none"), [X * 3, U01]),
    "sdpa": (lib_call("scaled_dot_product_attention"), [randn(2, 4, 8), randn(2, 6, 8),
                                                        randn(2, 6, 8)]),
    "sdpa_causal_4d": (lib_call("scaled_dot_product_attention", is_causal=True),
                       [randn(2, 2, 5, 4), randn(2, 2, 5, 4), randn(2, 2, 5, 4)]),
    "sdpa_bool_mask_scale": (
        lib_call("scaled_dot_product_attention", np.tril(np.ones((4, 6), bool), 2), scale=0.3),
        [randn(2, 4, 8), randn(2, 6, 8), randn(2, 6, 8)]),
    "sdpa_float_mask": (lib_call("scaled_dot_product_attention", randn(2, 1, 4, 6)),
                        [randn(2, 3, 4, 8), randn(2, 3, 6, 8), randn(2, 3, 6, 8)]),
}


@requires_torch
@pytest.mark.parametrize("name", sorted(CASES))
def test_parity_float64(name):
    (fz, ft), arrays = CASES[name]
    compare(fz, ft, arrays, "float64")


@requires_torch
@pytest.mark.parametrize("name", sorted(CASES))
def test_parity_float32(name):
    (fz, ft), arrays = CASES[name]
    compare(fz, ft, arrays, "float32")


@requires_torch
@pytest.mark.parametrize("name", sorted(n for n in CASES if not n.startswith("sdpa")
                                        or n.endswith(("4d", "mask"))))
def test_node_name_is_torchs(name):
    # (3-D scaled_dot_product_attention is left out: torch views it to 4-D around its fused
    # node, zerograd composes matmul and softmax; 4-D inputs get the fused node in both)
    (fz, ft), arrays = CASES[name]
    oz, ot = compare(fz, ft, arrays, "float64")
    assert oz.grad_fn.name() == ot.grad_fn.name()


def test_linear_graph_is_addmm_t_accumulategrad():
    x = zerograd.randn(3, 5)
    w = zerograd.randn(2, 5, requires_grad=True)
    b = zerograd.randn(2, requires_grad=True)
    y = ZF.linear(x, w, b)
    node = y.grad_fn
    assert node.name() == "AddmmBackward0"
    names = [(f.name() if f is not None else None) for f, _ in node.next_functions]
    assert names == ["torch::autograd::AccumulateGrad", None, "TBackward0"]
    assert node.next_functions[0][0].variable is b
    assert node.next_functions[2][0].next_functions[0][0].variable is w


# ----------------------------------------------------------------------------------------------
# gradcheck / gradgradcheck of the fused ops (float64)
# ----------------------------------------------------------------------------------------------

def _t(a, rg=True):
    return zerograd.tensor(a, dtype=zerograd.float64, requires_grad=rg)


IDX = zerograd.tensor([1, 0, 3])
WCLS = zerograd.tensor(RNG.random(4) + 0.5, dtype=zerograd.float64)
SDPA_MASK = zerograd.tensor(np.random.default_rng(5).standard_normal((2, 1, 3, 4)))

GG = {
    "softmax": (lambda x: ZF.softmax(x, 1), lambda: (_t(randn(3, 4)),)),
    "log_softmax": (lambda x: ZF.log_softmax(x, 0), lambda: (_t(randn(3, 4)),)),
    "cross_entropy": (lambda x: ZF.cross_entropy(x, IDX), lambda: (_t(randn(3, 4)),)),
    "cross_entropy_all_options": (
        lambda x: ZF.cross_entropy(x, zerograd.tensor([1, -100, 3]), weight=WCLS,
                                   reduction="none", label_smoothing=0.3),
        lambda: (_t(randn(3, 4)),)),
    "cross_entropy_probs": (lambda x, p: ZF.cross_entropy(x, p, weight=WCLS, label_smoothing=0.2),
                            lambda: (_t(randn(3, 4)), _t(RNG.random((3, 4))))),
    "nll_loss": (lambda x: ZF.nll_loss(x, IDX, weight=WCLS), lambda: (_t(randn(3, 4)),)),
    "layer_norm": (lambda x, w, b: ZF.layer_norm(x, (4,), w, b),
                   lambda: (_t(randn(3, 4)), _t(randn(4)), _t(randn(4)))),
    "layer_norm_noaffine": (lambda x: ZF.layer_norm(x, (3, 4)), lambda: (_t(randn(2, 3, 4)),)),
    "rms_norm": (lambda x, w: ZF.rms_norm(x, (4,), w), lambda: (_t(randn(3, 4)), _t(randn(4)))),
    "gelu": (ZF.gelu, lambda: (_t(randn(3, 4)),)),
    "gelu_tanh": (lambda x: ZF.gelu(x, approximate="tanh"), lambda: (_t(randn(3, 4)),)),
    "silu": (ZF.silu, lambda: (_t(randn(3, 4)),)),
    "embedding": (lambda w: ZF.embedding(zerograd.tensor([[0, 2], [2, 2]]), w),
                  lambda: (_t(randn(3, 4)),)),
    "pad": (lambda x: ZF.pad(x, (1, -1, 2, 0), value=1.5), lambda: (_t(randn(3, 4)),)),
    "pad_reflect": (lambda x: ZF.pad(x, (2, 1, 1, 1), mode="reflect"),
                    lambda: (_t(randn(1, 3, 4)),)),
    "pad_replicate": (lambda x: ZF.pad(x, (2, -1), mode="replicate"), lambda: (_t(randn(2, 4)),)),
    "pad_circular": (lambda x: ZF.pad(x, (1, 2, 0, 1), mode="circular"),
                     lambda: (_t(randn(1, 2, 3)),)),
    "mse_loss": (ZF.mse_loss, lambda: (_t(randn(3, 4)), _t(randn(3, 4)))),
    "smooth_l1_loss": (lambda x, y: ZF.smooth_l1_loss(x, y, beta=0.7),
                       lambda: (_t(randn(3, 4)), _t(randn(3, 4)))),
    "binary_cross_entropy": (lambda x, y: ZF.binary_cross_entropy(x, y, weight=WCLS),
                             lambda: (_t(RNG.random((3, 4)) * 0.8 + 0.1), _t(RNG.random((3, 4))))),
    "bce_with_logits": (lambda x, y: ZF.binary_cross_entropy_with_logits(x, y, WCLS,
                                                                         pos_weight=WCLS),
                        lambda: (_t(randn(3, 4)), _t(RNG.random((3, 4))))),
    "sdpa_causal": (lambda q, k, v: ZF.scaled_dot_product_attention(q, k, v, is_causal=True),
                    lambda: (_t(randn(1, 3, 2)), _t(randn(1, 3, 2)), _t(randn(1, 3, 2)))),
    # 4-D without dropout: the fused node (nn_ops.Attention)
    "sdpa_fused_causal": (lambda q, k, v: ZF.scaled_dot_product_attention(q, k, v, is_causal=True),
                          lambda: (_t(randn(1, 2, 3, 2)), _t(randn(1, 2, 3, 2)),
                                   _t(randn(1, 2, 3, 2)))),
    "sdpa_fused_float_mask": (
        lambda q, k, v: ZF.scaled_dot_product_attention(q, k, v, attn_mask=SDPA_MASK, scale=0.7),
        lambda: (_t(randn(2, 2, 3, 2)), _t(randn(2, 2, 4, 2)), _t(randn(2, 2, 4, 3)))),
    "sdpa_broadcast_batch": (      # (torch composes this one too)
        lambda q, k, v: ZF.scaled_dot_product_attention(q, k, v, attn_mask=SDPA_MASK),
        lambda: (_t(randn(2, 1, 3, 2)), _t(randn(1, 2, 4, 2)), _t(randn(2, 2, 4, 3)))),
    "sdpa_fused_bool_mask": (
        lambda q, k, v: ZF.scaled_dot_product_attention(
            q, k, v, attn_mask=zerograd.tensor(np.tril(np.ones((3, 4), bool), 1))),
        lambda: (_t(randn(1, 2, 3, 2)), _t(randn(1, 2, 4, 2)), _t(randn(1, 2, 4, 2)))),
}


@pytest.mark.parametrize("name", sorted(GG))
def test_gradcheck_and_gradgradcheck(name):
    f, make = GG[name]
    inputs = make()
    assert gradcheck(f, inputs)
    assert gradgradcheck(f, inputs)


def test_embedding_padding_backward_is_differentiable():
    # gradcheck would disagree by design (the padding row gets no gradient), but the backward
    # (a scatter-add with the padding row dropped) must be the exact adjoint of its own backward
    idx = zerograd.tensor([[0, 2], [2, 1]])
    assert gradgradcheck(lambda w: ZF.embedding(idx, w, padding_idx=2, scale_grad_by_freq=True),
                         (_t(randn(3, 4)),))


@requires_torch
def test_second_derivative_of_cross_entropy_matches_torch():
    x = randn(3, 4)
    zx, tx = _t(x), torch.tensor(x, requires_grad=True)
    zg, = zerograd.autograd.grad(ZF.cross_entropy(zx, IDX, label_smoothing=0.1), zx,
                                 create_graph=True)
    tg, = torch.autograd.grad(TF.cross_entropy(tx, torch.tensor([1, 0, 3]), label_smoothing=0.1),
                              tx, create_graph=True)
    (zg ** 2).sum().backward()
    (tg ** 2).sum().backward()
    np.testing.assert_allclose(zx.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-12)


# ----------------------------------------------------------------------------------------------
# numerical stability
# ----------------------------------------------------------------------------------------------

@requires_torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_extreme_logits_give_no_nan_or_inf(dtype):
    x = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [3e4, 3e4, -5.0]])
    t = np.array([1, 2, 0])
    for name, kw in [("softmax", dict(dim=1)), ("log_softmax", dict(dim=1))]:
        oz, _ = compare(*lib_call(name, **kw), [x], dtype, tol=1e-6)
        assert np.isfinite(oz.detach().numpy()).all()
    for kw in [{}, dict(label_smoothing=0.1), dict(reduction="none")]:
        oz, _ = compare(*lib_call("cross_entropy", t, **kw), [x], dtype, tol=1e-6)
        assert np.isfinite(oz.detach().numpy()).all()
    oz, _ = compare(*lib_call("binary_cross_entropy_with_logits"), [x, RNG.random((3, 3))], dtype,
                    tol=1e-6)
    assert np.isfinite(oz.detach().numpy()).all()


# ----------------------------------------------------------------------------------------------
# dropout
# ----------------------------------------------------------------------------------------------

def test_dropout_statistics_scale_and_graph():
    zerograd.manual_seed(0)
    x = zerograd.ones(200, 100, requires_grad=True)
    y = ZF.dropout(x, p=0.3)
    a = y.detach().numpy()
    kept = a != 0
    assert abs(1 - kept.mean() - 0.3) < 0.02
    np.testing.assert_allclose(a[kept], 1 / 0.7, rtol=1e-6)
    assert y.grad_fn.name() == "MulBackward0"          # as torch on the CPU
    assert y.grad_fn.next_functions[1] == (None, 0)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), a)       # the gradient is the scaled mask


def test_dropout_eval_p0_p1_and_module():
    x = zerograd.randn(4, 4, requires_grad=True)
    assert ZF.dropout(x, 0.5, training=False) is x
    assert ZF.dropout(x, 0.0) is x
    assert (ZF.dropout(x, 1.0).detach().numpy() == 0).all()
    m = zerograd.nn.Dropout(0.5)
    m.eval()
    assert m(x) is x
    zerograd.manual_seed(3)
    a = ZF.dropout(x, 0.5).detach().numpy()
    zerograd.manual_seed(3)
    np.testing.assert_array_equal(ZF.dropout(x, 0.5).detach().numpy(), a)   # seeded


# ----------------------------------------------------------------------------------------------
# embedding, one_hot, tensor methods, aliases
# ----------------------------------------------------------------------------------------------

def test_embedding_repeated_indices_accumulate_and_padding_row_gets_nothing():
    w = zerograd.randn(5, 3, requires_grad=True)
    idx = zerograd.tensor([[1, 1, 4], [1, 0, 4]])
    ZF.embedding(idx, w, padding_idx=0).sum().backward()
    g = w.grad.numpy()
    np.testing.assert_array_equal(g[:, 0], [0, 3, 0, 0, 2])


@requires_torch
def test_embedding_max_norm_renormalises_in_place_like_torch():
    w = randn(6, 3) * 3
    zw, tw = zerograd.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    idx = np.array([1, 4, 4])
    with zerograd.no_grad():
        oz = ZF.embedding(zerograd.tensor(idx), zw, max_norm=1.0)
    with torch.no_grad():
        ot = TF.embedding(torch.tensor(idx), tw, max_norm=1.0)
    np.testing.assert_allclose(oz.numpy(), ot.numpy(), rtol=1e-6)
    np.testing.assert_allclose(zw.detach().numpy(), tw.detach().numpy(), rtol=1e-6)


@requires_torch
def test_one_hot_matches_torch():
    for a, n in [([1, 0, 3], -1), ([[2, 0], [1, 1]], 4), ([], 3)]:
        z = ZF.one_hot(zerograd.tensor(a, dtype=zerograd.int64), n)
        t = TF.one_hot(torch.tensor(a, dtype=torch.int64), n)
        assert z.tolist() == t.tolist() and str(z.dtype) == str(t.dtype)


@requires_torch
def test_tensor_methods_and_top_level_aliases():
    x = randn(3, 4)
    zx, tx = zerograd.tensor(x), torch.tensor(x)
    for fz, ft in [(lambda t: t.softmax(1), lambda t: t.softmax(1)),
                   (lambda t: t.log_softmax(dim=0), lambda t: t.log_softmax(dim=0)),
                   (lambda t: zerograd.softmax(t, -1), lambda t: torch.softmax(t, -1)),
                   (lambda t: zerograd.log_softmax(t, 1, zerograd.float32),
                    lambda t: torch.log_softmax(t, 1, torch.float32)),
                   (lambda t: zerograd.layer_norm(t, [4]), lambda t: torch.layer_norm(t, [4])),
                   (lambda t: zerograd.rms_norm(t, [4]), lambda t: torch.rms_norm(t, [4])),
                   (lambda t: zerograd.dropout(t, 0.5, False), lambda t: torch.dropout(t, 0.5,
                                                                                     False))]:
        z, t = fz(zx), ft(tx)
        np.testing.assert_allclose(z.numpy(), t.numpy(), rtol=1e-6)
        assert str(z.dtype) == str(t.dtype)


def test_softmax_without_dim_warns_like_torch():
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        y = ZF.softmax(zerograd.randn(2, 3))
    np.testing.assert_allclose(y.sum(1).numpy(), 1, rtol=1e-6)


# ----------------------------------------------------------------------------------------------
# bad input: the same exception type and message as torch
# ----------------------------------------------------------------------------------------------

BAD = {
    "ce_target_too_big": lambda L: L.F.cross_entropy(L.x, L.tensor([1, 0, 5, 2])),
    "ce_target_negative": lambda L: L.F.cross_entropy(L.x, L.tensor([1, 0, -3, 2])),
    "ce_target_float": lambda L: L.F.cross_entropy(L.x, L.tensor([1.0, 0, 2, 2])),
    "ce_target_int32": lambda L: L.F.cross_entropy(L.x, L.tensor([1, 0, 2, 2], dtype=L.lib.int32)),
    "ce_target_bool": lambda L: L.F.cross_entropy(L.x, L.tensor([True, False, True, True])),
    "ce_batch_mismatch": lambda L: L.F.cross_entropy(L.x, L.tensor([1, 0])),
    "ce_multi_target": lambda L: L.F.cross_entropy(L.x, L.tensor([[1, 0, 1, 1]])),
    "ce_multi_target_same_batch": lambda L: L.F.cross_entropy(L.x, L.tensor([[1], [0], [1], [1]])),
    "ce_1d_input_2_targets": lambda L: L.F.cross_entropy(L.x[0], L.tensor([1, 0])),
    "ce_3d_target_shape": lambda L: L.F.cross_entropy(L.lib.zeros(2, 5, 3), L.tensor([[1, 0]] * 2)),
    "ce_4d_target_dims": lambda L: L.F.cross_entropy(L.lib.zeros(2, 5, 3, 2),
                                                     L.tensor([[1, 0, 1]] * 2)),
    "ce_4d_target_shape": lambda L: L.F.cross_entropy(L.lib.zeros(2, 5, 3, 2),
                                                      L.tensor([[[1, 0, 1]] * 3] * 2)),
    "ce_weight_shape": lambda L: L.F.cross_entropy(L.x, L.tensor([1, 0, 2, 2]),
                                                   weight=L.lib.ones(4)),
    "ce_reduction": lambda L: L.F.cross_entropy(L.x, L.tensor([1, 0, 2, 2]), reduction="avg"),
    "ce_smoothing": lambda L: L.F.cross_entropy(L.x, L.tensor([1, 0, 2, 2]), label_smoothing=1.5),
    "ce_kdim_target_too_big": lambda L: L.F.cross_entropy(L.lib.zeros(2, 5, 3),
                                                          L.tensor([[1, 0, 7], [0, 0, 0]])),
    "nll_target_too_big": lambda L: L.F.nll_loss(L.x, L.tensor([1, 0, 9, 2])),
    "embedding_index": lambda L: L.F.embedding(L.tensor([10]), L.lib.zeros(10, 3)),
    "embedding_float_index": lambda L: L.F.embedding(L.tensor([1.0]), L.lib.zeros(10, 3)),
    "one_hot_too_big": lambda L: L.F.one_hot(L.tensor([1, 5]), 3),
    "one_hot_negative": lambda L: L.F.one_hot(L.tensor([1, -1]), 3),
    "one_hot_float": lambda L: L.F.one_hot(L.tensor([1.0])),
    "layer_norm_shape": lambda L: L.F.layer_norm(L.x, (4,)),
    "pad_odd": lambda L: L.F.pad(L.x, (1,)),
    "pad_too_long": lambda L: L.F.pad(L.x, (1, 1, 1, 1, 1, 1)),
    "pad_mode": lambda L: L.F.pad(L.x, (1, 1), mode="mirror"),
    "pad_reflect_too_big": lambda L: L.F.pad(L.x.unsqueeze(0), (1, 5), mode="reflect"),
    "pad_reflect_too_big_h": lambda L: L.F.pad(L.x.unsqueeze(0), (1, 1, 4, 0), mode="reflect"),
    "pad_circular_wraps_twice": lambda L: L.F.pad(L.x, (6, 0), mode="circular"),
    "pad_replicate_1d_input": lambda L: L.F.pad(L.x[0], (1, 1), mode="replicate"),
    "pad_replicate_6_on_2d": lambda L: L.F.pad(L.x, (1, 1, 1, 1, 1, 1), mode="replicate"),
    "pad_replicate_value": lambda L: L.F.pad(L.x, (1, 1), mode="replicate", value=2.0),
    "dropout_p": lambda L: L.F.dropout(L.x, 1.5),
    "gelu_approximate": lambda L: L.F.gelu(L.x, approximate="fast"),
    "bce_out_of_range": lambda L: L.F.binary_cross_entropy(L.x * 3, L.lib.zeros(4, 5)),
    "bce_size": lambda L: L.F.binary_cross_entropy(L.lib.zeros(4, 5), L.lib.zeros(4, 1)),
    "linear_shapes": lambda L: L.F.linear(L.x, L.lib.zeros(3, 4), L.lib.zeros(3)),
    "linear_dtype": lambda L: L.F.linear(L.x.double(), L.lib.zeros(3, 5), L.lib.zeros(3)),
    "linear_shapes_3d": lambda L: L.F.linear(L.lib.zeros(2, 3, 4), L.lib.zeros(3, 5),
                                             L.lib.zeros(3)),
}


class _Lib:
    def __init__(self, lib, F):
        self.lib, self.F, self.tensor = lib, F, lib.tensor
        self.x = lib.tensor(X, dtype=lib.float32)


@requires_torch
@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_raises_like_torch(name):
    with pytest.raises(Exception) as tz:
        BAD[name](_Lib(zerograd, ZF))
    with pytest.raises(Exception) as tt:
        BAD[name](_Lib(torch, TF))
    assert tz.type is tt.type
    assert str(tz.value) == str(tt.value)


def test_cross_entropy_error_names_the_bad_class_index():
    with pytest.raises(IndexError, match="Target 7 is out of bounds"):
        ZF.cross_entropy(zerograd.zeros(2, 3), zerograd.tensor([0, 7]))


@requires_torch
def test_mse_loss_size_warning_matches_torch():
    with warnings.catch_warnings(record=True) as wz:
        warnings.simplefilter("always")
        ZF.mse_loss(zerograd.zeros(3, 5), zerograd.zeros(5))
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter("always")
        TF.mse_loss(torch.zeros(3, 5), torch.zeros(5))
    assert [str(w.message) for w in wz] == [str(w.message) for w in wt]


@pytest.mark.parametrize("name", sorted(GG))
def test_array_sweep_equals_tensor_sweep(name):
    """A plain backward runs the fused ops' `np_backward` on arrays, create_graph=True their
    Tensor `backward`: the gradients must agree."""
    f, make = GG[name]
    inputs = make()
    out = f(*inputs)
    r = zerograd.tensor(np.random.default_rng(1).standard_normal(tuple(out.shape)),
                        dtype=zerograd.float64)
    loss = (out * r).sum()
    fast = zerograd.autograd.grad(loss, inputs, retain_graph=True)
    slow = zerograd.autograd.grad(loss, inputs, create_graph=True)
    for a, b in zip(fast, slow):
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-12, atol=1e-12)


def test_float32_phi_matches_the_exact_normal_cdf():
    """gelu's Φ in float32 is Mills' ratio as a polynomial times exp (ops/nn_ops.py np_phi):
    check its error against the exact Φ over the whole range, the tails and the special values."""
    import math
    from zerograd.ops.nn_ops import np_phi
    x = np.concatenate([np.linspace(-14, 14, 20001), [0.0, -0.0]]).astype(np.float32)
    exact = np.array([0.5 * math.erfc(-float(v) / math.sqrt(2)) for v in x])
    got = np_phi(x)
    assert got.dtype == np.float32 and got.shape == x.shape
    assert np.abs(got - exact).max() < 2.5e-7
    tail = exact > 1e-30
    assert (np.abs(got - exact)[tail] / exact[tail]).max() < 2e-5      # gelu(-x) keeps its digits
    special = np_phi(np.array([np.inf, -np.inf, np.nan], np.float32))
    assert special[0] == 1 and special[1] == 0 and np.isnan(special[2])
    assert np_phi(np.zeros((), np.float32)).shape == ()


@pytest.mark.parametrize("bound", [13.0, 13.5])
def test_float32_phi_both_exponential_paths(bound):
    """A block whose |a| stays <= 13 computes exp(-a²/2) as exp2 (faster), a block with a larger
    |a| as exp (exp2's loop is slow for subnormal results): both within the same bounds."""
    import math
    from zerograd.ops.nn_ops import np_phi, np_gelu
    x = np.linspace(-bound, bound, 30001).astype(np.float32)
    exact = np.array([0.5 * math.erfc(-float(v) / math.sqrt(2)) for v in x])
    got = np_phi(x).astype(np.float64)
    assert np.abs(got - exact).max() < 2.5e-7
    tail = exact > 1e-30
    assert (np.abs(got - exact)[tail] / exact[tail]).max() < 2e-5
    y, d = np_gelu(x, True)
    np.testing.assert_allclose(y, x.astype(np.float64) * exact, rtol=2e-5, atol=3e-7)


@pytest.mark.parametrize("shape", [(3, 8), (2, 5, 9), (4, 1, 33), (7, 64), (2, 3, 0, 8), (5,)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fast_last_axis_sums_match_numpy(shape, dtype):
    """nn_ops._lastsum (BLAS row sums) against NumPy's reductions: odd lengths, empty arrays,
    NaN and ±inf rows, non-contiguous inputs."""
    from zerograd.ops.nn_ops import _lastsum
    a = np.random.default_rng(3).standard_normal(shape).astype(dtype)
    if a.size and a.shape[-1] > 2:
        a.reshape(-1, a.shape[-1])[0, 1] = np.nan
        a.reshape(-1, a.shape[-1])[-1, :] = -np.inf
    for v in (a, a[..., ::2], np.swapaxes(a, 0, -1) if a.ndim > 1 else a):
        want_sum = v.sum(axis=-1, keepdims=True)
        np.testing.assert_allclose(_lastsum(v), want_sum, rtol=1e-5 if dtype == np.float32 else 1e-12)
    if a.ndim >= 2:
        np.testing.assert_allclose(_lastsum(a, 2), a.sum(axis=(-2, -1), keepdims=True),
                                   rtol=1e-5 if dtype == np.float32 else 1e-12)


def test_float32_gelu_and_its_derivative_in_blocks():
    """np_gelu computes gelu and dgelu/dx together in cache-sized blocks (more than one block,
    and a partial last one, here): both against the exact values in float64."""
    import math
    from zerograd.ops import nn_ops
    x = np.random.default_rng(7).standard_normal(nn_ops._BLOCK * 2 + 123).astype(np.float32) * 3
    x = x.reshape(-1, 41) if x.size % 41 == 0 else x
    y, d = nn_ops.np_gelu(x, True)
    xd = x.astype(np.float64)
    phi = np.array([0.5 * math.erfc(-v / math.sqrt(2)) for v in xd.reshape(-1)]).reshape(x.shape)
    pdf = np.exp(-xd * xd / 2) / math.sqrt(2 * math.pi)
    assert y.dtype == d.dtype == np.float32 and y.shape == d.shape == x.shape
    np.testing.assert_allclose(y, xd * phi, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(d, phi + xd * pdf, rtol=1e-6, atol=1e-6)
    y2, none = nn_ops.np_gelu(x, False)
    assert none is None and np.array_equal(y2, y)


@pytest.mark.parametrize("shape", [(), (3,), (2, 0), (2, 3)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_erf_without_scipy_matches_math_erf(shape, dtype):
    """The fallback when SciPy is missing (as in CI): 0-d arrays too (frompyfunc returns a bare
    float for them), in the input's dtype."""
    import math
    from zerograd.ops.nn_ops import erf_without_scipy
    a = np.linspace(-3, 3, int(np.prod(shape))).reshape(shape).astype(dtype)
    out = erf_without_scipy(a)
    assert out.dtype == dtype and out.shape == a.shape
    want = np.vectorize(math.erf, otypes=[np.float64])(a.astype(np.float64)) if a.size else a
    np.testing.assert_allclose(out, np.asarray(want, dtype), rtol=1e-7, atol=0)
