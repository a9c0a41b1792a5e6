"""Everyday Tensor API cases found different from torch by a probe (session 15), each run in both
libraries: result dtype and values, or the error's type and message."""
import numpy as np
import pytest

import zerograd

from ._oracle import requires_torch, torch

pytestmark = requires_torch


def _x(L):
    return L.tensor([1.0, 2.0, 3.0])


def _put(L, key, value):
    y = L.zeros(3)
    y[key(L)] = value(L)
    return y


CASES = {
    "number // int tensor": lambda L: 2.5 // L.tensor([1, 2]),
    "number // float tensor": lambda L: 7 // _x(L),
    "cat bfloat16 float16": lambda L: L.cat([_x(L).bfloat16(), _x(L).half()]),
    "stack bfloat16 float16": lambda L: L.stack([_x(L).bfloat16(), _x(L).half()]),
    "to(float)": lambda L: _x(L).to(float),
    "to(int)": lambda L: _x(L).to(int),
    "to(bool)": lambda L: _x(L).to(bool),
    "int16 index": lambda L: _x(L)[L.tensor([1], dtype=L.int16)],
    "int8 index": lambda L: _x(L)[L.tensor([1], dtype=L.int8)],
    "int32 index": lambda L: _x(L)[L.tensor([1], dtype=L.int32)],
    "index put of a long tensor": lambda L: _put(L, lambda L: [1, 2], lambda L: L.tensor([5, 6])),
    "mask put of a double tensor": lambda L: _put(
        L, lambda L: L.tensor([True, False, True]),
        lambda L: L.tensor([5.0, 6.0], dtype=L.float64)),
    "index put of a 0-d long tensor": lambda L: _put(L, lambda L: [1, 2], lambda L: L.tensor(5)),
    "index put of a number": lambda L: _put(L, lambda L: [1, 2], lambda L: 5),
    "slice put of a long tensor": lambda L: _put(L, lambda L: slice(1, None),
                                                 lambda L: L.tensor([5, 6])),
    "setitem of a str": lambda L: _put(L, lambda L: 0, lambda L: "a"),
    "repeat()": lambda L: _x(L).repeat(),
    "tile()": lambda L: _x(L).tile(),
    "Size + tuple": lambda L: L.Size([2, 3]) + (4,),
    "tuple + Size": lambda L: (1,) + L.Size([2, 3]),
    "Size * 2": lambda L: L.Size([2, 3]) * 2,
    "Size + Size": lambda L: L.Size([2]) + L.Size([3]),
    "Size slice": lambda L: L.Size([2, 3, 4])[1:],
    "Size of a float": lambda L: L.Size([2.5]),
    "Size of a bool": lambda L: L.Size([True]),
    "Size of a numpy int": lambda L: L.Size([np.int64(2)]),
}


def _outcome(L, f):
    try:
        r = f(L)
    except (RuntimeError, TypeError, IndexError, ValueError) as e:
        return type(e).__name__, str(e)
    if isinstance(r, tuple):
        return repr(r), type(r).__name__
    return str(r.dtype).split(".")[-1], r.tolist()


@pytest.mark.parametrize("name", sorted(CASES))
def test_as_torch(name):
    assert _outcome(zerograd, CASES[name]) == _outcome(torch, CASES[name])


NUMPY_CASES = {
    "np.exp": lambda L: np.exp(L.tensor([1.0, 2.0])),
    "np.maximum": lambda L: np.maximum(L.tensor([1.0, 2.0]), 1.5),
    "np.sqrt of a tensor requiring grad": lambda L: np.sqrt(L.ones(2, requires_grad=True)),
    "tensor + ndarray": lambda L: L.tensor([1.0, 2.0]) + np.array([1.0, 2.0]),
    "np.float64 + tensor": lambda L: np.float64(1.0) + L.tensor([1.0, 2.0]),
    "np.float32 * tensor": lambda L: np.float32(2) * L.tensor([1.0, 2.0]),
    "np.int64 - tensor": lambda L: np.int64(3) - L.tensor([1.0, 2.0]),
    "np.float64 < tensor": lambda L: np.float64(1.5) < L.tensor([1.0, 2.0]),
    "np.float64 ** tensor": lambda L: np.float64(2) ** L.tensor([1.0, 2.0]),
    "np.exp of an int tensor": lambda L: np.exp(L.tensor([1, 2])),
    "np.add.reduce": lambda L: np.add.reduce(L.tensor([1.0, 2.0])),
    "np.isnan": lambda L: np.isnan(L.tensor([1.0, 2.0])),
    "ndarray & tensor": lambda L: np.array([3, 3]) & L.tensor([12, 10]),
}


@pytest.mark.parametrize("name", sorted(NUMPY_CASES))
def test_numpy_ufuncs_on_tensors_as_torch(name):
    """NumPy's ufuncs take tensors and give tensors back (torch's __array_wrap__); a NumPy
    operand left of an operator gets the tensor's operator (session 15: ufuncs raised)."""
    def outcome(L):
        try:
            r = NUMPY_CASES[name](L)
        except (RuntimeError, TypeError) as e:
            return type(e).__name__, str(e)
        return type(r).__name__, str(r.dtype).split(".")[-1], r.tolist()
    assert outcome(zerograd) == outcome(torch)


def test_numpy_modf_gives_tensors():
    for L in (torch, zerograd):
        frac, whole = np.modf(L.tensor([1.5, 2.25]))
        assert type(frac).__name__ == "Tensor" and whole.tolist() == [1.0, 2.0]
