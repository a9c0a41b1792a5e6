"""Selection and sets: median, nanmedian, mode, unique, unique_consecutive, isin, searchsorted,
bucketize.

    median/nanmedian (no dim)   da = g * mask / mask.sum(),  mask = (a == value), or isnan(a)
                                     when the value is nan (torch's evenly_distribute_backward)
    median/nanmedian/mode (dim) da = zeros.scatter(dim, indices, g)
    unique, unique_consecutive  recorded, but their backward raises (as torch's)
    isin, searchsorted, bucketize   bool / integer results, no gradient

Which element among ties torch reports (and so where the gradient goes):
  median(dim)    the element at position (n - 1) // 2 of the stable sort (NaN sorts last);
                 a row holding a NaN reports its first NaN
  nanmedian(dim) the same over the non-NaN elements; an all-NaN row reports the index that
                 libstdc++'s std::nth_element leaves first (see _nth_element)
  mode           the first longest run of equal values after libstdc++'s std::sort of the row
                 (not stable): followed step by step, see _std_sort
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..autograd.function import Op
from ..tensor import Tensor
from ._args import NUMBER, bad_overload, need_tensor, not_implemented
from ._util import canon_dim, scalar_type_name, wrap
from .. import return_types as _rt
from .join import _fresh, _SelectValues

return_median, return_nanmedian, return_mode = _rt.median, _rt.nanmedian, _rt.mode

_NO_DIM = object()


def _rows(x: np.ndarray, d: int) -> np.ndarray:
    """`x` with axis d moved last and the other axes flattened: (m, n)."""
    return np.moveaxis(x, d, -1).reshape(-1, x.shape[d])


def _unrows(r: np.ndarray, shape: tuple, d: int, keepdim: bool) -> np.ndarray:
    """Per-row results (m,) back to the reduced shape of `shape` along d."""
    out = list(shape)
    out[d] = 1
    moved = [s for i, s in enumerate(out) if i != d] + [1]
    r = np.moveaxis(r.reshape(moved), -1, d)
    return r if keepdim else np.squeeze(r, d)


def _median_rows(r: np.ndarray, ignore_nan: bool):
    """(values, indices) of each row of r (m, n), n > 0, as torch picks them."""
    if r.dtype.kind == "V":         # bfloat16: as its exact float32 values (NaN ordered last)
        v, i = _median_rows(r.astype(np.float32), ignore_nan)
        return v.astype(r.dtype), i
    m, n = r.shape
    order = np.argsort(r, axis=1, kind="stable")
    if r.dtype.kind == "f":
        nan = np.isnan(r)
        count = n - nan.sum(axis=1)
    else:
        nan, count = None, np.full(m, n)
    k = np.maximum((count - 1) // 2, 0)
    idx = order[np.arange(m), k]
    if nan is not None and ignore_nan:
        # an all-NaN row: torch's std::nth_element sees n equivalent elements and leaves
        # whichever its partitioning steps put at position 0
        for i in np.flatnonzero(count == 0):
            pairs = [(0, j) for j in range(n)]
            _nth_element(pairs, 0)
            idx[i] = pairs[0][1]
    if nan is not None and not ignore_nan:
        has = nan.any(axis=1)
        idx = np.where(has, np.argmax(nan, axis=1), idx)
    return r[np.arange(m), idx], idx.astype(np.int64)


def _check_input(fname, a):
    need_tensor(fname, "input", 1, a)


def _dim_args(fname, args, kwargs, pos, default):
    """(dim, keepdim) from f(input, dim, keepdim) called with `args` / `kwargs`; `pos` is the
    position torch's messages give the first of them (2 for torch.f, 1 for Tensor.f)."""
    if len(args) > 2:
        raise TypeError(f"{fname}() takes at most 3 arguments ({len(args) + 1} given)")
    vals = dict(zip(("dim", "keepdim"), args))
    where = {k: pos + i for i, k in enumerate(vals)}
    for k, v in kwargs.items():
        if k not in ("dim", "keepdim") or k in vals:
            raise TypeError(f"{fname}() got an unexpected keyword argument '{k}'")
        vals[k], where[k] = v, None
    dim, keepdim = vals.get("dim", default), vals.get("keepdim", False)
    for name, v, ok in (("dim", dim, isinstance(dim, (int, np.integer)) or dim is _NO_DIM),
                        ("keepdim", keepdim, isinstance(keepdim, (bool, np.bool_)))):
        if not ok or (name == "dim" and isinstance(v, bool)):
            at = f" (position {where[name]})" if where.get(name) else ""
            kind = "int" if name == "dim" else "bool"
            raise TypeError(f"{fname}(): argument '{name}'{at} must be {kind}, not "
                            f"{type(v).__name__}")
    return dim, bool(keepdim)


# ***** median / nanmedian without dim ***********************************************************

class MedianAll(Op):
    """v = median(a)      da = g * (a == v) / count(a == v)   (a nan v: the nan elements)"""
    arity = 1
    node_name = "MedianBackward0"
    ignore_nan = False

    @classmethod
    def forward(cls, ctx, a):
        x = a._data
        flat = x.reshape(1, -1)
        if flat.shape[1] == 0:
            if x.dtype.kind in "fV":
                v = np.array(np.nan, x.dtype)
            else:   # NaN converted as C++ on x86 does: INT_MIN, truncated for small types
                wide = np.int64 if x.dtype.itemsize == 8 else np.int32
                v = np.array(np.iinfo(wide).min, wide).astype(x.dtype)
        else:
            v = _median_rows(flat, cls.ignore_nan)[0].reshape(())
        if x.dtype.kind in "fV":
            mask = np.isnan(x) if np.isnan(v) else (x == v)
            ctx.mask, ctx.count = mask.astype(x.dtype), max(int(mask.sum()), 1)   # 0: empty a
        return v.copy()

    @staticmethod
    def backward(ctx, g):
        return wrap(ctx.mask) * (g / ctx.count)          # torch: mask * (grad / mask.sum())

    @staticmethod
    def np_backward(ctx, g):
        return ctx.mask * (g / ctx.count)


class NanmedianAll(MedianAll):
    """v = nanmedian(a)   da = g * (a == v) / count(a == v)   (a nan v: the nan elements)"""
    node_name = "NanmedianBackward0"
    ignore_nan = True


# ***** median / nanmedian / mode along a dim ****************************************************

class _DimSelect(_SelectValues):
    """values, indices = f(a, dim)      da = zeros.scatter(dim, indices, g)"""
    arity = 1

    @classmethod
    def forward(cls, ctx, a, dim, keepdim):
        x = a._data
        ctx.dim, ctx.keepdim, ctx.in_ndim = dim, keepdim, x.ndim
        if x.ndim == 0:
            ctx.indices = wrap(np.zeros((), np.int64))
            return x.copy(), np.zeros((), np.int64)
        if x.size == 0:
            v, i = np.zeros(0, x.dtype), np.zeros(0, np.int64)
        else:
            v, i = cls.pick(_rows(x, dim))
        v = _unrows(v, x.shape, dim, keepdim)
        i = _unrows(i, x.shape, dim, keepdim)
        ctx.indices = wrap(i if keepdim else np.expand_dims(i, dim))
        return v, i


class MedianDim(_DimSelect):
    """values, indices = median(a, dim)     da = zeros.scatter(dim, indices, g)"""
    node_name = "MedianBackward1"

    @staticmethod
    def pick(r):
        return _median_rows(r, False)


class NanmedianDim(_DimSelect):
    """values, indices = nanmedian(a, dim)  da = zeros.scatter(dim, indices, g)"""
    node_name = "NanmedianBackward1"

    @staticmethod
    def pick(r):
        return _median_rows(r, True)


class Mode(_DimSelect):
    """values, indices = mode(a, dim)       da = zeros.scatter(dim, indices, g)"""
    node_name = "ModeBackward0"

    @staticmethod
    def pick(r):
        m, n = r.shape
        vals, idx = np.empty(m, r.dtype), np.empty(m, np.int64)
        for i in range(m):
            vals[i], idx[i] = _mode_row(r[i].tolist())
        return vals, idx


# torch's CPU mode sorts (value, index) pairs with std::sort comparing values only, then takes
# the first longest run of equal values and reports the pair at that run's end.  std::sort is not
# stable (and NaN makes `<` no ordering at all), so which index a tie reports is whatever
# libstdc++'s introsort leaves there: _std_sort follows its steps exactly.

_THRESHOLD = 16


def _mode_row(row: list):
    pairs = [(v, k) for k, v in enumerate(row)]
    _std_sort(pairs)
    best_v, best_i, best, run = pairs[0][0], pairs[0][1], 0, 0
    n = len(pairs)
    for i in range(n):
        run += 1
        if i == n - 1 or pairs[i][0] != pairs[i + 1][0]:
            if run > best:
                best_v, best_i, best = pairs[i][0], pairs[i][1], run
            run = 0
    return best_v, best_i


def _std_sort(a: list) -> None:
    """libstdc++'s std::sort of a list of (value, index) pairs by value with `<`, in place."""
    n = len(a)
    if n < 2:
        return
    _introsort_loop(a, 0, n, 2 * (n.bit_length() - 1))
    if n > _THRESHOLD:
        _insertion_sort(a, 0, _THRESHOLD)
        for i in range(_THRESHOLD, n):
            _linear_insert(a, i)
    else:
        _insertion_sort(a, 0, n)


def _introsort_loop(a, first, last, depth):
    while last - first > _THRESHOLD:
        if depth == 0:
            _heap_sort(a, first, last)
            return
        depth -= 1
        mid = first + (last - first) // 2
        _median_to_first(a, first, first + 1, mid, last - 1)
        cut = _partition(a, first + 1, last, first)
        _introsort_loop(a, cut, last, depth)
        last = cut


def _median_to_first(a, result, x, y, z):
    if a[x][0] < a[y][0]:
        pick = y if a[y][0] < a[z][0] else (z if a[x][0] < a[z][0] else x)
    elif a[x][0] < a[z][0]:
        pick = x
    elif a[y][0] < a[z][0]:
        pick = z
    else:
        pick = y
    a[result], a[pick] = a[pick], a[result]


def _partition(a, first, last, pivot):
    p = a[pivot][0]
    while True:
        while a[first][0] < p:
            first += 1
        last -= 1
        while p < a[last][0]:
            last -= 1
        if not first < last:
            return first
        a[first], a[last] = a[last], a[first]
        first += 1


def _insertion_sort(a, first, last):
    for i in range(first + 1, last):
        if a[i][0] < a[first][0]:
            a.insert(first, a.pop(i))
        else:
            _linear_insert(a, i)


def _linear_insert(a, last):
    val = a[last]
    nxt = last - 1
    while val[0] < a[nxt][0]:
        a[last] = a[nxt]
        last = nxt
        nxt -= 1
    a[last] = val


def _make_heap(a, first, n):
    """std::__make_heap on a[first:first + n]."""
    if n >= 2:
        parent = (n - 2) // 2
        while True:
            _adjust_heap(a, first, parent, n, a[first + parent])
            if parent == 0:
                break
            parent -= 1


def _heap_sort(a, first, last):
    """std::__partial_sort(first, last, last): make_heap, then sort_heap."""
    _make_heap(a, first, last - first)
    while last - first > 1:
        last -= 1
        val = a[last]
        a[last] = a[first]
        _adjust_heap(a, first, 0, last - first, val)


def _nth_element(a: list, nth: int) -> None:
    """libstdc++'s std::nth_element on a list of (key, index) pairs, comparing keys with `<`."""
    first, last = 0, len(a)
    if first == last or nth == last:
        return
    depth = 2 * (last.bit_length() - 1)
    while last - first > 3:
        if depth == 0:
            _heap_select(a, first, nth + 1, last)
            a[first], a[nth] = a[nth], a[first]
            return
        depth -= 1
        mid = first + (last - first) // 2
        _median_to_first(a, first, first + 1, mid, last - 1)
        cut = _partition(a, first + 1, last, first)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _insertion_sort(a, first, last)


def _heap_select(a, first, middle, last):
    n = middle - first
    _make_heap(a, first, n)
    for i in range(middle, last):
        if a[i][0] < a[first][0]:
            val = a[i]
            a[i] = a[first]
            _adjust_heap(a, first, 0, n, val)


def kthvalue_rows(r: np.ndarray, k: int):
    """(values, indices) of the k-th smallest (1-based) of each row of r (m, n), with the index
    torch's CPU kthvalue reports among equal values and NaN: its own quickselect (median-of-3
    pivot, `x > y or (x is nan and y is not)` as the order), followed step by step.
    ops/join.py's Kthvalue uses it for the rows where the stable sort's k-th element would be a
    different one among ties."""
    m = r.shape[0]
    vals, idx = np.empty(m, r.dtype), np.empty(m, np.int64)
    for i in range(m):
        vals[i], idx[i] = _quickselect(r[i].tolist(), k - 1)
    return vals, idx


def _gt_or_nan(x, y) -> bool:
    return x > y or (x != x and y == y)


def _quickselect(a: list, k: int):
    """torch's quick_select_template on one row: the value and index left at position k."""
    ix = list(range(len(a)))

    def swap(i, j):
        a[i], a[j] = a[j], a[i]
        ix[i], ix[j] = ix[j], ix[i]
    lo, hi = 0, len(a) - 1
    while hi > lo:
        if hi == lo + 1:
            if _gt_or_nan(a[lo], a[hi]):
                swap(lo, hi)
            break
        swap(lo + (hi - lo) // 2, lo + 1)
        if _gt_or_nan(a[lo + 1], a[hi]):
            swap(lo + 1, hi)
        if _gt_or_nan(a[lo], a[hi]):
            swap(lo, hi)
        if _gt_or_nan(a[lo + 1], a[lo]):
            swap(lo + 1, lo)
        i, j, piv = lo + 1, hi, a[lo]
        while True:
            i += 1
            while _gt_or_nan(piv, a[i]):
                i += 1
            j -= 1
            while _gt_or_nan(a[j], piv):
                j -= 1
            if j < i:
                break
            swap(i, j)
        swap(lo, j)
        if j <= k:
            lo = i
        if j >= k:
            hi = j - 1
    return a[k], ix[k]


def _adjust_heap(a, base, hole, n, val):
    top = hole
    child = hole
    while child < (n - 1) // 2:
        child = 2 * (child + 1)
        if a[base + child][0] < a[base + child - 1][0]:
            child -= 1
        a[base + hole] = a[base + child]
        hole = child
    if n % 2 == 0 and child == (n - 2) // 2:
        child = 2 * (child + 1)
        a[base + hole] = a[base + child - 1]
        hole = child - 1
    parent = (hole - 1) // 2
    while hole > top and a[base + parent][0] < val[0]:
        a[base + hole] = a[base + parent]
        hole = parent
        parent = (hole - 1) // 2
    a[base + hole] = val


def _select_dim(cls, fname, kernel, a, dim, keepdim, ret):
    d = canon_dim(dim, a.ndim)
    x = a._data
    if x.dtype == np.bool_ and kernel is not None:
        not_implemented(kernel, x.dtype)
    if x.ndim and x.shape[d] == 0:
        ename = "median" if fname == "nanmedian" else fname     # torch's kernel's name
        raise IndexError(f"{ename}(): Expected reduction dim {d} to have non-zero size.")
    _fresh([a])
    v, i = cls.apply(a, d, keepdim)
    return ret(v, i)


def _median(fname, all_cls, dim_cls, ret, a, args, kwargs, pos):
    _check_input(fname, a)
    dim, keepdim = _dim_args(fname, args, kwargs, pos, _NO_DIM)
    if dim is _NO_DIM:
        if a._data.dtype == np.bool_:
            not_implemented("median_cpu", a._data.dtype)
        return all_cls.apply(a)
    return _select_dim(dim_cls, fname, "median_out", a, dim, keepdim, ret)


def median(input, *args, **kwargs):  # noqa: A002 - torch's name
    """torch.median(input) -> the lower of the two middle values;
    torch.median(input, dim, keepdim=False) -> (values, indices)."""
    return _median("median", MedianAll, MedianDim, return_median, input, args, kwargs, 2)


def nanmedian(input, *args, **kwargs):  # noqa: A002
    """torch.nanmedian: the median of the non-NaN values (NaN when there are none)."""
    return _median("nanmedian", NanmedianAll, NanmedianDim, return_nanmedian, input, args,
                   kwargs, 2)


def _mode(a, args, kwargs, pos):
    _check_input("mode", a)
    dim, keepdim = _dim_args("mode", args, kwargs, pos, -1)
    return _select_dim(Mode, "mode", None, a, dim, keepdim, return_mode)


def mode(input, *args, **kwargs):  # noqa: A002
    """torch.mode(input, dim=-1, keepdim=False): the most frequent value along dim (the
    smallest of equally frequent ones) and an index of it (see _std_sort)."""
    return _mode(input, args, kwargs, 2)


def tensor_median(a, args, kwargs):
    """Tensor.median (torch's messages count the method's arguments from 1)."""
    return _median("median", MedianAll, MedianDim, return_median, a, args, kwargs, 1)


def tensor_nanmedian(a, args, kwargs):
    return _median("nanmedian", NanmedianAll, NanmedianDim, return_nanmedian, a, args, kwargs, 1)


def tensor_mode(a, args, kwargs):
    return _mode(a, args, kwargs, 1)


# ***** unique / unique_consecutive ***************************************************************

class Unique2(Op):
    """u, inverse, counts = unique(a)     da = not implemented (torch raises)"""
    arity = 1
    aten = "_unique2"

    @staticmethod
    def forward(ctx, a, consecutive, dim):
        if dim is None:
            return _unique_arrays(a._data, consecutive)
        return _unique_slices(a._data, consecutive, dim)

    @staticmethod
    def backward(ctx, g, *rest):
        raise NotImplementedError(f"the derivative for '{type(ctx)._fn.aten}' is not "
                                  "implemented.")


class UniqueDim(Unique2):
    """u, inverse, counts = unique(a, dim)     da = not implemented (torch raises)"""
    aten = "unique_dim"


class UniqueConsecutive(Unique2):
    """u, inverse, counts = unique_consecutive(a)     da = not implemented (torch raises)"""
    aten = "unique_consecutive"


def _unique_slices(x: np.ndarray, consecutive: bool, d: int):
    """unique over the slices of x along d (compared whole; sorted lexicographically unless
    consecutive): (unique slices, inverse (x.shape[d],), counts)."""
    moved = np.moveaxis(x, d, 0)
    n = moved.shape[0]
    rows = moved.reshape(n, int(np.prod(moved.shape[1:], dtype=np.int64)))
    if consecutive or rows.shape[1] == 0:
        order = np.arange(n)
    else:
        order = np.lexsort(rows.T[::-1])            # the first column is the primary key
    s = rows[order]
    new = np.ones(n, bool)
    if n:
        new[1:] = (s[1:] != s[:-1]).any(axis=1)
    group = np.cumsum(new) - 1
    counts = np.diff(np.append(np.flatnonzero(new), n)).astype(np.int64)
    inv = np.empty(n, np.int64)
    inv[order] = group
    u = s[new].reshape((-1,) + moved.shape[1:])
    return np.moveaxis(u, 0, d).copy(), inv, counts


def _unique_arrays(x: np.ndarray, consecutive: bool):
    """(unique values, inverse of x's shape, counts); NaNs never equal each other."""
    if x.dtype.kind == "V":         # bfloat16: as its exact float32 values (NaN ordered last)
        u, inv, counts = _unique_arrays(x.astype(np.float32), consecutive)
        return u.astype(x.dtype), inv, counts
    flat = x.reshape(-1)
    n = flat.size
    if consecutive:
        order = None
        s = flat
    elif flat.dtype.kind == "f" and np.isnan(flat).any():
        # each NaN is its own group, in the order torch's std::sort (NaN largest, NaNs
        # equivalent, not stable) leaves them
        pairs = [((1, 0.0) if v != v else (0, v), k) for k, v in enumerate(flat.tolist())]
        _std_sort(pairs)
        order = np.array([k for _, k in pairs], np.int64)
        s = flat[order]
    else:
        order = np.argsort(flat, kind="stable")
        s = flat[order]
    new = np.ones(n, bool)
    if n:
        new[1:] = s[1:] != s[:-1]
    group = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    counts = np.diff(np.append(starts, n)).astype(np.int64)
    inv = np.empty(n, np.int64)
    if consecutive:
        inv[:] = group
    else:
        inv[order] = group
    return s[new].copy(), inv.reshape(x.shape), counts


def _unique_impl(cls, fname, a, return_inverse, return_counts, dim):
    if dim is not None and cls is Unique2:
        cls, fname = UniqueDim, "unique_dim"
    need_tensor(fname, "input", 1, a)
    consecutive = cls is UniqueConsecutive
    if dim is not None:
        if a.ndim == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        dim = canon_dim(dim, a.ndim)
        if any(s == 0 for i, s in enumerate(a.shape) if i != dim):
            raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so "
                               "unique cannot be applied")
    _fresh([a])
    u, inv, counts = cls.apply(a, consecutive, dim)
    out = (u,) + ((inv,) if return_inverse else ()) + ((counts,) if return_counts else ())
    return out[0] if len(out) == 1 else out


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
    """torch.unique: the sorted distinct values (torch's CPU kernel sorts also when
    sorted=False; NaNs are each distinct), or with dim the distinct slices along dim, sorted
    lexicographically."""
    return _unique_impl(Unique2, "_unique2", input, return_inverse, return_counts, dim)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
    """torch.unique_consecutive: each run of equal values (or slices along dim) collapsed."""
    return _unique_impl(UniqueConsecutive, "unique_consecutive", input, return_inverse,
                        return_counts, dim)


# ***** isin ***************************************************************************************

_ISIN_SIGS = ("Tensor elements, Tensor test_elements, *, bool assume_unique = False, "
              "bool invert = False, Tensor out = None",
              "Number element, Tensor test_elements, *, bool assume_unique = False, "
              "bool invert = False, Tensor out = None",
              "Tensor elements, Number test_element, *, bool assume_unique = False, "
              "bool invert = False, Tensor out = None")



def _as_array(v) -> np.ndarray:
    """A tensor's array, or a Python number as torch wraps it (a 0-d tensor of its own type)."""
    if isinstance(v, Tensor):
        return v._data
    if isinstance(v, (bool, np.bool_)):
        return np.array(bool(v))
    if isinstance(v, (int, np.integer)):
        return np.array(int(v), np.int64)
    return np.array(float(v), _dt.get_default_dtype().np)


def _promoted(a, b):
    """Both operands cast to torch's promoted dtype (a Python number is a wrapped scalar)."""
    dt = _dt.result_type(a, b)
    npdt = dt.np if hasattr(dt, "np") else np.dtype(dt)
    return _as_array(a).astype(npdt, copy=False), _as_array(b).astype(npdt, copy=False)


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """torch.isin: elementwise membership (in the promoted dtype; NaN is never a member)."""
    ta, tb = isinstance(elements, Tensor), isinstance(test_elements, Tensor)
    if not ((ta and (tb or isinstance(test_elements, NUMBER)))
            or (tb and isinstance(elements, NUMBER))):
        bad_overload("isin", (elements, test_elements), _ISIN_SIGS)
    for v in (elements, test_elements):
        if _as_array(v).dtype == np.bool_:
            raise RuntimeError("Unsupported input type encountered for isin(): Bool")
    x, t = _promoted(elements, test_elements)
    if x.dtype.kind == "V":         # bfloat16: as its exact float32 values
        x, t = x.astype(np.float32), t.astype(np.float32)
    test = np.unique(t.reshape(-1))
    test = test[~np.isnan(test)] if test.dtype.kind == "f" else test
    if test.size:
        pos = np.clip(np.searchsorted(test, x), 0, test.size - 1)
        found = test[pos] == x
    else:
        found = np.zeros(x.shape, bool)
    if invert:
        found = ~found
    return wrap(np.asarray(found, bool).reshape(np.shape(_as_array(elements))))


# ***** searchsorted / bucketize *****************************************************************

_SEARCH_SIGS = ("Tensor sorted_sequence, Tensor input, *, bool out_int32 = False, "
                "bool right = False, str side = None, Tensor sorter = None, Tensor out = None",
                "Tensor sorted_sequence, Number self, *, bool out_int32 = False, "
                "bool right = False, str side = None, Tensor sorter = None")
_BUCKET_SIGS = ("Tensor input, Tensor boundaries, *, bool out_int32 = False, "
                "bool right = False, Tensor out = None",
                "Number self, Tensor boundaries, *, bool out_int32 = False, bool right = False")


def _shape_str(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _bisect(bd: np.ndarray, v: np.ndarray, right: bool) -> np.ndarray:
    """torch's binary search on each row: bd (m, n) sorted, v (m, k) -> positions (m, k).
    Left: the first position whose boundary is not < v ... written as torch's `!(b >= v)` test,
    so a NaN value lands past every boundary and NaN boundaries count as large."""
    m, n = bd.shape
    lo = np.zeros(v.shape, np.int64)
    hi = np.full(v.shape, n, np.int64)
    rows = np.arange(m)[:, None]
    for _ in range(int(n).bit_length() + 1):
        active = lo < hi
        if not active.any():
            break
        mid = lo + ((hi - lo) >> 1)
        b = bd[rows, np.minimum(mid, n - 1)]
        go_right = ~(b > v) if right else ~(b >= v)
        lo = np.where(active & go_right, mid + 1, lo)
        hi = np.where(active & ~go_right, mid, hi)
    return lo


def _searchsorted(fname, seq, x, out_int32, right, sorter):
    bd, v = _promoted(seq, x)
    if bd.dtype == np.bool_:
        not_implemented("searchsorted_out_cpu", bd.dtype)
    if sorter is not None:
        if not isinstance(sorter, Tensor):
            raise TypeError(f"{fname}(): argument 'sorter' must be Tensor, not "
                            f"{type(sorter).__name__}")
        srt = sorter._data
        if srt.shape != bd.shape:
            raise RuntimeError("torch.searchsorted(): boundary and sorter must have the same "
                               f"size, but got boundary tensor {_shape_str(bd.shape)}and got "
                               f"sorter tensor {_shape_str(srt.shape)}")
        if srt.dtype != np.int64:
            raise RuntimeError("torch.searchsorted(): sorter must be a tensor of long dtype but "
                               f"got dtype {scalar_type_name(srt.dtype)}")
        if srt.size and (srt.min() < 0 or srt.max() >= bd.shape[-1]):
            raise RuntimeError("torch.searchsorted(): sorter index out of range")
        bd = np.take_along_axis(bd, srt, -1)
    if bd.ndim == 1:
        res = _bisect(bd.reshape(1, -1), v.reshape(1, -1), right).reshape(v.shape)
    else:
        res = _bisect(bd.reshape(-1, bd.shape[-1]), v.reshape(-1, v.shape[-1]) if v.size else
                      v.reshape(int(np.prod(bd.shape[:-1])), -1), right).reshape(v.shape)
    return wrap(res.astype(np.int32 if out_int32 else np.int64))


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,  # noqa: A002
                 sorter=None):
    """torch.searchsorted: for each value, the index that keeps the (last-dim) sorted sequence
    sorted: before equal boundaries (left) or after them (right / side='right')."""
    if not isinstance(sorted_sequence, Tensor) or not (
            isinstance(input, Tensor) or isinstance(input, NUMBER)):
        bad_overload("searchsorted", (sorted_sequence, input), _SEARCH_SIGS)
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError("torch.searchsorted(): side can only be 'left' or 'right' but "
                               f"got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, "
                               "got side of left while right was True")
        right = side == "right"
    bshape = sorted_sequence._data.shape
    if len(bshape) == 0:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should have positive "
                           "dimension, but got 0 dimension")
    vshape = np.shape(_as_array(input))
    if len(bshape) > 1 and (len(vshape) != len(bshape) or vshape[:-1] != bshape[:-1]):
        raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or the "
                           "first N-1 dimensions of boundaries tensor and input value tensor "
                           f"must match, but we got boundaries tensor {_shape_str(bshape)} and "
                           f"input value tensor {_shape_str(vshape)}")
    return _searchsorted("searchsorted", sorted_sequence, input, bool(out_int32), bool(right),
                         sorter)


def bucketize(input, boundaries, *, out_int32=False, right=False):  # noqa: A002
    """torch.bucketize: searchsorted with the arguments swapped and 1-D boundaries."""
    if not isinstance(boundaries, Tensor) or not (
            isinstance(input, Tensor) or isinstance(input, NUMBER)):
        bad_overload("bucketize", (input, boundaries), _BUCKET_SIGS)
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return _searchsorted("bucketize", boundaries, input, bool(out_int32), bool(right), None)
