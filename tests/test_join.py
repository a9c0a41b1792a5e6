"""Parity tests for the join/reorder family (zerograd/ops/join.py) against PyTorch.

For every op: values, dtypes, graph node names and gradients equal torch's (float64; contiguous,
transposed and strided inputs; broadcasting where the op broadcasts), gradcheck and gradgradcheck
pass, and bad input raises torch's exception with torch's message.

The first section is the parity harness, shared with tests/test_indexing.py: a case is a function
`fn(L, *xs)` written once for both libraries (L is `torch` or `zerograd`) plus its float64 inputs.
"""
from __future__ import annotations

import numpy as np
import pytest

import zerograd
from tests._oracle import requires_torch, torch

# ================================================================================================
# harness
# ================================================================================================


def make(L, arr, layout="c", requires_grad=True):
    """A leaf holding `arr` in library L: 'c' contiguous, 't' a transposed (column-major) leaf,
    's' every other element of a buffer twice as wide (a strided leaf)."""
    arr = np.asarray(arr)
    if layout == "t" and arr.ndim >= 2:
        base = np.ascontiguousarray(np.swapaxes(arr, -1, -2))
        t = L.from_numpy(base).transpose(-1, -2)
    elif layout == "s" and arr.ndim >= 1 and arr.size:
        big = np.zeros(arr.shape[:-1] + (2 * arr.shape[-1],), arr.dtype)
        big[..., ::2] = arr
        t = L.from_numpy(big)[..., ::2]
    else:
        t = L.from_numpy(arr.copy())
    t = t.detach()
    if requires_grad and arr.dtype.kind == "f":
        t.requires_grad_(True)
    return t


def first(out):
    return out[0] if isinstance(out, tuple) else out


def node_names(t, depth=6):
    """Names of the graph below t, depth-first, as a nested tuple (None for no node)."""
    def rec(fn, d):
        if fn is None:
            return None
        if d == 0:
            return fn.name()
        return (fn.name(),) + tuple(rec(f, d - 1) for f, _ in fn.next_functions)
    return rec(t.grad_fn, depth)


def _outs(out):
    return list(out) if isinstance(out, tuple) else [out]


def check_parity(fn, arrays, layouts=None, names=True, node=None, rtol=1e-10, atol=1e-12,
                 seed=0):
    """fn(L, *xs) in torch and zerograd agree on values, dtypes, node names and gradients
    (or, where torch raises for these inputs, zerograd raises the same error)."""
    layouts = layouts or ["c"] * len(arrays)
    tx = [make(torch, a, lay) for a, lay in zip(arrays, layouts)]
    zx = [make(zerograd, a, lay) for a, lay in zip(arrays, layouts)]
    for t, z in zip(tx, zx):
        assert t.is_contiguous() == z.is_contiguous()
        assert t.stride() == z.stride()
    try:
        to = fn(torch, *tx)
    except Exception as e:  # noqa: BLE001
        with pytest.raises(type(e)) as ze:
            fn(zerograd, *zx)
        assert str(ze.value).split("\n")[0] == str(e).split("\n")[0]
        return
    zo = fn(zerograd, *zx)
    assert isinstance(zo, tuple) == isinstance(to, tuple)
    for a, b in zip(_outs(to), _outs(zo)):
        assert tuple(a.shape) == tuple(b.shape), (a.shape, b.shape)
        assert str(a.dtype) == str(b.dtype), (a.dtype, b.dtype)
        lo = a.dtype == torch.float32
        np.testing.assert_allclose(b.detach().numpy(), a.detach().numpy(),
                                   rtol=1e-6 if lo else rtol, atol=1e-6 if lo else atol)
        assert a.requires_grad == b.requires_grad
    t0, z0 = first(to), first(zo)
    if node is not None:
        assert z0.grad_fn.name() == node == t0.grad_fn.name()
    if names and t0.grad_fn is not None:
        assert node_names(z0) == node_names(t0)
    diff = [i for i, a in enumerate(arrays) if np.asarray(a).dtype.kind == "f"]
    if not t0.requires_grad or not diff:
        return
    r = np.random.default_rng(seed).standard_normal(tuple(t0.shape))
    tl = (t0 * torch.from_numpy(r).to(t0.dtype)).sum()
    zl = (z0 * zerograd.from_numpy(r).to(z0.dtype)).sum()
    tg = torch.autograd.grad(tl, [tx[i] for i in diff], allow_unused=True)
    zg = zerograd.autograd.grad(zl, [zx[i] for i in diff], allow_unused=True)
    for a, b in zip(tg, zg):
        if a is None:
            assert b is None or not np.any(b.numpy())
            continue
        assert b is not None
        assert tuple(a.shape) == tuple(b.shape)
        lo = t0.dtype == torch.float32
        np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-5 if lo else 1e-9,
                                   atol=1e-5 if lo else 1e-10)


def check_gradcheck(fn, arrays, gradgrad=True):
    xs = [make(zerograd, a) for a in arrays]

    def f(*ts):
        return first(fn(zerograd, *ts))
    assert zerograd.autograd.gradcheck(f, tuple(xs))
    if gradgrad:
        assert zerograd.autograd.gradgradcheck(f, tuple(xs))


def check_error(fn, arrays=(), match_message=True, prefix=None):
    """fn raises the same exception type (and message, or `prefix` of it) in both libraries."""
    tx = [make(torch, a) for a in arrays]
    zx = [make(zerograd, a) for a in arrays]
    te = ze = None
    try:
        fn(torch, *tx)
    except Exception as e:  # noqa: BLE001
        te = e
    try:
        fn(zerograd, *zx)
    except Exception as e:  # noqa: BLE001
        ze = e
    assert te is not None, "torch did not raise"
    assert ze is not None, f"zerograd did not raise (torch: {type(te).__name__}: {te})"
    assert type(ze) is type(te), (type(ze), ze, type(te), te)
    tm, zm = str(te).split("\n")[0], str(ze).split("\n")[0]
    if prefix is not None:
        assert zm.startswith(prefix) and tm.startswith(prefix), (zm, tm)
    elif match_message:
        assert zm == tm, (zm, tm)
    return ze


# ================================================================================================
# cases
# ================================================================================================

_rng = np.random.default_rng(1234)


def R(*shape):
    """Random float64 values, distinct enough that sort/topk see no ties."""
    return _rng.standard_normal(shape)


def _nz(*shape):
    """Random values away from zero (for cumprod's fast path)."""
    x = _rng.uniform(0.5, 1.5, shape)
    return x * np.where(_rng.random(shape) < 0.5, -1, 1)


def _with_zero(*shape):
    x = _nz(*shape)
    x.reshape(-1)[1] = 0.0
    return x


def _case(name, fn, arrays, node=None, names=True, layouts=("c", "t", "s"), gradgrad=True,
          gradcheck=True):
    """gradgrad/gradcheck False: skip gradgradcheck / both (float32 steps are too coarse)."""
    return pytest.param(fn, arrays, node, names, layouts, gradgrad if gradcheck else None,
                        id=name)


CASES = [
    # cat / stack / hstack / vstack
    _case("cat-dim0", lambda L, a, b: L.cat([a, b]), [R(2, 3), R(4, 3)], "CatBackward0"),
    _case("cat-dim1-3", lambda L, a, b, c: L.cat((a, b, c), 1), [R(3, 2), R(3, 1), R(3, 3)],
          "CatBackward0"),
    _case("cat-neg-dim", lambda L, a, b: L.cat([a, b], dim=-1), [R(2, 2, 3), R(2, 2, 1)],
          "CatBackward0"),
    _case("cat-1d", lambda L, a, b: L.cat([a, b]), [R(3), R(2)], "CatBackward0"),
    _case("cat-legacy-empty", lambda L, a: L.cat([a, L.zeros(0, dtype=L.float64), a]), [R(2, 3)],
          "CatBackward0"),
    _case("cat-promote-f32", lambda L, a, b: L.cat([a.float(), b]), [R(2, 3), R(1, 3)],
          "CatBackward0", gradcheck=False),
    _case("cat-same-input", lambda L, a: L.cat([a, a * 2, a], 0), [R(2, 2)], "CatBackward0"),
    _case("concat", lambda L, a, b: L.concat([a, b], 1), [R(2, 1), R(2, 2)], "CatBackward0"),
    _case("stack-0", lambda L, a, b, c: L.stack([a, b, c]), [R(2, 3), R(2, 3), R(2, 3)],
          "StackBackward0"),
    _case("stack-1", lambda L, a, b: L.stack([a, b], 1), [R(2, 3), R(2, 3)], "StackBackward0"),
    _case("stack-last", lambda L, a, b: L.stack([a, b], -1), [R(3), R(3)], "StackBackward0"),
    _case("stack-0d", lambda L, a, b: L.stack([a, b]), [R(), R()], "StackBackward0"),
    _case("hstack-2d", lambda L, a, b: L.hstack([a, b]), [R(2, 3), R(2, 1)], "CatBackward0"),
    _case("hstack-1d", lambda L, a, b: L.hstack([a, b]), [R(3), R(2)], "CatBackward0"),
    _case("hstack-0d", lambda L, a, b: L.hstack([a[0, 0], b[1]]), [R(2, 2), R(2)], "CatBackward0"),
    _case("vstack-1d", lambda L, a, b: L.vstack([a, b]), [R(3), R(3)], "CatBackward0"),
    _case("vstack-2d", lambda L, a, b: L.vstack((a, b)), [R(1, 3), R(2, 3)], "CatBackward0"),
    _case("vstack-0d", lambda L, a: L.vstack([a[0], a[1]]), [R(2)], "CatBackward0"),
    # repeat / tile / repeat_interleave
    _case("repeat", lambda L, a: a.repeat(2, 1, 3), [R(2, 3)], "RepeatBackward0"),
    _case("repeat-tuple", lambda L, a: a.repeat((2, 2)), [R(3)], "RepeatBackward0"),
    _case("repeat-0d", lambda L, a: a.repeat(3), [R()], "RepeatBackward0"),
    _case("repeat-zero", lambda L, a: a.repeat(0, 2), [R(2, 3)], "RepeatBackward0"),
    _case("tile-short", lambda L, a: a.tile((2,)), [R(2, 3)], "RepeatBackward0"),
    _case("tile-long", lambda L, a: L.tile(a, (2, 1, 2)), [R(2, 3)], "RepeatBackward0"),
    _case("repeat_interleave-dim0", lambda L, a: a.repeat_interleave(2, dim=0), [R(2, 3)],
          "ViewBackward0"),
    _case("repeat_interleave-dim1", lambda L, a: a.repeat_interleave(3, 1), [R(2, 3)],
          "ViewBackward0"),
    _case("repeat_interleave-flat", lambda L, a: L.repeat_interleave(a, 2), [R(2, 3)]),
    _case("repeat_interleave-tensor", lambda L, a: a.repeat_interleave(L.tensor([1, 0, 3]), dim=0),
          [R(3, 2)], "IndexSelectBackward0"),
    _case("repeat_interleave-tensor1", lambda L, a: a.repeat_interleave(L.tensor([2]), dim=1),
          [R(3, 2)], "IndexSelectBackward0"),
    # flip / roll / tril / triu
    _case("flip-0", lambda L, a: a.flip(0), [R(3, 4)], "FlipBackward0"),
    _case("flip-both", lambda L, a: L.flip(a, (0, -1)), [R(3, 4)], "FlipBackward0"),
    _case("flip-none", lambda L, a: a.flip(()), [R(3, 2)], "FlipBackward0"),
    _case("flip-3d", lambda L, a: a.flip(1, 2), [R(2, 3, 2)], "FlipBackward0"),
    _case("fliplr", lambda L, a: L.fliplr(a), [R(2, 3)], "FlipBackward0"),
    _case("flipud", lambda L, a: a.flipud(), [R(2, 3)], "FlipBackward0"),
    _case("roll-1", lambda L, a: a.roll(1, 0), [R(3, 4)], "RollBackward0"),
    _case("roll-2", lambda L, a: L.roll(a, (1, -2), (0, 1)), [R(3, 4)], "RollBackward0"),
    _case("roll-flat", lambda L, a: a.roll(5), [R(3, 4)], "RollBackward0"),
    _case("roll-big-shift", lambda L, a: a.roll(-7, -1), [R(3, 4)], "RollBackward0"),
    _case("tril", lambda L, a: a.tril(), [R(3, 4)], "TrilBackward0"),
    _case("tril-k", lambda L, a: L.tril(a, 1), [R(4, 3)], "TrilBackward0"),
    _case("tril-batched", lambda L, a: a.tril(-1), [R(2, 3, 3)], "TrilBackward0"),
    _case("triu", lambda L, a: a.triu(), [R(3, 4)], "TriuBackward0"),
    _case("triu-k", lambda L, a: L.triu(a, diagonal=-1), [R(4, 3)], "TriuBackward0"),
    _case("triu-batched", lambda L, a: a.triu(2), [R(2, 3, 4)], "TriuBackward0"),
    # cumsum / cumprod
    _case("cumsum-0", lambda L, a: a.cumsum(0), [R(3, 4)], "CumsumBackward0"),
    _case("cumsum-last", lambda L, a: L.cumsum(a, dim=-1), [R(2, 3, 4)], "CumsumBackward0"),
    _case("cumsum-1d", lambda L, a: a.cumsum(0), [R(5)], "CumsumBackward0"),
    _case("cumsum-0d", lambda L, a: a.cumsum(0), [R()], "CumsumBackward0"),
    _case("cumsum-dtype", lambda L, a: a.cumsum(1, dtype=L.float32), [R(2, 3)],
          "CumsumBackward0", gradcheck=False),
    _case("cumprod-0", lambda L, a: a.cumprod(0), [_nz(3, 4)], "CumprodBackward0"),
    _case("cumprod-last", lambda L, a: L.cumprod(a, -1), [_nz(2, 3, 4)], "CumprodBackward0"),
    _case("cumprod-zero", lambda L, a: a.cumprod(1), [_with_zero(2, 4)], "CumprodBackward0"),
    _case("cumprod-two-zeros", lambda L, a: a.cumprod(0),
          [np.array([2.0, 0.0, 3.0, 0.0, 1.5])], "CumprodBackward0"),
    # sort / topk / kthvalue
    _case("sort", lambda L, a: a.sort(), [R(3, 4)], "SortBackward0"),
    _case("sort-dim0-desc", lambda L, a: L.sort(a, 0, descending=True), [R(3, 4)],
          "SortBackward0"),
    _case("sort-stable", lambda L, a: a.sort(dim=1, stable=True), [R(2, 5)], "SortBackward1"),
    _case("sort-stable-false", lambda L, a: L.sort(a, stable=False, dim=0), [R(3, 2)],
          "SortBackward1"),
    _case("sort-0d", lambda L, a: a.sort(), [R()], "SortBackward0"),
    _case("topk", lambda L, a: a.topk(2), [R(3, 4)], "TopkBackward0"),
    _case("topk-smallest-dim0", lambda L, a: L.topk(a, 2, dim=0, largest=False), [R(3, 4)],
          "TopkBackward0"),
    _case("topk-all", lambda L, a: a.topk(4, 1), [R(2, 4)], "TopkBackward0"),
    _case("kthvalue", lambda L, a: a.kthvalue(2), [R(3, 4)], "KthvalueBackward0"),
    _case("kthvalue-keepdim", lambda L, a: L.kthvalue(a, 3, 0, keepdim=True), [R(3, 4)],
          "KthvalueBackward0"),
    _case("kthvalue-1d", lambda L, a: a.kthvalue(1), [R(5)], "KthvalueBackward0"),
    # constant padding
    _case("pad", lambda L, a: L.constant_pad_nd(a, (1, 2)), [R(2, 3)], "ConstantPadNdBackward0"),
    _case("pad-2d-value", lambda L, a: L.constant_pad_nd(a, (1, 1, 2, 0), 3.5), [R(2, 3)],
          "ConstantPadNdBackward0"),
    _case("pad-negative", lambda L, a: L.constant_pad_nd(a, (-1, 2, 0, -1)), [R(3, 4)],
          "ConstantPadNdBackward0"),
    _case("pad-3d", lambda L, a: L.constant_pad_nd(a, (0, 1, 1, 0, 2, 2)), [R(2, 2, 2)],
          "ConstantPadNdBackward0"),
    _case("pad-crop-all", lambda L, a: L.constant_pad_nd(a, (-3, 0)), [R(2, 3)],
          "ConstantPadNdBackward0"),
    # einsum (torch decomposes it into permute/bmm/view nodes; zerograd records one node)
    _case("einsum-mm", lambda L, a, b: L.einsum("ij,jk->ik", a, b), [R(2, 3), R(3, 4)],
          names=False),
    _case("einsum-bmm", lambda L, a, b: L.einsum("bij,bjk->bik", a, b), [R(2, 2, 3), R(2, 3, 2)],
          names=False),
    _case("einsum-diag", lambda L, a: L.einsum("ii->i", a), [R(3, 3)], names=False),
    _case("einsum-trace", lambda L, a: L.einsum("ii", a), [R(3, 3)], names=False),
    _case("einsum-sum", lambda L, a: L.einsum("ij->", a), [R(2, 3)], names=False),
    _case("einsum-transpose", lambda L, a: L.einsum("ijk->kij", a), [R(2, 3, 2)], names=False),
    _case("einsum-outer", lambda L, a, b: L.einsum("i,j->ij", a, b), [R(3), R(2)], names=False),
    _case("einsum-implicit", lambda L, a, b: L.einsum("ba,bc", a, b), [R(3, 2), R(3, 4)],
          names=False),
    _case("einsum-ellipsis", lambda L, a, b: L.einsum("...j,j->...", a, b), [R(2, 3, 4), R(4)],
          names=False),
    _case("einsum-ellipsis-bcast", lambda L, a, b: L.einsum("...ij,...jk->...ik", a, b),
          [R(2, 1, 2, 3), R(3, 3, 2)], names=False),
    _case("einsum-broadcast", lambda L, a, b: L.einsum("ij,ij->ij", a, b), [R(3, 1), R(1, 4)],
          names=False),
    _case("einsum-3ops", lambda L, a, b, c: L.einsum("ij,jk,kl->il", a, b, c),
          [R(2, 3), R(3, 2), R(2, 2)], names=False),
    _case("einsum-sum-one-only", lambda L, a, b: L.einsum("ij,k->ik", a, b), [R(2, 3), R(2)],
          names=False),
    _case("einsum-repeat-in-one", lambda L, a, b: L.einsum("iij,j->i", a, b), [R(2, 2, 3), R(3)],
          names=False),
    _case("einsum-list", lambda L, a, b: L.einsum("ij,jk", [a, b]), [R(2, 3), R(3, 2)],
          names=False),
    _case("einsum-sublist", lambda L, a, b: L.einsum(a, [0, 1], b, [1, 2], [0, 2]),
          [R(2, 3), R(3, 2)], names=False),
    _case("einsum-same-operand", lambda L, a: L.einsum("ij,ij->", a, a), [R(2, 3)], names=False),
    _case("einsum-scalars", lambda L, a, b: L.einsum(",->", a, b), [R(), R()], names=False),
    _case("einsum-dot-implicit", lambda L, a, b: L.einsum("i,i", a, b), [R(3), R(3)],
          names=False),
    _case("einsum-batch-diag", lambda L, a: L.einsum("bii->bi", a), [R(2, 3, 3)], names=False),
    _case("einsum-diag-contract", lambda L, a, b: L.einsum("iij,jk->ik", a, b),
          [R(2, 2, 3), R(3, 2)], names=False),
    _case("einsum-capitals-spaces", lambda L, a, b: L.einsum("A b , b C -> A C", a, b),
          [R(2, 3), R(3, 2)], names=False),
    _case("einsum-ellipsis-identity", lambda L, a: L.einsum("...->...", a), [R(2, 3)],
          names=False),
    # empty and edge shapes
    _case("cat-empty-2d", lambda L, a, b: L.cat([a, b], 1), [R(2, 0), R(2, 3)], "CatBackward0"),
    _case("stack-empty", lambda L, a, b: L.stack([a, b]), [R(0, 2), R(0, 2)], "StackBackward0",
          gradcheck=False),
    _case("vstack-mixed", lambda L, a, b: L.vstack([a, b]), [R(3), R(2, 3)], "CatBackward0"),
    _case("hstack-3d", lambda L, a, b: L.hstack([a, b]), [R(2, 1, 2), R(2, 3, 2)],
          "CatBackward0"),
    _case("sort-empty", lambda L, a: a.sort(0), [R(0, 2)], "SortBackward0", gradcheck=False),
    _case("topk-0", lambda L, a: a.topk(0), [R(3)], "TopkBackward0"),
    _case("kthvalue-neg-dim", lambda L, a: a.kthvalue(1, -2), [R(3, 2)], "KthvalueBackward0"),
    _case("cumsum-empty", lambda L, a: a.cumsum(0), [R(0, 3)], "CumsumBackward0",
          gradcheck=False),
    _case("cumprod-0d", lambda L, a: a.cumprod(0), [R()], "CumprodBackward0"),
    _case("cumprod-zero-first", lambda L, a: a.cumprod(0), [np.array([0.0, 2.0, 3.0])],
          "CumprodBackward0"),
    _case("cumprod-zero-last", lambda L, a: a.cumprod(0), [np.array([2.0, 2.0, 0.0])],
          "CumprodBackward0"),
    _case("repeat_interleave-zero", lambda L, a: a.repeat_interleave(0, 1), [R(2, 3)]),
    _case("repeat_interleave-0d", lambda L, a: a.repeat_interleave(3), [R()]),
    _case("tile-0d", lambda L, a: a.tile(2, 2), [R()], "RepeatBackward0"),
    _case("roll-0d", lambda L, a: a.roll(2), [R()], "RollBackward0"),
    _case("tril-far", lambda L, a: a.tril(-5), [R(3, 4)], "TrilBackward0"),
    _case("triu-far", lambda L, a: a.triu(10), [R(3, 4)], "TriuBackward0"),
]


@requires_torch
@pytest.mark.parametrize("fn, arrays, node, names, layouts, gradgrad", CASES)
@pytest.mark.parametrize("layout", ["c", "t", "s"])
def test_parity(fn, arrays, node, names, layouts, gradgrad, layout):
    if layout not in layouts:
        pytest.skip("layout not applicable")
    check_parity(fn, arrays, [layout] * len(arrays), names=names, node=node)


# (cases with gradgrad None compute in float32 inside: finite differences are too coarse for
# them, and the parity tests above cover their gradients)
@pytest.mark.parametrize("fn, arrays, node, names, layouts, gradgrad",
                         [c for c in CASES if (c.values[5] if hasattr(c, "values") else c[5]) is not None])
def test_gradcheck(fn, arrays, node, names, layouts, gradgrad):
    check_gradcheck(fn, arrays, gradgrad)


# ================================================================================================
# bad input: torch's exception type and message
# ================================================================================================

def _err(name, fn, arrays=(), prefix=None):
    return pytest.param(fn, arrays, prefix, id=name)


ERRORS = [
    _err("cat-sizes", lambda L, a, b: L.cat([a, b], 1), [R(3, 2), R(4, 2)]),
    _err("cat-sizes-third", lambda L, a: L.cat([a, a, a[:2]], 1), [R(3, 2)]),
    _err("cat-ndim", lambda L, a, b: L.cat([a, b]), [R(3, 2), R(2)]),
    _err("cat-empty-list", lambda L: L.cat([])),
    _err("cat-dim-range", lambda L, a: L.cat([a, a], 2), [R(3, 2)]),
    _err("cat-0d", lambda L, a: L.cat([a[0, 0], a[1, 1]]), [R(3, 2)]),
    _err("cat-0d-second", lambda L, a: L.cat([a, a[0, 0]]), [R(3, 2)]),
    _err("cat-tensor-not-list", lambda L, a: L.cat(a), [R(3, 2)]),
    _err("stack-sizes", lambda L, a, b: L.stack([a, b]), [R(3, 4), R(3, 5)]),
    _err("stack-empty", lambda L: L.stack([])),
    _err("stack-dim-range", lambda L, a: L.stack([a, a], 3), [R(3, 4)]),
    _err("hstack-empty", lambda L: L.hstack([])),
    _err("vstack-empty", lambda L: L.vstack([])),
    _err("repeat-too-few", lambda L, a: a.repeat(2), [R(3, 4)]),
    _err("repeat-negative", lambda L, a: a.repeat(-1, 2), [R(3, 4)]),
    _err("repeat_interleave-negative", lambda L, a: a.repeat_interleave(-1), [R(3)]),
    _err("repeat_interleave-size", lambda L, a: a.repeat_interleave(L.tensor([1, 2]), dim=0),
         [R(3, 4)]),
    _err("repeat_interleave-negative-t", lambda L, a: a.repeat_interleave(L.tensor([1, -1, 1]), 0),
         [R(3, 4)]),
    _err("flip-dup", lambda L, a: a.flip(0, 0), [R(3, 4)]),
    _err("flip-range", lambda L, a: a.flip(2), [R(3, 4)]),
    _err("roll-align", lambda L, a: a.roll((1, 2), (0,)), [R(3, 4)]),
    _err("roll-flat-tuple", lambda L, a: a.roll((1, 2)), [R(3, 4)]),
    _err("tril-1d", lambda L, a: a.tril(), [R(3)]),
    _err("triu-1d", lambda L, a: a.triu(), [R(3)]),
    _err("cumsum-range", lambda L, a: a.cumsum(2), [R(3, 4)]),
    _err("topk-k", lambda L, a: a.topk(5), [R(3, 4)]),
    _err("topk-negative", lambda L, a: a.topk(-1), [R(3, 4)]),
    _err("kthvalue-k", lambda L, a: a.kthvalue(5), [R(3, 4)]),
    _err("kthvalue-0", lambda L, a: a.kthvalue(0, 0), [R(3, 4)]),
    _err("pad-too-long", lambda L, a: L.constant_pad_nd(a, (1, 1, 1, 1, 1, 1)), [R(3, 4)],
         "Length of pad should be no more than twice the number of dimensions of the input."),
    _err("pad-crop-too-much", lambda L, a: L.constant_pad_nd(a, (-3, -2)), [R(3, 4)]),
    _err("einsum-size", lambda L, a: L.einsum("ij,jk->ik", a, a), [R(3, 4)]),
    _err("einsum-few-operands", lambda L, a: L.einsum("ij,jk->ik", a), [R(3, 4)]),
    _err("einsum-ndim", lambda L, a: L.einsum("ijk->i", a), [R(3, 4)]),
    _err("einsum-output-unknown", lambda L, a: L.einsum("ij->k", a), [R(3, 4)]),
    _err("einsum-output-repeat", lambda L, a: L.einsum("ij->ii", a), [R(3, 4)]),
    _err("einsum-dtype", lambda L, a: L.einsum("ij,j->i", a.float(), a[0]), [R(3, 4)]),
]


@requires_torch
@pytest.mark.parametrize("fn, arrays, prefix", ERRORS)
def test_errors(fn, arrays, prefix):
    check_error(fn, arrays, prefix=prefix)


@requires_torch
def test_cat_error_names_tensor_and_dim():
    a, b = zerograd.zeros(2, 3), zerograd.zeros(2, 4)
    with pytest.raises(RuntimeError, match=r"^Sizes of tensors must match except in dimension 1\. "
                       r"Expected size 3 but got size 4 for tensor number 1 in the list\.$"):
        zerograd.cat([a.t(), b.t()], 1)


# ================================================================================================
# behaviour beyond values and gradients
# ================================================================================================

@requires_torch
def test_sort_topk_kthvalue_return_types_print_as_torch():
    x = np.array([[3.0, 1.0, 2.0], [0.5, 4.0, -1.0]])
    for f in (lambda L, t: t.sort(), lambda L, t: L.sort(t, 0, descending=True),
              lambda L, t: t.topk(2), lambda L, t: t.kthvalue(2, 1, True)):
        zr, tr = f(zerograd, zerograd.tensor(x)), f(torch, torch.tensor(x))
        assert repr(zr) == repr(tr)
        assert repr(zr.values) == repr(tr.values) and repr(zr.indices) == repr(tr.indices)
        v, i = zr
        assert v is zr.values and i is zr.indices


@requires_torch
def test_sort_is_stable_and_puts_nan_last_as_torch():
    x = np.array([3.0, 1.0, 3.0, np.nan, 1.0, 2.0, 3.0])
    for desc in (False, True):
        zv, zi = zerograd.tensor(x).sort(descending=desc, stable=True)
        tv, ti = torch.tensor(x).sort(descending=desc, stable=True)
        np.testing.assert_array_equal(zv.numpy(), tv.numpy())
        np.testing.assert_array_equal(zi.numpy(), ti.numpy())
        np.testing.assert_array_equal(zerograd.tensor(x).argsort(descending=desc).numpy(),
                                      torch.tensor(x).argsort(descending=desc, stable=True).numpy())


@requires_torch
def test_indices_are_int64_without_grad():
    x = zerograd.randn(3, 4, dtype=zerograd.float64, requires_grad=True)
    for v, i in (x.sort(1), x.topk(2), x.kthvalue(2)):
        assert v.requires_grad and v.grad_fn is not None
        assert i.dtype == zerograd.int64 and not i.requires_grad and i.grad_fn is None


@requires_torch
def test_integer_inputs_no_grad():
    for f in (lambda L, t: t.cumsum(0), lambda L, t: t.cumprod(0), lambda L, t: L.cat([t, t]),
              lambda L, t: t.sort()[0], lambda L, t: t.flip(0), lambda L, t: L.einsum("i->", t),
              lambda L, t: L.cumsum(t.bool(), 0), lambda L, t: t.repeat_interleave(2)):
        z, t = f(zerograd, zerograd.tensor([3, 1, 2])), f(torch, torch.tensor([3, 1, 2]))
        assert str(z.dtype) == str(t.dtype) and z.tolist() == t.tolist()
    z = zerograd.repeat_interleave(zerograd.tensor([1, 0, 2]))
    assert z.tolist() == torch.repeat_interleave(torch.tensor([1, 0, 2])).tolist()


@requires_torch
def test_results_do_not_alias_inputs():
    """Non-view ops copy: writing into the result leaves the input alone (torch's semantics)."""
    for f in (lambda L, t: t.flip(()), lambda L, t: L.einsum("ij->ji", t), lambda L, t: t.roll(0),
              lambda L, t: L.cat([t]), lambda L, t: t.repeat(1, 1), lambda L, t: t.tril(5),
              lambda L, t: L.constant_pad_nd(t, (0, 0))):
        x = zerograd.ones(2, 2)
        y = f(zerograd, x)
        y.zero_()
        assert x.tolist() == [[1.0, 1.0], [1.0, 1.0]]
        assert not y._is_view()


@requires_torch
def test_repeat_interleave_graph_as_torch():
    """Integer repeats are unsqueeze -> expand -> clone -> view, exactly torch's graph."""
    for f in (lambda L, t: t.repeat_interleave(2, 0), lambda L, t: t.repeat_interleave(2)):
        z = f(zerograd, zerograd.ones(2, 3, requires_grad=True))
        t = f(torch, torch.ones(2, 3, requires_grad=True))
        assert node_names(z) == node_names(t)


@requires_torch
def test_einsum_records_one_node_with_every_operand():
    a = zerograd.randn(2, 3, dtype=zerograd.float64, requires_grad=True)
    b = zerograd.randn(3, 4, dtype=zerograd.float64, requires_grad=True)
    c = zerograd.randn(4, dtype=zerograd.float64)
    y = zerograd.einsum("ij,jk,k->i", a, b, c)
    assert y.grad_fn.name() == "EinsumBackward0"
    assert len(y.grad_fn.next_functions) == 3 and y.grad_fn.next_functions[2] == (None, 0)
    ga, gb = zerograd.autograd.grad(y.sum(), [a, b])
    ta, tb = (torch.from_numpy(t.detach().numpy()).requires_grad_() for t in (a, b))
    torch.einsum("ij,jk,k->i", ta, tb, torch.from_numpy(c.numpy())).sum().backward()
    np.testing.assert_allclose(ga.numpy(), ta.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(gb.numpy(), tb.grad.numpy(), rtol=1e-12)


@requires_torch
def test_cumprod_with_zeros_second_order_as_torch():
    x = np.array([[2.0, 0.0, 3.0, -1.5], [0.0, 1.0, 0.0, 2.0]])
    out = []
    for L in (zerograd, torch):
        t = L.tensor(x, requires_grad=True)
        g, = L.autograd.grad((t.cumprod(1) ** 2).sum(), t, create_graph=True)
        h, = L.autograd.grad((g * L.tensor(x[::-1].copy())).sum(), t)
        out.append((g.detach().numpy(), h.numpy()))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-12)
    np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-12)


@requires_torch
def test_sort_of_stale_view_uses_the_new_base():
    """A view whose base changed in place since is re-derived before a multi-output op."""
    grads = []
    for L in (zerograd, torch):
        x = L.tensor([[3.0, 1.0, 2.0], [1.0, 5.0, 4.0]], requires_grad=True)
        b = x * 1
        v = b[0]
        b.mul_(x)
        (v.sort()[0] * L.tensor([1.0, 2.0, 3.0])).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1])


@requires_torch
def test_top_level_and_methods_exist_as_in_torch():
    for name in ("cat", "concat", "concatenate", "stack", "hstack", "vstack", "row_stack", "tile",
                 "repeat_interleave", "flip", "fliplr", "flipud", "roll", "tril", "triu", "cumsum",
                 "cumprod", "sort", "argsort", "msort", "topk", "kthvalue", "constant_pad_nd",
                 "einsum", "atleast_1d", "atleast_2d"):
        assert hasattr(torch, name) and hasattr(zerograd, name), name
    for name in ("repeat", "tile", "repeat_interleave", "flip", "fliplr", "flipud", "roll", "tril",
                 "triu", "cumsum", "cumprod", "sort", "argsort", "msort", "topk", "kthvalue"):
        assert hasattr(torch.Tensor, name) and hasattr(zerograd.Tensor, name), name


# ---- scatter_reduce -------------------------------------------------------------------------

SR_INDEX = np.array([[0, 1, 2, 0], [0, 2, 0, 0]])


def _sr_data(dtype, rng):
    x = rng.standard_normal((3, 4)) * 3
    s = rng.standard_normal((2, 4)) * 3
    x[0, 0] = 0.0                       # a zero in self and one in src (prod's special case)
    s[1, 1] = 0.0
    s[1, 3] = s[0, 3]                   # a tie between two src values (amax/amin share)
    if dtype == "int64":
        return np.round(x).astype(np.int64), np.round(s).astype(np.int64)
    return x, s


@requires_torch
@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin", "max"])
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("dtype", ["float64", "int64"])
def test_scatter_reduce_as_torch(reduce, include_self, dtype):
    x0, s0 = _sr_data(dtype, np.random.default_rng(5))
    res = []
    for L in (zerograd, torch):
        grad = dtype == "float64" and reduce != "max"   # (torch's backward rejects the alias)
        x, s = L.tensor(x0, requires_grad=grad), L.tensor(s0, requires_grad=grad)
        y = x.scatter_reduce(0, L.tensor(SR_INDEX), s, reduce, include_self=include_self)
        out = [y.detach().numpy()]
        if grad:
            (y * L.tensor(np.arange(12.0).reshape(3, 4))).sum().backward()
            out += [x.grad.numpy(), s.grad.numpy(), y.grad_fn.name()]
        res.append(out)
    for a, b in zip(*res):
        if isinstance(a, str):
            assert a == b
        else:
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_gradcheck(reduce, include_self):
    rng = np.random.default_rng(6)
    x = zerograd.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    s = zerograd.tensor(rng.standard_normal((2, 4)), requires_grad=True)
    idx = zerograd.tensor(SR_INDEX)
    f = lambda a, b: a.scatter_reduce(0, idx, b, reduce, include_self=include_self)  # noqa: E731
    assert zerograd.autograd.gradcheck(f, (x, s))
    if reduce in ("sum", "mean"):
        assert zerograd.autograd.gradgradcheck(f, (x, s))
    else:                                 # said plainly, not computed wrong
        y = f(x, s).sum()
        with pytest.raises(RuntimeError, match="double backward is not supported"):
            zerograd.autograd.grad(y, (x, s), create_graph=True)


def test_scatter_reduce_excluded_self_is_no_tie():
    """A self value left out (include_self=False) does not share the gradient with the src value
    it equals (torch 2.13 splits it between them although self got no gradient)."""
    x = zerograd.tensor([0.0, 5.0], requires_grad=True)
    s = zerograd.tensor([0.0, -1.0], requires_grad=True)
    y = x.scatter_reduce(0, zerograd.tensor([0, 0]), s, "amax", include_self=False)
    y.sum().backward()
    assert y.tolist() == [0.0, 5.0] and x.grad.tolist() == [0.0, 1.0]
    assert s.grad.tolist() == [1.0, 0.0]


@requires_torch
def test_scatter_reduce_errors_as_torch():
    for call in (lambda L: L.zeros(3, 4).scatter_reduce(0, L.tensor(SR_INDEX), L.ones(2, 4), "foo"),
                 lambda L: L.zeros(3, 4).scatter_reduce(0, L.tensor(SR_INDEX), 1.0, "sum")):
        errs = []
        for L in (zerograd, torch):
            with pytest.raises(Exception) as e:
                call(L)
            errs.append((e.type, str(e.value)))
        assert errs[0] == errs[1]


@requires_torch
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_scatter_with_reduce_as_torch():
    """The older scatter(..., reduce='add'|'multiply'): values as torch, its NotImplemented node
    and the error its backward raises."""
    got = []
    for L in (zerograd, torch):
        x = L.zeros(3, 4, requires_grad=True)
        idx = L.tensor([[0, 1, 2, 0], [0, 2, 0, 0]])
        ys = [x.scatter(0, idx, 2.0, reduce="add"),
              (x + 1).scatter(0, idx, L.full((2, 4), 3.0), reduce="multiply"),
              L.ones(3, 4).scatter(0, idx, value=3.0, reduce="multiply"),
              L.ones(3, 4).scatter_(0, idx, 3.0, reduce="add")]
        out = [(y.grad_fn.name() if y.grad_fn is not None else None, y.tolist()) for y in ys]
        for call in (lambda: L.zeros(3, 4).scatter(0, idx, 2.0, reduce="foo"),
                     lambda: ys[0].sum().backward()):
            with pytest.raises(RuntimeError) as e:
                call()
            out.append(str(e.value))
        got.append(out)
    assert got[0] == got[1]


@requires_torch
def test_every_return_type_prints_and_builds_as_torchs():
    x = np.array([[3.0, 1.0, 2.0], [0.5, 4.0, -1.0]])
    calls = [lambda L, t: t.max(1), lambda L, t: t.min(0, keepdim=True), lambda L, t: L.max(t, 1),
             lambda L, t: t.sort(), lambda L, t: t.topk(2), lambda L, t: t.median(1),
             lambda L, t: t.cummax(1), lambda L, t: t.aminmax(), lambda L, t: t.frexp(),
             lambda L, t: L.linalg.slogdet(t[:, :2])]
    for f in calls:
        zr, tr = f(zerograd, zerograd.tensor(x)), f(torch, torch.tensor(x))
        assert repr(zr) == repr(tr)
        assert type(zr).__name__ == type(tr).__name__ and type(zr).__module__ == "torch.return_types"
        assert (zr.n_fields, zr.n_sequence_fields) == (tr.n_fields, tr.n_sequence_fields)
        again = type(zr)(tuple(zr))                  # torch's constructor: one sequence
        assert all(a is b for a, b in zip(again, zr)) and repr(again) == repr(zr)
    with pytest.raises(TypeError, match="takes a 2-sequence"):
        type(zerograd.tensor(x).max(1))((1, 2, 3))


def test_return_types_survive_copy_and_deepcopy():
    import copy
    r = zerograd.tensor([[1.0, 3.0], [4.0, 2.0]]).max(1)
    for c in (copy.copy(r), copy.deepcopy(r)):
        assert type(c) is type(r) and c.indices.tolist() == [1, 0]
        assert c.values.tolist() == [3.0, 4.0]
