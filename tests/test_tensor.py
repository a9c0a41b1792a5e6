"""The Tensor object itself: properties, conversions, dtypes and promotion, factories, repr."""
import math

import numpy as np
import pytest

import zerograd
from tests._oracle import requires_torch, torch


def test_properties():
    x = zerograd.ones(2, 3, requires_grad=True)
    assert x.shape == (2, 3) and repr(x.shape) == "torch.Size([2, 3])"
    assert x.size() == (2, 3) and x.size(1) == 3 and x.size(-1) == 3
    assert x.dim() == x.ndim == 2 and x.numel() == 6
    assert x.dtype is zerograd.float32 and repr(x.dtype) == "torch.float32"
    assert str(x.device) == "cpu" and repr(x.device) == "device(type='cpu')"
    assert x.is_leaf and x.grad_fn is None and x.grad is None and x._version == 0
    assert x.requires_grad and not (x * 2).is_leaf


def test_item_tolist_numpy_array():
    x = zerograd.tensor([[1.5, 2.0]])
    assert x.tolist() == [[1.5, 2.0]]
    assert zerograd.tensor(3.5).item() == 3.5
    with pytest.raises(RuntimeError, match="a Tensor with 2 elements cannot be converted to Scalar"):
        x.item()
    assert np.asarray(x).shape == (1, 2)
    w = zerograd.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Use tensor.detach\(\).numpy\(\) instead"):
        w.numpy()
    assert w.detach().numpy().tolist() == [1.0, 1.0]


def test_from_numpy_shares_memory_tensor_copies():
    a = np.zeros(3, np.float32)
    t = zerograd.from_numpy(a)
    c = zerograd.tensor(a)
    a[0] = 5
    assert t.tolist()[0] == 5 and c.tolist()[0] == 0


def test_clone_detach_requires_grad_():
    x = zerograd.tensor([1.0, 2.0], requires_grad=True)
    c = x.clone()
    assert c.grad_fn.name() == "CloneBackward0"
    d = x.detach()
    assert not d.requires_grad and d.is_leaf
    d2 = (x * 2).detach_()
    assert d2.grad_fn is None and not d2.requires_grad
    z = zerograd.zeros(2).requires_grad_()
    assert z.requires_grad


@requires_torch
@pytest.mark.parametrize("make", [
    lambda m: m.tensor([1.0, 2.5]),
    lambda m: m.tensor([[1, 2], [3, 4]]),
    lambda m: m.tensor([True, False]),
    lambda m: m.tensor(3.25),
    lambda m: m.tensor([1.0, 2.0], dtype=m.float64),
    lambda m: m.tensor([1.0, 2.0], requires_grad=True),
    lambda m: m.tensor([1.0, 2.0], requires_grad=True) * 2,
    lambda m: m.zeros(0, 3),
    lambda m: m.arange(2000.0).reshape(40, 50),
    lambda m: m.linspace(-1e5, 1e-3, 7),
    lambda m: m.tensor([1.0, float("nan"), float("inf")]),
    lambda m: m.eye(3, dtype=m.float16),
])
def test_repr_matches_torch(make):
    assert repr(make(zerograd)) == repr(make(torch))


@requires_torch
@pytest.mark.parametrize("case", [
    "float32*2.5", "int*2.5", "int/int", "int+int32", "f32+f64_0d", "f32+f64", "bool+1",
    "int32*2", "uint8+int8", "f16+f32", "int+f32_0d", "f64_0d*int", "bool*True",
])
def test_type_promotion_matches_torch(case):
    def build(m):
        f32 = m.tensor([1.0, 2.0])
        i64 = m.tensor([1, 2])
        return {
            "float32*2.5": lambda: f32 * 2.5,
            "int*2.5": lambda: i64 * 2.5,
            "int/int": lambda: i64 / i64,
            "int+int32": lambda: i64 + m.tensor([1, 2], dtype=m.int32),
            "f32+f64_0d": lambda: f32 + m.tensor(1.0, dtype=m.float64),
            "f32+f64": lambda: f32 + m.tensor([1.0, 1.0], dtype=m.float64),
            "bool+1": lambda: m.tensor([True, False]) + 1,
            "int32*2": lambda: m.tensor([1, 2], dtype=m.int32) * 2,
            "uint8+int8": lambda: m.tensor([1], dtype=m.uint8) + m.tensor([1], dtype=m.int8),
            "f16+f32": lambda: m.tensor([1.0], dtype=m.float16) + f32,
            "int+f32_0d": lambda: i64 + m.tensor(1.5),
            "f64_0d*int": lambda: m.tensor(2.0, dtype=m.float64) * i64,
            "bool*True": lambda: m.tensor([True]) * True,
        }[case]()
    mine, theirs = build(zerograd), build(torch)
    assert repr(mine.dtype) == repr(theirs.dtype)
    np.testing.assert_allclose(np.asarray(mine.tolist(), float), np.asarray(theirs.tolist(), float))


@requires_torch
def test_factories_dtypes_match_torch():
    for name, f in {
        "tensor_float": lambda m: m.tensor([1.5]),
        "tensor_int": lambda m: m.tensor([1]),
        "np_f64": lambda m: m.tensor(np.array([1.0])),
        "arange_int": lambda m: m.arange(5),
        "arange_float": lambda m: m.arange(0, 1, 0.25),
        "linspace": lambda m: m.linspace(0, 1, 5),
        "full_int": lambda m: m.full((2,), 3),
        "full_float": lambda m: m.full((2,), 3.0),
        "zeros": lambda m: m.zeros(2, 3),
        "ones_like": lambda m: m.ones_like(m.tensor([1, 2])),
        "randint": lambda m: m.randint(0, 10, (3,)),
        "randperm": lambda m: m.randperm(4),
        "eye": lambda m: m.eye(2, 3),
        "empty": lambda m: m.empty(2),
    }.items():
        a, b = f(zerograd), f(torch)
        assert (repr(a.dtype), tuple(a.shape)) == (repr(b.dtype), tuple(b.shape)), name
        if name not in ("randint", "randperm", "empty"):
            assert a.tolist() == b.tolist(), name


def test_manual_seed_is_deterministic():
    zerograd.manual_seed(123)
    a = zerograd.randn(5)
    zerograd.manual_seed(123)
    b = zerograd.randn(5)
    assert a.tolist() == b.tolist()
    g = zerograd.Generator().manual_seed(7)
    assert zerograd.rand(3, generator=g).tolist() == zerograd.rand(3, generator=zerograd.Generator().manual_seed(7)).tolist()


def test_set_default_dtype():
    zerograd.set_default_dtype(zerograd.float64)
    try:
        assert zerograd.tensor([1.5]).dtype is zerograd.float64
        assert zerograd.randn(2).dtype is zerograd.float64
        assert (zerograd.tensor([1, 2]) * 0.5).dtype is zerograd.float64
        assert repr(zerograd.tensor([1.0])) == "tensor([1.])"
    finally:
        zerograd.set_default_dtype(zerograd.float32)
    assert zerograd.get_default_dtype() is zerograd.float32


def test_to_and_conversions_keep_graph():
    x = zerograd.tensor([1.5, -2.5], requires_grad=True)
    d = x.double()
    assert d.dtype is zerograd.float64 and d.grad_fn.name() == "ToCopyBackward0"
    d.sum().backward()
    assert x.grad.dtype is zerograd.float32
    assert x.to(zerograd.float32) is x
    assert x.long().tolist() == [1, -2] and x.long().dtype is zerograd.int64
    assert x.int().dtype is zerograd.int32 and x.bool().dtype is zerograd.bool
    assert x.half().dtype is zerograd.float16 and x.to("cpu") is x


def test_bfloat16_optional():
    pytest.importorskip("ml_dtypes", reason="bfloat16 needs the optional ml_dtypes package")
    x = zerograd.tensor([1.0, 2.0], dtype=zerograd.bfloat16, requires_grad=True)
    (x * x).sum().backward()
    assert x.grad.dtype is zerograd.bfloat16


def test_bfloat16_without_ml_dtypes_gives_clear_error(monkeypatch):
    monkeypatch.setattr(zerograd.bfloat16, "np", None)     # as if ml_dtypes were missing
    with pytest.raises(RuntimeError, match="pip install ml_dtypes"):
        zerograd.tensor([1.0], dtype=zerograd.bfloat16)


def test_numpy_scalar_on_left_defers_to_tensor():
    x = zerograd.tensor([1.0, 2.0], requires_grad=True)
    y = np.float64(2.0) * x
    assert isinstance(y, zerograd.Tensor) and y.grad_fn is not None and y.dtype is zerograd.float32


def test_bool_of_multi_element_tensor_is_ambiguous():
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(zerograd.ones(2))
    assert bool(zerograd.ones(1))


def test_tensor_with_float64_dtype_keeps_full_precision():
    assert zerograd.tensor(0.3, dtype=zerograd.float64).item() == 0.3
    assert zerograd.tensor([0.1, 0.7], dtype=zerograd.float64).tolist() == [0.1, 0.7]


_DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
_BINARY = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "truediv": lambda a, b: a / b, "floordiv": lambda a, b: a // b, "mod": lambda a, b: a % b,
    "pow": lambda a, b: a ** b, "lt": lambda a, b: a < b, "eq": lambda a, b: a == b,
}


def _operand(L, kind, dtype, shape, rng_seed):
    if kind == "int":
        return int(np.random.default_rng(rng_seed).integers(-300, 300))
    if kind == "float":
        return 1.5
    if kind == "bool":
        return True
    r = np.random.default_rng(rng_seed)
    a = r.integers(0, 2, shape) if dtype == "bool" else r.integers(-3, 4, shape)
    return L.tensor((np.abs(a) if dtype == "uint8" else a).astype(dtype))


@requires_torch
@pytest.mark.parametrize("seed", range(3))
def test_random_binary_promotion_as_torch(seed):
    """Random dtype pairs, Python numbers (integers out of a small dtype's range too: torch
    wraps them), 0-d tensors and broadcasting through + - * / // % ** < ==: the result's dtype,
    shape and values, or the error type (bool subtraction, bool // and %, integer division by
    zero, bool ** bool)."""
    rng = np.random.default_rng(seed)
    for trial in range(400):
        op = rng.choice(sorted(_BINARY))
        da, db = rng.choice(_DTYPES), rng.choice(_DTYPES)
        kind = rng.choice(["tensor", "tensor0d", "int", "float", "bool"])
        sa = [(3,), (2, 3), ()][rng.integers(3)]
        sb = (() if kind == "tensor0d" else [(3,), (), (1, 3)][rng.integers(3)])
        swap = kind in ("tensor", "tensor0d") and rng.random() < 0.3
        got = []
        for L in (zerograd, torch):
            a = _operand(L, "tensor", da, sa, trial)
            b = _operand(L, "tensor" if kind == "tensor0d" else kind, db, sb, trial + 1)
            x, y = (b, a) if swap else (a, b)
            try:
                r = _BINARY[op](x, y)
                v = r.double().numpy() if r.dtype != L.bool else r.numpy()
                got.append((str(r.dtype).split(".")[-1], tuple(r.shape),
                            np.nan_to_num(v, nan=-7777.0, posinf=9999.0, neginf=-9999.0)
                            .round(3).tolist()))
            except (RuntimeError, NotImplementedError, TypeError, ValueError) as e:
                got.append(type(e).__name__)
        assert got[0] == got[1], (op, da, kind, db, sa, sb, swap)


def test_no_numpy_floating_point_warnings_reach_the_user():
    """torch computes exp(1000) = inf, log(0) = -inf and 1/0 = inf silently; NumPy would warn.
    In a fresh process (pytest resets warning filters, so this cannot be checked in-process):
    the fast path, Op.apply and the engine print nothing."""
    import subprocess
    import sys
    code = ("import zerograd as z\n"
            "x = z.tensor([1000.0, 0.0], requires_grad=True)\n"
            "y = x.exp() + x.log() + 1 / x + z.tensor([0.0]).log() + (x * 0).rsqrt()\n"
            "y.sum().backward()\n"
            "z.tensor([1, 0], dtype=z.float64).reciprocal()\n")
    r = subprocess.run([sys.executable, "-W", "default", "-c", code], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "Warning" not in r.stderr, r.stderr


_DUNDERS = ["__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__",
            "__rtruediv__", "__pow__", "__rpow__", "__matmul__", "__rmatmul__", "__floordiv__",
            "__rfloordiv__", "__mod__", "__rmod__", "__eq__", "__ne__", "__lt__", "__le__",
            "__gt__", "__ge__", "__and__", "__or__", "__xor__", "__iadd__", "__isub__",
            "__imul__", "__itruediv__", "__ipow__", "__ifloordiv__", "__imod__"]


@requires_torch
@pytest.mark.parametrize("name", _DUNDERS)
def test_operators_return_notimplemented_for_what_is_not_an_operand_as_torch(name):
    """torch's operators hand an operand that is not a tensor or a number back to Python
    (x == None is False, x + [1] a TypeError naming both types, a class's __radd__ runs)."""
    for other in (None, "a", [1, 2], (1, 2), object()):
        for m in (zerograd, torch):
            assert getattr(m.tensor([1.0, 2.0]), name)(other) is NotImplemented, (m, other)


def test_notimplemented_lets_python_and_other_types_answer():
    x = zerograd.tensor([1.0, 2.0])
    assert (x == None) is False and (x != None) is True  # noqa: E711
    with pytest.raises(TypeError, match=r"unsupported operand type\(s\) for \+: 'Tensor' and 'list'"):
        x + [1, 2]
    with pytest.raises(TypeError, match="'<' not supported between instances of 'Tensor'"):
        x < None  # noqa: B015

    class Meters:
        def __radd__(self, t):
            return "meters"
    assert x + Meters() == "meters"
    # a real operand's own error is kept (not turned into NotImplemented)
    with pytest.raises(TypeError, match="only implemented on integer and Boolean"):
        ~x
    with pytest.raises(RuntimeError, match="Subtraction, the `-` operator, with a bool tensor"):
        x - zerograd.tensor([True, False])


def _python_protocol_cases(L):
    t0, t1 = L.tensor(2.7), L.tensor([1, 2, 3])
    tf, tb, ti = L.tensor([[1.5, -2.5]]), L.tensor([True]), L.tensor(5)

    def setitem(dtype, v):
        x = L.zeros(2, dtype=getattr(L, dtype))
        x[0] = v
        return x

    return {
        "bool0": lambda: bool(t0), "bool_multi": lambda: bool(t1),
        "bool_empty": lambda: bool(L.tensor([])), "int0": lambda: int(t0),
        "float_i": lambda: float(ti), "int_neg": lambda: int(L.tensor(-2.7)),
        "index_i": lambda: [10, 20, 30, 40, 50, 60][ti], "index_f": lambda: [1, 2, 3][t0],
        "len": lambda: len(t1), "len0": lambda: len(t0), "iter0": lambda: list(t0),
        "contains": lambda: 2 in t1, "contains_tensor": lambda: L.tensor([5, 3]) in t1,
        "contains_2d": lambda: 2.0 in tf, "contains_list": lambda: [1] in t1,
        "round0": lambda: round(t0, 1), "format0": lambda: f"{t0:.2f}",
        "format_spec": lambda: f"{t1:.2f}", "format": lambda: f"{t1}",
        "complex": lambda: complex(t0), "floor": lambda: math.floor(t0),
        "pos_bool": lambda: +tb, "neg_bool": lambda: -tb, "abs_bool": lambda: abs(tb),
        "pos_is_self": lambda: (+t1) is t1,
        **{f"setitem_{d}_{v}": (lambda d=d, v=v: setitem(d, v)) for d, v in [
            ("float32", 1e300), ("float16", 1e10), ("bool", 5), ("bool", 0.5), ("int32", 2**40),
            ("int64", 2.9), ("int8", -129), ("uint8", -255), ("uint8", -256),
            ("float32", float("inf")), ("int64", True), ("int64", float("nan"))]},
    }


@requires_torch
def test_python_protocols_as_torch():
    """bool/int/index/len/iter/in/round/format/complex/unary operators and scalar item
    assignment (found: bool() of an empty tensor's message, 2.0 in a 2-D tensor raised, a format
    spec on a tensor was formatted as a string, +bool_tensor ran, x[0] = -1 into uint8 and nan
    into int64 were NumPy's OverflowError / ValueError)."""
    def outcome(f):
        try:
            r = f()
        except (RuntimeError, TypeError, ValueError, IndexError) as e:
            return type(e).__name__, str(e).split(". (")[0]    # (zerograd may add a hint)
        return (str(r.dtype), r.tolist()) if hasattr(r, "tolist") else r

    z, t = _python_protocol_cases(zerograd), _python_protocol_cases(torch)
    for name in z:
        assert outcome(z[name]) == outcome(t[name]), name


def test_float_of_a_non_leaf_warns_once_as_torch(monkeypatch):
    """torch 2.13 warns (once per process: TORCH_WARN_ONCE, so it cannot be compared here in
    any test order) when float() converts a tensor with a history; not for .item(), int() or a
    leaf."""
    import sys
    import warnings
    monkeypatch.setattr(sys.modules["zerograd.tensor"], "_FLOAT_WARNED", False)
    seen = []
    for make in (lambda: zerograd.ones(1, requires_grad=True), lambda: zerograd.ones(1),
                 lambda: zerograd.ones(1, requires_grad=True) * 2,
                 lambda: zerograd.ones(1, requires_grad=True) * 3):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            t = make()
            int(t), t.item(), float(t)
        seen.append([str(c.message) for c in caught])
    assert seen == [[], [], ["Converting a tensor with requires_grad=True to a scalar may lead "
                             "to unexpected behavior.\nConsider using tensor.detach() first."], []]


def test_float_of_a_non_leaf_under_no_grad_does_not_warn(monkeypatch):
    """torch warns only in grad mode (LBFGS reads its losses under no_grad: no warning)."""
    import sys
    import warnings
    monkeypatch.setattr(sys.modules["zerograd.tensor"], "_FLOAT_WARNED", False)
    t = zerograd.ones(1, requires_grad=True) * 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with zerograd.no_grad():
            float(t)
            zerograd.tensor([t])
        with zerograd.inference_mode():
            float(t)


_INPLACE_FORMS = [("cos_", ()), ("sin_", ()), ("log_", ()), ("sign_", ()), ("rsqrt_", ()),
                  ("reciprocal_", ()), ("square_", ()), ("cumsum_", (0,)), ("cumprod_", (1,)),
                  ("tril_", ()), ("triu_", (1,)), ("clip_", (0.5, 1.5)), ("divide_", ("T",)),
                  ("true_divide_", ("T",)), ("multiply_", ("T",)), ("subtract_", (2.0,)),
                  ("eq_", (1.0,)), ("ne_", ("T",)), ("lt_", (1.2,)), ("le_", ("T",)),
                  ("gt_", (0.9,)), ("ge_", ("T",)), ("not_equal_", (1.0,)), ("greater_", ("T",)),
                  ("greater_equal_", (1.0,)), ("less_", ("T",)), ("less_equal_", (1.1,)),
                  ("logical_not_", ()), ("logical_and_", ("T",)), ("logical_or_", ("T",)),
                  ("logical_xor_", ("T",)), ("bitwise_not_", ())]


@requires_torch
@pytest.mark.parametrize("name,args", _INPLACE_FORMS, ids=[n for n, _ in _INPLACE_FORMS])
@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
def test_inplace_forms_as_torch(name, args, dtype):
    """Each in-place form on a non-leaf (and on integer/bool tensors): values, dtype, the node
    recorded, the gradient that flows back through it, or the error."""
    def run(L):
        rng = np.random.default_rng(0)
        base = rng.uniform(0.5, 2.0, (2, 3))
        dt = getattr(L, dtype)
        floating = dtype == "float32"
        x = L.tensor(base if floating else (base > 1.2) if dtype == "bool" else base * 3,
                     dtype=dt, requires_grad=floating)
        y = x * 1 if floating else x.clone()
        other = L.tensor(rng.uniform(0.5, 2.0, (2, 3)), dtype=dt if not floating else L.float32)
        a = tuple(other if v == "T" else v for v in args)
        try:
            r = getattr(y, name)(*a)
        except (RuntimeError, TypeError) as e:
            return type(e).__name__, str(e).split("\n")[0]
        out = [r is y, str(y.dtype), np.round(y.detach().double().numpy(), 4).tolist(),
               None if y.grad_fn is None else y.grad_fn.name()]
        if y.requires_grad:
            (y * 2).sum().backward()
            out.append(np.round(x.grad.double().numpy(), 4).tolist())
        return out
    assert run(zerograd) == run(torch)


@requires_torch
def test_small_tensor_facts_as_torch():
    def run(L):
        t = L.ones(2, 3, requires_grad=True)
        return [t.is_cpu, t.itemsize, t.nbytes, t.get_device(), t.is_signed(),
                L.ones(2, dtype=L.uint8).is_signed(), L.ones(2, dtype=L.bool).is_signed(),
                t.is_same_size(L.ones(2, 3)), t.is_same_size(L.ones(3, 2)),
                str(L.ones(2).type_as(L.ones(1, dtype=L.int64)).dtype), t.conj() is t,
                t.resolve_conj() is t, t.resolve_neg() is t, t.is_conj(), t.is_neg(),
                t.adjoint().shape, t.adjoint().grad_fn.name(), t.mH.shape, t.mH.grad_fn.name(),
                t.not_equal(1).tolist(), t.greater_equal(1).tolist(), t.less_equal(0).tolist()]
    assert run(zerograd) == run(torch)


@requires_torch
def test_logical_and_tril_argument_types_as_torch():
    """logical_and/or/xor take tensors only, tril/triu an int diagonal (or a 0-d integer tensor):
    torch's TypeError names the method, function or in-place form and the argument's position."""
    def run(L):
        x, m = L.ones(2), L.ones(2, 3)
        out = []
        for f in (lambda: x.logical_and(0.5), lambda: L.logical_or(x, True),
                  lambda: L.logical_xor(0.5, x), lambda: x.clone().logical_and_(0.5),
                  lambda: x.logical_or(L.zeros(2)).tolist(), lambda: m.tril(0.5),
                  lambda: L.triu(m, 0.5), lambda: m.clone().tril_(True),
                  lambda: m.clone().triu_(L.tensor(1)).tolist(), lambda: m.tril(-1).tolist()):
            try:
                out.append(f())
            except TypeError as e:
                out.append(str(e))
        return out
    assert run(zerograd) == run(torch)
