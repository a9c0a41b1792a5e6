"""Op-table rows for nn.functional's activations (see op_db.py for the row format).

Inputs keep `gap` away from each activation's kinks (leaky_relu/elu at 0, hardtanh's bounds, relu6
at 0 and 6, hardsigmoid/hardswish at ±3, the shrinks at ±lambd, threshold at its threshold,
softplus where beta·x = threshold), so finite differences see one smooth piece; the kinks
themselves are compared with torch point by point in tests/test_activations.py.  In-place forms
act on a clone (a leaf that requires grad may not change in place), so the chain is
`...Backward1 <- CloneBackward0`.
"""
from __future__ import annotations

import numpy as np

from .op_db import EMPTY, SHAPES, Case, U, row


def _away(lo=-2.0, hi=2.0, avoid=(0.0,)):
    return lambda rng, shape: U(rng, shape, lo, hi, avoid)


def _shapes(gen, shapes=SHAPES + EMPTY, **kwargs):
    """One case per shape (0-d and empty included), each with `kwargs`."""
    def cases(rng):
        for s in shapes:
            yield Case((gen(rng, s),), dict(kwargs))
    return cases


def _chain(*makers):
    def cases(rng):
        for make in makers:
            yield from make(rng)
    return cases


def _one(gen, shape=(2, 3), **case):
    """A single (2, 3) case: kwargs=..., error=..., node=... as Case takes them."""
    kwargs = case.pop("kwargs", {})
    return lambda rng: [Case((gen(rng, shape),), kwargs, **case)]


_LARGE = np.array([-100.0, -30.0, -1.5, 1.5, 30.0, 100.0])


def _large(rng):
    yield Case((_LARGE.copy(),))



def _F(m):
    return m.nn.functional


# ***** softplus *****

row("softplus", lambda m, a, **k: _F(m).softplus(a, **k),
    _chain(_shapes(_away(avoid=())),
           _one(_away(avoid=(0.5,)), kwargs={"beta": 2.0, "threshold": 1.0}),
           _one(_away(avoid=(-0.8,)), kwargs={"beta": -2.5, "threshold": 2.0}),
           _one(_away(avoid=()), kwargs={"beta": 0.5}),
           _large),
    node="SoftplusBackward0")


# ***** elu, selu, celu *****

row("elu", lambda m, a, **k: _F(m).elu(a, **k),
    _chain(_shapes(_away()), _one(_away(), kwargs={"alpha": 0.5}),
           _one(_away(), kwargs={"alpha": 2.0}), _one(_away(), kwargs={"alpha": -1.0}), _large),
    node="EluBackward0")
row("elu_inplace", lambda m, a, **k: _F(m).elu(a.clone(), inplace=True, **k),
    _chain(_shapes(_away(), SHAPES), _one(_away(), kwargs={"alpha": 0.5})),
    node="EluBackward1")
row("elu_", lambda m, a, **k: _F(m).elu_(a.clone(), **k),
    _chain(_shapes(_away(), SHAPES), _one(_away(), kwargs={"alpha": 2.0})),
    node="EluBackward1")
row("selu", lambda m, a: _F(m).selu(a), _chain(_shapes(_away()), _large), node="EluBackward0")
row("selu_inplace", lambda m, a: _F(m).selu(a.clone(), inplace=True), _shapes(_away(), SHAPES),
    node="EluBackward1")
row("torch_selu", lambda m, a: m.selu(a), _shapes(_away(), SHAPES), node="EluBackward0")
row("torch_selu_", lambda m, a: m.selu_(a.clone()), _shapes(_away(), SHAPES), node="EluBackward1")
row("celu", lambda m, a, **k: _F(m).celu(a, **k),
    _chain(_shapes(_away()), _one(_away(), kwargs={"alpha": 0.5}),
           _one(_away(), kwargs={"alpha": 2.5}), _one(_away(), kwargs={"alpha": 0.3}),
           _one(_away(), kwargs={"alpha": 0.0}, error=RuntimeError), _large),
    node="CeluBackward0")
row("celu_inplace", lambda m, a, **k: _F(m).celu(a.clone(), inplace=True, **k),
    _chain(_shapes(_away(), SHAPES), _one(_away(), kwargs={"alpha": 0.3})),
    node="CeluBackward1")
row("torch_celu", lambda m, a, **k: m.celu(a, **k),
    _chain(_shapes(_away(), SHAPES), _one(_away(), kwargs={"alpha": 2.0})), node="CeluBackward0")


# ***** leaky_relu *****

row("leaky_relu", lambda m, a, **k: _F(m).leaky_relu(a, **k),
    _chain(_shapes(_away()), _one(_away(), kwargs={"negative_slope": 0.2}),
           _one(_away(), kwargs={"negative_slope": -0.5}),
           _one(_away(), kwargs={"negative_slope": 1})),
    node="LeakyReluBackward0")
row("leaky_relu_inplace", lambda m, a, **k: _F(m).leaky_relu(a.clone(), inplace=True, **k),
    _chain(_shapes(_away(), SHAPES), _one(_away(), kwargs={"negative_slope": 0.2})),
    node="LeakyReluBackward1")
row("leaky_relu_", lambda m, a, **k: _F(m).leaky_relu_(a.clone(), **k),
    _chain(_shapes(_away(), SHAPES), _one(_away(), kwargs={"negative_slope": 0.0})),
    node="LeakyReluBackward1")


# ***** hardtanh, relu6 *****

_HT = _away(-2.0, 2.0, (-1.0, 1.0))
_HT2 = _away(-2.0, 2.0, (-0.5, 1.5))
row("hardtanh", lambda m, a, **k: _F(m).hardtanh(a, **k),
    _chain(_shapes(_HT), _one(_HT2, kwargs={"min_val": -0.5, "max_val": 1.5}),
           _one(_HT, kwargs={"min_val": 1.0, "max_val": -1.0}, error=ValueError)),
    node="HardtanhBackward0")
row("hardtanh_inplace", lambda m, a, **k: _F(m).hardtanh(a.clone(), inplace=True, **k),
    _chain(_shapes(_HT, SHAPES), _one(_HT2, kwargs={"min_val": -0.5, "max_val": 1.5})),
    node="HardtanhBackward0")
row("hardtanh_", lambda m, a, **k: _F(m).hardtanh_(a.clone(), **k),
    _chain(_shapes(_HT, SHAPES), _one(_HT2, kwargs={"min_val": -0.5, "max_val": 1.5})),
    node="HardtanhBackward0")
_R6 = _away(-3.0, 9.0, (0.0, 6.0))
row("relu6", lambda m, a: _F(m).relu6(a), _shapes(_R6), node="HardtanhBackward0")
row("relu6_inplace", lambda m, a: _F(m).relu6(a.clone(), inplace=True), _shapes(_R6, SHAPES),
    node="HardtanhBackward0")


# ***** logsigmoid, mish *****

row("logsigmoid", lambda m, a: _F(m).logsigmoid(a),
    _chain(_shapes(_away(-4.0, 4.0, ())), _large), node="LogSigmoidBackward0")
row("mish", lambda m, a: _F(m).mish(a), _chain(_shapes(_away(-4.0, 4.0, ())), _large),
    node="MishBackward0")
row("mish_inplace", lambda m, a: _F(m).mish(a.clone(), inplace=True),
    _shapes(_away(-4.0, 4.0, ()), SHAPES), node="MishBackward0")


# ***** hardsigmoid, hardswish *****

_H3 = _away(-5.0, 5.0, (-3.0, 3.0))
# torch has no second derivative for hardsigmoid (its backward's node raises): gradgrad=False
row("hardsigmoid", lambda m, a: _F(m).hardsigmoid(a), _shapes(_H3), node="HardsigmoidBackward0",
    gradgrad=False)
row("hardsigmoid_inplace", lambda m, a: _F(m).hardsigmoid(a.clone(), inplace=True),
    _shapes(_H3, SHAPES), node="HardsigmoidBackward0", gradgrad=False)
row("hardswish", lambda m, a: _F(m).hardswish(a), _shapes(_H3), node="HardswishBackward0")
row("hardswish_inplace", lambda m, a: _F(m).hardswish(a.clone(), inplace=True),
    _shapes(_H3, SHAPES), node="HardswishBackward0")


# ***** softsign, tanhshrink: compositions in torch too *****

row("softsign", lambda m, a: _F(m).softsign(a), _shapes(_away()), node="DivBackward0")
row("tanhshrink", lambda m, a: _F(m).tanhshrink(a), _shapes(_away(avoid=())), node="SubBackward0")


# ***** softshrink, hardshrink, threshold *****

_S5 = _away(-2.0, 2.0, (-0.5, 0.5))
_S1 = _away(-2.0, 2.0, (-1.0, 1.0))
row("softshrink", lambda m, a, **k: _F(m).softshrink(a, **k),
    _chain(_shapes(_S5), _one(_S1, kwargs={"lambd": 1.0}), _one(_away(), kwargs={"lambd": 0}),
           _one(_S5, kwargs={"lambd": -1.0}, error=RuntimeError),
           _one(_S5, kwargs={"lambd": float("inf")}, error=RuntimeError)),
    node="SoftshrinkBackward0")
row("hardshrink", lambda m, a, **k: _F(m).hardshrink(a, **k),
    _chain(_shapes(_S5), _one(_S1, kwargs={"lambd": 1.0}), _one(_away(), kwargs={"lambd": -1.0})),
    node="HardshrinkBackward0")
row("torch_hardshrink", lambda m, a, **k: m.hardshrink(a, **k),
    _chain(_shapes(_S5, SHAPES), _one(_S1, kwargs={"lambd": 1.0})), node="HardshrinkBackward0")
row("hardshrink_method", lambda m, a, **k: a.hardshrink(**k),
    _chain(_shapes(_S5, SHAPES), _one(_S1, kwargs={"lambd": 1.0})), node="HardshrinkBackward0")

_T = _away(-2.0, 2.0, (0.1,))
_T2 = _away(-2.0, 2.0, (-0.5,))
row("threshold", lambda m, a, **k: _F(m).threshold(a, **k),
    _chain(_shapes(_T, threshold=0.1, value=20.0),
           _one(_T2, kwargs={"threshold": -0.5, "value": -2})),
    node="ThresholdBackward0")
row("threshold_inplace", lambda m, a, **k: _F(m).threshold(a.clone(), inplace=True, **k),
    _shapes(_T, SHAPES, threshold=0.1, value=20.0), node="ThresholdBackward1")
row("threshold_", lambda m, a, **k: _F(m).threshold_(a.clone(), **k),
    _shapes(_T2, SHAPES, threshold=-0.5, value=1.5), node="ThresholdBackward1")
row("torch_threshold", lambda m, a, **k: m.threshold(a, **k),
    _shapes(_T, SHAPES, threshold=0.1, value=20.0), node="ThresholdBackward0")
row("torch_threshold_", lambda m, a, **k: m.threshold_(a.clone(), **k),
    _shapes(_T, SHAPES, threshold=0.1, value=20.0), node="ThresholdBackward1")


# ***** glu *****

def _glu_cases(rng):
    for shape, dim in [((2, 4), -1), ((4,), 0), ((2, 3, 4), 0), ((2, 6, 3), 1), ((2, 3, 4), -1),
                       ((0, 2), -1), ((2, 0), 1)]:
        yield Case((U(rng, shape, avoid=()),), {"dim": dim})
    yield Case((U(rng, (2, 4), avoid=()),), {})
    yield Case((U(rng, (2, 3), avoid=()),), {}, error=RuntimeError)          # odd size
    yield Case((U(rng, (3, 2), avoid=()),), {"dim": 0}, error=RuntimeError)
    yield Case((U(rng, (2, 4), avoid=()),), {"dim": 2}, error=IndexError)
    yield Case((U(rng, (), avoid=()),), {}, error=RuntimeError)              # 0-d


row("glu", lambda m, a, **k: _F(m).glu(a, **k), _glu_cases, node="GluBackward0")
