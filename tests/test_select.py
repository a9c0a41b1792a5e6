"""median, nanmedian, mode, unique, unique_consecutive, isin, searchsorted, bucketize
(zerograd/ops/select.py) against torch: values, dtypes, shapes, named tuples, node names, which
element among ties gets the gradient, NaN, empty and 0-d inputs, dtypes, and error types and
messages.  tests/test_ops.py runs their op-table rows (zerograd/testing/op_db_select.py)."""
from __future__ import annotations

import math

import numpy as np
import pytest

import zerograd
from tests._oracle import requires_torch, torch
from zerograd.ops.select import _std_sort, kthvalue_rows

pytestmark = requires_torch

NAN = float("nan")


def _np(t):
    return t.detach().numpy()


def _same(z, t):
    """zerograd's result equals torch's: the same kind of object, dtype, shape, values (nan
    where torch has nan), node names."""
    if isinstance(t, tuple):
        assert isinstance(z, tuple) and len(z) == len(t)
        assert type(z).__name__ == type(t).__name__
        if hasattr(t, "values"):
            _same(z.values, t.values)
            _same(z.indices, t.indices)
        for a, b in zip(z, t):
            _same(a, b)
        return
    assert isinstance(z, zerograd.Tensor) and isinstance(t, torch.Tensor)
    assert str(z.dtype) == str(t.dtype)
    assert tuple(z.shape) == tuple(t.shape)
    np.testing.assert_array_equal(_np(z), _np(t))
    assert z.requires_grad == t.requires_grad
    assert (z.grad_fn.name() if z.grad_fn else None) == (t.grad_fn.name() if t.grad_fn else None)


def _both(f, *args, **kw):
    """f(lib, *args) in both libraries: the results, or the exceptions (type and message)."""
    res = []
    for lib in (zerograd, torch):
        a = [lib.tensor(x) if isinstance(x, np.ndarray) else x for x in args]
        try:
            res.append(f(lib, *a, **kw))
        except Exception as e:  # noqa: BLE001 - compared below
            res.append(e)
    z, t = res
    if isinstance(t, Exception):
        assert isinstance(z, Exception), f"torch raised {t!r}, zerograd returned {z!r}"
        assert type(z) is type(t)
        assert str(z).splitlines()[0] == str(t).splitlines()[0]
    else:
        assert not isinstance(z, Exception), f"zerograd raised {z!r}; torch returned {t!r}"
        _same(z, t)
    return z, t


def _grad_same(f, x, **kw):
    """The forward and the gradient of sum(3 * values) agree with torch (float64)."""
    zx = zerograd.tensor(x, requires_grad=True)
    tx = torch.tensor(x, requires_grad=True)
    zo, to = f(zerograd, zx, **kw), f(torch, tx, **kw)
    _same(zo, to)
    zv = zo.values if isinstance(zo, tuple) else zo
    tv = to.values if isinstance(to, tuple) else to
    (zv * 3.0).sum().backward()
    (tv * 3.0).sum().backward()
    np.testing.assert_array_equal(_np(zx.grad), _np(tx.grad))
    return zx.grad


# ----- median / nanmedian / mode: random inputs full of ties and NaN --------------------------

def _tie_inputs(seed, n=60):
    r = np.random.default_rng(seed)
    for _ in range(n):
        shape = tuple(int(s) for s in r.integers(1, 6, r.integers(0, 4)))
        x = r.integers(0, 4, shape).astype(np.float64)
        if r.random() < 0.4:
            x[r.random(shape) < 0.25] = NAN
        yield x


@pytest.mark.parametrize("fname", ["median", "nanmedian", "mode"])
def test_reductions_over_dims_match_torch_with_ties_and_nan(fname):
    for x in _tie_inputs(1):
        for d in range(-max(x.ndim, 1), max(x.ndim, 1)):
            for keepdim in (False, True):
                _grad_same(lambda m, a: getattr(m, fname)(a, d, keepdim), x)
                _grad_same(lambda m, a: getattr(a, fname)(dim=d, keepdim=keepdim), x)


@pytest.mark.parametrize("fname", ["median", "nanmedian"])
def test_median_without_dim_spreads_the_gradient_over_equal_elements(fname):
    for x in _tie_inputs(2):
        _grad_same(lambda m, a: getattr(m, fname)(a), x)
        _grad_same(lambda m, a: getattr(a, fname)(), x)
    g = _grad_same(lambda m, a: m.median(a), np.array([3.0, 1.0, 2.0, 1.0, 5.0, 2.0]))
    assert _np(g).tolist() == [0, 0, 1.5, 0, 0, 1.5]          # the two 2.0s share it


def test_median_picks_the_lower_middle_and_nan_rules():
    assert zerograd.median(zerograd.tensor([4.0, 1.0, 3.0, 2.0])).item() == 2.0
    assert math.isnan(zerograd.median(zerograd.tensor([1.0, NAN, 2.0])).item())
    assert zerograd.nanmedian(zerograd.tensor([1.0, NAN, 2.0, 4.0])).item() == 2.0
    r = zerograd.nanmedian(zerograd.tensor([[NAN, NAN], [1.0, NAN]]), 1)
    assert math.isnan(r.values[0].item()) and r.indices.tolist() == [0, 0]
    r = zerograd.median(zerograd.tensor([[2.0, NAN, 1.0, NAN]]), 1)
    assert r.indices.tolist() == [1]            # the first nan


def test_nanmedian_of_all_nan_rows_reports_torchs_nth_element_index():
    """n equivalent NaNs: the index is where std::nth_element's partitioning leaves them
    (0 for n <= 3, 2 for n = 4, 5 for n = 7 ...), not simply 0."""
    seen = set()
    for n in range(1, 40):
        x = np.full((2, n), NAN)
        _grad_same(lambda m, a: m.nanmedian(a, 1), x)
        seen.add(int(zerograd.nanmedian(zerograd.tensor(x), 1).indices[0]))
    assert len(seen) > 5


def test_kthvalue_rows_reports_torchs_index_among_ties_and_nan():
    """The quickselect emulation agrees with torch.kthvalue on tie-heavy rows with NaN (the
    stable sort's k-th element often does not)."""
    r = np.random.default_rng(14)
    stable_differs = 0
    for _ in range(400):
        n = int(r.integers(1, 60))
        x = r.integers(0, 4, (2, n)).astype(np.float64)
        if r.random() < 0.3:
            x[r.random((2, n)) < 0.2] = NAN
        k = int(r.integers(1, n + 1))
        t = torch.kthvalue(torch.tensor(x), k, 1)
        v, i = kthvalue_rows(x, k)
        np.testing.assert_array_equal(v, t.values.numpy())
        np.testing.assert_array_equal(i, t.indices.numpy())
        st = np.argsort(x, axis=1, kind="stable")[:, k - 1]
        stable_differs += int((st != i).any())
    assert stable_differs > 50


def test_mode_ties_follow_torchs_unstable_sort_on_long_rows():
    """Rows longer than 16 go through introsort: the reported index among equal values is not
    the last occurrence, and NaN (not ordered by `<`) lands where the sort leaves it."""
    r = np.random.default_rng(3)
    differs = 0
    for _ in range(150):
        n = int(r.integers(1, 200))
        x = r.integers(0, int(r.integers(1, 8)), n).astype(np.float64)
        if r.random() < 0.3:
            x[r.random(n) < 0.2] = NAN
        if r.random() < 0.2:
            x = np.sort(x)
        z, t = _both(lambda m, a: m.mode(a), x)
        vals, counts = np.unique(x[~np.isnan(x)], return_counts=True)
        if vals.size and t.indices.item() != np.flatnonzero(x == vals[np.argmax(counts)])[-1]:
            differs += 1
    assert differs > 10         # the naive "last occurrence" rule would not have passed


def test_std_sort_sorts_and_takes_the_heap_path():
    r = np.random.default_rng(4)
    for n in (0, 1, 2, 17, 100, 1000):
        v = r.integers(0, 50, n).tolist()
        pairs = [(x, k) for k, x in enumerate(v)]
        _std_sort(pairs)
        assert [p[0] for p in pairs] == sorted(v)
        assert sorted(p[1] for p in pairs) == list(range(n))
    # a median-of-3 killer sequence exhausts the depth limit: heap sort still sorts
    n = 2000
    v = list(range(n, 0, -1)) * 2
    pairs = [(x, k) for k, x in enumerate(v)]
    _std_sort(pairs)
    assert [p[0] for p in pairs] == sorted(v)


def test_mode_values_and_index_against_torch_on_long_rows_with_grad():
    r = np.random.default_rng(5)
    x = r.integers(0, 3, (3, 40)).astype(np.float64)
    _grad_same(lambda m, a: m.mode(a, 1), x)
    _grad_same(lambda m, a: m.mode(a, 0, keepdim=True), x)


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "float16", "float32", "bool"])
@pytest.mark.parametrize("call", [
    lambda m, a: m.median(a), lambda m, a: m.median(a, 0), lambda m, a: m.nanmedian(a),
    lambda m, a: m.nanmedian(a, -1), lambda m, a: m.mode(a), lambda m, a: m.mode(a, 0, True),
])
def test_dtypes(dtype, call):
    x = np.array([[3, 1, 2], [0, 1, 1]]).astype(dtype)
    _both(call, x)


@pytest.mark.parametrize("call", [
    lambda m, a: m.median(a), lambda m, a: m.median(a, 0), lambda m, a: m.median(a, -1, True),
    lambda m, a: m.nanmedian(a), lambda m, a: m.nanmedian(a, 0), lambda m, a: m.mode(a),
    lambda m, a: m.mode(a, -1), lambda m, a: m.median(a, 1), lambda m, a: m.mode(a, -2),
])
@pytest.mark.parametrize("x", [np.array(5.0), np.zeros(0), np.zeros((0, 3)), np.zeros((2, 0)),
                               np.array([7.0])], ids=["0d", "empty", "0x3", "2x0", "one"])
def test_scalars_empties_and_dims_out_of_range(call, x):
    _both(call, x)


def test_0d_gradients():
    for f in (lambda m, a: m.median(a), lambda m, a: m.median(a, 0),
              lambda m, a: m.nanmedian(a, -1, True), lambda m, a: m.mode(a)):
        _grad_same(f, np.array(2.5))


def test_empty_long_median_and_argument_errors():
    for dt in ("uint8", "int8", "int16", "int32", "int64", "float16", "float32"):
        _both(lambda m, a: m.median(a), np.zeros(0, dt))
        _both(lambda m, a: m.nanmedian(a), np.zeros((2, 0), dt))
    _both(lambda m, a: m.median(a, 0.5), np.zeros(3))
    _both(lambda m, a: m.median(a, dim=None), np.zeros(3))
    _both(lambda m: m.median([1.0, 2.0]))
    for call in (lambda m, a: m.median(a, None), lambda m, a: a.median(None),
                 lambda m, a: a.median(dim=None), lambda m, a: m.mode(a, None),
                 lambda m, a: m.mode(a, dim=None), lambda m, a: a.mode(0.5),
                 lambda m, a: m.nanmedian(a, 0.5), lambda m, a: a.nanmedian(dim=0, keepdim=True),
                 lambda m, a: m.mode(a, 0, True), lambda m, a: m.median(a, dim=-1),
                 lambda m, a: m.median(a, True)):
        _both(call, np.array([[1.0, 2.0, 2.0]]))
    _both(lambda m: m.mode([1.0, 2.0]))


def test_a_view_changed_in_place_records_its_fresh_history():
    """A view whose base changed in place since the view was taken: the node chain and the
    gradients agree with torch's."""
    for f in (lambda m, v: m.median(v, 0).values, lambda m, v: m.mode(v).values,
              lambda m, v: m.nanmedian(v), lambda m, v: m.unique(v)):
        chains = []
        for lib in (zerograd, torch):
            x = lib.tensor([[3.0, 1.0, 2.0], [5.0, 4.0, 6.0]], requires_grad=True)
            y = x * 1
            v = y[0]
            y.mul_(2)
            out = f(lib, v)
            node, chain = out.grad_fn, []
            while node is not None:
                chain.append(node.name())
                node = node.next_functions[0][0] if node.next_functions else None
            chains.append(chain)
        assert chains[0] == chains[1]


def test_named_tuples():
    r = zerograd.median(zerograd.tensor([[1.0, 2.0, 3.0]]), 1)
    assert type(r).__name__ == "median" and type(r).__module__ == "torch.return_types"
    assert repr(r).startswith("torch.return_types.median(\nvalues=tensor([2.])")
    v, i = zerograd.mode(zerograd.tensor([1, 1, 2]))
    assert (v.item(), i.item()) == (1, 1)
    assert type(zerograd.nanmedian(zerograd.tensor([1.0]), 0)).__name__ == "nanmedian"


def test_second_derivative_and_gradcheck():
    x = zerograd.tensor(np.random.default_rng(6).standard_normal((3, 5)), requires_grad=True)
    for f in (lambda a: zerograd.median(a) ** 2, lambda a: zerograd.median(a, 1).values ** 2,
              lambda a: zerograd.nanmedian(a, 0).values ** 2,
              lambda a: zerograd.mode(a).values ** 2):
        assert zerograd.autograd.gradcheck(f, (x,))
        assert zerograd.autograd.gradgradcheck(f, (x,))


# ----- unique / unique_consecutive ---------------------------------------------------------

_FLAGS = [{}, {"return_inverse": True}, {"return_counts": True},
          {"return_inverse": True, "return_counts": True}, {"sorted": False},
          {"sorted": False, "return_inverse": True, "return_counts": True}]


@pytest.mark.parametrize("kw", _FLAGS, ids=lambda k: ",".join(k) or "plain")
def test_unique_flags_and_nan(kw):
    for x in _tie_inputs(7, 40):
        _both(lambda m, a: m.unique(a, **kw), x)
        _both(lambda m, a: a.unique(**kw), x)
        ck = {k: v for k, v in kw.items() if k != "sorted"}
        _both(lambda m, a: m.unique_consecutive(a, **ck), x)
        _both(lambda m, a: a.unique_consecutive(**ck), x)


def test_unique_nan_order_on_long_inputs():
    r = np.random.default_rng(8)
    for _ in range(30):
        x = r.integers(0, 4, int(r.integers(17, 120))).astype(np.float64)
        x[r.random(x.size) < 0.3] = NAN
        _both(lambda m, a: m.unique(a, return_inverse=True, return_counts=True), x)


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "float16", "float32", "bool"])
def test_unique_dtypes_0d_and_empty(dtype):
    for x in (np.array([[3, 1], [1, 0]]), np.array(1), np.zeros(0), np.zeros((2, 0))):
        for kw in ({}, {"return_inverse": True, "return_counts": True}):
            _both(lambda m, a: m.unique(a, **kw), x.astype(dtype))
            _both(lambda m, a: m.unique_consecutive(a, **kw), x.astype(dtype))


def test_unique_records_a_node_whose_backward_raises():
    for fname, aten in (("unique", "_unique2"), ("unique_consecutive", "unique_consecutive")):
        outs = []
        for lib in (zerograd, torch):
            x = lib.tensor([1.0, 2.0, 1.0], requires_grad=True)
            u, inv, cnt = getattr(lib, fname)(x, return_inverse=True, return_counts=True)
            assert (u.requires_grad, inv.requires_grad, cnt.requires_grad) == (True, False, False)
            with pytest.raises(NotImplementedError) as e:
                u.sum().backward()
            outs.append((u.grad_fn.name(), str(e.value)))
        assert outs[0] == outs[1]
        assert aten in outs[0][1]


def test_unique_errors():
    _both(lambda m: m.unique([1, 2]))
    _both(lambda m: m.unique_consecutive([1, 2]))
    _both(lambda m, a: m.unique(a, dim=3), np.array([1, 2]))
    _both(lambda m: m.unique([1, 2], dim=0))
    _both(lambda m: m.unique_consecutive([1, 2], dim=0))


@pytest.mark.parametrize("fname", ["unique", "unique_consecutive"])
def test_unique_along_a_dim(fname):
    r = np.random.default_rng(13)
    kws = [{}, {"return_inverse": True}, {"return_counts": True},
           {"return_inverse": True, "return_counts": True}]
    for _ in range(40):
        shape = tuple(int(s) for s in r.integers(1, 5, r.integers(1, 4)))
        x = r.integers(0, 2, shape).astype(np.float64)
        for d in range(-len(shape), len(shape)):
            for kw in kws:
                _both(lambda m, a: getattr(m, fname)(a, dim=d, **kw), x)
                _both(lambda m, a: getattr(a, fname)(dim=d, **kw), x.astype(np.int64))
    for x, d in ((np.zeros((3, 0)), 0), (np.zeros((0, 3)), 0), (np.zeros((0, 3)), 1),
                 (np.array(3.0), 0), (np.array([[True, False], [True, False]]), 0),
                 (np.array([[3, 1], [1, 5], [3, 0]]), 0), (np.array([[3, 1], [1, 5]]), 5)):
        _both(lambda m, a: getattr(m, fname)(a, dim=d, return_inverse=True,
                                             return_counts=True), x)


def test_unique_dim_records_unique_dim_whose_backward_raises():
    for lib in (zerograd, torch):
        u = lib.unique(lib.tensor([[1.0, 2.0], [1.0, 2.0]], requires_grad=True), dim=0)
        assert u.grad_fn.name() == "UniqueDimBackward0"
        with pytest.raises(NotImplementedError, match="the derivative for 'unique_dim' is not"):
            u.sum().backward()


# ----- isin --------------------------------------------------------------------------------

def test_isin_against_torch():
    r = np.random.default_rng(9)
    for x in _tie_inputs(10, 40):
        t = r.integers(0, 4, int(r.integers(0, 6))).astype(np.float64)
        if r.random() < 0.3:
            t[0:1] = NAN
        for kw in ({}, {"invert": True}, {"assume_unique": True}):
            _both(lambda m, a, b: m.isin(a, b, **kw), x, t)
            _both(lambda m, a, b: m.isin(a, b, **kw), x.astype(np.int64) if not
                  np.isnan(x).any() else x, t[~np.isnan(t)].astype(np.int64))


@pytest.mark.parametrize("args", [
    (np.array([1, 2, 3]), np.array([2.5, 3.0])), (np.array([1, 2, 3]), 2),
    (3, np.array([1, 3])), (2.5, np.array([1, 3])), (np.array(2), np.array([1, 2])),
    (np.array([1, 2]), np.array(2)), (np.zeros(0), np.array([1.0])),
    (np.array([NAN, 1.0]), np.array([NAN])), (np.array([1, 2]), np.array([True])),
    (np.array([True]), np.array([1])), (True, np.array([1])), (1, 2), ([1, 2], np.array([1])),
    (np.array([1.0, 2.0]).astype(np.float16), np.array([2]).astype(np.int32)),
], ids=lambda a: None)
def test_isin_mixed_types_scalars_and_errors(args):
    _both(lambda m, *a: m.isin(*a), *args)


# ----- searchsorted / bucketize ----------------------------------------------------------------

def test_searchsorted_and_bucketize_random():
    r = np.random.default_rng(11)
    for x in _tie_inputs(12, 40):
        bd = np.sort(r.integers(0, 4, int(r.integers(1, 7))).astype(np.float64))
        if r.random() < 0.3:
            bd[-1] = NAN
        for kw in ({}, {"right": True}, {"side": "right"}, {"side": "left"},
                   {"out_int32": True}, {"right": False, "side": "right"}):
            _both(lambda m, s, v: m.searchsorted(s, v, **kw), bd, x)
        for kw in ({}, {"right": True}, {"out_int32": True}):
            _both(lambda m, v, s: m.bucketize(v, s, **kw), x, bd)


def test_searchsorted_nd_boundaries_and_sorter():
    ss = np.array([[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]])
    _both(lambda m, s, v: m.searchsorted(s, v), ss, np.array([[3.0, 0.5], [3.0, 7.0]]))
    _both(lambda m, s, v: m.searchsorted(s, v, right=True), ss, np.array([[3.0], [4.0]]))
    _both(lambda m, s, v: m.searchsorted(s, v), ss, np.zeros((2, 0)))
    seq, srt = np.array([5.0, 1.0, 3.0]), np.array([1, 2, 0])
    _both(lambda m, s, v, o: m.searchsorted(s, v, sorter=o), seq, np.array([2.0, 4.0, 9.0]), srt)
    _both(lambda m, s, v, o: m.searchsorted(s, v, sorter=o, side="right"),
          seq, np.array([[1.0, 5.0]]), srt)


_S = np.array([1.0, 3.0, 5.0, 7.0])
_V = np.array([[0.0, 3.0, 6.0], [7.0, 8.0, 1.0]])


@pytest.mark.parametrize("call", [
    lambda m, s, v: m.searchsorted(s, v, right=True, side="left"),
    lambda m, s, v: m.searchsorted(s, v, side="x"),
    lambda m, s, v: m.searchsorted(s.reshape(2, 2), v[0]),
    lambda m, s, v: m.searchsorted(s.reshape(2, 2), v.reshape(3, 2)),
    lambda m, s, v: m.searchsorted(s[0], v),
    lambda m, s, v: m.searchsorted(s, v, sorter=m.tensor([0, 1])),
    lambda m, s, v: m.searchsorted(s, v, sorter=m.tensor([0.0, 1.0, 2.0, 3.0])),
    lambda m, s, v: m.searchsorted(s, v, sorter=m.tensor([0, 1, 2, 9])),
    lambda m, s, v: m.searchsorted(s, v, sorter=m.tensor([[0, 1, 2, 3]])),
    lambda m, s, v: m.searchsorted(s, 3.0), lambda m, s, v: m.searchsorted(s, 3),
    lambda m, s, v: m.searchsorted(s, m.tensor(3.0)),
    lambda m, s, v: m.searchsorted(s, v.long()), lambda m, s, v: m.searchsorted(s.long(), v),
    lambda m, s, v: m.searchsorted(s.bool(), v.bool()),
    lambda m, s, v: m.searchsorted(s, m.tensor([True])),
    lambda m, s, v: m.searchsorted(s.half(), v.float()),
    lambda m, s, v: m.searchsorted([1, 2], v), lambda m, s, v: m.searchsorted(s, [1, 2]),
    lambda m, s, v: m.searchsorted(s[:0], v), lambda m, s, v: m.searchsorted(s, v[:, :0]),
    lambda m, s, v: m.bucketize(v, s.reshape(2, 2)), lambda m, s, v: m.bucketize(3.0, s),
    lambda m, s, v: m.bucketize(m.tensor(3.0), s), lambda m, s, v: m.bucketize(v, s.long()),
    lambda m, s, v: m.bucketize(v.bool(), s.bool()), lambda m, s, v: m.bucketize([1, 2], s),
    lambda m, s, v: m.bucketize(v, s, right=True, out_int32=True),
])
def test_searchsorted_bucketize_edges_and_errors(call):
    _both(call, _S, _V)


def test_searchsorted_requires_no_grad_and_tensor_methods_exist_where_torch_has_them():
    s = zerograd.tensor([1.0, 2.0], requires_grad=True)
    out = zerograd.searchsorted(s, zerograd.tensor([1.5], requires_grad=True))
    assert not out.requires_grad and out.grad_fn is None
    assert not zerograd.isin(s, zerograd.tensor([1.0])).requires_grad
    for name in ("median", "nanmedian", "mode", "kthvalue", "unique", "unique_consecutive",
                 "isin", "searchsorted", "bucketize"):
        assert hasattr(zerograd, name)
        assert hasattr(zerograd.Tensor, name) == hasattr(torch.Tensor, name), name


@requires_torch
def test_kthvalue_reports_torchs_index_among_ties_along_any_dim():
    """zerograd.kthvalue: the stable sort where the k-th value is unique, torch's quickselect
    where it is tied or the row has NaN - the gradient goes to torch's element."""
    r = np.random.default_rng(3)
    for it in range(300):
        shape = [(5,), (3, 7), (2, 3, 6)][it % 3]
        x = r.integers(0, 3, shape).astype(np.float64)
        if r.random() < 0.3:
            x[r.random(shape) < 0.2] = NAN
        d = int(r.integers(-len(shape), len(shape)))
        k, keep = int(r.integers(1, shape[d] + 1)), bool(r.random() < 0.5)
        zx = zerograd.tensor(x, requires_grad=True)
        a, b = zerograd.kthvalue(zx, k, d, keep), torch.kthvalue(torch.tensor(x), k, d, keep)
        np.testing.assert_array_equal(a.indices.numpy(), b.indices.numpy())
        np.testing.assert_array_equal(a.values.detach().numpy(), b.values.numpy())
        a.values.sum().backward()
        tx = torch.tensor(x, requires_grad=True)
        torch.kthvalue(tx, k, d, keep).values.sum().backward()
        np.testing.assert_array_equal(zx.grad.numpy(), tx.grad.numpy())
