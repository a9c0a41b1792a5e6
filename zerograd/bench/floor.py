"""The floor: the barest reverse-mode autograd on NumPy that runs the tiny and deep workloads.

Not zerograd, and not usable as a library: it exists to measure what *any* Python autograd on
NumPy must spend per operation, so that zerograd's per-op cost can be read against a lower
bound instead of against PyTorch alone (`python benchmarks/floor.py`).

It records a graph and backpropagates through it as zerograd does - a node per operation holding
its inputs and what its VJP needs, a topological order by creation sequence (iterative: no
recursion limit), gradients summed per node and accumulated into the leaves' `.grad` - and does
nothing else: no dtype or shape checks, no version counters (in-place hazards go unnoticed), no
grad modes, no hooks, no views, no `grad_fn` / `next_functions` to inspect, no error messages.
Only what the workloads use: ``t * u``, ``t + number``, ``t.tanh()``, ``t.sum()``, ``backward()``.

Imported by the benchmark worker without the zerograd package (so: NumPy only).
"""
from __future__ import annotations

import gc
import itertools

import numpy as np

_new = object.__new__
_seq = itertools.count()


class Var:
    """A value, and (unless it is a leaf) the node that made it: its inputs, its VJP and what the
    VJP reads."""
    __slots__ = ("data", "grad", "requires_grad", "inputs", "vjp", "saved", "seq")

    def __init__(self, data, requires_grad=False):
        self.data = data
        self.grad = None
        self.requires_grad = requires_grad
        self.inputs = ()
        self.vjp = None
        self.saved = None
        self.seq = -1

    def __mul__(self, other):
        return _record(self.data * other.data, (self, other), _mul_vjp, (self.data, other.data))

    def __add__(self, number):
        return _record(self.data + _scalar(number, self.data.dtype), (self,), _add_vjp, None)

    def tanh(self):
        y = np.tanh(self.data)
        return _record(y, (self,), _tanh_vjp, y)

    def sum(self):
        return _record(np.asarray(self.data.sum()), (self,), _sum_vjp, self.data.shape)

    def backward(self):
        # the nodes reachable from this one (iteratively), newest first: each runs after every
        # node that feeds it a gradient
        nodes, seen, stack = [], {self}, [self]
        while stack:
            v = stack.pop()
            if v.vjp is not None:
                nodes.append(v)
                for u in v.inputs:
                    if u not in seen and u.requires_grad:
                        seen.add(u)
                        stack.append(u)
        nodes.sort(key=_by_seq, reverse=True)
        gc_was_enabled = gc.isenabled()
        gc.disable()                            # (the sweep creates no cycles; as zerograd's)
        try:
            self._sweep(nodes)
        finally:
            if gc_was_enabled:
                gc.enable()

    def _sweep(self, nodes):
        grads = {self: np.ones_like(self.data)}
        leaves = []
        for v in nodes:
            g = grads.pop(v)
            for u, gu in zip(v.inputs, v.vjp(v.saved, g)):
                if u.requires_grad:
                    old = grads.get(u)
                    grads[u] = gu if old is None else old + gu
                    if u.vjp is None and old is None:
                        leaves.append(u)
            v.inputs = v.saved = None           # the graph is freed as it runs
        for u in leaves:
            g = grads.pop(u)
            u.grad = g if u.grad is None else u.grad + g


_SCALARS: dict = {}


def _scalar(number, dtype):
    """a Python number as a cached 0-d array of `dtype` (NumPy resolves a bare Python number's
    dtype on every call, ~0.5 µs)"""
    key = (number, dtype)
    c = _SCALARS.get(key)
    if c is None:
        c = _SCALARS[key] = np.asarray(number, dtype)
    return c


def _by_seq(v):
    return v.seq


def _record(data, inputs, vjp, saved):
    out = _new(Var)
    out.data = data
    out.grad = None
    out.requires_grad = rg = any(u.requires_grad for u in inputs) if len(inputs) > 1 \
        else inputs[0].requires_grad
    if rg:
        out.inputs = inputs
        out.vjp = vjp
        out.saved = saved
        out.seq = next(_seq)
    else:
        out.inputs = ()
        out.vjp = out.saved = None
        out.seq = -1
    return out


def _mul_vjp(saved, g):
    a, b = saved
    return g * b, g * a


def _add_vjp(saved, g):
    return (g,)


def _tanh_vjp(y, g):
    return (g * (_scalar(1, y.dtype) - y * y),)


def _sum_vjp(shape, g):
    return (np.broadcast_to(g, shape),)


def tensor(data, requires_grad=False):
    """A leaf holding a copy of `data` (the workloads' `lib.tensor`)."""
    return Var(np.array(data), requires_grad)
