"""Indexing and the gather/scatter family against PyTorch.

- `t[key]` with every key form (ints, slices with steps and negative bounds, None, ..., bool masks,
  integer lists/tensors, advanced mixed with slices): values, views vs copies, node names and
  gradients (repeated indices accumulate);
- `t[key] = v` with the same forms: differentiable for the value and for the destination;
- gather, scatter, scatter_add, index_select, index_add, index_copy, index_fill, take_along_dim,
  masked_fill, masked_select, masked_scatter, nonzero, one_hot and the in-place forms: parity
  (values, grads, node names; contiguous and non-contiguous inputs), gradcheck/gradgradcheck, and
  torch's errors for bad input.
The parity harness lives in tests/test_join.py.
"""
from __future__ import annotations

import numpy as np
import pytest

import zerograd
from tests._oracle import requires_torch, torch
from tests.test_join import check_error, check_gradcheck, check_parity, make, node_names

_rng = np.random.default_rng(77)


def R(*shape):
    return _rng.standard_normal(shape)


def I(*values):  # noqa: E743 - an int64 index array
    return np.array(values, dtype=np.int64)


def _p(name, fn, arrays, node=None, names=True, gradgrad=True):
    return pytest.param(fn, arrays, node, names, gradgrad, id=name)


# ================================================================================================
# t[key]
# ================================================================================================

B = np.array([[True, False, True, False], [False, False, True, True], [True, True, False, False]])

GETITEM = [
    _p("int", lambda L, x: x[1], [R(3, 4)], "SelectBackward0"),
    _p("neg-int", lambda L, x: x[-1, -2], [R(3, 4)], "SelectBackward0"),
    _p("int-1d", lambda L, x: x[2], [R(4)], "SelectBackward0"),
    _p("slice", lambda L, x: x[1:3], [R(4, 3)], "SliceBackward0"),
    _p("slice-step", lambda L, x: x[::2, 1::2], [R(5, 4)], "SliceBackward0"),
    _p("slice-neg", lambda L, x: x[-3:-1, :-1], [R(4, 3)], "SliceBackward0"),
    _p("slice-beyond", lambda L, x: x[1:100], [R(4, 3)], "SliceBackward0"),
    _p("slice-empty", lambda L, x: x[3:1], [R(4, 3)], "SliceBackward0"),
    _p("slice-full", lambda L, x: x[:], [R(4, 3)], "SliceBackward0"),
    _p("ellipsis", lambda L, x: x[..., 1], [R(2, 3, 4)], "SelectBackward0"),
    _p("ellipsis-alone", lambda L, x: x[...], [R(2, 3)], "AliasBackward0"),
    _p("none", lambda L, x: x[None, :, None], [R(2, 3)], "UnsqueezeBackward0"),
    _p("mixed-basic", lambda L, x: x[1, None, ::2, ..., -1], [R(3, 4, 2)], "SelectBackward0"),
    _p("int-tensor-0d", lambda L, x: x[L.tensor(1)], [R(3, 2)], "SelectBackward0"),
    _p("int-list", lambda L, x: x[[0, 2, 0]], [R(3, 2)], "IndexBackward0"),
    _p("int-tensor-repeats", lambda L, x: x[L.tensor([1, 1, 2, 1])], [R(3, 2)], "IndexBackward0"),
    _p("int-tensor-2d", lambda L, x: x[L.tensor([[0, 1], [1, 1]])], [R(3, 2)], "IndexBackward0"),
    _p("int-tensor-negative", lambda L, x: x[L.tensor([-1, 0])], [R(3, 2)], "IndexBackward0"),
    _p("two-tensors", lambda L, x: x[L.tensor([0, 2, 2]), L.tensor([1, 0, 1])], [R(3, 2)],
       "IndexBackward0"),
    _p("two-tensors-broadcast", lambda L, x: x[L.tensor([[0], [2]]), L.tensor([1, 0, 1])],
       [R(3, 2)], "IndexBackward0"),
    _p("adv-then-slice", lambda L, x: x[[0, 2], 1:], [R(3, 4)], "IndexBackward0", names=False),
    _p("slice-then-adv", lambda L, x: x[:, [3, 0, 3]], [R(3, 4)], "IndexBackward0"),
    _p("adv-separated", lambda L, x: x[[0, 1], :, [1, 1]], [R(2, 3, 2)], "IndexBackward0"),
    _p("bool-mask-full", lambda L, x: x[L.tensor(B)], [R(3, 4)], "IndexBackward0"),
    _p("bool-mask-rows", lambda L, x: x[L.tensor([True, False, True])], [R(3, 4)],
       "IndexBackward0"),
    _p("bool-list", lambda L, x: x[[True, False, True]], [R(3, 2)], "IndexBackward0"),
    _p("bool-mask-expr", lambda L, x: x[x > 0], [R(3, 4)], "IndexBackward0"),
    _p("int-and-list", lambda L, x: x[1, [0, 0, 2]], [R(3, 4)], "IndexBackward0", names=False),
]


@requires_torch
@pytest.mark.parametrize("fn, arrays, node, names, gradgrad", GETITEM)
@pytest.mark.parametrize("layout", ["c", "t"])
def test_getitem_parity(fn, arrays, node, names, gradgrad, layout):
    check_parity(fn, arrays, [layout], node=node, names=names)


@pytest.mark.parametrize("fn, arrays, node, names, gradgrad", GETITEM)
def test_getitem_gradcheck(fn, arrays, node, names, gradgrad):
    check_gradcheck(fn, arrays, gradgrad)


@requires_torch
@pytest.mark.parametrize("key", [
    1, -1, slice(1, 3), slice(None, None, 2), (Ellipsis, 0), (None, 1), (0, slice(1, None)),
    ([0, 0],), ("tensor", [2, 0]), ("mask", None)])
def test_getitem_view_or_copy_as_torch(key):
    """Basic keys make views sharing memory (same strides/offset); advanced keys copy."""
    base = np.arange(12.0).reshape(3, 4)
    out = []
    for L in (zerograd, torch):
        x = L.tensor(base)
        k = key
        if isinstance(key, tuple) and key and key[0] == "tensor":
            k = L.tensor(key[1])
        elif isinstance(key, tuple) and key and key[0] == "mask":
            k = x > 4
        y = x[k]
        out.append((y._is_view(), y._base is x if y._is_view() else None,
                    y.stride(), y.storage_offset() if y._is_view() else None,
                    tuple(y.shape), y.is_contiguous()))
    assert out[0] == out[1]


GETITEM_ERRORS = [
    pytest.param(lambda L, x: x[3], id="int-range"),
    pytest.param(lambda L, x: x[0, -5], id="int-range-dim1"),
    pytest.param(lambda L, x: x[0, 0, 0], id="too-many"),
    pytest.param(lambda L, x: x[L.tensor([0, 3])], id="tensor-range"),
    pytest.param(lambda L, x: x[:, L.tensor([4])], id="tensor-range-dim1"),
    pytest.param(lambda L, x: x[L.tensor([0.0])], id="float-tensor"),
    pytest.param(lambda L, x: x[1.5], id="float-key"),
    pytest.param(lambda L, x: x[::-1], id="negative-step"),
    pytest.param(lambda L, x: x[0].select(0, 7), id="select-range"),
]


@requires_torch
@pytest.mark.parametrize("fn", GETITEM_ERRORS)
def test_getitem_errors(fn):
    """Same exception type as torch; out-of-range messages name the dimension and the size."""
    e = check_error(fn, [R(3, 4)], match_message=False)
    if "out of bounds" in str(e) or "out of range" in str(e):
        assert "dimension" in str(e) and "size" in str(e)


@requires_torch
def test_getitem_index_error_names_dim_and_size():
    for L in (zerograd, torch):
        x = L.zeros(3, 4)
        with pytest.raises(IndexError,
                           match="index 4 is out of bounds for dimension 1 with size 4"):
            x[0, 4]
        with pytest.raises(IndexError,
                           match="index 5 is out of bounds for dimension 0 with size 3"):
            x[L.tensor([5])]


# ================================================================================================
# t[key] = v : differentiable for the value and the destination
# ================================================================================================

def _setitem(key_fn, value_shape=None, scalar=None):
    """fn(L, x[, v]) doing y = x * 1; y[key] = v (or a number); return y * 1."""
    if scalar is not None:
        def fn(L, x):
            y = x * 1
            y[key_fn(L, y)] = scalar
            return y * 1
        return fn, []

    def fn(L, x, v):
        y = x * 1
        y[key_fn(L, y)] = v
        return y * 1
    return fn, [R(*value_shape)]


SETITEM_KEYS = [
    ("int", lambda L, y: 1, (4,)),
    ("int-broadcast", lambda L, y: 1, (1,)),
    ("int-0d", lambda L, y: (1, 2), ()),
    ("slice", lambda L, y: slice(0, 2), (2, 4)),
    ("slice-step", lambda L, y: (slice(None, None, 2), slice(1, None, 2)), (2, 2)),
    ("slice-broadcast", lambda L, y: (slice(1, 3),), (4,)),
    ("ellipsis", lambda L, y: (Ellipsis, 0), (3,)),
    ("none", lambda L, y: (None, 1), (1, 4)),
    ("int-list", lambda L, y: [0, 2], (2, 4)),
    ("int-tensor", lambda L, y: L.tensor([2, 0]), (2, 4)),
    ("two-tensors", lambda L, y: (L.tensor([0, 2]), L.tensor([3, 1])), (2,)),
    ("adv-with-slice", lambda L, y: (slice(None), [1, 3]), (3, 2)),
    ("bool-mask", lambda L, y: L.tensor(B), (6,)),
    ("bool-mask-broadcast", lambda L, y: L.tensor(B), ()),
    ("bool-rows", lambda L, y: L.tensor([True, False, True]), (4,)),
]

SETITEM = []
for _name, _key, _vshape in SETITEM_KEYS:
    _fn, _extra = _setitem(_key, _vshape)
    SETITEM.append(pytest.param(_fn, [R(3, 4)] + _extra, id=_name))
    _fn, _extra = _setitem(_key, scalar=2.5)
    SETITEM.append(pytest.param(_fn, [R(3, 4)] + _extra, id=_name + "-number"))


@requires_torch
@pytest.mark.parametrize("fn, arrays", SETITEM)
@pytest.mark.parametrize("layout", ["c", "t"])
def test_setitem_parity(fn, arrays, layout):
    """Values and gradients as torch; the graph below CopySlices differs (a core xfail in
    test_views.py), so only the names above it are compared."""
    check_parity(fn, arrays, [layout] * len(arrays), names=False)


@pytest.mark.parametrize("fn, arrays", SETITEM)
def test_setitem_gradcheck(fn, arrays):
    check_gradcheck(fn, arrays)


@requires_torch
def test_setitem_graph_names_as_torch():
    """Basic keys: the base becomes CopySlices, the written view AsStridedBackward0; advanced
    keys: IndexPutBackward0 (as torch)."""
    for key in (1, slice(0, 2), (Ellipsis, 0), [0, 2], (slice(None), [1, 3])):
        names = []
        for L in (zerograd, torch):
            x = L.ones(3, 4, requires_grad=True)
            y = x * 1
            y[key] = L.ones(1, requires_grad=True) * 2
            names.append((y.grad_fn.name(), y.grad_fn.next_functions[0][0].name()))
        assert names[0] == names[1]
    for L in (zerograd, torch):
        y = L.ones(3, 4, requires_grad=True) * 1
        v = y[1]
        v[0] = 5.0
        assert y.grad_fn.name() == "torch::autograd::CopySlices"
        assert (v * 1).grad_fn.next_functions[0][0].name() == "AsStridedBackward0"


@requires_torch
def test_mixed_key_graph_as_torch():
    """torch applies the basic part of a mixed key first: x[[0, 2], 1:] is SliceBackward0 then
    IndexBackward0, x[1, [0, 2]] SelectBackward0 then IndexBackward0."""
    names = []
    for L in (zerograd, torch):
        x = L.ones(3, 4, requires_grad=True)
        names.append((node_names(x[[0, 2], 1:]), node_names(x[1, [0, 2]])))
    assert names[0] == names[1]


_MASK34 = np.array([[True, False, True, False], [False] * 4, [True] * 4])
MIXED_KEYS = [(1, slice(None), [0, 2]), (0, Ellipsis, [1, 2]), ([0, 1], slice(None), 1),
              (slice(None), 1, [0, 2]), (None, [0, 1], slice(1, None), [1, 2]),
              ([0, 1], None, [1, 2]), (-1, [2, 0], slice(None, None, 2)),
              (1, [[0, 1], [2, 0]], 3), (0, _MASK34), (slice(None), slice(None), [0, 3])]


def _chain(fn):
    out = []
    while fn is not None:
        out.append(fn.name())
        fn = fn.next_functions[0][0] if fn.next_functions else None
    return out


@requires_torch
@pytest.mark.parametrize("key", MIXED_KEYS, ids=str)
def test_mixed_key_values_graph_and_grads_as_torch(key):
    """Ints are selects before the advanced part, so they do not count in NumPy's adjacency
    rule: x[1, :, [0, 2]] has shape (3, 2) in torch (NumPy: (2, 3)).  Values, shape, the node
    chain and the gradient all as torch's."""
    got = []
    for L in (zerograd, torch):
        x = L.tensor(np.arange(24.0).reshape(2, 3, 4), requires_grad=True)
        y = x[key]
        w = L.tensor(np.arange(y.numel(), dtype=np.float64).reshape(tuple(y.shape)))
        (y * w).sum().backward()
        got.append((tuple(y.shape), y.detach().numpy().tolist(), _chain(y.grad_fn),
                    x.grad.numpy().tolist()))
    assert got[0] == got[1]


@requires_torch
@pytest.mark.parametrize("key", MIXED_KEYS[:4] + MIXED_KEYS[8:], ids=str)
def test_mixed_key_setitem_as_torch(key):
    """x[key] = v for a mixed key writes through the basic part's view (CopySlices over
    IndexPutBackward0, as torch records it): values, graph and both gradients as torch's."""
    got = []
    for L in (zerograd, torch):
        x = L.tensor(np.arange(24.0).reshape(2, 3, 4), requires_grad=True)
        shape = tuple(L.zeros(2, 3, 4)[key].shape)
        v = L.tensor(np.arange(float(np.prod(shape))).reshape(shape) + 100, requires_grad=True)
        y = x * 1.0
        y[key] = v
        (y * L.tensor(np.arange(24.0).reshape(2, 3, 4))).sum().backward()
        got.append((y.detach().numpy().tolist(), _chain(y.grad_fn), x.grad.numpy().tolist(),
                    v.grad.numpy().tolist()))
    assert got[0] == got[1]


@requires_torch
@pytest.mark.parametrize("key", [(Ellipsis, Ellipsis), (Ellipsis, 0, Ellipsis),
                                 (0, Ellipsis, Ellipsis), (Ellipsis, None, Ellipsis)])
def test_two_ellipses_as_torch(key):
    """torch accepts several ellipses; each skips the dims no index names (x[..., ...] is x)."""
    got = [L.arange(24).reshape(2, 3, 4)[key].tolist() for L in (zerograd, torch)]
    assert got[0] == got[1]


@requires_torch
def test_an_index_after_a_second_ellipsis_is_an_index_error():
    for key in ((Ellipsis, Ellipsis, 1), (slice(1, None), Ellipsis, Ellipsis, None)):
        for L in (zerograd, torch):              # no dim is left after the second '...'
            with pytest.raises(IndexError):
                L.arange(24).reshape(2, 3, 4)[key]
    msgs = []
    for L in (zerograd, torch):
        with pytest.raises(IndexError) as e:
            L.arange(24).reshape(2, 3, 4)[1:, ..., ..., None]
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]


@requires_torch
def test_setitem_repeated_indices_value_grad_as_torch():
    """Writing twice to one place: torch keeps the last write; the value's gradient follows."""
    for key in ([0, 0, 1], ):
        out = []
        for L in (zerograd, torch):
            y = L.zeros(3, dtype=L.float64, requires_grad=True) * 1
            v = L.tensor([1.0, 2.0, 3.0], dtype=L.float64, requires_grad=True)
            y[key] = v
            out.append(y.detach().numpy().copy())
        np.testing.assert_allclose(out[0], out[1])


@requires_torch
def test_setitem_on_leaf_raises_and_under_no_grad_works():
    for L in (zerograd, torch):
        x = L.ones(3, requires_grad=True)
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used "
                                               "in an in-place operation"):
            x[0] = 2.0
        with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
            x[1:][0] = 2.0
        with L.no_grad():
            x[0] = 5.0
        assert x.tolist() == [5.0, 1.0, 1.0] and x.is_leaf and x._version == 1


@requires_torch
def test_setitem_errors_as_torch():
    check_error(lambda L, x: x.__setitem__(5, 1.0), [R(3, 4)], match_message=False)
    check_error(lambda L, x: x.__setitem__((slice(None), L.tensor([4])), 1.0), [R(3, 4)],
                match_message=False)
    check_error(lambda L, x: (x * 1).__setitem__(0, L.ones(3)), [R(3, 4)], match_message=False)


# ================================================================================================
# gather / scatter / index_* / masks
# ================================================================================================

IDX2 = I([0, 2, 1, 0], [2, 2, 0, 1])          # (2, 4) into dim 0 of a (3, 4)
IDXS = I([0, 1], [2, 0])                      # (2, 2): smaller than self, repeats across rows
IDXU = I([0, 1, 2, 0], [2, 0, 1, 1])          # (2, 4) into dim 0, no repeats within a column
                                              # (scatter with repeats is nondeterministic)
M34 = np.array([[True, False, True, True], [False, False, False, True], [True, True, False, False]])

GATHER = [
    _p("gather-0", lambda L, x: x.gather(0, L.tensor(IDX2)), [R(3, 4)], "GatherBackward0"),
    _p("gather-1-repeats", lambda L, x: L.gather(x, 1, L.tensor(I([3, 3, 3], [0, 3, 0]))),
       [R(2, 4)], "GatherBackward0"),
    _p("gather-neg-dim", lambda L, x: x.gather(-1, L.tensor(I([[1], [0]], [[2], [2]]))),
       [R(2, 2, 3)], "GatherBackward0"),
    _p("gather-small-index", lambda L, x: x.gather(1, L.tensor(I(1))[None]), [R(3, 4)],
       "GatherBackward0"),
    _p("gather-int32-index", lambda L, x: x.gather(0, L.tensor(IDX2).int()), [R(3, 4)],
       "GatherBackward0"),
    _p("gather-0d", lambda L, x: x.gather(0, L.tensor(0)), [R()], "GatherBackward0"),
    _p("scatter-src", lambda L, x, s: x.scatter(0, L.tensor(IDXU), s),
       [R(3, 4), R(2, 4)], "ScatterBackward0"),
    _p("scatter-value", lambda L, x: x.scatter(1, L.tensor(IDXS), 1.5), [R(3, 4)],
       "ScatterBackward1"),
    _p("scatter-value-kw", lambda L, x: L.scatter(x, 1, L.tensor(IDXS), value=-2.0), [R(3, 4)],
       "ScatterBackward1"),
    _p("scatter_add", lambda L, x, s: x.scatter_add(0, L.tensor(IDX2), s), [R(3, 4), R(2, 4)],
       "ScatterAddBackward0"),
    _p("scatter_add-repeats", lambda L, x, s: L.scatter_add(x, 1, L.tensor(I(0, 0, 0)[None]), s),
       [R(2, 3), R(1, 3)], "ScatterAddBackward0"),
    _p("index_select-0", lambda L, x: x.index_select(0, L.tensor(I(2, 0, 2))), [R(3, 4)],
       "IndexSelectBackward0"),
    _p("index_select-1", lambda L, x: L.index_select(x, 1, L.tensor(I(3, 3, 0, 1, 3))), [R(2, 4)],
       "IndexSelectBackward0"),
    _p("index_select-0d-index", lambda L, x: x.index_select(1, L.tensor(2)), [R(2, 4)],
       "IndexSelectBackward0"),
    _p("index_select-0d-self", lambda L, x: x.index_select(0, L.tensor([0])), [R()],
       "IndexSelectBackward0"),
    _p("index_add", lambda L, x, s: x.index_add(1, L.tensor(I(0, 2, 0)), s), [R(3, 4), R(3, 3)],
       "IndexAddBackward0"),
    _p("index_add-alpha", lambda L, x, s: L.index_add(x, 0, L.tensor(I(1, 1)), s, alpha=2.5),
       [R(3, 2), R(2, 2)], "IndexAddBackward0"),
    _p("index_copy", lambda L, x, s: x.index_copy(1, L.tensor(I(3, 0)), s), [R(3, 4), R(3, 2)],
       "IndexCopyBackward0"),
    _p("index_copy-0", lambda L, x, s: L.index_copy(x, 0, L.tensor(I(2)), s), [R(3, 4), R(1, 4)],
       "IndexCopyBackward0"),
    _p("index_fill", lambda L, x: x.index_fill(1, L.tensor(I(0, 2, 0)), -1.0), [R(3, 4)],
       "IndexFillBackward0"),
    _p("index_fill-neg-index", lambda L, x: L.index_fill(x, 0, L.tensor(I(-1)), 3.0), [R(3, 4)],
       "IndexFillBackward0"),
    _p("index_fill-tensor", lambda L, x, v: x.index_fill(0, L.tensor(I(0, 2, 2)), v[0]),
       [R(3, 4), R(1)], "IndexFillBackward1"),
    _p("take_along_dim", lambda L, x: L.take_along_dim(x, L.tensor(IDX2), 0), [R(3, 4)],
       "GatherBackward0"),
    _p("take_along_dim-broadcast", lambda L, x: x.take_along_dim(L.tensor(I([1, 0, 0])), 1),
       [R(2, 4)], "GatherBackward0"),
    _p("take_along_dim-bcast-self", lambda L, x: L.take_along_dim(x, L.tensor(I([[1]], [[0]])), 2),
       [R(1, 3, 2)], "GatherBackward0"),
    _p("take_along_dim-argsort", lambda L, x: L.take_along_dim(x, x.argsort(1), 1), [R(3, 4)],
       "GatherBackward0"),
    _p("take_along_dim-flat", lambda L, x: L.take_along_dim(x, L.tensor(I(0, 5, 11, 5))), [R(3, 4)],
       "GatherBackward0"),
    _p("masked_fill", lambda L, x: x.masked_fill(L.tensor(M34), 0.5), [R(3, 4)],
       "MaskedFillBackward0"),
    _p("masked_fill-broadcast-mask",
       lambda L, x: L.masked_fill(x, L.tensor([True, False, True, False]), -1.0),
       [R(3, 4)], "MaskedFillBackward0"),
    _p("masked_fill-bigger-mask", lambda L, x: x.masked_fill(L.tensor(M34), 2.0), [R(4)],
       "MaskedFillBackward0"),
    _p("masked_fill-tensor", lambda L, x, v: x.masked_fill(L.tensor(M34), v[0, 0]),
       [R(3, 4), R(1, 1)], "MaskedFillBackward1"),
    _p("masked_fill-expr", lambda L, x: x.masked_fill(x < 0, 0.0), [R(3, 4)],
       "MaskedFillBackward0"),
    _p("masked_select", lambda L, x: x.masked_select(L.tensor(M34)), [R(3, 4)],
       "MaskedSelectBackward0"),
    _p("masked_select-broadcast", lambda L, x: L.masked_select(x, L.tensor(M34)), [R(1, 4)],
       "MaskedSelectBackward0"),
    _p("masked_scatter", lambda L, x, s: x.masked_scatter(L.tensor(M34), s), [R(3, 4), R(2, 5)],
       "MaskedScatterBackward0"),
    _p("masked_scatter-broadcast",
       lambda L, x, s: L.masked_scatter(x, L.tensor([True, False, True]), s),
       [R(2, 3), R(5)], "MaskedScatterBackward0"),
    # 0-d and empty
    _p("gather-1d-0d-index", lambda L, x: x.gather(0, L.tensor(1)), [R(3)], "GatherBackward0"),
    _p("gather-0d-1d-index", lambda L, x: x.gather(0, L.tensor([0, 0])), [R()], "GatherBackward0"),
    _p("gather-empty-index", lambda L, x: x.gather(1, L.zeros(3, 0, dtype=L.long)), [R(3, 2)],
       "GatherBackward0"),
    _p("scatter-0d", lambda L, x, s: x.scatter(0, L.tensor(0), s), [R(), R()], "ScatterBackward0"),
    _p("scatter_add-0d", lambda L, x, s: x.scatter_add(0, L.tensor([0, 0]), s), [R(), R(2)],
       "ScatterAddBackward0"),
    _p("index_add-0d", lambda L, x, s: x.index_add(0, L.tensor([0]), s), [R(), R()],
       "IndexAddBackward0"),
    _p("index_copy-0d", lambda L, x, s: x.index_copy(0, L.tensor([0]), s), [R(), R()],
       "IndexCopyBackward0"),
    _p("index_copy-0d-source", lambda L, x, s: x.index_copy(0, L.tensor([1]), s), [R(3), R()],
       "IndexCopyBackward0"),
    _p("index_fill-0d", lambda L, x: x.index_fill(0, L.tensor([0]), 2.0), [R()],
       "IndexFillBackward0"),
    _p("index_select-empty", lambda L, x: x.index_select(0, L.tensor([], dtype=L.long)),
       [R(3, 2)], "IndexSelectBackward0"),
    _p("masked_fill-0d", lambda L, x: x.masked_fill(L.tensor(True), 2.0), [R()],
       "MaskedFillBackward0"),
    _p("masked_select-0d-mask", lambda L, x: x.masked_select(L.tensor(True)), [R(2)],
       "MaskedSelectBackward0"),
    _p("take_along_dim-0d", lambda L, x: L.take_along_dim(x, L.tensor([0])), [R()],
       "GatherBackward0"),
]


@requires_torch
@pytest.mark.parametrize("fn, arrays, node, names, gradgrad", GATHER)
@pytest.mark.parametrize("layout", ["c", "t", "s"])
def test_gather_family_parity(fn, arrays, node, names, gradgrad, layout):
    check_parity(fn, arrays, [layout] * len(arrays), node=node, names=names)


@pytest.mark.parametrize("fn, arrays, node, names, gradgrad", GATHER)
def test_gather_family_gradcheck(fn, arrays, node, names, gradgrad):
    check_gradcheck(fn, arrays, gradgrad)


@requires_torch
@pytest.mark.parametrize("op", ["gather", "index_select", "masked_select", "sort"])
def test_double_backward_nodes_as_torch(op):
    """The VJP is built from the sibling op (scatter_add, index_add, masked_scatter, scatter)."""
    names = []
    for L in (zerograd, torch):
        x = L.tensor(R(3, 4), requires_grad=True)
        y = {"gather": lambda: x.gather(0, L.tensor(IDX2)),
             "index_select": lambda: x.index_select(1, L.tensor([0, 0, 2])),
             "masked_select": lambda: x.masked_select(L.tensor(M34)),
             "sort": lambda: x.sort(1)[0]}[op]()
        g, = L.autograd.grad((y * y).sum(), x, create_graph=True)
        names.append(g.grad_fn.name())
    assert names[0] == names[1]


# ----- in-place forms -----------------------------------------------------------------------

INPLACE = [
    _p("masked_fill_", lambda L, x: (x * 1).masked_fill_(L.tensor(M34), 2.0), [R(3, 4)],
       "MaskedFillBackward0"),
    _p("masked_fill_-tensor", lambda L, x, v: (x * 1).masked_fill_(L.tensor(M34[0]), v[0]),
       [R(3, 4), R(1)], "MaskedFillBackward1"),
    _p("masked_scatter_", lambda L, x, s: (x * 1).masked_scatter_(L.tensor(M34), s),
       [R(3, 4), R(6)], "MaskedScatterBackward0"),
    _p("index_add_", lambda L, x, s: (x * 1).index_add_(0, L.tensor(I(2, 2)), s, alpha=-1),
       [R(3, 4), R(2, 4)], "IndexAddBackward0"),
    _p("index_fill_", lambda L, x: (x * 1).index_fill_(1, L.tensor(I(1, 3)), 0.0), [R(3, 4)],
       "IndexFillBackward0"),
    _p("index_copy_", lambda L, x, s: (x * 1).index_copy_(0, L.tensor(I(1)), s),
       [R(3, 4), R(1, 4)], "IndexCopyBackward0"),
    _p("scatter_", lambda L, x, s: (x * 1).scatter_(0, L.tensor(IDXU), s), [R(3, 4), R(2, 4)],
       "ScatterBackward0"),
    _p("scatter_-value", lambda L, x: (x * 1).scatter_(1, L.tensor(IDXS), 3.0), [R(3, 4)],
       "ScatterBackward1"),
    _p("scatter_add_", lambda L, x, s: (x * 1).scatter_add_(1, L.tensor(IDXS), s),
       [R(3, 4), R(2, 2)], "ScatterAddBackward0"),
    # through a view of a non-leaf: the base's history is rewritten (CopySlices)
    # (names=False: see test_views.py::test_copyslices_inlines_the_op_as_torch, a core xfail)
    _p("masked_fill_-view", lambda L, x: _through_view(x, lambda v: v.masked_fill_(v > 0, 0.0)),
       [R(3, 4)], "CopySlices", names=False),
    _p("index_add_-view", lambda L, x, s: _through_view(
        x, lambda v: v.index_add_(0, L.tensor(I(0, 0)), s)), [R(3, 4), R(2, 2)], "CopySlices",
       names=False),
    _p("scatter_-view", lambda L, x, s: _through_view(
        x, lambda v: v.scatter_(1, L.tensor(I([1], [0], [1])), s)), [R(3, 4), R(3, 1)],
       "CopySlices", names=False),
]


def _through_view(x, f):
    y = x * 1
    f(y[:, 1:3])
    return y


@requires_torch
@pytest.mark.parametrize("fn, arrays, node, names, gradgrad", INPLACE)
@pytest.mark.parametrize("layout", ["c", "t"])
def test_inplace_parity(fn, arrays, node, names, gradgrad, layout):
    check_parity(fn, arrays, [layout] * len(arrays), node=None, names=names)
    z = fn(zerograd, *[make(zerograd, a) for a in arrays])
    assert z.grad_fn.name().endswith(node)


@pytest.mark.parametrize("fn, arrays, node, names, gradgrad", INPLACE)
def test_inplace_gradcheck(fn, arrays, node, names, gradgrad):
    check_gradcheck(fn, arrays, gradgrad)


@requires_torch
@pytest.mark.parametrize("method, args", [
    ("masked_fill_", lambda L: (L.tensor([True, False, True]), 1.0)),
    ("index_add_", lambda L: (0, L.tensor([0]), L.ones(1))),
    ("index_fill_", lambda L: (0, L.tensor([0]), 1.0)),
    ("index_copy_", lambda L: (0, L.tensor([0]), L.ones(1))),
    ("scatter_", lambda L: (0, L.tensor([0]), 1.0)),
    ("scatter_add_", lambda L: (0, L.tensor([0]), L.ones(1))),
    ("uniform_", lambda L: ()),
    ("normal_", lambda L: ()),
])
def test_inplace_semantics_as_torch(method, args):
    """Leaf raises, under no_grad works and bumps the version; a non-leaf records the op."""
    seen = []
    for L in (zerograd, torch):
        x = L.zeros(3, requires_grad=True)
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used "
                                               "in an in-place operation"):
            getattr(x, method)(*args(L))
        with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
            getattr(x[:2], method)(*args(L))
        with L.no_grad():
            r = getattr(x, method)(*args(L))
        assert r is x and x._version == 1 and x.is_leaf
        y = x * 1
        v0 = y._version
        r = getattr(y, method)(*args(L))
        assert r is y
        seen.append((y._version - v0, y.grad_fn.name()))
        with L.inference_mode():
            t = L.zeros(3)
        with pytest.raises(RuntimeError, match="Inplace update to inference tensor outside "
                                               "InferenceMode is not allowed"):
            getattr(t, method)(*args(L))
    assert seen[0] == seen[1]


@requires_torch
def test_random_fills_statistics():
    x = zerograd.empty(20000, dtype=zerograd.float64)
    x.uniform_(-2, 3)
    assert -2 <= x.min().item() and x.max().item() < 3 and abs(x.mean().item() - 0.5) < 0.05
    x.normal_(1.0, 2.0)
    assert abs(x.mean().item() - 1.0) < 0.1 and abs(x.std().item() - 2.0) < 0.1
    g = zerograd.Generator().manual_seed(3)
    a = zerograd.empty(4).uniform_(generator=g)
    b = zerograd.empty(4).uniform_(generator=zerograd.Generator().manual_seed(3))
    assert a.tolist() == b.tolist() and a.dtype == zerograd.float32


# ----- nonzero / one_hot (no gradients) ---------------------------------------------------

@requires_torch
@pytest.mark.parametrize("arr", [M34, np.array([0.0, 1.5, 0.0, -2.0]), np.array(3.0),
                                 np.array(0), np.zeros((2, 0)), np.array([[1, 0], [0, 7]])])
def test_nonzero_as_torch(arr):
    for as_tuple in (False, True):
        z = zerograd.nonzero(zerograd.tensor(arr), as_tuple=as_tuple)
        t = torch.nonzero(torch.tensor(arr), as_tuple=as_tuple)
        if as_tuple:
            assert len(z) == len(t)
            for a, b in zip(z, t):
                assert a.tolist() == b.tolist() and str(a.dtype) == str(b.dtype)
        else:
            assert z.tolist() == t.tolist() and tuple(z.shape) == tuple(t.shape)
            assert str(z.dtype) == "torch.int64"
    assert zerograd.tensor(arr).argwhere().tolist() == torch.tensor(arr).argwhere().tolist()
    assert zerograd.tensor(arr).nonzero().tolist() == torch.tensor(arr).nonzero().tolist()


@requires_torch
def test_one_hot_as_torch():
    from zerograd.ops.gather import one_hot
    F = torch.nn.functional
    for arr, n in ((np.array([0, 2, 1]), -1), (np.array([[0, 1], [3, 0]]), 5),
                   (np.array(2), 4), (np.zeros(0, np.int64), 3)):
        z, t = one_hot(zerograd.tensor(arr), n), F.one_hot(torch.tensor(arr), n)
        assert z.tolist() == t.tolist() and tuple(z.shape) == tuple(t.shape)
        assert str(z.dtype) == str(t.dtype) and not z.requires_grad
    for arr, n in ((np.array([-1]), -1), (np.array([3]), 3), (np.array([1.0]), -1),
                   (np.zeros(0, np.int64), -1)):
        check_error(lambda L, a=arr, k=n: (F.one_hot if L is torch else one_hot)(L.tensor(a), k))


# ----- errors ---------------------------------------------------------------------------------

def _e(name, fn, prefix=None):
    return pytest.param(fn, prefix, id=name)


def _o(L, *shape):
    return L.ones(shape, dtype=L.float64)


GATHER_ERRORS = [
    _e("gather-range", lambda L, x: x.gather(0, L.tensor([[5]]))),
    _e("gather-negative", lambda L, x: x.gather(0, L.tensor([[-1]]))),
    _e("gather-range-dim1", lambda L, x: x.gather(1, L.tensor([[4]]))),
    _e("gather-ndim", lambda L, x: x.gather(0, L.tensor([1]))),
    _e("gather-float-index", lambda L, x: x.gather(0, L.tensor([[1.0]]))),
    _e("gather-index-too-big", lambda L, x: x.gather(1, L.zeros(4, 4, dtype=L.long))),
    _e("gather-dim-range", lambda L, x: x.gather(2, L.zeros(1, 1, dtype=L.long))),
    _e("scatter-range", lambda L, x: x.scatter(0, L.tensor([[5]]), 1.0)),
    _e("scatter-src-small", lambda L, x: x.scatter(0, L.tensor([[1, 2]]), _o(L, 1, 1))),
    _e("scatter-dtype", lambda L, x: x.scatter(0, L.tensor([[1]]), L.ones(1, 1))),
    _e("scatter_add-range", lambda L, x: x.scatter_add(1, L.tensor([[4]]), _o(L, 1, 1))),
    _e("index_select-range", lambda L, x: x.index_select(1, L.tensor([4])),
       "INDICES element is out of DATA bounds, id=4 axis_dim=4"),
    _e("index_select-negative", lambda L, x: x.index_select(1, L.tensor([-1])),
       "INDICES element is out of DATA bounds, id=-1 axis_dim=4"),
    _e("index_select-2d", lambda L, x: x.index_select(1, L.tensor([[1]]))),
    _e("index_select-float", lambda L, x: x.index_select(1, L.tensor([1.0]))),
    _e("index_add-range", lambda L, x: x.index_add(1, L.tensor([4]), _o(L, 3, 1))),
    _e("index_add-count", lambda L, x: x.index_add(1, L.tensor([1]), _o(L, 3, 2))),
    _e("index_add-dtype", lambda L, x: x.index_add(1, L.tensor([1]), L.ones(3, 1))),
    _e("index_add-source-shape", lambda L, x: x.index_add(0, L.tensor([1]), _o(L, 1, 5))),
    _e("index_add-source-0d", lambda L, x: x[0].index_add(0, L.tensor(1), _o(L))),
    _e("index_add-source-dim", lambda L, x: x.index_add(1, L.tensor([1]), _o(L, 4))),
    _e("index_copy-range", lambda L, x: x.index_copy(1, L.tensor([4]), _o(L, 3, 1))),
    _e("index_copy-count", lambda L, x: x.index_copy(0, L.tensor([1]), _o(L, 2, 4))),
    _e("index_copy-ndim", lambda L, x: x.index_copy(0, L.tensor([1]), _o(L, 4))),
    _e("index_copy-slice", lambda L, x: x.index_copy(0, L.tensor([1]), _o(L, 1, 5))),
    _e("index_copy-dtype", lambda L, x: x.index_copy(0, L.tensor([1]), L.ones(1, 4))),
    _e("index_fill-range", lambda L, x: x.index_fill(1, L.tensor([4]), 1.0)),
    _e("index_fill-1d-value", lambda L, x: x.index_fill(1, L.tensor([0]), _o(L, 1))),
    _e("masked_fill-float-mask", lambda L, x: x.masked_fill(x, 1.0)),
    _e("masked_fill-1d-value", lambda L, x: x.masked_fill(x > 0, L.tensor([1.0]))),
    _e("masked_fill-shape", lambda L, x: x.masked_fill(L.ones(5, dtype=L.bool), 1.0)),
    _e("masked_fill_-bigger-mask",
       lambda L, x: (x * 1).masked_fill_(L.ones(2, 3, 4, dtype=L.bool), 1.0)),
    _e("masked_select-float-mask", lambda L, x: x.masked_select(x)),
    _e("masked_select-shape", lambda L, x: x.masked_select(L.ones(5, dtype=L.bool))),
    _e("take_along_dim-ndim", lambda L, x: L.take_along_dim(x, L.tensor([0]), 0)),
    _e("take_along_dim-float", lambda L, x: L.take_along_dim(x, L.tensor([[0.0]]), 0)),
    _e("take_along_dim-flat-range", lambda L, x: L.take_along_dim(x, L.tensor([12]))),
]


@requires_torch
@pytest.mark.parametrize("fn, prefix", GATHER_ERRORS)
def test_gather_family_errors(fn, prefix):
    check_error(fn, [R(3, 4)], prefix=prefix)


@requires_torch
def test_scatter_backward_with_src_larger_than_index_raises_as_torch():
    """torch's ScatterAddBackward0 returns a grad shaped like index: the engine's shape check
    fires, with the same message."""
    msgs = []
    for L in (zerograd, torch):
        x = L.zeros(3, 4, dtype=L.float64, requires_grad=True)
        s = L.ones(3, 4, dtype=L.float64, requires_grad=True)
        y = x.scatter_add(0, L.tensor([[0, 1], [2, 0]]), s)
        with pytest.raises(RuntimeError) as e:
            y.sum().backward()
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]


@requires_torch
def test_gather_family_top_level_and_methods_exist_as_in_torch():
    for name in ("gather", "scatter", "scatter_add", "index_select", "index_add", "index_copy",
                 "index_fill", "take_along_dim", "masked_fill", "masked_select", "masked_scatter",
                 "nonzero", "argwhere"):
        assert hasattr(torch, name) and hasattr(zerograd, name), name
        assert hasattr(torch.Tensor, name) and hasattr(zerograd.Tensor, name), name
    for name in ("masked_fill_", "index_add_", "index_fill_", "index_copy_", "scatter_",
                 "scatter_add_", "uniform_", "normal_", "masked_scatter_"):
        assert hasattr(zerograd.Tensor, name), name


@requires_torch
@pytest.mark.parametrize("op", ["gather", "scatter", "scatter_add", "index_select", "index_add",
                                "index_copy", "index_fill", "masked_fill", "masked_select"])
def test_index_or_mask_changed_in_place_breaks_backward_as_torch(op):
    """The index (or mask) is saved for backward with its version, as in torch."""
    msgs = []
    for L in (zerograd, torch):
        x = L.tensor(R(3, 4), requires_grad=True)
        s = L.tensor(R(3, 4), requires_grad=True)
        i1, i2, m = L.tensor([0, 2]), L.tensor([[0, 2, 1, 0]]), L.tensor(M34)
        y, changed = {
            "gather": lambda: (x.gather(0, i2), i2),
            "scatter": lambda: (x.scatter(0, i2, s), i2),
            "scatter_add": lambda: (x.scatter_add(0, i2, s), i2),
            "index_select": lambda: (x.index_select(1, i1), i1),
            "index_add": lambda: (x.index_add(0, i1, s[:2]), i1),
            "index_copy": lambda: (x.index_copy(0, i1, s[:2]), i1),
            "index_fill": lambda: (x.index_fill(1, i1, 0.0), i1),
            "masked_fill": lambda: (x.masked_fill(m, 0.0), m),
            "masked_select": lambda: (x.masked_select(m), m),
        }[op]()
        changed.fill_(True if changed.dtype == L.bool else 1)
        with pytest.raises(RuntimeError) as e:
            y.sum().backward()
        msgs.append(str(e.value))
    tail = msgs[1][msgs[1].index(" is at version"):msgs[1].index("instead")]
    assert tail in msgs[0]
    if not op.startswith("masked"):
        head = msgs[1][:msgs[1].index("instead")]
        assert msgs[0].startswith(head), (msgs[0], head)


@requires_torch
def test_modified_bool_mask_message_as_torch():
    """torch 2.13 names a modified bool tensor '[CPUBoolType [3, 4]]' (no legacy class)."""
    msgs = []
    for L in (zerograd, torch):
        x = L.tensor(R(3, 4), requires_grad=True)
        m = L.tensor(M34)
        y = x.masked_fill(m, 0.0)
        m.fill_(True)
        with pytest.raises(RuntimeError) as e:
            y.sum().backward()
        msgs.append(str(e.value))
    assert msgs[0].startswith(msgs[1][:msgs[1].index("instead")])


@pytest.mark.parametrize("key", [MIXED_KEYS[0], MIXED_KEYS[4], MIXED_KEYS[7]], ids=str)
def test_mixed_key_gradcheck(key):
    """The decomposed mixed key (views, then IndexBackward0) against finite differences, to
    second order."""
    check_gradcheck(lambda L, x: x[key], [np.random.default_rng(5).standard_normal((2, 3, 4))])


def _random_key(rng, shape):
    """A random key over `shape`: ints, slices, None, lists, bool masks, bool scalars, 0-d
    tensors and at most one '...' (as tuples the two libraries turn into their tensors)."""
    key, d = [], 0
    for _ in range(rng.integers(1, 5)):
        size = shape[min(d, len(shape) - 1)]
        c = rng.random()
        if c < 0.2:
            e = int(rng.integers(-size, size))
        elif c < 0.4:
            e = slice(rng.choice([None, 0, 1, -1]), rng.choice([None, 2, -1, 10]),
                      rng.choice([None, 1, 2]))
        elif c < 0.5:
            e = None
        elif c < 0.75:
            e = [int(v) for v in rng.integers(-size, size, rng.integers(1, 4))]
        elif c < 0.85:
            e = ("mask", tuple(bool(v) for v in rng.random(size) < 0.5))
        elif c < 0.9:
            e = bool(rng.random() < 0.5)
        else:
            e = ("scalar", int(rng.integers(0, size)))
        d += e is not None and not isinstance(e, bool)
        key.append(e)
    if rng.random() < 0.15:
        key.insert(int(rng.integers(0, len(key) + 1)), Ellipsis)
    return key


def _lib_key(L, key):
    return tuple(L.tensor(list(e[1])) if isinstance(e, tuple) and e[0] == "mask" else
                 L.tensor(e[1]) if isinstance(e, tuple) else e for e in key)


@requires_torch
@pytest.mark.parametrize("seed", range(4))
def test_random_keys_as_torch(seed):
    """Random keys (every kind of index, mixed) read and written as torch does: the result's
    shape and values, or the error type; x[key] = v's result; and every gradient."""
    rng = np.random.default_rng(seed)
    a = np.arange(120.0).reshape(2, 3, 4, 5)
    for _ in range(150):
        key, write = _random_key(rng, a.shape), rng.random() < 0.5
        got = []
        for L in (zerograd, torch):
            k = _lib_key(L, key)
            x = L.tensor(a, requires_grad=True)
            try:
                if write:
                    shape = tuple(L.zeros(2, 3, 4, 5)[k].shape)
                    v = L.tensor(np.arange(float(np.prod(shape))).reshape(shape) + 1000,
                                 requires_grad=True)
                    y = x * 1.0
                    y[k] = v
                    (y * L.tensor(a)).sum().backward()
                    got.append((y.detach().numpy().tolist(), x.grad.numpy().tolist(),
                                v.grad.numpy().tolist()))
                else:
                    y = x[k]
                    (y * y).sum().backward()
                    got.append((tuple(y.shape), y.detach().numpy().tolist(),
                                x.grad.numpy().tolist()))
            except (IndexError, RuntimeError, ValueError, TypeError) as e:
                got.append(type(e).__name__)
        assert got[0] == got[1], (key, write)


@requires_torch
@pytest.mark.filterwarnings("ignore:Using a non-tuple sequence")
def test_list_of_indices_read_as_a_tuple_as_torch():
    """A list holding tensors, sequences, slices, None or Ellipsis is a tuple of indices
    (torch's treatSequenceAsTuple, with its deprecation warning); a list of ints is one index.
    x[[[0, 1], [1, 0]]] = 0 wrote the whole tensor before."""
    def run(L):
        x = L.arange(24.).reshape(2, 3, 4)
        out = [tuple(x[[L.tensor(0), L.tensor(1)]].shape), tuple(x[[[0, 1], [1, 0]]].shape),
               x[[0, slice(None), 1]].tolist(), tuple(x[[0, None]].shape),
               tuple(x[[0, ...]].shape), tuple(x[[0, 1]].shape),
               tuple(x[np.array([[0, 1], [1, 0]])].shape), tuple(x[[True, False]].shape)]
        y = L.arange(6.).reshape(2, 3)
        y[[[0, 1], [1, 0]]] = 0
        w = L.ones(2, requires_grad=True)
        z = L.zeros(2, 3) * 1
        z[[[0, 1], [1, 2]]] = w * 2
        z.sum().backward()
        return out + [y.tolist(), w.grad.tolist()]
    assert run(zerograd) == run(torch)
    with pytest.warns(UserWarning, match="non-tuple sequence for multidimensional indexing"):
        zerograd.zeros(2, 3)[[[0, 1], [1, 0]]]


@requires_torch
@pytest.mark.filterwarnings("ignore:indexing with dtype torch.uint8")
def test_index_and_value_edges_as_torch():
    """A uint8 index tensor is a mask (torch's deprecated reading; it was taken as integers), a
    value's leading size-1 dims are dropped before it is copied in (it raised), x[[]] picks no
    rows (it raised), int()/float() of a tensor that is not one element raise ValueError."""
    def run(L):
        out = [L.arange(4.).reshape(2, 2)[L.tensor([1, 0], dtype=L.uint8)].tolist(),
               tuple(L.zeros(2, 3)[[]].shape)]
        x = L.zeros(2, 3, 4)
        x[0] = L.ones(1, 1, 3, 4)
        y = L.zeros(3)
        y[L.tensor([True, False, True])] = L.ones(1, 2)
        w = L.ones(1, 2, requires_grad=True)
        z = L.zeros(3) * 1
        z[1:] = w * L.tensor([[1.0, 2.0]])
        z.sum().backward()
        out += [x.sum().item(), y.tolist(), w.grad.tolist()]
        for f in (lambda: int(L.ones(2)), lambda: float(L.ones(0))):
            with pytest.raises(ValueError, match="only one element tensors"):
                f()
        return out
    assert run(zerograd) == run(torch)


@requires_torch
def test_narrow_copy_as_torch():
    """torch.narrow_copy / Tensor.narrow_copy (session 15): a contiguous copy, its own node."""
    res = []
    for L in (torch, zerograd):
        x = L.arange(12.0, dtype=L.float64).view(3, 4).requires_grad_()
        y = L.narrow_copy(x, 1, 2, 2)
        z = x.narrow_copy(0, -2, 1)
        (y * L.tensor([[1.0, 2.0]], dtype=L.float64)).sum().backward()
        errs = []
        for args in ((x, 1, 5, 1), (L.tensor(1.0), 0, 0, 1), (x, 1, 0, -1), (x, 1, -5, 1)):
            try:
                L.narrow_copy(*args)
            except (RuntimeError, IndexError) as e:
                errs.append((type(e).__name__, str(e)))
        res.append((y.tolist(), y.is_contiguous(), type(y.grad_fn).__name__, z.tolist(),
                    x.grad.tolist(), errs))
    assert res[1] == res[0]
