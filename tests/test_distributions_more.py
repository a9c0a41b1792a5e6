"""zerograd.distributions' Poisson, Binomial, Geometric, transforms, TransformedDistribution,
LogNormal, Cauchy, HalfNormal, Gumbel, Chi2 and StudentT against torch.distributions: reprs,
shapes, validation errors, samples under the same seed (bit for bit), densities, moments,
entropies, cdfs, KL divergences and gradients."""
import numpy as np
import pytest

import zerograd
import zerograd.distributions as D
from tests._oracle import requires_torch, torch

# the comparison helpers of the first distributions file (one copy of them)
from tests.test_distributions import (DTYPES, SHAPES, P, assert_same, both, grads,  # noqa: E402,F401
                                      npy, same_error, tol)


def V(T, v, dt):
    return T.tensor(v, dtype=getattr(T, dt))


def test_exports_without_torch():
    for name in ["Poisson", "Binomial", "Geometric", "TransformedDistribution", "LogNormal",
                 "Cauchy", "HalfNormal", "Gumbel", "Chi2", "StudentT", "ExpTransform",
                 "AffineTransform", "SigmoidTransform", "TanhTransform", "ComposeTransform"]:
        assert name in D.__all__ and hasattr(D, name)
    assert D.transforms.identity_transform.parts == []
    x = zerograd.tensor([0.5, -1.0])
    t = D.ComposeTransform([D.ExpTransform(), D.AffineTransform(1.0, 2.0)])
    np.testing.assert_allclose(npy(t.inv(t(x))), npy(x), rtol=1e-6)


# ------------------------------------------------------------------------------------------------
# construction, repr, shapes, validation
# ------------------------------------------------------------------------------------------------

BUILDERS = {
    "poisson": lambda T, M: M.Poisson(T.tensor([0.5, 4.0])),
    "poisson_scalar": lambda T, M: M.Poisson(3.0),
    "binomial": lambda T, M: M.Binomial(10, T.tensor([0.2, 0.7])),
    "binomial_tc": lambda T, M: M.Binomial(T.tensor([[5.0], [10.0]]), T.tensor([0.5, 0.8])),
    "binomial_logits": lambda T, M: M.Binomial(4, logits=T.tensor([0.2, -0.7])),
    "geometric": lambda T, M: M.Geometric(T.tensor([0.2, 0.7])),
    "geometric_scalar": lambda T, M: M.Geometric(0.3),
    "geometric_logits": lambda T, M: M.Geometric(logits=T.tensor([0.2, -0.7])),
    "lognormal": lambda T, M: M.LogNormal(T.tensor([0.5, -1.0]), T.tensor([1.0, 2.0])),
    "lognormal_scalar": lambda T, M: M.LogNormal(0.0, 1.0),
    "transformed": lambda T, M: M.TransformedDistribution(
        M.Normal(T.zeros(3), T.ones(3)),
        [M.transforms.AffineTransform(1.0, T.tensor([2.0, 1.0, 0.5])),
         M.transforms.SigmoidTransform()]),
    "transformed_bcast": lambda T, M: M.TransformedDistribution(
        M.Normal(0.0, 1.0), M.transforms.AffineTransform(T.zeros(2, 1), T.ones(3))),
    "transformed_event": lambda T, M: M.TransformedDistribution(
        M.Normal(T.zeros(2, 3), T.ones(2, 3)),
        M.transforms.AffineTransform(0.0, T.ones(3), event_dim=1)),
    "cauchy": lambda T, M: M.Cauchy(T.tensor([0.5, -1.0]), T.tensor([1.0, 2.0])),
    "cauchy_scalar": lambda T, M: M.Cauchy(0.0, 1.0),
    "halfnormal": lambda T, M: M.HalfNormal(T.tensor([1.0, 2.0])),
    "halfnormal_scalar": lambda T, M: M.HalfNormal(1.5),
    "gumbel": lambda T, M: M.Gumbel(T.tensor([0.5, -1.0]), T.tensor([1.0, 2.0])),
    "gumbel_scalar": lambda T, M: M.Gumbel(0.0, 1.0),
    "chi2": lambda T, M: M.Chi2(T.tensor([1.0, 3.0])),
    "studentt": lambda T, M: M.StudentT(T.tensor([1.0, 3.0]), 0.5, T.tensor([1.0, 2.0])),
    "studentt_scalar": lambda T, M: M.StudentT(3.0),
}


def _rep(x):
    return tuple(x) if isinstance(x, (zerograd.Size, torch.Size)) else x


@requires_torch
@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_construction_matches_torch(name):
    def info(T, M):
        d = BUILDERS[name](T, M)
        e = d.expand((4,) + tuple(d.batch_shape))
        sup = d.support
        return (repr(d), tuple(d.batch_shape), tuple(d.event_shape), d.has_rsample,
                d.has_enumerate_support, repr(e), tuple(e.batch_shape), tuple(e.event_shape),
                repr(sup), sup.event_dim, sup.is_discrete,
                {k: repr(v) for k, v in d.arg_constraints.items()},
                tuple(d.sample().shape), tuple(d.sample((2, 3)).shape),
                tuple(e.sample((2,)).shape), type(e).__name__)
    a, b = both(info)
    assert a == b


@requires_torch
@pytest.mark.parametrize("case", [
    lambda T, M: M.Poisson(T.tensor([-1.0])),
    lambda T, M: M.Poisson(T.tensor([float("nan")])),
    lambda T, M: M.Binomial(10),
    lambda T, M: M.Binomial(10, T.tensor([0.5]), T.tensor([0.0])),
    lambda T, M: M.Binomial(10, T.tensor([1.5])),
    lambda T, M: M.Binomial(T.tensor([2.5]), T.tensor([0.5])),
    lambda T, M: M.Binomial(T.tensor([-1.0]), T.tensor([0.5])),
    lambda T, M: M.Geometric(),
    lambda T, M: M.Geometric(T.tensor([0.5, 0.0])),
    lambda T, M: M.Geometric(T.tensor([1.5])),
    lambda T, M: M.LogNormal(0.0, -1.0),
    lambda T, M: M.TransformedDistribution(M.Normal(0.0, 1.0), 3),
    lambda T, M: M.TransformedDistribution(M.Normal(0.0, 1.0), [3]),
    lambda T, M: M.TransformedDistribution(
        M.Normal(0.0, 1.0), M.transforms.AffineTransform(0.0, 1.0, event_dim=1)),
    lambda T, M: M.Cauchy(0.0, 0.0),
    lambda T, M: M.HalfNormal(T.tensor([-1.0])),
    lambda T, M: M.Gumbel(T.tensor([0.0]), T.tensor([-1.0])),
    lambda T, M: M.Chi2(T.tensor([0.0])),
    lambda T, M: M.StudentT(T.tensor([-1.0])),
    lambda T, M: M.StudentT(1.0, 0.0, -1.0),
    lambda T, M: M.transforms.ExpTransform(cache_size=2),
])
def test_argument_errors_match_torch(case):
    same_error(case)


@requires_torch
@pytest.mark.parametrize("case", [
    lambda T, M: M.Poisson(T.tensor([1.0])).log_prob(T.tensor([0.5])),
    lambda T, M: M.Poisson(T.tensor([1.0])).log_prob(T.tensor([-1.0])),
    lambda T, M: M.Binomial(3, T.tensor([0.5])).log_prob(T.tensor([4.0])),
    lambda T, M: M.Binomial(T.tensor([2.0, 3.0]), T.tensor([0.5, 0.5])).entropy(),
    lambda T, M: M.Binomial(T.tensor([2.0, 3.0]), T.tensor([0.5, 0.5])).enumerate_support(),
    lambda T, M: M.Geometric(T.tensor([0.5])).log_prob(T.tensor([1.5])),
    lambda T, M: M.LogNormal(0.0, 1.0).log_prob(T.tensor(-1.0)),
    lambda T, M: M.HalfNormal(1.0).log_prob(T.tensor(-1.0)),
    lambda T, M: M.Cauchy(0.0, 1.0).log_prob(T.zeros(2, 3)).shape and
    M.Cauchy(T.zeros(2), 1.0).log_prob(T.zeros(3)),
    lambda T, M: M.StudentT(3.0).log_prob(T.tensor(float("nan"))),
    lambda T, M: M.Poisson(1.0).rsample(),
    lambda T, M: M.Poisson(1.0).entropy(),
    lambda T, M: M.Geometric(0.5).cdf(T.tensor(1.0)),
    lambda T, M: M.transforms.AbsTransform().inv.log_abs_det_jacobian(T.ones(1), T.ones(1)),
    lambda T, M: M.transforms.AbsTransform().sign,
    lambda T, M: M.transforms.AffineTransform(0.0, 1.0).with_cache(3),
    lambda T, M: M.kl_divergence(M.Binomial(2, T.tensor([0.5])),
                                 M.Binomial(3, T.tensor([0.5]))),
    lambda T, M: M.kl_divergence(M.TransformedDistribution(M.Normal(0.0, 1.0),
                                                           M.transforms.ExpTransform()),
                                 M.TransformedDistribution(M.Normal(0.0, 1.0),
                                                           M.transforms.TanhTransform())),
])
def test_sample_and_misc_errors_match_torch(case):
    same_error(case)


# ------------------------------------------------------------------------------------------------
# samples: bit for bit under the same seed
# ------------------------------------------------------------------------------------------------

SAMPLERS = {
    "poisson": (lambda T, M, dt: M.Poisson(P(T, [0.5, 4.0, 30.0], dt, False)), ("sample",)),
    "binomial": (lambda T, M, dt: M.Binomial(P(T, [5.0, 10.0, 100.0], dt, False),
                                             P(T, [0.3, 0.5, 0.95], dt)), ("sample",)),
    "binomial_logits": (lambda T, M, dt: M.Binomial(20, logits=P(T, [-1.0, 0.5, 3.0], dt)),
                        ("sample",)),
    "geometric": (lambda T, M, dt: M.Geometric(P(T, [0.1, 0.5, 0.9], dt)), ("sample",)),
    "lognormal": (lambda T, M, dt: M.LogNormal(P(T, [0.5, -1.0, 2.0], dt),
                                               P(T, [1.0, 2.0, 0.5], dt)),
                  ("sample", "rsample")),
    "transformed": (lambda T, M, dt: M.TransformedDistribution(
        M.Normal(P(T, [0.5, -1.0, 2.0], dt), P(T, [1.0, 2.0, 0.5], dt)),
        [M.transforms.AffineTransform(1.0, 2.0), M.transforms.TanhTransform()]),
        ("sample", "rsample")),
    "cauchy": (lambda T, M, dt: M.Cauchy(P(T, [0.5, -1.0], dt), P(T, [1.0, 2.0], dt)),
               ("sample", "rsample")),
    "halfnormal": (lambda T, M, dt: M.HalfNormal(P(T, [1.0, 2.0, 0.5], dt)),
                   ("sample", "rsample")),
    "gumbel": (lambda T, M, dt: M.Gumbel(P(T, [0.5, -1.0], dt), P(T, [1.0, 2.0], dt)),
               ("sample", "rsample")),
    "chi2": (lambda T, M, dt: M.Chi2(P(T, [0.5, 3.0, 10.0], dt)), ("sample", "rsample")),
    "studentt": (lambda T, M, dt: M.StudentT(P(T, [1.0, 3.0, 30.0], dt), P(T, 0.5, dt),
                                             P(T, [1.0, 2.0, 0.5], dt)),
                 ("sample", "rsample")),
}


def _exact(name, dt):
    # samples pushed through exp/log/tanh/rsqrt (after bit-for-bit base draws) may differ from
    # torch's SLEEF kernels in the last bit; everything else is bit for bit
    if name in ("lognormal", "transformed", "gumbel", "studentt"):
        return dict(rtol=1e-6, atol=1e-7) if dt == "float32" else dict(rtol=1e-14, atol=0)
    return {}


@requires_torch
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_samples_bit_for_bit(name, dt, shape):
    make, methods = SAMPLERS[name]
    for method in methods:
        a, b = both(lambda T, M: [getattr(make(T, M, dt), method)(shape),
                                  getattr(make(T, M, dt), method)(shape), T.rand(2)])
        assert_same(a, b, **_exact(name, dt))
        assert a[0].requires_grad == b[0].requires_grad


@requires_torch
def test_scalar_builders_sample_like_torch():
    def run(T, M):
        return [M.Poisson(3.0).sample((5,)), M.Geometric(0.3).sample((5,)),
                M.Cauchy(0.0, 1.0).sample((5,)), M.Gumbel(0.0, 1.0).sample((5,)),
                M.HalfNormal(1.5).sample((5,)), M.LogNormal(0.0, 1.0).sample((5,)),
                M.StudentT(3.0).sample((5,)), M.Chi2(T.tensor(2.0)).sample((5,)),
                M.Binomial(7, T.tensor(0.3)).sample((5,))]
    a, b = both(run, seed=7)
    assert_same(a, b, rtol=1e-6, atol=1e-7)


# ------------------------------------------------------------------------------------------------
# densities, moments, entropies and their gradients
# ------------------------------------------------------------------------------------------------

def _poisson(T, M, dt):
    r = P(T, [0.5, 3.0, 20.0], dt)
    d = M.Poisson(r)
    v = V(T, [[0.0, 2.0, 25.0], [1.0, 0.0, 3.0]], dt)
    return ([d.log_prob(v), d.mean, d.mode, d.variance, d.stddev]
            + grads(T, d.log_prob(v), r))


def _binomial(T, M, dt):
    p = P(T, [0.1, 0.4, 0.9], dt)
    d = M.Binomial(10, p)
    v = V(T, [[0.0, 5.0, 10.0], [3.0, 7.0, 9.0]], dt)
    return ([d.log_prob(v), d.entropy(), d.mean, d.mode, d.variance, d.logits,
             d.enumerate_support(), d.enumerate_support(False)]
            + grads(T, d.log_prob(v), p) + grads(T, d.entropy(), p))


def _binomial_logits(T, M, dt):
    lg = P(T, [-2.0, 0.0, 3.0], dt)
    n = V(T, [4.0, 4.0, 4.0], dt)
    d = M.Binomial(n, logits=lg)
    v = V(T, [0.0, 2.0, 4.0], dt)
    return ([d.log_prob(v), d.entropy(), d.mean, d.mode, d.variance, d.probs]
            + grads(T, d.log_prob(v), lg) + grads(T, d.entropy(), lg))


def _geometric(T, M, dt):
    p = P(T, [0.1, 0.5, 1.0], dt)
    d = M.Geometric(p)
    v = V(T, [[0.0, 2.0, 0.0], [5.0, 1.0, 0.0]], dt)
    return ([d.log_prob(v), d.entropy(), d.mean, d.mode, d.variance, d.logits]
            + grads(T, d.log_prob(v), p))


def _geometric_logits(T, M, dt):
    lg = P(T, [-2.0, 0.0, 3.0], dt)
    d = M.Geometric(logits=lg)
    v = V(T, [0.0, 2.0, 4.0], dt)
    return ([d.log_prob(v), d.entropy(), d.mean, d.variance, d.probs]
            + grads(T, d.log_prob(v), lg) + grads(T, d.entropy(), lg))


def _lognormal(T, M, dt):
    loc, s = P(T, [0.5, -1.0, 2.0], dt), P(T, [1.0, 2.0, 0.5], dt)
    d = M.LogNormal(loc, s)
    v = V(T, [0.3, 1.0, 5.0], dt)
    return ([d.log_prob(v), d.entropy(), d.cdf(v), d.icdf(V(T, [0.1, 0.5, 0.9], dt)),
             d.mean, d.mode, d.variance, d.stddev, d.loc, d.scale]
            + grads(T, d.log_prob(v), loc, s) + grads(T, d.entropy(), loc, s)
            + grads(T, d.cdf(v), loc, s) + grads(T, d.rsample((4,)), loc, s))


def _transformed(T, M, dt):
    loc, s = P(T, [0.5, -1.0, 2.0], dt), P(T, [1.0, 2.0, 0.5], dt)
    a = P(T, [1.0, -2.0, 0.5], dt)
    tr = M.transforms
    d = M.TransformedDistribution(M.Normal(loc, s),
                                  [tr.AffineTransform(0.3, a), tr.SigmoidTransform()])
    d2 = M.TransformedDistribution(M.Normal(loc, s), [tr.TanhTransform(),
                                                      tr.AffineTransform(1.0, -2.0)])
    v = V(T, [0.3, 0.6, 0.9], dt)
    v2 = V(T, [0.5, 1.5, 2.5], dt)
    q = V(T, [0.1, 0.5, 0.9], dt)
    return ([d.log_prob(v), d.cdf(v), d.icdf(q), d2.log_prob(v2), d2.cdf(v2), d2.icdf(q)]
            + grads(T, d.log_prob(v), loc, s, a) + grads(T, d.cdf(v), loc, s, a)
            + grads(T, d.rsample((3,)), loc, s, a) + grads(T, d2.log_prob(v2), loc, s))


def _transformed_event(T, M, dt):
    loc = P(T, [[0.5, -1.0, 2.0], [0.0, 0.0, 1.0]], dt)
    s = P(T, [1.0, 2.0, 0.5], dt)
    tr = M.transforms
    d = M.TransformedDistribution(M.Normal(loc, 1.0),
                                  [tr.AffineTransform(0.0, s, event_dim=1), tr.ExpTransform()])
    v = V(T, [0.3, 1.0, 5.0], dt)
    return [d.log_prob(v)] + grads(T, d.log_prob(v), loc, s)


def _cauchy(T, M, dt):
    loc, s = P(T, [0.5, -1.0, 2.0], dt), P(T, [1.0, 2.0, 0.5], dt)
    d = M.Cauchy(loc, s)
    v = V(T, [0.3, 1.0, -2.0], dt)
    return ([d.log_prob(v), d.entropy(), d.cdf(v), d.icdf(V(T, [0.1, 0.5, 0.9], dt)),
             d.mean, d.mode, d.variance]
            + grads(T, d.log_prob(v), loc, s) + grads(T, d.entropy(), s)
            + grads(T, d.cdf(v), loc, s) + grads(T, d.rsample((4,)), loc, s))


def _halfnormal(T, M, dt):
    s = P(T, [1.0, 2.0, 0.5], dt)
    d = M.HalfNormal(s)
    v = V(T, [0.3, 1.0, 2.0], dt)
    return ([d.log_prob(v), d.log_prob(V(T, [0.0, 0.5, 3.0], dt)), d.entropy(), d.cdf(v),
             d.icdf(V(T, [0.1, 0.5, 0.9], dt)), d.mean, d.mode, d.variance, d.scale]
            + grads(T, d.log_prob(v), s) + grads(T, d.entropy(), s)
            + grads(T, d.cdf(v), s) + grads(T, d.rsample((4,)), s))


def _gumbel(T, M, dt):
    loc, s = P(T, [0.5, -1.0, 2.0], dt), P(T, [1.0, 2.0, 0.5], dt)
    d = M.Gumbel(loc, s)
    v = V(T, [0.3, 1.0, 2.5], dt)
    return ([d.log_prob(v), d.entropy(), d.cdf(v), d.icdf(V(T, [0.1, 0.5, 0.9], dt)),
             d.mean, d.mode, d.variance, d.stddev]
            + grads(T, d.log_prob(v), loc, s) + grads(T, d.entropy(), s)
            + grads(T, d.cdf(v), loc, s))


def _chi2(T, M, dt):
    df = P(T, [0.5, 3.0, 10.0], dt)
    d = M.Chi2(df)
    v = V(T, [0.3, 1.0, 12.0], dt)
    return ([d.log_prob(v), d.cdf(v), d.mean, d.mode, d.variance, d.df, d.concentration,
             d.rate] + grads(T, d.log_prob(v), df))


def _studentt(T, M, dt):
    df, loc, s = P(T, [0.5, 1.5, 3.0, 30.0], dt), P(T, [0.5, -1.0, 2.0, 0.0], dt), \
        P(T, [1.0, 2.0, 0.5, 1.5], dt)
    d = M.StudentT(df, loc, s)
    v = V(T, [0.3, 1.0, -2.0, 4.0], dt)
    return ([d.log_prob(v), d.mean, d.mode, d.variance]
            + grads(T, d.log_prob(v), df, loc, s))


VALUES = {"poisson": _poisson, "binomial": _binomial, "binomial_logits": _binomial_logits,
          "geometric": _geometric, "geometric_logits": _geometric_logits,
          "lognormal": _lognormal, "transformed": _transformed,
          "transformed_event": _transformed_event, "cauchy": _cauchy,
          "halfnormal": _halfnormal, "gumbel": _gumbel, "chi2": _chi2, "studentt": _studentt}


@requires_torch
@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("name", sorted(VALUES))
def test_values_and_gradients(name, dt):
    a, b = both(lambda T, M: VALUES[name](T, M, dt))
    assert_same([_rep(x) for x in a], [_rep(x) for x in b], **tol(dt))


@requires_torch
def test_studentt_entropy():
    # d/d df of the entropy goes through polygamma(1, .) (as Gamma's entropy gradient)
    def run(T, M):
        df = P(T, [0.5, 3.0, 30.0], "float64")
        d = M.StudentT(df, 0.0, P(T, [1.0, 2.0, 0.5], "float64"))
        return [d.entropy()] + grads(T, d.entropy(), df, d.scale)
    a, b = both(run)
    assert_same(a, b, rtol=1e-8)


# ------------------------------------------------------------------------------------------------
# transforms
# ------------------------------------------------------------------------------------------------

@requires_torch
def test_transforms_match_torch():
    def run(T, M):
        tr = M.transforms
        x = T.tensor([-2.0, -0.5, 0.0, 0.7, 3.0], dtype=T.float64)
        out, nums = [], []
        ts = [tr.ExpTransform(), tr.SigmoidTransform(), tr.TanhTransform(),
              tr.AffineTransform(1.0, -2.0), tr.AffineTransform(T.tensor(0.5), T.tensor(3.0)),
              tr.ComposeTransform([tr.ExpTransform(), tr.AffineTransform(1.0, 2.0)]),
              tr.ExpTransform().inv, tr.identity_transform]
        for t in ts:
            y = t(x)
            out.append((repr(t), repr(t.domain), repr(t.codomain), t.bijective,
                        _rep(t.forward_shape((2, 5))), repr(t.inv), repr(t.inv.inv)))
            nums += [y, t.inv(y), t.log_abs_det_jacobian(x, y)]
        sg = [tr.ExpTransform().sign, tr.AffineTransform(0.0, -2.0).sign,
              npy(tr.AffineTransform(0.0, T.tensor([-2.0, 0.0, 1.0])).sign).tolist(),
              tr.ComposeTransform([tr.ExpTransform(), tr.AffineTransform(0.0, -1.0)]).sign]
        eq = [tr.ExpTransform() == tr.ExpTransform(), tr.ExpTransform() == tr.TanhTransform(),
              tr.AffineTransform(1.0, 2.0) == tr.AffineTransform(1.0, 2.0),
              tr.AffineTransform(T.ones(2), 2.0) == tr.AffineTransform(T.ones(2), 3.0),
              tr.ExpTransform().inv == tr.ExpTransform().inv,
              tr.ComposeTransform([tr.ExpTransform()]) == tr.ComposeTransform([tr.ExpTransform()]),
              tr.ExpTransform() != tr.SigmoidTransform()]
        e = tr.AffineTransform(0.0, T.tensor([1.0, 2.0]), event_dim=1)
        misc = [e.event_dim, repr(e.domain), e.domain.event_dim,
                _rep(e.log_abs_det_jacobian(T.zeros(3, 2), T.zeros(3, 2)).shape),
                npy(e.log_abs_det_jacobian(T.zeros(3, 2), T.zeros(3, 2))).tolist()]
        t = tr.ExpTransform()
        assert t.inv is t.inv and t.inv.inv is t
        c = tr.ExpTransform(cache_size=1)
        y = c(x)
        assert c(x) is y and c.inv(y) is x
        cc = tr.ComposeTransform([tr.ExpTransform(), tr.TanhTransform()], cache_size=1)
        misc.append([p._cache_size for p in cc.parts])
        return (out, sg, eq, misc), nums
    (a, an), (b, bn) = both(run)
    assert a == b
    # sigmoid/tanh/exp may differ from torch's SLEEF kernels in the last bit
    assert_same(an, bn, rtol=1e-14, atol=1e-15)


# ------------------------------------------------------------------------------------------------
# KL divergences
# ------------------------------------------------------------------------------------------------

def _kl_pairs(T, M, dt):
    a, b = P(T, [0.5, 2.0, 1.0], dt), P(T, [1.5, 0.5, 1.0], dt)
    c, d = P(T, [0.1, 0.5, 0.9], dt), P(T, [0.4, 0.2, 0.9], dt)
    tr = M.transforms
    kls = [M.kl_divergence(M.Poisson(a), M.Poisson(b)),
           M.kl_divergence(M.Binomial(5, c), M.Binomial(5, d)),
           M.kl_divergence(M.Binomial(6, c), M.Binomial(5, d)),
           M.kl_divergence(M.Geometric(c), M.Geometric(d)),
           M.kl_divergence(M.Cauchy(a, b), M.Cauchy(b, a)),
           M.kl_divergence(M.HalfNormal(a), M.HalfNormal(b)),
           M.kl_divergence(M.Gumbel(a, b), M.Gumbel(b, a)),
           M.kl_divergence(M.LogNormal(a, b), M.LogNormal(b, a)),
           M.kl_divergence(M.Chi2(a), M.Chi2(b)),
           M.kl_divergence(M.TransformedDistribution(M.Normal(a, b), tr.ExpTransform()),
                           M.TransformedDistribution(M.Normal(b, a), tr.ExpTransform()))]
    out = list(kls)
    for k in kls[:2] + kls[3:]:
        out += grads(T, k, a, b, c, d)
    return out


@requires_torch
@pytest.mark.parametrize("dt", DTYPES)
def test_kl_divergence_values_and_gradients(dt):
    a, b = both(lambda T, M: _kl_pairs(T, M, dt))
    # Chi2's KL gradients go through polygamma(1, .): zerograd's agrees to ~1e-9 (relative)
    chi2 = slice(10 + 4 * 7, 10 + 4 * 8)
    assert_same(a[:chi2.start] + a[chi2.stop:], b[:chi2.start] + b[chi2.stop:], **tol(dt))
    assert_same(a[chi2], b[chi2], rtol=1e-8 if dt == "float64" else 1e-5, atol=1e-6)


@requires_torch
def test_poisson_binomial_geometric_enumerate_and_mode_edge_cases():
    def run(T, M):
        return [M.Binomial(T.tensor([3.0, 3.0]), T.tensor([0.0, 1.0])).log_prob(
                    T.tensor([0.0, 3.0])),
                M.Binomial(T.tensor(3.0), T.tensor(1.0)).mode,
                M.Geometric(T.tensor([1.0])).log_prob(T.tensor([0.0, 1.0])),
                M.Poisson(T.tensor([0.0, 2.0])).log_prob(T.tensor([0.0, 0.0])),
                M.Binomial(2, T.tensor([0.3, 0.6])).enumerate_support()]
    a, b = both(run)
    assert_same(a, b)
