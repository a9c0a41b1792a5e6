"""Writes through expanded tensors, against PyTorch (session 15).

An expanded tensor's elements share memory (stride 0).  torch lets a view of it that does not
overlap itself be written (`y[0, 1] = 5` on y = x.expand(2, 3) writes x[1]); it lets fill_ with a
number and zero_ write the whole of it (one value for every element); and it refuses every other
in-place write into memory shared by elements with "unsupported operation: more than one element
of the written-to tensor refers to a single memory location".  zerograd refused them all (its
expanded arrays were NumPy's read-only broadcasts), and the backward of a view re-derived through
an expand after an in-place change of its base crashed with NumPy's ValueError.
"""
import numpy as np
import pytest

import zerograd

from ._oracle import requires_torch, torch

pytestmark = requires_torch

OVERLAP = "more than one element of the written-to tensor refers to a single memory location"


def _mk(L):
    x = L.zeros(3)
    return x, x.expand(2, 3)


def _c_select_scalar(L):
    x, y = _mk(L)
    y[0, 1] = 5.0
    return x, y


def _c_row_tensor(L):
    x, y = _mk(L)
    y[0] = L.ones(3)
    return x


def _c_column_fill(L):
    x = L.zeros(3, 1)
    y = x.expand(3, 4)
    y[:, 0].fill_(2.0)
    return x


def _c_row_mul(L):
    x, y = _mk(L)
    x += 1
    y[1].mul_(2)
    return x


def _c_zero(L):
    x, y = _mk(L)
    x += 3
    y.zero_()
    return x


def _c_fill_number(L):
    x, y = _mk(L)
    y.fill_(1.0)
    return x


def _c_view_of_view(L):
    x, y = _mk(L)
    z = y[0]
    z += 1
    return x


def _c_transposed(L):
    x = L.zeros(2, 1)
    y = x.expand(2, 3).t()
    y[0].copy_(L.tensor([1.0, 2.0]))
    return x


def _c_broadcast_to(L):
    x = L.zeros(3)
    y = L.broadcast_to(x, (2, 3))
    y[1, 2] = 4.0
    return x


def _c_expand_as(L):
    x = L.zeros(3, 1)
    y = x.expand_as(L.ones(3, 2))
    y[2, 1] = 4.0
    return x


def _c_factory_out_fill(L):
    x, y = _mk(L)
    L.ones(2, 3, out=y)
    return x


def _c_add_(L):
    _mk(L)[1].add_(1)


def _c_copy_(L):
    L.zeros(1).expand(3).copy_(L.ones(3))


def _c_setitem_all_number(L):
    _mk(L)[1][:] = 5.0


def _c_setitem_all_tensor(L):
    _mk(L)[1][:] = L.ones(3)


def _c_fill_tensor(L):
    _mk(L)[1].fill_(L.tensor(2.0))


def _c_clamp_(L):
    _mk(L)[1].clamp_(0, 1)


def _c_uniform_(L):
    _mk(L)[1].uniform_()


def _c_relu_(L):
    _mk(L)[1].relu_()


def _c_factory_out_arange(L):
    L.arange(6.0, out=_mk(L)[1])


def _c_column_copy(L):
    x, y = _mk(L)
    y[:, 2].copy_(L.tensor([7.0, 8.0]))          # both elements are x[2]


WRITES = [_c_select_scalar, _c_row_tensor, _c_column_fill, _c_row_mul, _c_zero, _c_fill_number,
          _c_view_of_view, _c_transposed, _c_broadcast_to, _c_expand_as, _c_factory_out_fill]
REFUSED = [_c_add_, _c_copy_, _c_setitem_all_number, _c_setitem_all_tensor, _c_fill_tensor,
           _c_clamp_, _c_uniform_, _c_relu_, _c_factory_out_arange, _c_column_copy]


def _values(r):
    return [t.tolist() for t in (r if isinstance(r, tuple) else (r,))]


@pytest.mark.parametrize("case", WRITES, ids=lambda f: f.__name__[3:])
def test_writes_through_an_expanded_tensor_as_torch(case):
    assert _values(case(zerograd)) == _values(case(torch))


@pytest.mark.parametrize("case", REFUSED, ids=lambda f: f.__name__[3:])
def test_writes_into_shared_memory_are_refused_as_torch(case):
    with pytest.raises(RuntimeError, match=OVERLAP):
        case(torch)
    with pytest.raises(RuntimeError, match=OVERLAP):
        case(zerograd)


@pytest.mark.parametrize("how", ["index_put", "mask", "masked_fill_", "index_fill_"])
def test_index_writes_into_shared_memory_are_refused(how):
    """Stricter than torch, never a wrong value: torch writes these four into an expanded
    tensor; zerograd raises torch's overlap error (its index writes compute the whole result
    and store it, which memory shared by elements cannot hold)."""
    x, y = _mk(zerograd)
    with pytest.raises(RuntimeError, match=OVERLAP):
        if how == "index_put":
            y[[0, 1]] = 1.0
        elif how == "mask":
            y[y > -1] = 3.0
        elif how == "masked_fill_":
            y.masked_fill_(zerograd.ones(2, 3, dtype=zerograd.bool), 4.0)
        else:
            y.index_fill_(0, zerograd.tensor([0]), 4.0)
    assert x.tolist() == [0.0, 0.0, 0.0]


def _grads(L, write):
    w = L.tensor([1.0, 2.0, 3.0], dtype=L.float64, requires_grad=True)
    x = w * 1
    y = x.expand(2, 3)
    write(L, x, y)
    out = (y * L.arange(6.0, dtype=L.float64).view(2, 3)).sum() + (x * x).sum()
    out.backward()
    return y.tolist(), w.grad.tolist(), y.grad_fn.name()


@pytest.mark.parametrize("write", [
    lambda L, x, y: x.mul_(2),                              # the base changes: y re-derived
    lambda L, x, y: y[1].mul_(3),                           # a row of y: x changes
    lambda L, x, y: y.__setitem__((0, 1), 5.0),             # one element
    lambda L, x, y: y[1, :2].copy_(L.tensor([7.0, 8.0], dtype=L.float64)),
], ids=["base", "row", "element", "part-row"])
def test_gradients_through_writes_into_an_expanded_view(write):
    """The view's backward sums g over the elements that share memory (it crashed: NumPy's
    'output array is read-only'); a write through a view of the expansion routes as torch's
    CopySlices does."""
    assert _grads(zerograd, write) == _grads(torch, write)


def test_fill_of_an_expanded_tensor_that_requires_grad():
    """torch fills it (and raises in the backward, from its CopySlices); zerograd fills it and
    its backward gives the filled tensor's gradient, 0."""
    for L in (torch, zerograd):
        w = L.ones(3, requires_grad=True)
        x = w * 1
        x.expand(2, 3).fill_(2.0)
        assert x.tolist() == [2.0, 2.0, 2.0]
    (x * zerograd.arange(3.0)).sum().backward()
    assert w.grad.tolist() == [0.0, 0.0, 0.0]


def test_optimizer_refuses_an_expanded_parameter():
    p = zerograd.zeros(3, requires_grad=True)
    q = p.detach().expand(2, 3).requires_grad_()
    q.grad = zerograd.ones(2, 3)
    opt = zerograd.optim.SGD([q], lr=0.1)
    with pytest.raises(RuntimeError, match=OVERLAP):
        opt.step()
    assert p.tolist() == [0.0, 0.0, 0.0]


def test_expand_of_the_same_shape_is_a_writable_view():
    for L in (torch, zerograd):
        x = L.zeros(2, 2)
        y = x.expand(2, 2)
        y[0, 0] = 1.0
        y.add_(1)
        assert x.tolist() == [[2.0, 1.0], [1.0, 1.0]]


def test_expanded_numpy_is_writable_and_shares_memory():
    x, y = _mk(zerograd)
    a = y.numpy()
    assert a.flags.writeable and a.strides[0] == 0
    a[1, 2] = 9.0
    assert x.tolist() == [0.0, 0.0, 9.0]
    assert np.shares_memory(a, x.numpy())


def test_clone_preserves_a_dense_layout_as_torch():
    """clone()'s default preserve_format keeps a transposed/permuted (dense) tensor's strides;
    contiguous_format and .contiguous() make it contiguous; other layouts come out contiguous."""
    got = []
    for L in (torch, zerograd):
        x = L.arange(24.0).view(2, 3, 4)
        rows = [x[0].t().clone(), x.permute(2, 0, 1).clone(), x[:, ::2].clone(), x.flip(0).clone(),
                x[0].t().clone(memory_format=L.contiguous_format), x.permute(2, 0, 1).contiguous(),
                L.clone(x.transpose(0, 2)), L.ones(1, 4).expand(3, 4).clone()]
        got.append([(r.stride(), r.is_contiguous(), r.tolist()) for r in rows])
        with pytest.raises(RuntimeError, match="view size is not compatible"):
            x[0].t().clone().view(-1)
    assert got[1] == got[0]


def test_like_factories_of_an_expanded_tensor_are_contiguous_as_torch():
    got = []
    for L in (torch, zerograd):
        e = L.ones(3).expand(2, 3)
        got.append([f(e).stride() for f in (L.zeros_like, L.empty_like, L.ones_like, L.rand_like,
                                            lambda x: L.full_like(x, 2.0))] +
                   [L.zeros_like(L.ones(3, 1).expand(3, 4)).stride(),
                    L.zeros_like(L.ones(2, 3).t()).stride(), tuple(L.zeros_like(e).view(6).shape)])
    assert got[1] == got[0]
