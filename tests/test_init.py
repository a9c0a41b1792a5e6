"""zerograd.nn.init: gains, fans, and the distributions of every initialiser.

Each initialiser is checked for its support, its moments against the formula, and a two-sample
Kolmogorov-Smirnov distance to torch's own samples; plus the in-place contract (same tensor, no
graph, version bumped, dtype kept).  (The values themselves equal torch's, seed for seed: that is
tests/test_random_streams.py.)
"""
import math
import warnings

import numpy as np
import pytest

import zerograd
import zerograd.nn.init as zinit
from tests._oracle import requires_torch, torch


def ks_distance(a, b):
    """Two-sample Kolmogorov-Smirnov statistic: max |F_a - F_b| over the pooled sample."""
    a, b = np.sort(np.ravel(a)), np.sort(np.ravel(b))
    grid = np.concatenate([a, b])
    fa = np.searchsorted(a, grid, side="right") / a.size
    fb = np.searchsorted(b, grid, side="right") / b.size
    return np.abs(fa - fb).max()


@requires_torch
@pytest.mark.parametrize("nl,param", [("linear", None), ("conv2d", None), ("sigmoid", None),
                                      ("tanh", None), ("relu", None), ("leaky_relu", None),
                                      ("leaky_relu", 0.2), ("leaky_relu", 3), ("selu", None)])
def test_calculate_gain_matches_torch(nl, param):
    assert zinit.calculate_gain(nl, param) == torch.nn.init.calculate_gain(nl, param)


@requires_torch
@pytest.mark.parametrize("call", [lambda I: I.calculate_gain("swish"),
                                  lambda I: I.calculate_gain("leaky_relu", True),
                                  lambda I: I.calculate_gain("leaky_relu", "x")])
def test_calculate_gain_errors_match_torch(call):
    with pytest.raises(ValueError) as ez:
        call(zinit)
    with pytest.raises(ValueError) as et:
        call(torch.nn.init)
    assert str(ez.value) == str(et.value)


@requires_torch
@pytest.mark.parametrize("shape", [(3, 5), (8, 4, 3, 3), (2, 6, 5)])
def test_fan_in_and_fan_out_match_torch(shape):
    assert zinit._calculate_fan_in_and_fan_out(zerograd.empty(shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


@requires_torch
@pytest.mark.parametrize("call", [
    lambda L: L.nn.init._calculate_fan_in_and_fan_out(L.empty(3)),
    lambda L: L.nn.init.kaiming_uniform_(L.empty(3, 4), mode="fan_avg"),
    lambda L: L.nn.init.xavier_normal_(L.empty(5)),
    lambda L: L.nn.init.eye_(L.empty(2, 2, 2)),
    lambda L: L.nn.init.orthogonal_(L.empty(4)),
])
def test_init_errors_match_torch(call):
    with pytest.raises(ValueError) as ez:
        call(zerograd)
    with pytest.raises(ValueError) as et:
        call(torch)
    assert str(ez.value) == str(et.value)


SHAPE = (300, 200)    # fan_in 200, fan_out 300
FAN_IN, FAN_OUT = 200, 300

DISTRIBUTIONS = {
    # name: (call(init, tensor), std of the distribution, support bound or None)
    "uniform_": (lambda I, t: I.uniform_(t, -0.5, 1.5), 2 / math.sqrt(12), None),
    "normal_": (lambda I, t: I.normal_(t, 0.3, 2.0), 2.0, None),
    "xavier_uniform_": (lambda I, t: I.xavier_uniform_(t, gain=2.0),
                        2.0 * math.sqrt(2 / (FAN_IN + FAN_OUT)),
                        2.0 * math.sqrt(6 / (FAN_IN + FAN_OUT))),
    "xavier_normal_": (lambda I, t: I.xavier_normal_(t), math.sqrt(2 / (FAN_IN + FAN_OUT)), None),
    "kaiming_uniform_": (lambda I, t: I.kaiming_uniform_(t, a=math.sqrt(5)),
                         1 / math.sqrt(3 * FAN_IN), 1 / math.sqrt(FAN_IN)),
    "kaiming_uniform_relu_fan_out": (
        lambda I, t: I.kaiming_uniform_(t, mode="fan_out", nonlinearity="relu"),
        math.sqrt(2 / FAN_OUT), math.sqrt(6 / FAN_OUT)),
    "kaiming_normal_": (lambda I, t: I.kaiming_normal_(t, nonlinearity="relu"),
                        math.sqrt(2 / FAN_IN), None),
    "kaiming_normal_leaky_fan_out": (lambda I, t: I.kaiming_normal_(t, 0.2, "fan_out"),
                                     math.sqrt(2 / (1.04 * FAN_OUT)), None),
    "trunc_normal_": (lambda I, t: I.trunc_normal_(t, std=0.02), 0.02, 2.0),
    "trunc_normal_narrow": (lambda I, t: I.trunc_normal_(t, mean=0.0, std=1.0, a=1.0, b=1.5),
                            None, None),
    "trunc_normal_wide_bounds": (lambda I, t: I.trunc_normal_(t, 1.0, 0.5, a=0.0, b=1.5), None,
                                 None),
}


@pytest.mark.parametrize("name", sorted(DISTRIBUTIONS))
def test_distribution_support_and_std(name):
    call, std, bound = DISTRIBUTIONS[name]
    zerograd.manual_seed(0)
    t = zerograd.empty(SHAPE)
    out = call(zinit, t)
    a = t.numpy()
    assert out is t and a.dtype == np.float32 and np.isfinite(a).all()
    if std is not None:
        assert abs(a.std() - std) < 0.02 * std
    if bound is not None:
        assert np.abs(a).max() <= bound * (1 + 1e-6)


@requires_torch
@pytest.mark.parametrize("name", sorted(DISTRIBUTIONS))
def test_distribution_matches_torchs_samples(name):
    call = DISTRIBUTIONS[name][0]
    zerograd.manual_seed(1)
    torch.manual_seed(1)
    z = call(zinit, zerograd.empty(SHAPE)).numpy()
    t = call(torch.nn.init, torch.empty(SHAPE)).numpy()
    # two samples of 60 000 from one distribution: the KS distance is ~0.005; 0.02 is p < 1e-9
    assert ks_distance(z, t) < 0.02


def test_trunc_normal_stays_in_bounds_and_warns_far_from_mean():
    t = zinit.trunc_normal_(zerograd.empty(1000), mean=0.0, std=1.0, a=1.0, b=1.5)
    assert (t.numpy() >= 1.0).all() and (t.numpy() <= 1.5).all()
    with pytest.warns(UserWarning, match="mean is more than 2 std from"):
        zinit.trunc_normal_(zerograd.empty(10), mean=5.0, std=1.0, a=-1.0, b=1.0)


def test_constant_ones_zeros_eye():
    t = zerograd.empty(3, 4)
    assert zinit.constant_(t, 0.25).tolist() == [[0.25] * 4] * 3
    assert zinit.ones_(t).tolist() == [[1.0] * 4] * 3
    assert zinit.zeros_(t).tolist() == [[0.0] * 4] * 3
    assert zinit.eye_(t).tolist() == np.eye(3, 4).tolist()


@pytest.mark.parametrize("shape", [(4, 6), (6, 4), (3, 2, 2)])
def test_orthogonal_rows_or_columns_are_orthonormal(shape):
    t = zinit.orthogonal_(zerograd.empty(shape, dtype=zerograd.float64), gain=2.0)
    q = t.numpy().reshape(shape[0], -1)
    gram = q @ q.T if q.shape[0] <= q.shape[1] else q.T @ q
    np.testing.assert_allclose(gram, 4.0 * np.eye(gram.shape[0]), atol=1e-12)


def test_init_is_in_place_untracked_and_bumps_the_version():
    p = zerograd.nn.Parameter(zerograd.zeros(5, 5))
    v = p._version
    for fn in [zinit.uniform_, zinit.normal_, zinit.xavier_uniform_, zinit.kaiming_normal_,
               zinit.trunc_normal_, zinit.orthogonal_, zinit.ones_, zinit.eye_]:
        out = fn(p)
        assert out is p and p.is_leaf and p.requires_grad and p.grad_fn is None
        assert p._version > v
        v = p._version
    assert p.dtype == zerograd.float32
    h = zinit.normal_(zerograd.zeros(4, dtype=zerograd.float64))
    assert h.dtype == zerograd.float64


def test_generator_makes_draws_reproducible():
    g1 = zerograd.Generator().manual_seed(5)
    g2 = zerograd.Generator().manual_seed(5)
    a = zinit.kaiming_uniform_(zerograd.empty(4, 3), generator=g1).tolist()
    b = zinit.kaiming_uniform_(zerograd.empty(4, 3), generator=g2).tolist()
    assert a == b


def test_zero_element_tensor_is_a_warned_no_op():
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        zinit.kaiming_uniform_(zerograd.empty(0, 3))


def test_deprecated_aliases_warn():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        zinit.normal(zerograd.empty(2))
    assert any("deprecated" in str(x.message) for x in w)
