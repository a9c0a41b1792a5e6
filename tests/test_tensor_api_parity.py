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


# Python ints no 64-bit integer holds: torch's argument parser raises OverflowError before any
# op runs.  zerograd wrapped them (int tensor + 2**64 was the tensor unchanged) or gave inf.
_I, _F = (lambda L: L.tensor([1, 2])), (lambda L: L.tensor([1.0, 2.0]))
BIG_INTS = {
    "int + 2**64": lambda L: _I(L) + 2 ** 64,
    "int == 2**64": lambda L: _I(L) == 2 ** 64,
    "int < 2**64": lambda L: _I(L) < 2 ** 64,
    "int == -2**63 - 1": lambda L: _I(L) == -2 ** 63 - 1,
    "int * 2**70": lambda L: _I(L) * 2 ** 70,
    "int % 2**64": lambda L: _I(L) % 2 ** 64,
    "int & 2**64": lambda L: _I(L) & 2 ** 64,
    "float + 2**64": lambda L: _F(L) + 2 ** 64,
    "2**64 - int": lambda L: 2 ** 64 - _I(L),
    "float / 2**64": lambda L: _F(L) / 2 ** 64,
    "float ** 2**64": lambda L: _F(L) ** 2 ** 64,
    "pow(2**64, float)": lambda L: L.pow(2 ** 64, _F(L)),
    "half * 2**64": lambda L: L.tensor([1.0], dtype=L.float16) * 2 ** 64,
    "fill_ 2**64": lambda L: _F(L).fill_(2 ** 64),
    "bool fill_ 2**64": lambda L: L.tensor([True]).fill_(2 ** 64),
    "clamp max 2**64": lambda L: _I(L).clamp(max=2 ** 64),
    "full 2**64": lambda L: L.full((2,), 2 ** 64),
    "where 2**64": lambda L: L.where(_I(L) > 1, _I(L), 2 ** 64),
    "masked_fill 2**64": lambda L: _F(L).masked_fill(_F(L) > 1, 2 ** 64),
    "add alpha 2**64": lambda L: L.add(_F(L), 1, alpha=2 ** 64),
    "lerp weight 2**64": lambda L: _F(L).lerp(_F(L), 2 ** 64),
    "lerp weight np.float32": lambda L: _F(L).lerp(_F(L) * 3, np.float32(0.5)),
    # in range: 2**63 is read as uint64, -2**63 as int64; out of an int64 tensor's range is
    # the dtype conversion's RuntimeError
    "int == 2**63": lambda L: _I(L) == 2 ** 63,
    "int == -2**63": lambda L: _I(L) == -2 ** 63,
    "int fill_ 2**63": lambda L: _I(L).fill_(2 ** 63),
    "full 2**63": lambda L: L.full((2,), 2 ** 63),
}


@pytest.mark.parametrize("name", sorted(BIG_INTS))
def test_python_ints_beyond_64_bits_as_torch(name):
    def outcome(L):
        try:
            r = BIG_INTS[name](L)
        except (OverflowError, RuntimeError) as e:
            return type(e).__name__, str(e)
        return str(r.dtype), r.tolist()
    assert outcome(zerograd) == outcome(torch)


@pytest.mark.parametrize("call", [lambda L, x: x.max(dim=None), lambda L, x: x.min(None),
                                  lambda L, x: x.max(keepdim=True),
                                  lambda L, x: L.max(x, dim=None, keepdim=False),
                                  lambda L, x: L.min(x, None), lambda L, x: x.max(None, True)])
def test_max_min_with_an_explicit_none_dim_are_type_errors(call):
    """No overload of torch's max/min takes dim=None (x.max() reduces everything)."""
    for L in (torch, zerograd):
        with pytest.raises(TypeError, match="max|min"):
            call(L, L.arange(4.0).reshape(2, 2))
    assert zerograd.arange(4.0).reshape(2, 2).max().item() == 3.0
    assert zerograd.arange(4.0).max(0, keepdim=True).values.tolist() == [3.0]


@pytest.mark.parametrize("call", [
    lambda L: L.remainder(L.tensor([-0.0, 0.0, -4.0, 4.0, -3.0, 7.5, -7.5]), 2),
    lambda L: L.remainder(L.tensor([-0.0, 0.0, -4.0, 5.0]), -2),
    lambda L: L.tensor([-0.0, -4.0, 3.5]) % 2.5,
    lambda L: L.remainder(-0.0, L.tensor([2.0, -2.0])),
    lambda L: L.remainder(L.tensor([-0.0, -4.0], dtype=L.float16), 2),
    lambda L: L.remainder(L.tensor([5, -5, 0]), L.tensor([3, 3, -3])),
])
def test_remainder_keeps_fmods_zero_sign_as_torch(call):
    """torch's remainder is fmod plus b where a nonzero result's sign differs from b's: a zero
    result keeps fmod's sign ((-0.) % 2 and -4. % 2 are -0; NumPy's remainder gave +0)."""
    assert repr(call(zerograd).tolist()) == repr(call(torch).tolist())
    assert str(call(zerograd).dtype) == str(call(torch).dtype)


@pytest.mark.parametrize("fn", ["quantile", "nanquantile"])
@pytest.mark.parametrize("args", [
    lambda L: ((L.tensor([1, 2]), 0.5), {}),
    lambda L: ((L.tensor([1.0, 2.0]), 0.5), {"interpolation": "foo"}),
    lambda L: ((L.tensor([1.0, 2.0]), L.tensor([0.5], dtype=L.float64)), {}),
    lambda L: ((L.ones(2), L.tensor([1.5])), {}),
])
def test_quantile_messages_as_torch(fn, args):
    """nanquantile's errors name quantile(), as torch's (they share one check)."""
    def outcome(L):
        a, kw = args(L)
        try:
            getattr(L, fn)(*a, **kw)
        except RuntimeError as e:
            return str(e)
    assert outcome(zerograd) == outcome(torch)


LINSPACE_CASES = [(-1, 1, 7), (-1, 1, 10), (0.1, 0.7, 13), (0, 1, 100), (-3.3, 7.9, 257),
                  (5, -2, 9), (0, 1e-3, 33), (1, 1, 4), (-1, 1, 1001), (0, 100, 5), (2, 3, 2),
                  (-5, 5, 2049)]


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_linspace_bit_for_bit_as_torch(dtype):
    """torch's kernel: start + step·i for the first half, end - step·(steps-1-i) for the rest,
    each a fused multiply-add (half types op by op in the half type).  np.linspace gave 0 where
    torch gives -3e-8 (linspace(-1, 1, 7)), which sent affine_grid + grid_sample gradients to
    the other side of a pixel."""
    for case in LINSPACE_CASES:
        z = zerograd.linspace(*case, dtype=getattr(zerograd, dtype)).double().numpy()
        t = torch.linspace(*case, dtype=getattr(torch, dtype)).double().numpy()
        assert z.tobytes() == t.tobytes(), case


def test_affine_grid_gradient_through_grid_sample_as_torch():
    out = []
    for L in (zerograd, torch):
        L.manual_seed(1)
        img = L.randn(1, 1, 5, 6)
        theta = L.tensor([[[1.2, 0.0, -0.2], [0.0, 0.8, 0.1]]], requires_grad=True)
        g = L.nn.functional.affine_grid(theta, (1, 1, 4, 7), align_corners=True)
        L.nn.functional.grid_sample(img, g, align_corners=True).sum().backward()
        out.append(theta.grad.numpy())
    np.testing.assert_allclose(out[0], out[1], rtol=1e-5, atol=1e-5)
