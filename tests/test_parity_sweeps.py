"""Seeded random sweeps against torch over the argument space of the reductions: dtypes
(half types included), shapes (empty and 0-d too), dims (int, negative, tuple), keepdim, dtype=,
correction: the result's dtype and shape, its values, or the error type.  (The indexing and
binary-operator sweeps live in test_indexing.py and test_tensor.py.)"""
import numpy as np
import pytest

import zerograd
from tests._oracle import requires_torch, torch

_DTYPES = ["bool", "uint8", "int32", "int64", "float16", "float32", "float64"]
_SHAPES = [(), (3,), (2, 3), (2, 0, 3), (2, 3, 4)]
_NAMES = ["sum", "mean", "prod", "amax", "amin", "max", "min", "argmax", "argmin", "std", "var",
          "norm", "logsumexp", "cumsum", "cumprod", "all", "any", "softmax", "log_softmax"]


def _case(rng):
    name, dt = rng.choice(_NAMES), rng.choice(_DTYPES)
    shape = _SHAPES[rng.integers(len(_SHAPES))]
    nd, kw = len(shape), {}
    how = rng.choice(["none", "int", "tuple", "neg"])
    if nd and how == "int":
        kw["dim"] = int(rng.integers(nd))
    elif nd and how == "neg":
        kw["dim"] = -int(rng.integers(1, nd + 1))
    elif nd and how == "tuple":
        kw["dim"] = tuple(sorted({int(d) for d in rng.integers(0, nd, rng.integers(1, nd + 1))}))
    if "dim" in kw and rng.random() < 0.5:
        kw["keepdim"] = bool(rng.random() < 0.5)
    if name in ("sum", "mean", "prod", "cumsum", "cumprod") and rng.random() < 0.3:
        kw["dtype"] = rng.choice(["float64", "int64", "float32"])
    if name in ("softmax", "log_softmax", "cumsum", "cumprod"):
        kw.pop("keepdim", None)
        if isinstance(kw.get("dim"), tuple):
            kw["dim"] = kw["dim"][0]
    if name in ("std", "var") and rng.random() < 0.4:
        kw["correction"] = int(rng.choice([0, 1, 2]))
    return name, dt, shape, kw


def _run(L, name, dt, shape, kw, seed):
    r = np.random.default_rng(seed)
    base = (r.integers(0, 2, shape) if dt == "bool" else r.integers(-3, 5, shape)
            if dt in ("int32", "int64") else r.integers(0, 5, shape) if dt == "uint8"
            else r.standard_normal(shape))
    k = dict(kw)
    if "dtype" in k:
        k["dtype"] = getattr(L, k["dtype"])
    try:
        out = getattr(L, name)(L.tensor(base.astype(dt)), **k)
    except (RuntimeError, IndexError, TypeError, ValueError, NotImplementedError) as e:
        return type(e).__name__
    return [(str(o.dtype).split(".")[-1], tuple(o.shape), o.double().numpy())
            for o in (out if isinstance(out, tuple) else (out,))]


@requires_torch
@pytest.mark.filterwarnings("ignore:.*degrees of freedom")     # (both libraries warn alike)
@pytest.mark.parametrize("seed", range(3))
def test_random_reductions_as_torch(seed):
    rng = np.random.default_rng(100 + seed)
    for trial in range(300):
        name, dt, shape, kw = _case(rng)
        if name in ("softmax", "log_softmax") and "dim" not in kw:
            continue            # (the implicit-dim forms live in nn.functional)
        mine, theirs = (_run(L, name, dt, shape, kw, trial) for L in (zerograd, torch))
        where = (name, dt, shape, kw)
        if isinstance(theirs, str) or isinstance(mine, str):
            assert mine == theirs, where
            continue
        assert [m[:2] for m in mine] == [t[:2] for t in theirs], where
        for (d, _, a), (_, _, b) in zip(mine, theirs):
            half = d in ("float16", "bfloat16")          # one rounding of the float32 result
            np.testing.assert_allclose(a, b, rtol=2e-3 if half else 1e-5,
                                       atol=2e-3 if half else 1e-6, err_msg=str(where))


_SHAPE_OPS = ["view", "reshape", "permute", "transpose", "expand", "squeeze", "unsqueeze",
              "flatten", "unflatten", "cat", "stack", "split", "chunk", "movedim", "narrow",
              "repeat", "flip", "roll", "tile", "t", "mT", "swapaxes", "unbind", "select",
              "diagonal", "tril", "triu", "broadcast_to", "hstack", "vstack", "split_sizes"]


def _shape_case(rng):
    op = rng.choice(_SHAPE_OPS)
    shape = tuple(int(s) for s in rng.integers(1, 4, rng.integers(0, 5)))
    nd, numel = len(shape), int(np.prod(shape))

    def dim():
        return int(rng.integers(-nd - 1, nd + 1)) if nd else int(rng.choice([0, -1]))
    if op in ("view", "reshape"):
        s = list(rng.permutation(shape)) if shape else []
        if s and rng.random() < 0.4:
            s[rng.integers(len(s))] = -1
        args = ((numel + 1,) if rng.random() < 0.2 else tuple(int(v) for v in s),)
    elif op == "permute":
        p = [int(v) for v in rng.permutation(nd)]
        args = (tuple(p) if rng.random() < 0.9 else tuple(p[:-1]),)
    elif op in ("transpose", "swapaxes", "movedim"):
        args = (dim(), dim())
    elif op == "expand":
        args = ((2,) + shape if rng.random() < 0.2 else
                tuple(int(rng.choice([s, 4 if s == 1 else s, -1])) for s in shape),)
    elif op in ("squeeze", "unbind", "cat", "stack"):
        args = (dim(),)
    elif op == "unsqueeze":
        args = (int(rng.integers(-nd - 1, nd + 2)),)
    elif op == "flatten":
        args = (dim(), dim())
    elif op == "unflatten":
        args = (dim(), (1, -1))
    elif op in ("split", "chunk"):
        args = (int(rng.integers(1, 4)), dim())
    elif op == "split_sizes":
        args = ([1] * int(rng.integers(1, 4)), dim())
    elif op == "narrow":
        args = (dim(), int(rng.integers(-1, 3)), int(rng.integers(0, 3)))
    elif op in ("repeat", "tile"):
        k = int(rng.integers(max(nd, 1) if op == "repeat" else 1, nd + 2))
        args = (tuple(int(v) for v in rng.integers(1, 3, k)),)
    elif op == "flip":
        args = (tuple({dim(), dim()}),)
    elif op == "roll":
        args = (int(rng.integers(-3, 4)), dim())
    elif op == "select":
        args = (dim(), int(rng.integers(-2, 3)))
    elif op == "diagonal":
        args = (int(rng.integers(-1, 2)), dim(), dim())
    elif op in ("tril", "triu"):
        args = (int(rng.integers(-1, 2)),)
    elif op == "broadcast_to":
        args = ((2,) + shape,)
    else:
        args = ()
    return op, shape, args


def _run_shape(L, op, shape, args):
    numel = int(np.prod(shape))
    x = L.tensor(np.arange(float(numel)).reshape(shape), requires_grad=True)
    try:
        if op in ("cat", "stack"):
            out = getattr(L, op)([x, x * 2], dim=args[0])
        elif op in ("hstack", "vstack"):
            out = getattr(L, op)([x, x * 2])
        elif op == "split_sizes":
            out = x.split(*args)
        elif op == "mT":
            out = getattr(x, op)
        else:
            out = getattr(x, op)(*args)
        outs = out if isinstance(out, (tuple, list)) else (out,)
        sum((o * L.tensor(np.arange(float(o.numel())).reshape(tuple(o.shape)))).sum()
            for o in outs).backward()
    except (RuntimeError, IndexError, TypeError, ValueError) as e:
        return type(e).__name__
    return ([(tuple(o.shape), o.detach().numpy().tolist(),
              o.grad_fn.name() if o.grad_fn is not None else None) for o in outs],
            None if x.grad is None else x.grad.numpy().tolist())


@requires_torch
@pytest.mark.filterwarnings("ignore:.*(deprecated|x.T)")      # (both libraries warn alike)
@pytest.mark.parametrize("seed", range(3))
def test_random_shape_ops_as_torch(seed):
    """Views, joins and splits on random shapes (0-d included) and arguments (out of range
    too): each output's shape, values and node name, the input's gradient, or the error type.
    (Not `.T`: torch warns about it once per process, and test_views checks that warning.)"""
    rng = np.random.default_rng(200 + seed)
    for _ in range(300):
        op, shape, args = _shape_case(rng)
        assert _run_shape(zerograd, op, shape, args) == _run_shape(torch, op, shape, args), \
            (op, shape, args)


_MM_OPS = {"matmul": lambda L, a, b: L.matmul(a, b), "mm": lambda L, a, b: L.mm(a, b),
           "bmm": lambda L, a, b: L.bmm(a, b), "mv": lambda L, a, b: L.mv(a, b),
           "dot": lambda L, a, b: L.dot(a, b), "@": lambda L, a, b: a @ b,
           "linear": lambda L, a, b: L.nn.functional.linear(a, b),
           "addmm": lambda L, a, b: L.addmm(L.zeros(1), a, b)}


def _run_mm(L, op, sa, sb, dta, dtb, rga, rgb):
    def make(shape, dt, rg, shift):
        v = np.arange(float(np.prod(shape))).reshape(shape) + shift
        return L.tensor((v / 3 if dt.startswith("float") else v).astype(dt),
                        requires_grad=rg and dt.startswith("float"))
    a, b = make(sa, dta, rga, 0), make(sb, dtb, rgb, 1)
    try:
        out = _MM_OPS[op](L, a, b)
        grads = []
        if out.requires_grad:
            out.sum().backward()
            grads = [None if t.grad is None else t.grad.double().numpy() for t in (a, b)]
    except (RuntimeError, IndexError, TypeError, ValueError) as e:
        return type(e).__name__
    return (str(out.dtype).split(".")[-1], tuple(out.shape), out.detach().double().numpy(),
            out.grad_fn.name() if out.grad_fn is not None else None, grads)


@requires_torch
@pytest.mark.parametrize("seed", range(3))
def test_random_matmuls_as_torch(seed):
    """matmul / mm / bmm / mv / dot / @ / linear / addmm on random ranks 0-3 (inner sizes often
    matching), dtypes and requires_grad: dtype, shape, values, the top node (torch's folding
    and its .contiguous() copy only when needed), the gradients, or the error type."""
    rng = np.random.default_rng(300 + seed)
    for _ in range(300):
        op = rng.choice(sorted(_MM_OPS))
        sa = tuple(int(s) for s in rng.integers(1, 4, rng.integers(0, 4)))
        sb = list(int(s) for s in rng.integers(1, 4, rng.integers(0, 4)))
        if sa and sb and rng.random() < 0.6:
            sb[-2 if len(sb) >= 2 else -1] = sa[-1]
        pairs = [("float32", "float32")] * 4 + [("float64", "float32"), ("int64", "int64"),
                                                ("float32", "int64")]
        dta, dtb = pairs[rng.integers(len(pairs))]
        args = (op, sa, tuple(sb), dta, dtb, bool(rng.random() < 0.7), bool(rng.random() < 0.7))
        mine, theirs = _run_mm(zerograd, *args), _run_mm(torch, *args)
        if isinstance(mine, str) or isinstance(theirs, str):
            assert mine == theirs, args
            continue
        assert mine[:2] == theirs[:2] and mine[3] == theirs[3], args
        np.testing.assert_allclose(mine[2], theirs[2], rtol=1e-5, err_msg=str(args))
        assert len(mine[4]) == len(theirs[4]), args
        for g, h in zip(mine[4], theirs[4]):
            assert (g is None) == (h is None), args
            if g is not None:
                np.testing.assert_allclose(g, h, rtol=1e-5, err_msg=str(args))


_UNARY = ["abs", "neg", "exp", "log", "log1p", "sqrt", "rsqrt", "sin", "cos", "tanh", "sigmoid",
          "relu", "sign", "square", "reciprocal", "clamp", "clip", "isnan", "isinf", "isfinite",
          "logical_not", "bitwise_not", "silu", "gelu", "tan", "asin", "acos", "atan", "sinh",
          "cosh", "asinh", "acosh", "atanh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh",
          "arctanh", "log2", "log10", "positive", "deg2rad", "rad2deg", "signbit", "lgamma",
          "digamma", "absolute"]
_SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.7, np.inf, -np.inf, np.nan, 1e-40, 100.0, -100.0]


def _run_unary(L, name, dt):
    vals = (np.array(_SPECIAL) if dt.startswith("float") else
            np.array([0, 1, 1, 0]) if dt == "bool" else
            np.array([0, 1, 2, 7, 100, 255]) if dt == "uint8" else np.array([0, 1, -1, 2, -3, 100]))
    x = L.tensor(vals.astype(dt), requires_grad=dt in ("float32", "float64"))
    try:
        if name in ("clamp", "clip"):
            out = getattr(L, name)(x, min=-1, max=2)
        elif name in ("silu", "gelu"):
            out = getattr(L.nn.functional, name)(x)
        else:
            out = getattr(L, name)(x)
        grad = None
        if out.requires_grad:
            out.sum().backward()
            grad = x.grad.double().numpy()
    except (RuntimeError, TypeError, ValueError, NotImplementedError) as e:
        return type(e).__name__
    v = out.detach()
    return (str(v.dtype).split(".")[-1], v.numpy() if v.dtype == L.bool else v.double().numpy(),
            out.grad_fn.name() if out.grad_fn is not None else None, grad)


@requires_torch
@pytest.mark.parametrize("name", _UNARY)
def test_unary_ops_on_every_dtype_and_special_value_as_torch(name):
    """Each unary op on bool, integer and float tensors of special values (±0, ±inf, nan,
    denormals): dtype, values (nan where torch's is nan), node name and gradient, or the error
    type.  (Found: sign(nan) is 0 in torch, so abs' gradient at nan is 0; relu passes the
    gradient at nan; gelu/silu have no integer kernels.)"""
    for dt in ["bool", "uint8", "int32", "int64", "float16", "float32", "float64"]:
        mine, theirs = _run_unary(zerograd, name, dt), _run_unary(torch, name, dt)
        if isinstance(mine, str) or isinstance(theirs, str):
            assert mine == theirs, (name, dt)
            continue
        assert (mine[0], mine[2]) == (theirs[0], theirs[2]), (name, dt)
        tol = 2e-3 if dt == "float16" else 1e-6
        if name == "gelu":          # gelu(±inf): torch's depends on its kernel (its AVX-512 one
            # gives nan for +inf, its AVX2 one inf) - test_gelu_float32_of_minus_inf_is_nan
            idx = np.arange(len(mine[1]))
            keep = (idx != _SPECIAL.index(-np.inf)) & (idx != _SPECIAL.index(np.inf))
            mine, theirs = ((m[0], m[1][keep], m[2], m[3]) for m in (mine, theirs))
        np.testing.assert_allclose(mine[1], theirs[1], rtol=tol, atol=tol, equal_nan=True,
                                   err_msg=f"{name} {dt}")
        if theirs[3] is not None:
            g, h = mine[3], theirs[3]
            if name == "gelu":
                g, h = g[keep], h[keep]
            np.testing.assert_allclose(g, h, rtol=1e-6, atol=1e-6, equal_nan=True,
                                       err_msg=f"{name} {dt} grad")


_INPLACE = ["add_", "sub_", "mul_", "div_", "pow_", "clamp_", "relu_", "zero_", "fill_", "copy_",
            "masked_fill_", "abs_", "neg_", "exp_", "sqrt_", "floor_divide_", "tanh_",
            "clamp_min_", "clamp_max_", "div_floor"]


def _run_inplace(L, op, da, db, sa, sb, kind, seed):
    r = np.random.default_rng(seed)
    a = (r.integers(1, 4, sa) if da != "bool" else r.integers(0, 2, sa)).astype(da)
    b = (r.integers(1, 4, sb) if db != "bool" else r.integers(0, 2, sb)).astype(db)
    x = L.tensor(a)
    other = L.tensor(b) if kind == "tensor" else {"int": 2, "float": 1.5, "bool": True}[kind]
    number = other if not isinstance(other, L.Tensor) else 3
    try:
        if op in ("add_", "sub_", "mul_", "div_", "pow_", "floor_divide_", "copy_"):
            out = getattr(x, op)(other)
        elif op == "div_floor":
            out = x.div_(other, rounding_mode="floor")
        elif op == "clamp_":
            out = x.clamp_(min=0, max=number)
        elif op in ("clamp_min_", "clamp_max_"):
            out = getattr(x, op)(1)
        elif op == "fill_":
            out = x.fill_(number)
        elif op == "masked_fill_":
            out = x.masked_fill_(L.tensor(np.ones(sa, bool)), number)
        else:
            out = getattr(x, op)()
    except (RuntimeError, TypeError, ValueError, NotImplementedError) as e:
        return type(e).__name__
    assert out is x
    v = x.numpy() if x.dtype == L.bool else x.double().numpy()
    return str(x.dtype).split(".")[-1], tuple(x.shape), v, x._version


@requires_torch
@pytest.mark.parametrize("seed", range(2))
def test_random_inplace_ops_as_torch(seed):
    """In-place ops over dtype pairs, numbers and shapes (broadcasting into self, or not): the
    tensor's dtype (in-place never changes it: torch refuses what would), shape, values and
    version counter, or the error type."""
    rng = np.random.default_rng(400 + seed)
    dts = ["bool", "uint8", "int32", "int64", "float16", "float32", "float64"]
    shapes_a, shapes_b = [(3,), (2, 3), ()], [(3,), (), (2, 3), (1, 3)]
    for trial in range(300):
        op = _INPLACE[rng.integers(len(_INPLACE))]
        da, db = dts[rng.integers(7)], dts[rng.integers(7)]
        sa, sb = shapes_a[rng.integers(3)], shapes_b[rng.integers(4)]
        kind = ["tensor", "int", "float", "bool"][rng.integers(4)]
        args = (op, da, db, sa, sb, kind, trial)
        mine, theirs = _run_inplace(zerograd, *args), _run_inplace(torch, *args)
        if isinstance(mine, str) or isinstance(theirs, str):
            assert mine == theirs, args
            continue
        assert (mine[0], mine[1], mine[3]) == (theirs[0], theirs[1], theirs[3]), args
        tol = 2e-3 if da == "float16" else 1e-6
        np.testing.assert_allclose(mine[2], theirs[2], rtol=tol, atol=tol, equal_nan=True,
                                   err_msg=str(args))


@requires_torch
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_losses_with_every_target_ignored_as_torch(reduction):
    """cross_entropy / nll_loss whose targets are all ignore_index: torch's loss (nan for 'mean')
    and a zero gradient (the mean's 1/0 must not reach it)."""
    got = []
    for L in (zerograd, torch):
        F = L.nn.functional
        out = []
        for x_shape, t in (((4,), -100), ((3, 4), [-100, -100, -100])):
            for f in (lambda x, t: F.cross_entropy(x, t, reduction=reduction),
                      lambda x, t: F.nll_loss(x.log_softmax(-1), t, reduction=reduction),
                      lambda x, t: F.cross_entropy(x, t, reduction=reduction,
                                                   weight=L.ones(4) * 2)):
                x = L.tensor((np.arange(float(np.prod(x_shape))).reshape(x_shape) / 5)
                             .astype(np.float32), requires_grad=True)
                loss = f(x, L.tensor(t))
                (loss.sum() if loss.dim() else loss).backward()
                out.append((np.nan_to_num(loss.detach().numpy(), nan=-7.0).tolist(),
                            x.grad.numpy().tolist()))
        got.append(out)
    assert got[0] == got[1]


@requires_torch
@pytest.mark.parametrize("seed", range(2))
def test_random_ranges_and_fills_as_torch(seed):
    """arange / linspace / full / full_like with integer and float numbers into every dtype:
    torch truncates start and step into an integer dtype (the count from the integers for int64,
    from the numbers otherwise), linspace converts its ends first, fills are range-checked.
    Values, dtype and shape, or the error type."""
    rng = np.random.default_rng(500 + seed)
    nums = [0, 1, 2, -3, 5, 0.5, -1.5, 2.0, 10, 1e-3, 7.25, 300]
    dts = [None, "float32", "float64", "int64", "int32", "int16", "uint8", "bool", "float16"]
    for _ in range(300):
        op = ["arange", "arange1", "linspace", "full", "full_like"][rng.integers(5)]
        dt = dts[rng.integers(len(dts))]
        a, b = (nums[i] for i in rng.integers(len(nums), size=2))
        step = [1, 2, 0.5, -1, 0.3, -2.5][rng.integers(6)]
        n = int(rng.integers(0, 6))
        got = []
        for L in (zerograd, torch):
            kw = {} if dt is None else {"dtype": getattr(L, dt)}
            try:
                if op == "arange":
                    r = L.arange(a, b, step, **kw)
                elif op == "arange1":
                    r = L.arange(a, **kw)
                elif op == "linspace":
                    r = L.linspace(a, b, n, **kw)
                elif op == "full":
                    r = L.full((2,), a, **kw)
                else:
                    r = L.full_like(L.zeros(2, dtype=L.int64), a, **kw)
            except (RuntimeError, ValueError, NotImplementedError, TypeError) as e:
                got.append(type(e).__name__)
                continue
            got.append((str(r.dtype).split(".")[-1], tuple(r.shape),
                        r.tolist() if r.dtype == L.bool else r.double().numpy().round(3).tolist()))
        if isinstance(got[0], tuple) and isinstance(got[1], tuple) \
                and got[0][0].startswith("float"):     # (float rounding of the points)
            assert got[0][:2] == got[1][:2], (op, dt, a, b, step, n)
            np.testing.assert_allclose(got[0][2], got[1][2], rtol=2e-3, atol=2e-3)
            continue
        assert got[0] == got[1], (op, dt, a, b, step, n)


# ----- comparisons, selections and bounds on special values (NaN, ±inf, ±0) across dtypes -----

_CMP_DTYPES = ["bool", "uint8", "int8", "int32", "int64", "float16", "float32", "float64"]
_CMP_VALUES = [0.0, -0.0, 1.0, -1.0, 2.5, np.nan, np.inf, -np.inf, 3.0, -7.0]
_CMP_OPS = {
    "eq": lambda L, x, y, s: L.eq(x, y), "ne": lambda L, x, y, s: L.ne(x, y),
    "lt": lambda L, x, y, s: L.lt(x, y), "le": lambda L, x, y, s: L.le(x, y),
    "gt": lambda L, x, y, s: L.gt(x, y), "ge": lambda L, x, y, s: L.ge(x, y),
    "maximum": lambda L, x, y, s: L.maximum(x, y), "minimum": lambda L, x, y, s: L.minimum(x, y),
    "max2": lambda L, x, y, s: L.max(x, y), "min2": lambda L, x, y, s: L.min(x, y),
    "clamp": lambda L, x, y, s: L.clamp(x, min=s, max=None if s is None else s + 1),
    "clamp_tensor": lambda L, x, y, s: L.clamp(x, min=y),
    "where": lambda L, x, y, s: L.where(x > 0, x, y),
    "isclose": lambda L, x, y, s: L.isclose(x, y, equal_nan=bool(s)),
    "eq_number": lambda L, x, y, s: x == s, "lt_number": lambda L, x, y, s: x < s,
    "sort": lambda L, x, y, s: L.sort(x, descending=bool(s))[0],
    "argsort": lambda L, x, y, s: L.argsort(x, stable=True, descending=bool(s)),
    "topk": lambda L, x, y, s: L.topk(x.flatten(), min(2, x.numel()))[0],
    "kthvalue": lambda L, x, y, s: L.kthvalue(x.flatten(), 1)[0],
    "max_dim": lambda L, x, y, s: L.max(x, dim=-1)[0] if x.dim() else L.max(x),
    "min_dim": lambda L, x, y, s: L.min(x, dim=-1)[1] if x.dim() else L.min(x),
    "amax": lambda L, x, y, s: L.amax(x),
    "isnan": lambda L, x, y, s: L.isnan(x), "isinf": lambda L, x, y, s: L.isinf(x),
    "isfinite": lambda L, x, y, s: L.isfinite(x),
    "logical_and": lambda L, x, y, s: L.logical_and(x, y),
    "logical_xor": lambda L, x, y, s: L.logical_xor(x, y),
}


def _cmp_array(rng, dt, shape):
    v = rng.choice(_CMP_VALUES, shape)
    if dt == "bool":
        return (v != 0) & ~np.isnan(v)
    if dt == "uint8":
        return np.abs(np.nan_to_num(v, nan=0, posinf=9, neginf=9)).astype(dt)
    if dt.startswith("int"):
        return np.nan_to_num(v, nan=0, posinf=9, neginf=-9).astype(dt)
    return v.astype(dt)


def _run_cmp(L, op, a, b, s):
    try:
        r = _CMP_OPS[op](L, L.tensor(a), L.tensor(b), s)
    except (RuntimeError, IndexError, TypeError, ValueError, NotImplementedError) as e:
        return type(e).__name__
    if isinstance(r, bool):
        return r
    return str(r.dtype).split(".")[-1], tuple(r.shape), r.double().numpy()


@requires_torch
@pytest.mark.parametrize("seed", range(3))
def test_random_comparisons_on_special_values_as_torch(seed):
    """NaN, ±inf and ±0 in every dtype pair: comparisons, max/min, clamp, sort/topk, isclose, ...
    (found: topk/kthvalue of bool ran, torch raises; clamp of uint8 by a 0-d int64 tensor bound
    was a raw NumPy casting error; x == None raised instead of being False)."""
    rng = np.random.default_rng(seed)
    for _ in range(300):
        op = str(rng.choice(list(_CMP_OPS)))
        da, db = rng.choice(_CMP_DTYPES), rng.choice(_CMP_DTYPES)
        shape = [(), (4,), (2, 3)][rng.integers(3)]
        a = _cmp_array(rng, da, shape)
        b = _cmp_array(rng, db, shape if rng.random() < 0.8 else ())
        s = None
        if op in ("clamp", "eq_number", "lt_number"):
            s = [None, 0, 1, 2.5, -1.5, float("nan"), True][rng.integers(7)]
        elif op in ("sort", "argsort", "isclose"):
            s = bool(rng.random() < 0.5)
        z, t = _run_cmp(zerograd, op, a, b, s), _run_cmp(torch, op, a, b, s)
        where = (op, da, db, shape, s)
        if isinstance(t, tuple) and isinstance(z, tuple):
            assert z[:2] == t[:2], where
            np.testing.assert_array_equal(z[2], t[2], err_msg=str(where))
        else:
            assert z == t, where


@requires_torch
@pytest.mark.parametrize("dtype", ["uint8", "int32", "int64"])
@pytest.mark.parametrize("beta", [-1.0, 2.5, 300, -1, 0])
def test_addmm_converts_integer_beta_alpha_as_torch(dtype, beta):
    """On integer tensors beta/alpha are converted as c10 does: checked (-1.0 into uint8 is the
    overflow error, -1 wraps), floats truncated (was NumPy's OverflowError)."""
    seen = []
    for m in (zerograd, torch):
        c = m.ones(2, 2, dtype=getattr(m, dtype))
        try:
            seen.append(m.addmm(c, c, c, beta=beta, alpha=beta).tolist())
        except RuntimeError as e:
            seen.append(str(e))
    assert seen[0] == seen[1]


_ZERO_GRAD_OPS = {
    "sign": lambda m, x, y: m.sign(x), "floor": lambda m, x, y: m.floor(x),
    "round": lambda m, x, y: m.round(x), "trunc": lambda m, x, y: m.trunc(x),
    "div_floor": lambda m, x, y: m.div(x, y, rounding_mode="floor"),
    "div_trunc": lambda m, x, y: m.div(x, y, rounding_mode="trunc"),
    "fill_": lambda m, x, y: x.clone().fill_(2.0), "zero_": lambda m, x, y: x.clone().zero_(),
    "pow0": lambda m, x, y: x ** 0, "copy_": lambda m, x, y: x.clone().copy_(y),
}


@requires_torch
@pytest.mark.parametrize("name", _ZERO_GRAD_OPS)
def test_zero_gradients_are_zeros_even_for_a_nan_gradient_as_torch(name):
    """An input the output does not depend on gets zeros (torch's zeros_like(grad)), not
    g * 0 (nan where g is nan), and nothing is recorded under create_graph."""
    seen = []
    for m in (zerograd, torch):
        x = m.tensor([7.0, -2.0], requires_grad=True)
        y = m.tensor([2.0, 3.0])
        out = _ZERO_GRAD_OPS[name](m, x, y)
        g, = m.autograd.grad(out, x, m.tensor([float("nan"), 1.0]), create_graph=True)
        seen.append((g.tolist(), g.requires_grad))
    assert seen[0] == seen[1]


@requires_torch
@pytest.mark.parametrize("dtype", ["uint8", "int8", "int32", "int64"])
def test_tensor_of_python_numbers_into_integer_dtypes_as_torch(dtype):
    """torch.tensor converts each Python number by its own type: floats truncate and must be
    finite and in range, ints must fit (uint8 takes negatives down to -255, which wrap); NaN,
    1e10 into int32, 256 into int8 are torch's overflow error (zerograd wrapped them silently)."""
    values = [-1, 256, -129, 2.5, -2.5, float("nan"), float("inf"), 1e10, 70000, 2**31,
              2**63 - 1, 1e40, True, 255.5, -0.5]
    datas = [[v] for v in values] + values + [[-1, 0.5], [-129, 0.5], [0.5, 2**63 - 1],
                                              [[1, 2.5], [-3, 4]], [2.5, 2**31, 2**63 - 1]]
    for data in datas:
        seen = []
        for m in (zerograd, torch):
            try:
                seen.append(m.tensor(data, dtype=getattr(m, dtype)).tolist())
            except RuntimeError as e:
                seen.append(str(e))
        assert seen[0] == seen[1], data


@requires_torch
def test_clamp_forms_nodes_and_zero_gradients_as_torch():
    """clamp_min/clamp_max with a tensor bound record ClampMin/ClampMaxBackward1; a clamped
    element's gradient is a zero (printed 0., not -0. from g * 0 of a negative g)."""
    def run(L):
        x = L.tensor([1.0, -2.0, 3.0], requires_grad=True)
        m = L.tensor([0.5, 0.5, 0.5])
        out = []
        for f in (lambda y: y.clamp_max(m), lambda y: L.clamp_min(y, m), lambda y: y.clamp(max=m),
                  lambda y: y.clamp(min=-1.0, max=2.0), lambda y: y.clamp_max(0.5),
                  lambda y: y.clamp(min=m, max=m)):
            x.grad = None
            y = f(x)
            y.backward(L.tensor([-1.0, -1.0, -1.0]))
            out.append((y.grad_fn.name(), repr(x.grad), np.signbit(x.grad.numpy()).tolist()))
        try:
            x.clamp(min=0.5, max=m)
        except TypeError:
            out.append("TypeError")
        return out
    assert run(zerograd) == run(torch)


@pytest.mark.parametrize("seed", range(2))
def test_no_numpy_warning_escapes_on_special_values(seed):
    """torch computes inf - inf, 0/0, log(0), overflow... silently; so must zerograd (NumPy warns,
    and its Python-level wrappers - ndarray.sum, np.var, np.cumsum - warn from NumPy's own module,
    past zerograd's filter).  Every op of the table, forward and backward, on inputs salted with
    inf, -inf, nan, huge, tiny and signed zeros, under the filter importing zerograd installs
    (pytest resets the filters made while it collects)."""
    import warnings
    from zerograd.testing.op_db import OP_DB
    rng = np.random.default_rng(seed)
    specials = np.array([np.inf, -np.inf, np.nan, 1e300, -1e300, 0.0, -0.0, 1e-310])
    leaks = {}
    for spec in OP_DB:
        for case in spec.samples():
            if case.error is not None:
                continue
            args = []
            for a in case.args:
                if isinstance(a, np.ndarray) and a.dtype.kind == "f" and a.size:
                    b = a.copy().reshape(-1)
                    k = rng.integers(0, b.size + 1)
                    b[rng.choice(b.size, k, replace=False)] = rng.choice(specials, k)
                    with np.errstate(over="ignore"):
                        b = b.reshape(a.shape).astype(rng.choice([np.float32, np.float64]))
                    args.append(zerograd.tensor(b, requires_grad=spec.differentiable))
                else:
                    args.append(zerograd.tensor(a) if isinstance(a, np.ndarray) else a)
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", category=RuntimeWarning,
                                        module=zerograd.ops.SILENT_MODULES)
                warnings.filterwarnings("error", category=RuntimeWarning, append=True)
                try:
                    out = spec.call(zerograd, args, case.kwargs)
                    for o in (out if isinstance(out, (tuple, list)) else (out,)):
                        if isinstance(o, zerograd.Tensor) and o.requires_grad:
                            o.sum().backward()
                            break
                except RuntimeWarning as w:
                    leaks.setdefault(spec.name, str(w))
                except Exception:           # (errors are the other tests' business)
                    pass
    assert not leaks, f"{len(leaks)} ops let a NumPy warning through: {leaks}"


_CORE_CASES = [
    "L.ones(2, dtype=L.float16).fill_(1e10)", "L.ones(2, dtype=L.uint8).fill_(1e10)",
    "L.ones(2, dtype=L.int64).fill_(float('nan'))", "L.ones(2).fill_(None)",
    "L.ones(2).fill_('a')", "L.ones(2).fill_(1+2j)", "L.ones(2).fill_(2+0j)",
    "L.ones(2, dtype=L.uint8).fill_(-1)", "L.ones(2, dtype=L.uint8).fill_(256)",
    "L.ones(2, dtype=L.int8).fill_(1.5)", "L.ones(2, dtype=L.bool).fill_(0.5)",
    "L.ones(2, dtype=L.float16).fill_(65520.0)", "L.ones(2, dtype=L.int64).fill_(L.tensor(2.7))",
    "L.ones(2, dtype=L.uint8).fill_(L.tensor(-1))", "L.ones(2, dtype=L.float16).fill_(L.tensor(1e10))",
    "L.tensor([-0.0, 0.0, 1.0]).clamp_(min=0.0)", "L.tensor([-0.0, 0.0, -1.0]).clamp_(max=-0.0)",
    "L.tensor([-0.0, 0.0, 1.0]).clamp(min=L.tensor(0.0))",
    "L.tensor([-0.0, 0.0, 1.0, float('nan')]).clamp_min(0.0)",
    "L.tensor([-0.0, 0.0, 1.0]).clamp(min=float('nan'))", "L.tensor([-0.0, 0.0]).clip(0.0, 0.0)",
    "L.tensor([-0.0, 0.0, 1.0], dtype=L.float16).clamp(min=0.0)",
    "L.tensor([-0.0, 0.0, -1.0], dtype=L.float16).clamp(max=-0.0)",
    "L.tensor([-0.0, 0.0, float('nan')], dtype=L.float16).relu()",
    "L.tensor([-0.0, 0.0, float('nan')], dtype=L.bfloat16).relu()",
    "L.tensor([-0.0, 0.0, -1.0], dtype=L.bfloat16).clamp(max=-0.0)",
    "L.clamp(5.0, max=1.0)", "L.clamp_min(5.0, 1.0)", "L.clamp_max(5.0, 1.0)",
    "L.empty(0, dtype=L.int64).normal_()", "L.empty(0, dtype=L.int64).normal_(0, -1)",
    "L.empty(2, dtype=L.int64).normal_()",
    "L.nn.functional.layer_norm(L.ones(2, 3), (3,), weight=L.ones(4))",
    "L.nn.functional.layer_norm(L.ones(2, 3), (3,), bias=L.ones(2))",
    "L.nn.functional.layer_norm(L.ones(2, 3), (3,), weight=L.ones(1, 3))",
    "L.nn.functional.rms_norm(L.ones(2, 3), (3,), weight=L.ones(4))",
]


@requires_torch
@pytest.mark.parametrize("expr", _CORE_CASES)
def test_fill_clamp_and_normal_edge_cases_as_torch(expr):
    """Found by the nn.utils sweep: fill_ converts a number as torch does (overflow errors, a
    tensor's value cast unchecked), clamp keeps x on ties with a bound (-0.0) and refuses a
    number input with a TypeError, normal_ of no elements checks std only; layer/rms norm's
    weight and bias must have the normalized shape (was a NumPy ValueError)."""
    def run(L):
        try:
            r = eval(expr)
        except (RuntimeError, TypeError, ValueError, NotImplementedError) as e:
            return type(e).__name__
        v = r.double().numpy()
        return str(r.dtype), np.nan_to_num(v, nan=7.5).tolist(), np.signbit(v).tolist()
    assert run(zerograd) == run(torch)


_HALF_OPS = {
    "add": lambda L, x: x + 1e-6, "mul": lambda L, x: x * 0.1, "sub": lambda L, x: x - 2,
    "div": lambda L, x: x / 3.0, "rmul": lambda L, x: 2.0 * x, "pow2": lambda L, x: x ** 2,
    "addbool": lambda L, x: x + True, "addalpha": lambda L, x: x.add(1.0, alpha=2.0),
    "subalpha": lambda L, x: x.sub(x, alpha=0.5), "clamp": lambda L, x: x.clamp(0.5),
    "pow.5": lambda L, x: x.pow(0.5), "mfill": lambda L, x: x.masked_fill(x > 1, 0.5),
    "where": lambda L, x: x.where(x > 1, 0.5), "rsub": lambda L, x: 1.0 - x,
    "rdiv": lambda L, x: 1.0 / x, "rpow": lambda L, x: 2.0 ** x, "sum": lambda L, x: x.sum(),
    "mean": lambda L, x: x.mean(), "mm": lambda L, x: x[None] @ x[:, None],
    "mv": lambda L, x: x[None].expand(2, 2) @ x, "dot": lambda L, x: x @ x,
    "bmm": lambda L, x: x[None, None] @ x[None, :, None],
    "addmm": lambda L, x: (x[:, None] @ x[None]).addmm(x[:, None], x[None]),
    "lerp": lambda L, x: x.lerp(x, 0.5), "addcmul": lambda L, x: x.addcmul(x, x, value=0.5),
    "fmod": lambda L, x: x.fmod(1.5), "remainder": lambda L, x: x % 1.5,
    "floordiv": lambda L, x: x // 1.5, "eq": lambda L, x: x == 1.0,
    "linear": lambda L, x: L.nn.functional.linear(x[None], x[None].expand(3, 2), x.new_ones(3)),
    "gelu": lambda L, x: L.nn.functional.gelu(x),
    "ce": lambda L, x: L.nn.functional.cross_entropy(x[None], L.tensor([1])),
}


@requires_torch
@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_half_precision_results_and_gradients_keep_their_dtype_as_torch(dtype):
    """A bfloat16 tensor with a Python number, and bfloat16 matrix products, gave float32
    (ml_dtypes promotes a Python float; its matmul returns float32); pow(0.5) raised NumPy's
    TypeError."""
    def run(L):
        out = {}
        for name, f in _HALF_OPS.items():
            x = L.tensor([2.5, 1.0], dtype=getattr(L, dtype), requires_grad=True)
            try:
                v = f(L, x)
            except (RuntimeError, TypeError) as e:
                out[name] = type(e).__name__
                continue
            g = None
            if v.requires_grad:
                try:
                    v.sum().backward()
                    g = str(x.grad.dtype)
                except RuntimeError as e:       # (floor_divide: no derivative, as torch)
                    g = type(e).__name__
            out[name] = (str(v.dtype), g,
                         [round(a, 2) for a in v.detach().float().reshape(-1).tolist()])
        return out
    assert run(zerograd) == run(torch)
