"""Op-table rows for the shape and layout functions of zerograd/ops/shape_extra.py (see op_db.py
for the row format).

Index arguments travel as Python lists in kwargs (the tests cast every array argument to a float
or integer dtype), and the row's callable makes a long tensor of them with `m.tensor`.  put's
non-accumulating cases use distinct indices (which write wins at a repeated index is torch's
choice, and the gradient of the losing source element is not defined by finite differences).
"""
from __future__ import annotations

import numpy as np

from .op_db import EMPTY, SHAPES, Case, U, row, unary_cases

# ***** ravel, swapaxes / swapdims *****

row("ravel", lambda m, a: m.ravel(a), unary_cases(U, SHAPES + EMPTY), node="ViewBackward0")
row("ravel_method", lambda m, a: a.ravel(), unary_cases(U, [(2, 3), ()]), node="ViewBackward0")
row("ravel_noncontiguous", lambda m, a: a.transpose(0, -1).ravel(),
    unary_cases(U, [(2, 3), (2, 3, 4)]), node="ViewBackward0")
row("ravel_number", lambda m, a: m.ravel(2.5),
    lambda rng: [Case((U(rng, (2,)),), error=TypeError)], differentiable=False)


def _swap_cases(rng):
    yield Case((U(rng, (2, 3, 4)),), {"d0": 0, "d1": 2})
    yield Case((U(rng, (2, 3, 4)),), {"d0": -1, "d1": 1})
    yield Case((U(rng, (2, 3)),), {"d0": 1, "d1": 1})
    yield Case((U(rng, ()),), {"d0": 0, "d1": -1})
    yield Case((U(rng, (0, 3)),), {"d0": 0, "d1": 1})
    yield Case((U(rng, (2, 3)),), {"d0": 0, "d1": 2}, error=IndexError)


row("swapaxes", lambda m, a, d0, d1: m.swapaxes(a, d0, d1), _swap_cases,
    node="TransposeBackward0")
row("swapaxes_method", lambda m, a, d0, d1: a.swapaxes(d0, d1), _swap_cases,
    node="TransposeBackward0")
row("swapdims", lambda m, a, d0, d1: m.swapdims(a, d0, d1), _swap_cases,
    node="TransposeBackward0")
row("swapdims_method", lambda m, a, d0, d1: a.swapdims(d0, d1), _swap_cases,
    node="TransposeBackward0")


# ***** tensor_split, hsplit, vsplit, dsplit *****

def _tensor_split_cases(rng):
    yield Case((U(rng, (7, 2)),), {"ios": 3})
    yield Case((U(rng, (2, 6)),), {"ios": 3, "dim": 1})
    yield Case((U(rng, (2, 3, 4)),), {"ios": 5, "dim": -1}, note="more sections than elements")
    yield Case((U(rng, (2, 3, 4)),), {"ios": [1, 3], "dim": 2})
    yield Case((U(rng, (2, 5)),), {"ios": [3, 1, -1, 9], "dim": 1},
               note="decreasing, negative and past-the-end indices")
    yield Case((U(rng, (2, 5)),), {"ios": [], "dim": 1})
    yield Case((U(rng, (0, 3)),), {"ios": 2})
    yield Case((U(rng, (5,)),), {"ios": ("tensor", 2)}, note="a 0-d long tensor: sections")
    yield Case((U(rng, (5,)),), {"ios": ("tensor", [1, 4])}, note="a 1-D long tensor: indices")
    yield Case((U(rng, ()),), {"ios": 2}, error=RuntimeError)
    yield Case((U(rng, (4,)),), {"ios": 0}, error=RuntimeError)
    yield Case((U(rng, (4,)),), {"ios": 2, "dim": 1}, error=IndexError)
    yield Case((U(rng, (4,)),), {"ios": ("float", [1.0])}, error=RuntimeError)
    yield Case((U(rng, (4,)),), {"ios": ("tensor", [[1, 2]])}, error=RuntimeError)
    yield Case((U(rng, (4,)),), {"ios": 2.0}, error=TypeError, match=False)
    yield Case((U(rng, (4,)),), {"ios": True}, error=TypeError)
    yield Case((U(rng, (4,)),), {"ios": True, "dim": 0}, error=TypeError, match=False,
               note="torch prints dim=int for a keyword; here the (Tensor, bool, int) form")
    yield Case((U(rng, (5,)),), {"ios": ("mixed", [2, 3])}, note="0-d long tensors in the list")


def _ios(m, ios):
    if isinstance(ios, tuple) and ios and ios[0] == "tensor":
        return m.tensor(ios[1])
    if isinstance(ios, tuple) and ios and ios[0] == "mixed":
        return [m.tensor(ios[1][0]), ios[1][1]]
    if isinstance(ios, tuple) and ios and ios[0] == "float":
        return m.tensor(ios[1], dtype=m.float32)
    return ios


row("tensor_split", lambda m, a, ios, **k: m.tensor_split(a, _ios(m, ios), **k),
    _tensor_split_cases, node="SliceBackward0")
row("tensor_split_method", lambda m, a, ios, **k: a.tensor_split(_ios(m, ios), **k),
    lambda rng: [Case((U(rng, (2, 7)),), {"ios": 3, "dim": 1}),
                 Case((U(rng, (6,)),), {"ios": [2, 4]})], node="SliceBackward0")


def _hsplit_cases(rng):
    yield Case((U(rng, (2, 6, 2)),), {"ios": 3})
    yield Case((U(rng, (6,)),), {"ios": 2}, note="1-D: split along dim 0")
    yield Case((U(rng, (2, 5)),), {"ios": [1, 4]})
    yield Case((U(rng, (2, 5)),), {"ios": 2}, error=RuntimeError)
    yield Case((U(rng, ()),), {"ios": 1}, error=RuntimeError)
    yield Case((U(rng, (4,)),), {"ios": ("tensor", [1])}, error=TypeError)


def _vsplit_cases(rng):
    yield Case((U(rng, (6, 2)),), {"ios": 2})
    yield Case((U(rng, (5, 2, 2)),), {"ios": [2]})
    yield Case((U(rng, (5, 2)),), {"ios": 2}, error=RuntimeError)
    yield Case((U(rng, (4, 2)),), {"ios": 0}, error=RuntimeError)
    yield Case((U(rng, (4,)),), {"ios": 2}, error=RuntimeError)


def _dsplit_cases(rng):
    yield Case((U(rng, (2, 2, 6)),), {"ios": 3})
    yield Case((U(rng, (1, 2, 5)),), {"ios": [1, 3]})
    yield Case((U(rng, (2, 2, 5)),), {"ios": 2}, error=RuntimeError)
    yield Case((U(rng, (2, 4)),), {"ios": 2}, error=RuntimeError)


for _name, _cases in (("hsplit", _hsplit_cases), ("vsplit", _vsplit_cases),
                      ("dsplit", _dsplit_cases)):
    row(_name, lambda m, a, ios, f=_name: getattr(m, f)(a, ios), _cases, node="SliceBackward0")
    row(f"{_name}_method", lambda m, a, ios, f=_name: getattr(a, f)(ios), _cases,
        node="SliceBackward0")


# ***** dstack, column_stack, row_stack *****

def _stack3_cases(rng):
    yield Case((U(rng, (3,)), U(rng, (3,))))
    yield Case((U(rng, (2, 3)), U(rng, (2, 3))))
    yield Case((U(rng, ()), U(rng, ())))
    yield Case((U(rng, (2, 3, 1)), U(rng, (2, 3))), nograd=(1,))
    yield Case((U(rng, (0,)), U(rng, (0,))))
    yield Case((U(rng, (2, 3)), U(rng, (3, 2))), error=RuntimeError)


row("dstack", lambda m, a, b: m.dstack([a, b]), _stack3_cases, node="CatBackward0")


def _column_stack_cases(rng):
    yield Case((U(rng, (3,)), U(rng, (3,))))
    yield Case((U(rng, (3, 2)), U(rng, (3,))))
    yield Case((U(rng, ()), U(rng, ())))
    yield Case((U(rng, (2, 3)), U(rng, (2, 1))), nograd=(0,))
    yield Case((U(rng, (3,)), U(rng, (2,))), error=RuntimeError)


row("column_stack", lambda m, a, b: m.column_stack((a, b)), _column_stack_cases,
    node="CatBackward0")
row("row_stack", lambda m, a, b: m.row_stack([a, b]),
    lambda rng: [Case((U(rng, (3,)), U(rng, (3,)))), Case((U(rng, (2, 3)), U(rng, (3,)))),
                 Case((U(rng, (3,)), U(rng, (2,))), error=RuntimeError)],
    node="CatBackward0")
row("stack_family_empty_list", lambda m, a, f: getattr(m, f)([]),
    lambda rng: [Case((U(rng, (1,)),), {"f": f}, error=RuntimeError)
                 for f in ("dstack", "column_stack")], differentiable=False)


# ***** diag, diag_embed, diagflat *****

def _diag_cases(rng):
    yield Case((U(rng, (3,)),), {})
    yield Case((U(rng, (3,)),), {"diagonal": 2})
    yield Case((U(rng, (3,)),), {"diagonal": -1})
    yield Case((U(rng, (0,)),), {})
    yield Case((U(rng, (3, 4)),), {}, node="DiagonalBackward0_copy")
    yield Case((U(rng, (3, 4)),), {"diagonal": 1}, node="DiagonalBackward0_copy")
    yield Case((U(rng, (4, 3)),), {"diagonal": -2}, node="DiagonalBackward0_copy")
    yield Case((U(rng, (3, 4)),), {"diagonal": 7}, node="DiagonalBackward0_copy",
               note="past the corner: empty")
    yield Case((U(rng, ()),), {}, error=RuntimeError)
    yield Case((U(rng, (2, 2, 2)),), {}, error=RuntimeError)
    yield Case((U(rng, (3,)),), {"diagonal": 1.0}, error=TypeError, match=False,
               note="torch prints no position for a keyword argument")


row("diag", lambda m, a, **k: m.diag(a, **k), _diag_cases, node="DiagEmbedBackward0")
row("diag_method", lambda m, a, **k: a.diag(**k), _diag_cases, node="DiagEmbedBackward0")


def _diag_embed_cases(rng):
    yield Case((U(rng, (3,)),), {})
    yield Case((U(rng, (2, 3)),), {})
    yield Case((U(rng, (2, 3)),), {"offset": 1, "dim1": 0, "dim2": 2})
    yield Case((U(rng, (2, 3)),), {"offset": -2, "dim1": -1, "dim2": 0})
    yield Case((U(rng, (2, 3, 2)),), {"offset": 1, "dim1": 3, "dim2": 1})
    yield Case((U(rng, (2, 0)),), {})
    yield Case((U(rng, (3,)),), {"dim1": 0, "dim2": 0}, error=RuntimeError)
    yield Case((U(rng, (3,)),), {"dim1": 0, "dim2": 3}, error=IndexError)
    yield Case((U(rng, (3,)),), {"offset": 1.0}, error=TypeError, match=False,
               note="torch prints no position for a keyword argument")
    yield Case((U(rng, ()),), {}, error=IndexError)


row("diag_embed", lambda m, a, **k: m.diag_embed(a, **k), _diag_embed_cases,
    node="DiagEmbedBackward0")
row("diag_embed_method", lambda m, a, **k: a.diag_embed(**k),
    lambda rng: [Case((U(rng, (2, 3)),), {"offset": 1})], node="DiagEmbedBackward0")


def _diagflat_cases(rng):
    for s in [(), (3,), (2, 3), (2, 1, 2), (0,)]:
        yield Case((U(rng, s),), {})
    yield Case((U(rng, (2, 2)),), {"offset": 2})
    yield Case((U(rng, (3,)),), {"offset": -1})


row("diagflat", lambda m, a, **k: m.diagflat(a, **k), _diagflat_cases, node="DiagEmbedBackward0")
row("diagflat_noncontiguous", lambda m, a: a.t().diagflat(),
    lambda rng: [Case((U(rng, (2, 3)),))], node="DiagEmbedBackward0")


# ***** rot90 *****

def _rot90_cases(rng):
    for k in (1, 2, 3, 0, -1, 6, -7):
        yield Case((U(rng, (2, 3)),), {"k": k})
    yield Case((U(rng, (2, 3, 4)),), {"k": 1, "dims": [2, 0]})
    yield Case((U(rng, (2, 3, 4)),), {"k": 3, "dims": (-1, 1)})
    yield Case((U(rng, (0, 3)),), {"k": 1})
    yield Case((U(rng, (3,)),), {}, error=RuntimeError)
    yield Case((U(rng, (2, 3)),), {"dims": [0]}, error=RuntimeError)
    yield Case((U(rng, (2, 3)),), {"dims": [1, 1]}, error=RuntimeError)
    yield Case((U(rng, (2, 3)),), {"dims": [0, -2]}, error=RuntimeError)
    yield Case((U(rng, (2, 3)),), {"dims": [0, 2]}, error=IndexError)
    yield Case((U(rng, (2, 3)),), {"k": 1.5}, error=TypeError, match=False,
               note="torch prints no position for a keyword argument")


row("rot90", lambda m, a, **k: m.rot90(a, **k), _rot90_cases, node="Rot90Backward0")
row("rot90_method", lambda m, a, **k: a.rot90(**k),
    lambda rng: [Case((U(rng, (2, 3)),), {}), Case((U(rng, (2, 3)),), {"k": 2, "dims": [1, 0]})],
    node="Rot90Backward0")


# ***** meshgrid, cartesian_prod, block_diag *****

def _meshgrid_cases(rng):
    for ix in ("ij", "xy"):
        yield Case((U(rng, (3,)), U(rng, (2,))), {"indexing": ix})
        yield Case((U(rng, (3,)), U(rng, (2,)), U(rng, (4,))), {"indexing": ix}, nograd=(1,))
        yield Case((U(rng, ()), U(rng, (2,))), {"indexing": ix})
        yield Case((U(rng, (0,)), U(rng, (2,))), {"indexing": ix})
    yield Case((U(rng, (3,)), U(rng, (2,))), {}, note="indexing omitted: torch's warning, ij")
    yield Case((U(rng, (3,)), U(rng, (2,))), {"indexing": "ji"}, error=RuntimeError)
    yield Case((U(rng, (3,)), U(rng, (2, 2))), {"indexing": "ij"}, error=RuntimeError,
               match=False, note="the message prints the tensor")


row("meshgrid", lambda m, *xs, **k: m.meshgrid(*xs, **k), _meshgrid_cases, node="ExpandBackward0")
row("meshgrid_list", lambda m, *xs, **k: m.meshgrid(list(xs), **k),
    lambda rng: [Case((U(rng, (3,)),), {"indexing": "xy"}),
                 Case((U(rng, (3,)), U(rng, (2,))), {"indexing": "xy"})], node="ExpandBackward0")
row("meshgrid_mixed_dtypes", lambda m, a: m.meshgrid(a, a.float(), indexing="ij"),
    lambda rng: [Case((U(rng, (3,)),), error=RuntimeError)], differentiable=False, ints=False)


def _cartesian_cases(rng):
    yield Case((U(rng, (3,)), U(rng, (2,))))
    yield Case((U(rng, (2,)), U(rng, (2,)), U(rng, (3,))), nograd=(0,))
    yield Case((U(rng, (0,)), U(rng, (2,))))
    yield Case((U(rng, (3,)),), node="", note="one tensor: returned as it is")
    yield Case((U(rng, (3,)), U(rng, (2, 2))), error=RuntimeError)
    yield Case((U(rng, ()), U(rng, (2,))), error=RuntimeError)


row("cartesian_prod", lambda m, *xs: m.cartesian_prod(*xs), _cartesian_cases,
    node="StackBackward0")


def _block_diag_cases(rng):
    yield Case((U(rng, (2, 3)), U(rng, (3,)), U(rng, ())))
    yield Case((U(rng, (2, 2)),))
    yield Case((U(rng, (0, 3)), U(rng, (2, 0)), U(rng, (1, 1))), nograd=(2,))
    yield Case((U(rng, (2, 3)), U(rng, (1, 2))), nograd=(0,))
    yield Case((U(rng, (2, 2, 2)), U(rng, (2,))), error=RuntimeError)


row("block_diag", lambda m, *xs: m.block_diag(*xs), _block_diag_cases, node="BlockDiagBackward0")
row("block_diag_none", lambda m, a: m.block_diag(),
    lambda rng: [Case((U(rng, (1,)),))], differentiable=False)


# ***** take, put, index_put *****

def _take_cases(rng):
    yield Case((U(rng, (3, 4)),), {"index": [0, 11, 5]})
    yield Case((U(rng, (3, 4)),), {"index": [[0, -1], [-12, 3]]})
    yield Case((U(rng, (3, 4)),), {"index": [1, 1, 1]}, note="repeats add up in the gradient")
    yield Case((U(rng, ()),), {"index": [0, 0]})
    yield Case((U(rng, (2, 3)),), {"index": []})
    yield Case((U(rng, (3, 4)),), {"index": [12]}, error=IndexError)
    yield Case((U(rng, (3, 4)),), {"index": [-13]}, error=IndexError)
    yield Case((U(rng, (0,)),), {"index": [0]}, error=IndexError)
    yield Case((U(rng, (3, 4)),), {"index": [1.0]}, error=RuntimeError)


def _long(m, index):
    return m.tensor(index, dtype=m.int64 if all(isinstance(i, (int, np.integer)) for i in np.ravel(index))
                    else m.float32)


row("take", lambda m, a, index: m.take(a, _long(m, index)), _take_cases, node="TakeBackward0")
row("take_method", lambda m, a, index: a.take(_long(m, index)),
    lambda rng: [Case((U(rng, (2, 3)),), {"index": [[5, 0]]}),
                 Case((U(rng, (2, 3)).T,), {"index": [1, 2]}, note="non-contiguous input")],
    node="TakeBackward0")


def _put_cases(rng):
    yield Case((U(rng, (3, 4)), U(rng, (3,))), {"index": [0, 11, -2]})
    yield Case((U(rng, (3, 4)), U(rng, (2, 2))), {"index": [[1, 2], [3, 4]]})
    yield Case((U(rng, (3, 4)), U(rng, (4,))), {"index": [1, 1, 5, 1], "accumulate": True})
    yield Case((U(rng, (3, 4)), U(rng, (3,))), {"index": [0, 2, 4]}, nograd=(1,))
    yield Case((U(rng, (3, 4)), U(rng, (3,))), {"index": [0, 2, 4]}, nograd=(0,))
    yield Case((U(rng, ()), U(rng, (1,))), {"index": [0]})
    yield Case((U(rng, (2, 3)), U(rng, (0,))), {"index": []})
    yield Case((U(rng, (3, 4)), U(rng, (1,))), {"index": [0, 1]}, error=IndexError)
    yield Case((U(rng, (3, 4)), U(rng, (2,))), {"index": [0, 12]}, error=IndexError)
    yield Case((U(rng, (3, 4)), U(rng, (1,))), {"index": [0.0]}, error=RuntimeError)


row("put", lambda m, a, s, index, **k: m.put(a, _long(m, index), s, **k), _put_cases,
    node="PutBackward0")
row("put_method", lambda m, a, s, index, **k: a.put(_long(m, index), s, **k), _put_cases,
    node="PutBackward0")
row("put_inplace", lambda m, a, s, index, **k: (a * 1).put_(_long(m, index), s, **k),
    _put_cases, node="PutBackward0")
row("put_dtype_mismatch", lambda m, a, s: (a.double() * 1).put_(m.tensor([0]), s.float()),
    lambda rng: [Case((U(rng, (3,)), U(rng, (1,))), error=RuntimeError)],
    differentiable=False, ints=False)


def _index_put_cases(rng):
    yield Case((U(rng, (3, 4)), U(rng, (4,))), {"index": ([0, 2],)})
    yield Case((U(rng, (3, 4)), U(rng, (2,))), {"index": ([0, 2], [1, 3])})
    yield Case((U(rng, (3, 4)), U(rng, ())), {"index": ([0, -1], [1, 3])})
    yield Case((U(rng, (3, 4)), U(rng, (2, 4))), {"index": ([0, 0],), "accumulate": True})
    yield Case((U(rng, (3, 4)), U(rng, (3,))), {"index": ([1, 1, 2], [0, 0, 3]),
                                                "accumulate": True})
    yield Case((U(rng, (3, 4)), U(rng, (4,))), {"index": ([0, 2],)}, nograd=(1,))
    yield Case((U(rng, (3, 4)), U(rng, (4,))), {"index": ([0, 2],)}, nograd=(0,))
    yield Case((U(rng, (3, 4)), U(rng, ())),
               {"index": ([[True, False, True, False]] * 3,)}, note="a bool mask")
    yield Case((U(rng, (3, 4)), U(rng, (4,))), {"index": ([0, 5],)}, error=IndexError)
    yield Case((U(rng, (3, 4)), U(rng, (3,))), {"index": ([0, 1],)}, error=RuntimeError)
    yield Case((U(rng, (3, 4)), U(rng, (1,))), {"index": ([0], [0], [0])}, error=IndexError)
    yield Case((U(rng, (3, 4)), U(rng, (1,))), {"index": ([0.0],)}, error=IndexError)
    yield Case((U(rng, (3, 4)), U(rng, ())), {"index": ([[True, False, False, True]] * 2,)},
               error=IndexError, note="the mask's shape is not the tensor's")


def _indices(m, index):
    out = []
    for i in index:
        flat = list(np.ravel(i))
        dt = m.bool if flat and isinstance(flat[0], (bool, np.bool_)) else \
            m.int64 if all(isinstance(v, (int, np.integer)) for v in flat) else m.float32
        out.append(m.tensor(i, dtype=dt))
    return tuple(out)


row("index_put", lambda m, a, v, index, **k: m.index_put(a, _indices(m, index), v, **k),
    _index_put_cases, node="IndexPutBackward0")
row("index_put_method", lambda m, a, v, index, **k: a.index_put(_indices(m, index), v, **k),
    _index_put_cases, node="IndexPutBackward0")
row("index_put_inplace", lambda m, a, v, index, **k: (a * 1).index_put_(_indices(m, index), v,
                                                                         **k),
    _index_put_cases, node="IndexPutBackward0")
row("index_put_fn_inplace", lambda m, a, v, index, **k: m.index_put_(a * 1, _indices(m, index),
                                                                      v, **k),
    lambda rng: [Case((U(rng, (3, 4)), U(rng, (4,))), {"index": ([0, 2],)})],
    node="IndexPutBackward0")
row("index_put_bad_indices", lambda m, a, v, f: f(m, a, v),
    lambda rng: [Case((U(rng, (3, 4)), U(rng, (1,))),
                      {"f": lambda m, a, v: a.index_put(m.tensor([0]), v)}, error=TypeError),
                 Case((U(rng, (3, 4)), U(rng, (1,))),
                      {"f": lambda m, a, v: a.index_put((None, m.tensor([0])), v)},
                      error=TypeError),
                 Case((U(rng, (3, 4)), U(rng, (1,))),
                      {"f": lambda m, a, v: a.float().index_put((m.tensor([0]),), v.double())},
                      error=RuntimeError),
                 Case((U(rng, (3, 4)), U(rng, ())),
                      {"f": lambda m, a, v: a.index_put((m.tensor([1, 0, 1], dtype=m.uint8),), v)},
                      error=RuntimeError, note="a byte mask with one value: masked_fill's error"),
                 Case((U(rng, (3, 4)), U(rng, (1,))),
                      {"f": lambda m, a, v: a.put(m.tensor([0]), 2.0)}, error=TypeError),
                 Case((U(rng, (3, 4)), U(rng, (1,))),
                      {"f": lambda m, a, v: m.put(a, m.tensor([0]), 2.0)}, error=TypeError),
                 Case((U(rng, (3, 4)), U(rng, (1,))),
                      {"f": lambda m, a, v: (a * 1).put_(m.tensor([0]), 2.0)}, error=TypeError)],
    differentiable=False, ints=False)


# ***** tensordot, kron *****

def _tensordot_cases(rng):
    yield Case((U(rng, (2, 3, 4)), U(rng, (3, 4, 2))), {})
    yield Case((U(rng, (2, 3, 4)), U(rng, (4, 2))), {"dims": 1})
    yield Case((U(rng, (2, 3)), U(rng, (4,))), {"dims": 0})
    yield Case((U(rng, (2, 3)), U(rng, (2, 3))), {"dims": 2}, node="ViewBackward0")
    yield Case((U(rng, (3,)), U(rng, (3,))), {"dims": 1})
    yield Case((U(rng, ()), U(rng, ())), {"dims": 0})
    yield Case((U(rng, (2, 3, 4)), U(rng, (4, 3))), {"dims": ([1, 2], [1, 0])})
    yield Case((U(rng, (2, 3)), U(rng, (2, 3))), {"dims": ([1, 0], [1, 0])},
               note="a full contraction of permuted operands: sum of products")
    yield Case((U(rng, (3, 2)), U(rng, (2, 4))), {"dims": ([-1], [0])}, nograd=(1,))
    yield Case((U(rng, (2, 0)), U(rng, (0, 3))), {"dims": 1})
    yield Case((U(rng, (2, 3)), U(rng, (2, 3))), {"dims": 1}, error=RuntimeError)
    yield Case((U(rng, (2, 3)), U(rng, (3, 2))), {"dims": -1}, error=RuntimeError)
    yield Case((U(rng, (2, 3)), U(rng, (3,))), {"dims": 2}, error=RuntimeError)
    yield Case((U(rng, (2, 3)), U(rng, (3, 2))), {"dims": ([1], [0, 1])}, error=RuntimeError)
    yield Case((U(rng, (1, 3)), U(rng, (2, 3))), {"dims": ([0, 1], [0, 1])},
               note="a size-1 dim against size 2: the other operand is summed over it")
    yield Case((U(rng, (2, 3)), U(rng, (1, 4))), {"dims": ([0], [0])})
    yield Case((U(rng, (2, 2)), U(rng, (2, 2))), {"dims": ([0, 0], [0, 1])}, error=RuntimeError)
    yield Case((U(rng, (2, 2)), U(rng, (2, 2))), {"dims": 1.0}, error=RuntimeError)
    yield Case((U(rng, (2, 3)), U(rng, (3, 2))), {"dims": (1, 0)}, error=TypeError)
    yield Case((U(rng, (2, 3)), U(rng, (3, 2))), {"dims": ([1],)}, error=ValueError)


row("tensordot", lambda m, a, b, **k: m.tensordot(a, b, **k), _tensordot_cases,
    node="ViewBackward0")


def _kron_cases(rng):
    yield Case((U(rng, (2, 3)), U(rng, (3,))))
    yield Case((U(rng, (2,)), U(rng, (3,))))
    yield Case((U(rng, (2, 1, 2)), U(rng, (3, 2))))
    yield Case((U(rng, ()), U(rng, ())))
    yield Case((U(rng, ()), U(rng, (2, 2))), nograd=(1,))
    yield Case((U(rng, (0, 2)), U(rng, (2,))))


row("kron", lambda m, a, b: m.kron(a, b), _kron_cases, node="UnsafeViewBackward0")
row("kron_method", lambda m, a, b: a.kron(b),
    lambda rng: [Case((U(rng, (2, 2)), U(rng, (2, 3))))], node="UnsafeViewBackward0")
