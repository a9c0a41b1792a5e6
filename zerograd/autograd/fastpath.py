"""The elementwise fast path: the hottest ops (+ - * /, tanh, sigmoid, relu, exp, ...) run here
before `Op.apply`.

It does what `Op.apply` + the op's `forward` do, for the common case only (float tensors of one
dtype, or a float tensor and a Python number), in one straight function per op - make_unary /
make_binary bind the op's ufunc, saves and node class once, and tensor.py installs those
functions as the Tensor methods themselves (a * b calls no wrapper); anything else - other
dtypes, bool scalars, shapes that do not broadcast, anomaly mode - goes to `cls.apply`, which is
the reference.  An op opts in with two class attributes:
    ufunc   the forward on arrays: ufunc(x) or ufunc(x, y)
    saves   what backward reads: "out" (the output), "in" (the inputs), "cross" (mul: each
            input's partner), "both", or None (nothing)
and its node is indistinguishable from one made by `apply` (tests/test_engine.py checks).
"""
from __future__ import annotations

import numpy as np

from .. import grad_mode
from ..tensor import FRESH, Tensor, _not_an_operand
from .function import (ExactMetas, _anomaly, _arr, _raise_inference_saved,
                       _read_only, _seq, input_edge, make_accumulator, quiet)

_state = grad_mode._state
_new = object.__new__
_ndarray = np.ndarray

_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)
_METAS = {_F32: {}, _F64: {}}      # dtype -> shape -> (shape, dtype)


def _meta(shape, dtype):
    """The interned metadata of an input of this shape and dtype, as the tuples a node's
    `_metas` takes: (meta, (meta,), (meta, meta), (meta, None), (None, meta), (meta, None))
    with meta = (shape, dtype).  (meta,), (meta, meta) and the last (for a tensor and a Python
    number) are ExactMetas - the sweep trusts these nodes' VJPs to give their inputs' shapes and
    dtypes - unless the shape is () (NumPy returns scalars there); (meta, None) at index 3 is for
    a tensor operand that needs no gradient, whose shape may broadcast a's: checked.  Shared
    tuples are objects the cycle collector need not track per operation (a deep graph's
    collections walk every tracked object).  (Keyed by dtype, then shape: hashing a dtype costs
    as much as a dict lookup, so the fast path picks the float32/float64 table by identity.)"""
    def make():
        m = (shape, dtype)
        exact = ExactMetas if shape else tuple
        return m, exact((m,)), exact((m, m)), (m, None), (None, m), exact((m, None))
    return _cached(_METAS, dtype, shape, make, 4096)


def _cached(tables, dtype, key, make, limit):
    """tables[dtype][key], made by make() on a miss; a table past `limit` entries starts over."""
    table = tables.get(dtype)
    if table is None:
        table = tables[dtype] = {}
    value = table.get(key)
    if value is None:
        if len(table) > limit:
            table.clear()
        value = table[key] = make()
    return value


_M32, _M64 = _METAS[_F32], _METAS[_F64]


def make_unary(cls, name=None):
    """The fast path of elementwise op `cls` on one tensor, as a function of it (the op's
    ufunc, what it saves and its node class bound once: no per-call lookups)."""
    ufunc, saves, ncls = cls._fast_spec
    apply = cls.apply

    def fast(a):
        x = a._data
        dt = x.dtype
        if (dt is not _F32 and dt is not _F64) or _anomaly.enabled:
            return apply(a)
        try:
            out = ufunc(x)
        except RuntimeWarning:              # warnings made errors by the user: see quiet()
            out = quiet(ufunc, x)
        if type(out) is not _ndarray:       # NumPy turns 0-d results into scalars
            out = _arr(out)
        t = _new(Tensor)
        t._data = out
        t._grad = None
        t._output_nr = 0
        t._view = None
        if _state.enabled and (a._requires_grad or a._view is not None and requires_grad_now(a)):
            node = _new(ncls)
            node.needs_input_grad = _NEED_1
            node._num_outputs = 1
            node._has_hooks = False
            fn = a._grad_fn
            if fn is None or a._view is not None:
                fn = input_edge(a)
            node._next = fn                     # (one edge: the node itself, see Node)
            nr = a._output_nr
            node._nrs = _NR1[nr] if nr < 2 else (nr,)
            node._metas = ((_M32 if dt is _F32 else _M64).get(x.shape) or _meta(x.shape, dt))[1]
            node._seq = next(_seq)
            t._vc = FRESH
            if saves is None:
                node._saved = ()
                node._saved_versions = None
            elif saves == "out":
                node._saved = out               # (the array alone: see _SavedOutput)
                node._saved_versions = _V0      # (shared: one object fewer per node for the GC)
            else:
                node._saved = (a,)
                v = _version(a)
                node._saved_versions = _V0 if v == 0 else (v,)
            t._requires_grad = True
            t._grad_fn = node
            return t
        t._vc = None if _state.inference else FRESH
        t._requires_grad = False
        t._grad_fn = None
        return t
    fast.__name__ = fast.__qualname__ = name or cls.__name__.lower()
    return fast


_UNARY = {}


def fast_unary(cls, a):
    """cls's fast path on tensor a (the function make_unary made, cached per op)."""
    f = _UNARY.get(cls)
    if f is None:
        f = _UNARY[cls] = make_unary(cls)
    return f(a)


_SCALARS = {_F32: {}, _F64: {}}    # dtype -> value -> read-only 0-d array


def scalar_operand(b, dtype):
    """A Python number as a 0-d array of `dtype`, for a ufunc with an array of that dtype: the
    same value NumPy's "weak scalar" rule would use, at half the cost (NumPy 2 spends ~0.5 us
    resolving a Python scalar's dtype on every call).  Cached by value; zeros (+0.0 and -0.0
    compare equal but differ) and NaN are converted each time."""
    if type(b) is int:
        check_int_scalar(b)
    if b and b == b:
        return _cached(_SCALARS, dtype, b, lambda: _read_only(np.asarray(b, dtype)), 512)
    return np.asarray(b, dtype)


_S32, _S64 = _SCALARS[_F32], _SCALARS[_F64]


def make_binary(cls, dunder=False, name=None):
    """The fast path of elementwise op `cls` on a tensor and a tensor or number, as a function
    of them (bound once, as make_unary).  `dunder`: the function is the Tensor operator itself
    (__add__, __mul__, ...), and a TypeError means `b` is no operand: NotImplemented, as torch's
    (another type's reflected operator then gets its turn; it costs the hot path nothing)."""
    ufunc, saves, ncls = cls._fast_spec
    apply = cls.apply

    def fast(a, b):
        try:
            x = a._data
            dt = x.dtype
            if (dt is not _F32 and dt is not _F64) or _anomaly.enabled:
                return apply(a, b)
            if isinstance(b, Tensor):
                y = b._data
                if y.dtype is not dt:
                    return apply(a, b)
                b_rg = b._requires_grad or b._view is not None and _state.enabled and requires_grad_now(b)
                yc = y
            else:
                tb = type(b)
                if tb is not float and tb is not int:
                    return apply(a, b)
                y = b
                b_rg = False
                yc = (_S32 if dt is _F32 else _S64).get(b)      # (scalar_operand's cache, inlined)
                if yc is None:
                    yc = scalar_operand(b, dt)
            try:
                out = ufunc(x, yc)
            except ValueError:                  # shapes that do not broadcast: apply raises torch's error
                return apply(a, b)
            except RuntimeWarning:              # warnings made errors by the user: see quiet()
                out = quiet(ufunc, x, yc)
            if type(out) is not _ndarray:
                out = _arr(out)
            t = _new(Tensor)
            t._data = out
            t._grad = None
            t._output_nr = 0
            t._view = None
            a_rg = a._requires_grad or a._view is not None and _state.enabled and requires_grad_now(a)
            if (a_rg or b_rg) and _state.enabled:
                node = _new(ncls)
                node._num_outputs = 1
                node._has_hooks = False
                na = nb = 0
                if a_rg:
                    ea = a._grad_fn
                    if ea is None or a._view is not None:
                        ea = input_edge(a)
                    na = a._output_nr               # (0 for a leaf)
                    ra = (_M32 if dt is _F32 else _M64).get(x.shape) or _meta(x.shape, dt)
                else:
                    ea = ra = None
                if b_rg:
                    eb = b._grad_fn
                    if b._view is not None:
                        eb = input_edge(b)
                    elif eb is None:                # a leaf (a weight): its cached AccumulateGrad
                        ref = b._acc
                        eb = ref() if ref is not None else None
                        if eb is None:
                            eb = make_accumulator(b)
                    nb = b._output_nr
                    rb = (_M32 if dt is _F32 else _M64).get(y.shape) or _meta(y.shape, dt)
                    node._metas = (rb[4] if ra is None else rb[2] if ra is rb else (ra[0], rb[0]))
                else:
                    eb = None
                    node._metas = ra[5] if y is b else ra[3]    # (a number: exact; a tensor may broadcast)
                node.needs_input_grad = _NEED_2[a_rg][b_rg]
                node._next = (ea, eb)
                node._nrs = _NR00 if not (na or nb) else (na, nb)
                node._seq = next(_seq)
                if saves is None:
                    node._saved = ()
                    node._saved_versions = None
                else:
                    if saves == "both":
                        sa, sb = a, b
                    else:                       # "cross" (mul): only what the VJP will read, as torch
                        sa = a if b_rg else None
                        sb = b if a_rg else None
                    va = vb = None
                    if sa is not None:
                        vc = sa._vc
                        if vc is None:
                            _raise_inference_saved()
                        va = vc[0]
                    if isinstance(sb, Tensor):
                        vc = sb._vc
                        if vc is None:
                            _raise_inference_saved()
                        vb = vc[0]
                    node._saved = (sa, sb)
                    if va == 0:                     # (shared tuples for the usual versions)
                        sv = _V00 if vb == 0 else _V0N if vb is None else (va, vb)
                    else:
                        sv = _VN0 if va is None and vb == 0 else (va, vb)
                    node._saved_versions = sv
                t._vc = FRESH
                t._requires_grad = True
                t._grad_fn = node
                return t
            t._vc = None if _state.inference else FRESH
            t._requires_grad = False
            t._grad_fn = None
            return t
        except TypeError:
            if dunder:
                return _not_an_operand(b)
            raise
    fast.__name__ = fast.__qualname__ = name or cls.__name__.lower()
    return fast


_BINARY = {}


def fast_binary(cls, a, b):
    """cls's fast path on a and b (the function make_binary made, cached per op)."""
    f = _BINARY.get(cls)
    if f is None:
        f = _BINARY[cls] = make_binary(cls)
    return f(a, b)


_NEED_1 = (True,)
_NR1 = ((0,), (1,))
_NR00 = (0, 0)
_V0 = (0,)
_V00, _V0N, _VN0 = (0, 0), (0, None), (None, 0)
_NEED_2 = ((None, (False, True)), ((True, False), (True, True)))     # [a needs][b needs]


def _version(t):
    vc = t._vc
    if vc is None:
        _raise_inference_saved()
    return vc[0]


from ..ops.views import requires_grad_now  # noqa: E402
from ..ops._util import check_int_scalar  # noqa: E402
