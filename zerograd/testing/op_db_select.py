"""Op-table rows for selection and sets (zerograd/ops/select.py; see op_db.py for the row format).

median / nanmedian / mode pass their gradient to the selected element(s): gradcheck runs on
distinct values (D), where a small change moves no element past another.  Ties and NaN, where
torch's choice of index decides which element gets the gradient, are parity cases with
gradcheck=False.  unique / unique_consecutive (with or without dim) record a node whose backward
raises (as torch's);
isin / searchsorted / bucketize return bool or integer tensors and record nothing.
"""
from __future__ import annotations

import numpy as np

from .op_db import EMPTY, SHAPES, Case, D, U, row

NAN = float("nan")


def _ties(rng):
    return np.array([[1.0, 1.0, 2.0, 2.0, 0.5], [3.0, 3.0, 3.0, -1.0, -1.0]])


def _with_nan(rng):
    return np.array([[1.0, NAN, 2.0, 4.0], [NAN, NAN, NAN, NAN], [0.5, -1.0, 3.0, NAN]])


def _all_cases(rng):
    for s in SHAPES:
        yield Case((D(rng, s),))
    yield Case((_ties(rng),), gradcheck=False, note="the gradient is shared by equal elements")
    yield Case((_with_nan(rng),), gradcheck=False, note="nan")
    for s in EMPTY:
        yield Case((np.zeros(s),), gradcheck=False, note="empty: nan")
    yield Case((2.5,), error=TypeError, note="a number is not a tensor")


def _dim_cases(rng):
    for s in SHAPES[1:]:
        for d in range(-len(s), len(s)):
            yield Case((D(rng, s),), {"dim": d, "keepdim": bool(d % 2)})
    yield Case((D(rng, ()),), {"dim": 0})
    yield Case((D(rng, ()),), {"dim": -1, "keepdim": True})
    yield Case((_ties(rng),), {"dim": 1}, gradcheck=False, note="ties: torch's index")
    yield Case((_ties(rng),), {"dim": 0, "keepdim": True}, gradcheck=False)
    yield Case((_with_nan(rng),), {"dim": 1}, gradcheck=False, note="nan")
    yield Case((_with_nan(rng),), {"dim": 0}, gradcheck=False, note="nan")
    yield Case((np.zeros((0, 3)),), {"dim": 1}, gradcheck=False, note="empty result")
    yield Case((np.zeros((2, 0)),), {"dim": 1}, error=IndexError, note="empty reduction")
    yield Case((D(rng, (2, 3)),), {"dim": 2}, error=IndexError, note="dim out of range")


for _f, _n0, _n1 in (("median", "MedianBackward0", "MedianBackward1"),
                     ("nanmedian", "NanmedianBackward0", "NanmedianBackward1")):
    row(_f, lambda m, a, f=_f: getattr(m, f)(a), _all_cases, node=_n0)
    row(f"{_f}_method", lambda m, a, f=_f: getattr(a, f)(), lambda rng: [Case((D(rng, (3, 4)),))],
        node=_n0)
    row(f"{_f}_dim", lambda m, a, f=_f, **k: getattr(m, f)(a, **k), _dim_cases, node=_n1)
    row(f"{_f}_dim_method", lambda m, a, f=_f: getattr(a, f)(1, True),
        lambda rng: [Case((D(rng, (3, 4)),))], node=_n1)
    row(f"{_f}_fields", lambda m, a, f=_f: (getattr(m, f)(a, 0).values,
                                            getattr(m, f)(a, 0).indices),
        lambda rng: [Case((D(rng, (4, 2)),))], node=_n1)


def _mode_cases(rng):
    yield from _dim_cases(rng)
    yield Case((D(rng, (2, 3)),), {})                       # dim=-1 by default
    yield Case((np.round(U(rng, (3, 40), -1.4, 1.4, avoid=())),), {"dim": 1}, gradcheck=False,
               note="long rows with ties: std::sort's unstable order decides the index")


row("mode", lambda m, a, **k: m.mode(a, **k), _mode_cases, node="ModeBackward0")
row("mode_method", lambda m, a: a.mode(0), lambda rng: [Case((D(rng, (3, 4)),))],
    node="ModeBackward0")
row("mode_fields", lambda m, a: (m.mode(a).values, m.mode(a).indices),
    lambda rng: [Case((D(rng, (4, 2)),))], node="ModeBackward0")


# ----- unique / unique_consecutive: their node's backward raises --------------------------------

def _unique_cases(rng):
    for kw in ({}, {"return_inverse": True}, {"return_counts": True},
               {"return_inverse": True, "return_counts": True}):
        yield Case((np.round(U(rng, (3, 4), -1.4, 1.4, avoid=())),), kw)
        yield Case((np.array([[2.0, NAN, 1.0], [NAN, 1.0, 2.0]]),), kw, note="nan: each distinct")
        yield Case((np.zeros((0,)),), kw)
        yield Case((np.array(1.5),), kw)


row("unique", lambda m, a, **k: m.unique(a, **k), _unique_cases, node="Unique2Backward0",
    differentiable=False)
row("unique_method", lambda m, a, **k: a.unique(sorted=False, **k), _unique_cases,
    node="Unique2Backward0", differentiable=False)
row("unique_consecutive", lambda m, a, **k: m.unique_consecutive(a, **k), _unique_cases,
    node="UniqueConsecutiveBackward0", differentiable=False)


def _unique_dim_cases(rng):
    x = np.array([[1.0, 2.0, 1.0], [1.0, 2.0, 1.0], [0.0, 1.0, 0.0], [1.0, 2.0, 1.0]])
    for d in (0, 1, -1):
        yield Case((x,), {"dim": d, "return_inverse": True, "return_counts": True})
    yield Case((np.zeros((0, 3)),), {"dim": 0})
    yield Case((np.zeros((0, 3)),), {"dim": 1}, error=RuntimeError, note="an unselected 0 dim")
    yield Case((x,), {"dim": 2}, error=IndexError)


row("unique_dim", lambda m, a, **k: m.unique(a, **k), _unique_dim_cases,
    node="UniqueDimBackward0", differentiable=False)
row("unique_consecutive_dim", lambda m, a, **k: m.unique_consecutive(a, **k), _unique_dim_cases,
    node="UniqueConsecutiveBackward0", differentiable=False)


# ----- isin / searchsorted / bucketize: no gradient --------------------------------------------

def _isin_cases(rng):
    x = np.round(U(rng, (3, 4), -2.4, 2.4, avoid=()))
    yield Case((x, np.array([-1.0, 0.0, 2.0])))
    yield Case((x, np.array([-1.0, 0.0, 2.0])), {"invert": True})
    yield Case((x, np.array([1.0, 1.0])), {"assume_unique": False})
    yield Case((x, 1.0))
    yield Case((np.array([NAN, 1.0]), np.array([NAN, 2.0])), note="nan is never a member")
    yield Case((np.zeros(0), np.array([1.0])))
    yield Case((x, np.zeros(0)))


row("isin", lambda m, a, b, **k: m.isin(a, b, **k), _isin_cases, differentiable=False)


def _sorted(rng, n):
    return np.sort(np.round(U(rng, (n,), -2.4, 2.4, avoid=()) * 2) / 2)


def _search_cases(rng):
    v = np.round(U(rng, (3, 4), -3.0, 3.0, avoid=()) * 2) / 2
    for kw in ({}, {"right": True}, {"side": "right"}, {"out_int32": True}):
        yield Case((_sorted(rng, 6), v), kw)
    yield Case((np.sort(D(rng, (3, 5)), axis=1), v[:, :2]), {})
    yield Case((_sorted(rng, 4), 0.5), {})
    yield Case((np.array([1.0, NAN]), np.array([NAN, 2.0])), {})
    yield Case((_sorted(rng, 4), v), {"side": "middle"}, error=RuntimeError)
    yield Case((np.array(1.0), v), {}, error=RuntimeError)


row("searchsorted", lambda m, s, v, **k: m.searchsorted(s, v, **k), _search_cases,
    differentiable=False)


def _bucket_cases(rng):
    v = np.round(U(rng, (3, 4), -3.0, 3.0, avoid=()) * 2) / 2
    yield Case((v, _sorted(rng, 5)), {})
    yield Case((v, _sorted(rng, 5)), {"right": True})
    yield Case((0.5, _sorted(rng, 5)), {})
    yield Case((v, np.sort(D(rng, (2, 3)), axis=1)), {}, error=RuntimeError)


row("bucketize", lambda m, v, s, **k: m.bucketize(v, s, **k), _bucket_cases,
    differentiable=False)
