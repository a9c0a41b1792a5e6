"""ravel, swapaxes, tensor_split & co, dstack/column_stack, diag/diag_embed/diagflat, rot90,
meshgrid, cartesian_prod, block_diag, take/put, index_put, tensordot, kron (ops/shape_extra.py).

Values, gradients, node names and error messages over the op table's cases are checked in
tests/test_ops.py (rows in zerograd/testing/op_db_shape.py).  Here: what the table does not
reach - views (shared memory, version counter, _base), dtypes beyond float/long (bool, int32,
float16), in-place forms, the meshgrid warning, and which names exist where torch has them."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import zerograd
from tests._oracle import requires_torch, torch

NAMES = ["ravel", "swapaxes", "swapdims", "tensor_split", "hsplit", "vsplit", "dsplit", "dstack",
         "column_stack", "row_stack", "diag", "diag_embed", "diagflat", "rot90", "meshgrid",
         "cartesian_prod", "block_diag", "take", "put", "put_", "index_put", "index_put_",
         "tensordot", "kron", "atleast_3d"]


@requires_torch
@pytest.mark.parametrize("name", NAMES)
def test_names_exist_where_torch_has_them(name):
    assert hasattr(zerograd, name) == hasattr(torch, name)
    assert hasattr(zerograd.Tensor, name) == hasattr(torch.Tensor, name)


def _pair(arr, **kw):
    return torch.tensor(arr, **{k: getattr(torch, v) for k, v in kw.items()}), \
        zerograd.tensor(arr, **{k: getattr(zerograd, v) for k, v in kw.items()})


def _same(z, t):
    zs, ts = (list(z), list(t)) if isinstance(t, (tuple, list)) else ([z], [t])
    assert len(zs) == len(ts)
    for a, b in zip(zs, ts):
        assert str(a.dtype) == str(b.dtype)
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


# ----- views ---------------------------------------------------------------------------------

def test_ravel_of_contiguous_is_a_view_of_noncontiguous_a_copy():
    x = zerograd.arange(6.0).reshape(2, 3)
    r = x.ravel()
    assert r._base is x._base or r._base is x
    r[0] = 100.0
    assert x[0, 0].item() == 100.0 and x._version == r._version == 1
    y = zerograd.arange(6.0).reshape(2, 3).t()
    c = y.ravel()
    c[0] = -1.0
    assert y[0, 0].item() == 0.0
    assert c.tolist() == [-1.0, 3.0, 1.0, 4.0, 2.0, 5.0]


def test_ravel_view_base_matches_torch():
    z = zerograd.zeros(2, 3)
    t = torch.zeros(2, 3)
    assert (z.ravel()._base is z) == (t.ravel()._base is t) is True
    assert (z.t().ravel()._base is z) == (t.t().ravel()._base is t) is False


def test_swapaxes_is_a_transpose_view():
    x = zerograd.zeros(2, 3, 4)
    s = x.swapaxes(0, 2)
    assert s.shape == (4, 3, 2) and s._base is x
    s[1, 2, 0] = 5.0
    assert x[0, 2, 1].item() == 5.0


@pytest.mark.parametrize("how", [lambda m, x: m.tensor_split(x, 3, 1),
                                 lambda m, x: m.tensor_split(x, [1, 3], 1),
                                 lambda m, x: m.hsplit(x, [2]),
                                 lambda m, x: m.vsplit(x, 2)])
def test_split_pieces_are_views_sharing_the_version_counter(how):
    x = zerograd.arange(24.0).reshape(4, 6)
    parts = how(zerograd, x)
    for p in parts:
        assert p._base is x._base or p._base is x
    parts[-1].mul_(0)
    assert x._version == parts[0]._version == 1
    assert x[-1, -1].item() == 0.0


def test_tensor_split_inplace_on_a_piece_rewrites_the_base_history():
    a = zerograd.randn(4, 3, requires_grad=True)
    t = torch.tensor(a.detach().numpy(), requires_grad=True)
    outs = []
    for m, leaf in ((zerograd, a), (torch, t)):
        b = leaf * 1
        first, second = m.tensor_split(b, 2)
        second.mul_(3)
        (b * b).sum().backward()
        outs.append((leaf.grad.numpy(), b.grad_fn.name()))
    np.testing.assert_allclose(outs[0][0], outs[1][0])
    assert outs[0][1] == outs[1][1] == "torch::autograd::CopySlices"


def test_meshgrid_outputs_are_expanded_views():
    a, b = zerograd.arange(3.0), zerograd.arange(2.0)
    g0, g1 = zerograd.meshgrid(a, b, indexing="ij")
    assert g0._base is a and g1._base is b
    assert g0.stride() == (1, 0) and g1.stride() == (0, 1)


def test_results_that_are_copies_do_not_alias():
    m = zerograd.arange(9.0).reshape(3, 3)
    for out in (zerograd.diag(m), zerograd.rot90(m), zerograd.diagflat(m),
                zerograd.block_diag(m), zerograd.take(m, zerograd.tensor([0, 4])),
                zerograd.kron(m, zerograd.ones(1)), m.put(zerograd.tensor([0]),
                                                          zerograd.tensor([7.0]))):
        assert out._base is None
        out.view(-1)[0] = -5.0
        assert m[0, 0].item() == 0.0


# ----- dtypes ------------------------------------------------------------------------------

DTYPE_CASES = {
    "diag1": lambda m, x: m.diag(x.reshape(-1)[:3]),
    "diag2": lambda m, x: m.diag(x, 1),
    "diag_embed": lambda m, x: m.diag_embed(x),
    "diagflat": lambda m, x: m.diagflat(x),
    "rot90": lambda m, x: m.rot90(x, 3),
    "block_diag": lambda m, x: m.block_diag(x, x[0]),
    "kron": lambda m, x: m.kron(x, x),
    "take": lambda m, x: m.take(x, m.tensor([5, 0, -1])),
    "put": lambda m, x: x.put(m.tensor([1, 2]), x.reshape(-1)[:2]),
    "put_acc": lambda m, x: x.put(m.tensor([1, 1]), x.reshape(-1)[:2], accumulate=True),
    "index_put": lambda m, x: x.index_put((m.tensor([0]),), x[1]),
    "dstack": lambda m, x: m.dstack([x, x]),
    "column_stack": lambda m, x: m.column_stack([x, x[:, 0]]),
    "tensor_split": lambda m, x: m.tensor_split(x, 2, 1),
    "meshgrid": lambda m, x: m.meshgrid(x[0], x[1], indexing="xy"),
    "cartesian_prod": lambda m, x: m.cartesian_prod(x[0], x[1]),
    "ravel": lambda m, x: x.ravel(),
}


@requires_torch
@pytest.mark.parametrize("dtype", ["bool", "int32", "float16", "uint8"])
@pytest.mark.parametrize("case", list(DTYPE_CASES))
def test_dtypes_match_torch(case, dtype):
    arr = (np.arange(12).reshape(2, 6) % 3 == 1) if dtype == "bool" else \
        np.arange(12).reshape(2, 6) % 5
    t, z = _pair(arr, dtype=dtype)
    f = DTYPE_CASES[case]
    try:
        want = f(torch, t)
    except Exception as e:  # noqa: BLE001 - then zerograd must raise the same
        with pytest.raises(type(e)):
            f(zerograd, z)
        return
    _same(f(zerograd, z), want)


@requires_torch
def test_index_put_accumulate_of_bools_and_mask_fill_of_other_dtypes():
    for m in (torch, zerograd):
        x = m.zeros(2, 3, dtype=m.float64)
        mask = m.tensor([[True, False, True], [False, False, True]])
        y = x.index_put((mask,), m.tensor(2, dtype=m.int64))   # masked fill: any dtype
        assert y.dtype == m.float64 and y.sum().item() == 6.0
    with pytest.raises(RuntimeError, match="Index put requires the source and destination"):
        zerograd.zeros(3).index_put((zerograd.tensor([0]),), zerograd.tensor([1]))


@requires_torch
def test_tensordot_and_kron_of_integers_and_halves():
    for dtype in ("int64", "int32", "float16"):
        t, z = _pair(np.arange(6).reshape(2, 3) % 4, dtype=dtype)
        _same(zerograd.tensordot(z, z, ([1], [1])), torch.tensordot(t, t, ([1], [1])))
        _same(zerograd.kron(z, z.t().contiguous()), torch.kron(t, t.t().contiguous()))
    t, z = _pair([1, 2])
    _same(zerograd.kron(z, zerograd.tensor([0.5])), torch.kron(t, torch.tensor([0.5])))


# ----- in-place forms -----------------------------------------------------------------------

@requires_torch
@pytest.mark.parametrize("acc", [False, True])
def test_put_inplace_returns_self_and_bumps_the_version(acc):
    for m in (zerograd, torch):
        x = m.zeros(2, 3)
        r = x.put_(m.tensor([0, 5, 5] if acc else [0, 5]),
                   m.tensor([1.0, 2.0, 3.0] if acc else [1.0, 2.0]), accumulate=acc)
        assert r is x and x._version == 1
        assert x.view(-1).tolist() == ([1.0, 0, 0, 0, 0, 5.0] if acc else [1.0, 0, 0, 0, 0, 2.0])


@requires_torch
@pytest.mark.parametrize("acc", [False, True])
def test_index_put_inplace_on_a_view_of_a_nonleaf(acc):
    grads = []
    for m in (zerograd, torch):
        a = m.tensor(np.linspace(-1, 1, 12).reshape(3, 4), requires_grad=True)
        v = m.tensor([0.5, -2.0], dtype=m.float64, requires_grad=True)
        b = a * 2
        row = b[1]
        r = m.index_put_(row, (m.tensor([0, 3]),), v, accumulate=acc)
        assert r is row and b._version == 1
        assert b.grad_fn.name() == "torch::autograd::CopySlices"
        (b * m.arange(12.0).reshape(3, 4)).sum().backward()
        grads.append((a.grad.numpy().copy(), v.grad.numpy().copy(), b.detach().numpy().copy()))
    for z, t in zip(*grads):
        np.testing.assert_allclose(z, t)


@requires_torch
def test_inplace_on_a_leaf_that_requires_grad_is_refused():
    for m in (zerograd, torch):
        x = m.zeros(3, requires_grad=True)
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            x.put_(m.tensor([0]), m.tensor([1.0]))
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            x.index_put_((m.tensor([0]),), m.tensor(1.0))


def test_failed_checks_leave_the_tensor_unchanged():
    x = zerograd.zeros(2, 3)
    with pytest.raises(IndexError):
        x.put_(zerograd.tensor([0, 6]), zerograd.tensor([1.0, 2.0]))
    with pytest.raises(IndexError):
        x.index_put_((zerograd.tensor([0, 2]),), zerograd.tensor(1.0))
    assert x._version == 0 and x.sum().item() == 0.0


@requires_torch
def test_accumulate_adds_every_repeat():
    for m in (zerograd, torch):
        x = m.zeros(4)
        y = x.index_put((m.tensor([1, 1, 3, 1]),), m.tensor([1.0, 2.0, 3.0, 4.0]), accumulate=True)
        assert y.tolist() == [0.0, 7.0, 0.0, 3.0]
        p = x.put(m.tensor([2, 2]), m.tensor([1.5, 1.5]), accumulate=True)
        assert p.tolist() == [0.0, 0.0, 3.0, 0.0]


# ----- meshgrid's warning ----------------------------------------------------------------------

def test_meshgrid_warns_without_indexing_and_not_with_it():
    a = zerograd.arange(3.0)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        g = zerograd.meshgrid(a, a[:2])
    assert len(w) == 1 and w[0].category is UserWarning
    assert str(w[0].message) == ("torch.meshgrid: in an upcoming release, it will be required to "
                                 "pass the indexing argument.")
    assert g[0].shape == (3, 2)                              # ij
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        zerograd.meshgrid(a, a, indexing="xy")


# ----- a few values written out (independent of torch) ----------------------------------------

def test_values_by_hand():
    m = zerograd.tensor([[1, 2], [3, 4]])
    assert zerograd.rot90(m).tolist() == [[2, 4], [1, 3]]
    assert zerograd.rot90(m, -1).tolist() == [[3, 1], [4, 2]]
    assert zerograd.diag(m).tolist() == [1, 4]
    assert zerograd.diag(zerograd.tensor([5, 6]), 1).tolist() == [[0, 5, 0], [0, 0, 6], [0, 0, 0]]
    assert zerograd.kron(m, zerograd.tensor([1, 10])).tolist() == [[1, 10, 2, 20],
                                                                  [3, 30, 4, 40]]
    assert zerograd.block_diag(zerograd.tensor(7), m).tolist() == [[7, 0, 0], [0, 1, 2],
                                                                   [0, 3, 4]]
    assert [p.tolist() for p in zerograd.tensor_split(zerograd.arange(7), 3)] == \
        [[0, 1, 2], [3, 4], [5, 6]]
    assert zerograd.cartesian_prod(zerograd.tensor([1, 2]), zerograd.tensor([3, 4])).tolist() == \
        [[1, 3], [1, 4], [2, 3], [2, 4]]
    assert zerograd.tensordot(m, m, 1).tolist() == [[7, 10], [15, 22]]
    assert zerograd.take(m, zerograd.tensor([-1, 0])).tolist() == [4, 1]


# ----- argument errors in the positional and method forms (the table passes keywords) ---------

ARG_ERRORS = {
    "diag": lambda m, x: m.diag(x, 1.0),
    "diag_method": lambda m, x: x.diag(1.0),
    "diag_embed": lambda m, x: m.diag_embed(x, 1.0),
    "diag_embed_dim": lambda m, x: m.diag_embed(x, 0, 0.0),
    "diagflat": lambda m, x: m.diagflat(x, 1.0),
    "rot90": lambda m, x: m.rot90(x.reshape(2, 2), 1.5),
    "tensor_split": lambda m, x: m.tensor_split(x, True, 0),
    "tensor_split_method": lambda m, x: x.tensor_split(2.5),
    "hsplit_method": lambda m, x: x.hsplit(m.tensor([1, 3])),
    "hsplit_fn_tensor": lambda m, x: m.hsplit(x, m.tensor([1])),
    "rot90_method": lambda m, x: x.reshape(2, 2).rot90(0.5),
    "diag_embed_method": lambda m, x: x.diag_embed(0, 1.0),
    "vsplit": lambda m, x: m.vsplit(x.reshape(2, 2), 1.0),
    "put_method": lambda m, x: x.put(m.tensor([0]), 1.0),
    "put_fn": lambda m, x: m.put(x, m.tensor([0]), 1.0),
    "take": lambda m, x: m.take(x, [0]),
    "tensordot_float": lambda m, x: m.tensordot(x, x, 0.5),
}


@requires_torch
@pytest.mark.parametrize("case", list(ARG_ERRORS))
def test_argument_errors_match_torch_exactly(case):
    f = ARG_ERRORS[case]
    with pytest.raises(Exception) as te:
        f(torch, torch.ones(4))
    with pytest.raises(type(te.value)) as ze:
        f(zerograd, zerograd.ones(4))
    assert str(ze.value).splitlines()[0] == str(te.value).splitlines()[0]


def test_byte_mask_index_put_warns_once_in_place_too():
    x = zerograd.zeros(3)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        x.index_put_((zerograd.tensor([1, 0, 1], dtype=zerograd.uint8),),
                     zerograd.tensor([2.0, 3.0]))
    assert x.tolist() == [2.0, 0.0, 3.0]
    assert [str(m.message) for m in w] == ["indexing with dtype torch.uint8 is now deprecated, "
                                           "please use a dtype torch.bool instead."]


@requires_torch
def test_hsplit_method_takes_a_one_element_integer_tensor_as_sections():
    for m in (torch, zerograd):
        parts = m.arange(4.0).hsplit(m.tensor([2]))
        assert [p.tolist() for p in parts] == [[0.0, 1.0], [2.0, 3.0]]
