"""The tensor factories against torch: torch.tensor / as_tensor / asarray / from_numpy on random
nested data (Python numbers, NumPy scalars and arrays, 0-d tensors, empty and ragged data), the
filled factories (zeros ... full, *_like, arange, range, linspace, logspace, eye, tril_indices)
with random sizes, dtypes and the common keywords, and the random factories from one seed - the
dtype, shape, values, requires_grad/is_leaf, memory sharing, warnings and error types."""
import warnings

import numpy as np
import pytest

import zerograd
from zerograd.ops import creation as _creation
from tests._oracle import requires_torch, torch

_DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]
_NP_SCALARS = [np.float64, np.float32, np.float16, np.int64, np.int32, np.int16, np.int8,
               np.uint8, np.bool_]


def _outcome(L, f):
    """(dtype, shape, values, requires_grad, is_leaf, warning texts) or the error type."""
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            t = f(L)
        except (RuntimeError, TypeError, ValueError, IndexError, NotImplementedError) as e:
            return type(e).__name__
    msgs = sorted(str(x.message)[:40] for x in w if x.category is UserWarning and not
                  str(x.message).startswith(_ONCE))      # (torch's once-per-process ones)
    d = str(t.dtype).split(".")[-1]
    v = t.detach()
    vals = v.tolist() if d in ("bool", "int64", "int32", "int16", "int8", "uint8") else \
        np.round(v.double().numpy(), 4).tolist()
    return d, tuple(t.shape), vals, t.requires_grad, t.is_leaf, msgs


_ONCE = ("Creating a tensor from a list of numpy", "The given NumPy array is not writable",
         "Converting a tensor with requires_grad")


def _same(f):
    a = _outcome(zerograd, f)
    b = _outcome(torch, f)
    return a == b, a, b


def _leaf(rng, L, kind):
    if kind == "int":
        return int(rng.integers(-300, 300))
    if kind == "float":
        return float(np.round(rng.normal() * 100, 2))
    if kind == "bool":
        return bool(rng.integers(2))
    if kind == "np":
        t = _NP_SCALARS[rng.integers(len(_NP_SCALARS))]
        return t(rng.integers(0, 100)) if t is not np.bool_ else t(rng.integers(2))
    return L.tensor(int(rng.integers(-5, 5))) if rng.integers(2) else L.tensor(float(rng.normal()))


def _data(seed, L, kinds):
    """The same random nested data for either library (its 0-d tensors its own)."""
    rng = np.random.default_rng(seed)
    shape = [int(s) for s in rng.integers(0, 4, rng.integers(0, 3))]
    ragged = rng.random() < 0.1

    def build(dims):
        if not dims:
            return _leaf(rng, L, kinds[rng.integers(len(kinds))])
        n = dims[0] + (1 if ragged and rng.random() < 0.3 else 0)
        seq = [build(dims[1:]) for _ in range(n)]
        return tuple(seq) if rng.random() < 0.2 else seq
    return build(shape)


_KIND_SETS = [["int"], ["float"], ["bool"], ["int", "float"], ["int", "bool"],
              ["int", "float", "bool"], ["np"], ["np", "int"], ["np", "float"], ["tensor"],
              ["tensor", "int", "float"]]


@requires_torch
@pytest.mark.parametrize("seed", range(6))
def test_tensor_from_random_nested_data_as_torch(seed):
    rng = np.random.default_rng(seed)
    diffs = []
    for _ in range(120):
        kinds = _KIND_SETS[rng.integers(len(_KIND_SETS))]
        s = int(rng.integers(1 << 30))
        dt = [None, None] + _DTYPES
        dtype = dt[rng.integers(len(dt))]
        rg = bool(rng.random() < 0.2)
        fn = ["tensor", "as_tensor", "asarray"][rng.integers(3)]

        def f(L, s=s, kinds=kinds, dtype=dtype, rg=rg, fn=fn):
            kw = {} if dtype is None else {"dtype": getattr(L, dtype)}
            if fn == "tensor":
                return L.tensor(_data(s, L, kinds), requires_grad=rg, **kw)
            if fn == "asarray":
                return L.asarray(_data(s, L, kinds), requires_grad=rg, **kw)
            return getattr(L, fn)(_data(s, L, kinds), **kw)
        ok, a, b = _same(f)
        if not ok:
            diffs.append((fn, kinds, s, dtype, rg, a, b))
    assert not diffs, diffs[:3]


@requires_torch
@pytest.mark.parametrize("seed", range(2))
def test_tensor_inference_under_default_float64(seed):
    zerograd.set_default_dtype(zerograd.float64)
    torch.set_default_dtype(torch.float64)
    try:
        test_tensor_from_random_nested_data_as_torch(seed + 10)
        for f in (lambda L: L.zeros(2), lambda L: L.full((2,), 1.5), lambda L: L.arange(0, 1, .25),
                  lambda L: L.linspace(0, 1, 3), lambda L: L.tensor([]),
                  lambda L: L.tensor([1, 2], dtype=float), lambda L: L.eye(2)):
            ok, a, b = _same(f)
            assert ok, (a, b)
    finally:
        zerograd.set_default_dtype(zerograd.float32)
        torch.set_default_dtype(torch.float32)


def _np_array(rng):
    dt = _NP_SCALARS[rng.integers(len(_NP_SCALARS))]
    shape = tuple(int(s) for s in rng.integers(0, 4, rng.integers(0, 3)))
    a = np.asarray((rng.normal(size=shape) * 50).astype(dt))
    if a.ndim == 2 and rng.random() < 0.3:
        a = a.T
    return a


@requires_torch
@pytest.mark.parametrize("seed", range(4))
def test_numpy_data_and_memory_sharing_as_torch(seed):
    rng = np.random.default_rng(seed)
    for _ in range(40):
        a = _np_array(rng)
        dt = [None, None] + _DTYPES
        dtype = dt[rng.integers(len(dt))]
        for fn in ("tensor", "as_tensor", "asarray", "from_numpy"):
            if fn == "from_numpy" and dtype is not None:
                continue
            outs = []
            for L in (zerograd, torch):
                kw = {} if dtype is None else {"dtype": getattr(L, dtype)}
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    t = getattr(L, fn)(a, **kw)
                arr = t.detach().numpy() if L is torch or t.dtype != L.bfloat16 else None
                outs.append((str(t.dtype).split(".")[-1], tuple(t.shape),
                             bool(np.shares_memory(arr, a)), arr.tolist()))
            assert outs[0] == outs[1], (fn, a.dtype, a.shape, dtype, outs)


def _size_forms(L, shape, form):
    return {"varargs": (tuple(shape), {}), "tuple": ((tuple(shape),), {}),
            "list": ((list(shape),), {}), "Size": ((L.Size(shape),), {}),
            "kw": ((), {"size": tuple(shape)})}[form]


@requires_torch
@pytest.mark.parametrize("seed", range(4))
def test_filled_factories_random_arguments_as_torch(seed):
    rng = np.random.default_rng(seed)
    diffs = []
    fills = [0, 3, -1, 300, 2.5, -7.9, True, float("nan"), float("inf"), 1e6, 70000]
    for _ in range(150):
        shape = [int(s) for s in rng.integers(-1 if rng.random() < 0.05 else 0, 4,
                                             rng.integers(0 if rng.random() < .2 else 1, 4))]
        form = ["varargs", "tuple", "list", "Size", "kw"][rng.integers(5)]
        dt = [None, None] + _DTYPES
        dtype = dt[rng.integers(len(dt))]
        rg = bool(rng.random() < 0.2)
        fill = fills[rng.integers(len(fills))]
        fn = ["zeros", "ones", "empty", "full", "zeros_like", "ones_like", "empty_like",
              "full_like", "eye", "rand", "randn"][rng.integers(11)]
        extra = {"layout": "strided", "pin_memory": False, "device": "cpu", "dev_obj": "cpu",
                 None: None}[[None, "layout", "pin_memory", "device", "dev_obj"][rng.integers(5)]]

        def f(L, shape=shape, form=form, dtype=dtype, rg=rg, fill=fill, fn=fn, extra=extra):
            kw = {} if dtype is None else {"dtype": getattr(L, dtype)}
            if rg:
                kw["requires_grad"] = True
            if extra == "strided":
                kw["layout"] = L.strided
            elif extra is False:
                kw["pin_memory"] = False
            elif extra == "cpu":
                kw["device"] = L.device("cpu") if rng.random() < .5 else "cpu"
            L.manual_seed(seed)
            if fn in ("zeros", "ones", "empty", "rand", "randn"):
                args, k = _size_forms(L, shape, form)
                r = getattr(L, fn)(*args, **k, **kw)
                return r.zero_() if fn == "empty" and not rg else r if fn != "empty" else \
                    r.detach().zero_().requires_grad_()
            if fn == "full":
                return L.full(tuple(shape), fill, **kw)
            if fn == "eye":
                return L.eye(*[max(s, 0) for s in shape[:2]] or [2], **kw)
            base = L.ones(*[max(s, 0) for s in shape], dtype=L.float64 if rg else L.int32)
            if fn == "full_like":
                return L.full_like(base, fill, **kw)
            r = getattr(L, fn)(base, **kw)
            return r.detach().zero_().requires_grad_(r.requires_grad) if fn == "empty_like" else r
        ok, a, b = _same(f)
        if not ok:
            diffs.append((fn, shape, form, dtype, rg, fill, extra, a, b))
    assert not diffs, diffs[:3]


@requires_torch
@pytest.mark.parametrize("seed", range(4))
def test_ranges_random_arguments_as_torch(seed):
    rng = np.random.default_rng(seed)
    diffs = []
    nums = [0, 1, 3, -2, 10, 0.5, -1.5, 2.2, 7.75, 0.1, np.int32(4), np.float64(2.5)]
    for _ in range(150):
        a, b, c = (nums[i] for i in rng.integers(len(nums), size=3))
        steps = int(rng.integers(-1, 7))
        dt = [None, None] + _DTYPES
        dtype = dt[rng.integers(len(dt))]
        fn = ["arange1", "arange2", "arange3", "range", "linspace", "logspace", "logspace_base",
              "tril", "triu"][rng.integers(9)]
        if fn in ("arange3", "range") and dtype not in (None, "float32", "float64", "float16") \
                and abs(c) < 1:
            continue                     # (torch divides by the truncated step: SIGFPE)

        def f(L, a=a, b=b, c=c, steps=steps, dtype=dtype, fn=fn):
            kw = {} if dtype is None else {"dtype": getattr(L, dtype)}
            if fn == "arange1":
                return L.arange(b, **kw)
            if fn == "arange2":
                return L.arange(a, b, **kw)
            if fn == "arange3":
                return L.arange(a, b, c, **kw)
            if fn == "range":
                return L.range(a, b, c, **kw)
            if fn == "linspace":
                return L.linspace(a, b, steps, **kw)
            if fn == "logspace":
                return L.logspace(a, b, steps, **kw)
            if fn == "logspace_base":
                return L.logspace(a, b, steps, 2, **kw)
            return getattr(L, f"{fn}_indices")(steps, int(abs(int(a))) + 1, int(c), **kw)
        ok, x, y = _same(f)
        if not ok:
            diffs.append((fn, a, b, c, steps, dtype, x, y))
    assert not diffs, diffs[:3]


@requires_torch
@pytest.mark.parametrize("seed", range(4))
def test_random_factories_same_stream_as_torch(seed):
    rng = np.random.default_rng(seed)
    diffs = []
    for _ in range(60):
        shape = tuple(int(s) for s in rng.integers(0, 5, rng.integers(1, 3)))
        fn = ["rand", "randn", "randint", "randint2", "randperm", "normal_ff", "normal_tt",
              "normal_tf", "normal_ft", "rand_like", "randn_like", "randint_like", "bernoulli",
              "multinomial"][rng.integers(14)]
        use_gen = bool(rng.integers(2))
        dtype = ["float32", "float64", None][rng.integers(3)]
        s = int(rng.integers(1 << 31))

        def f(L, shape=shape, fn=fn, use_gen=use_gen, dtype=dtype, s=s):
            L.manual_seed(s)
            kw = {"generator": L.Generator().manual_seed(s + 1)} if use_gen else {}
            if dtype is not None and fn in ("rand", "randn", "randperm", "normal_ff",
                                            "rand_like", "randn_like", "randint"):
                kw["dtype"] = getattr(L, dtype)
            x = L.ones(*shape, dtype=L.float64 if dtype == "float64" else L.float32)
            return {"rand": lambda: L.rand(*shape, **kw), "randn": lambda: L.randn(shape, **kw),
                    "randint": lambda: L.randint(7, shape, **kw),
                    "randint2": lambda: L.randint(-3, 7, size=shape, **kw),
                    "randperm": lambda: L.randperm(shape[0], **kw),
                    "normal_ff": lambda: L.normal(1.0, 2.0, shape, **kw),
                    "normal_tt": lambda: L.normal(x, x * 2, **kw),
                    "normal_tf": lambda: L.normal(x, 0.5, **kw),
                    "normal_ft": lambda: L.normal(0.5, x, **kw),
                    "rand_like": lambda: L.rand_like(x, **kw),
                    "randn_like": lambda: L.randn_like(x, **kw),
                    "randint_like": lambda: L.randint_like(x, 2, 9, **kw),
                    "bernoulli": lambda: L.bernoulli(x * 0.5, **kw),
                    "multinomial": lambda: L.multinomial(x.reshape(-1)[:3] + 1, 2, True, **kw)
                    if x.numel() else L.zeros(0)}[fn]()
        ok, a, b = _same(f)
        if not ok:
            diffs.append((fn, shape, use_gen, dtype, a, b))
    assert not diffs, diffs[:3]


# ------------------------------------------------------------------------------------------------
# focused cases (each a bug found by the sweeps)
# ------------------------------------------------------------------------------------------------

_CASES = {
    # tensor(): torch's dtype inference (infer_scalar_type + promote_types)
    "np_f16_and_int": lambda L: L.tensor([np.float16(1.5), 1]),
    "np_i8_np_i32": lambda L: L.tensor([np.int8(1), np.int32(2)]),
    "np_u8_and_neg_int": lambda L: L.tensor([np.uint8(3), -1]),
    "np_bool_into_int": lambda L: L.tensor([np.bool_(True), 2]),
    "list_of_arrays": lambda L: L.tensor([np.array([1, 2], np.int32), np.array([3, 4], np.int32)]),
    "list_of_float64_arrays": lambda L: L.tensor([np.array([1.0, 2.0]), np.array([3, 4])]),
    "empty_float64_array_in_list": lambda L: L.tensor([np.zeros(0)]),
    "float64_0d_tensor_in_list": lambda L: L.tensor([L.tensor(1.0, dtype=L.float64), 2]),
    "1d_tensors_in_list": lambda L: L.tensor([L.tensor([1, 2]), L.tensor([3, 4])]),
    "float_tensor_into_int": lambda L: L.tensor([L.tensor(1.5), 2], dtype=L.int64),
    "grad_tensor_in_list": lambda L: L.tensor([L.tensor(1.0, requires_grad=True)]),
    "empty_then_full_row": lambda L: L.tensor([[], [1]]),
    "ragged": lambda L: L.tensor([[1, 2], [3]]),
    "number_then_list": lambda L: L.tensor([[1, 2], 3]),
    "none": lambda L: L.tensor(None),
    "none_in_list": lambda L: L.tensor([1, None]),
    "generator": lambda L: L.tensor(x for x in [1]),
    "dict": lambda L: L.tensor({1: 2}),
    "bytes": lambda L: L.tensor(b"ab"),
    "int_2_63": lambda L: L.tensor([2 ** 63]),
    "int_2_64": lambda L: L.tensor(2 ** 64),
    "int_2_64_float": lambda L: L.tensor([2 ** 64], dtype=L.float32),
    "range_object": lambda L: L.tensor(range(4)),
    "empty_range": lambda L: L.tensor(range(0)),
    "dtype_python_float": lambda L: L.tensor([1, 2], dtype=float),
    "dtype_numpy": lambda L: L.tensor([1.5], dtype=np.float64),
    "dtype_string": lambda L: L.zeros(2, dtype="float64"),
    "copy_construct": lambda L: L.tensor(L.tensor([1.0, 2.0])),
    "negative_strides": lambda L: L.tensor(np.arange(6.0)[::-1]),
    "negative_strides_from_numpy": lambda L: L.from_numpy(np.arange(6.0)[::-1]),
    "object_array": lambda L: L.tensor(np.array([1, 2], dtype=object)),
    "f16_overflow_no_numpy_warning": lambda L: L.tensor([1e5], dtype=L.float16),
    "array_into_int32_c_cast": lambda L: L.tensor(np.array([1e10]), dtype=L.int32),
    # sizes, keywords, out=
    "zeros_no_size": lambda L: L.zeros(),
    "zeros_negative": lambda L: L.zeros(-1),
    "ones_negative": lambda L: L.ones(2, -1),
    "rand_negative": lambda L: L.rand(-1),
    "randn_no_size": lambda L: L.randn(),
    "zeros_size_kw": lambda L: L.zeros(size=[2, 3]),
    "zeros_size_twice": lambda L: L.zeros(2, size=(2,)),
    "layout_strided": lambda L: L.ones(2, layout=L.strided),
    "layout_string": lambda L: L.ones(2, layout="strided"),
    "pin_memory_true": lambda L: L.ones(2, pin_memory=True),
    "full_int_size": lambda L: L.full(2, 1.0),
    "full_1d_tensor_fill": lambda L: L.full((2,), L.tensor([1.0])),
    "full_f16_overflow": lambda L: L.full((2,), 1e6, dtype=L.float16),
    "full_like_f16_overflow": lambda L: L.full_like(L.ones(2, dtype=L.float16), 1e6),
    "zeros_like_list": lambda L: L.zeros_like([1, 2]),
    "like_pin_memory": lambda L: L.randn_like(L.ones(2), pin_memory=False),
    "eye_negative": lambda L: L.eye(-1),
    "eye_negative_m": lambda L: L.eye(2, -1),
    "eye_none_m": lambda L: L.eye(2, None),
    "eye_tensor_n": lambda L: L.eye(L.tensor(2)),
    "arange_inf": lambda L: L.arange(0, float("inf")),
    "arange_nan": lambda L: L.arange(0, float("nan")),
    "arange_end_kw": lambda L: L.arange(end=4),
    "range_floats": lambda L: L.range(0, 1, 0.25),
    "range_zero_step": lambda L: L.range(0, 1, 0),
    "range_one_argument": lambda L: L.range(3),
    "linspace_negative_steps": lambda L: L.linspace(0, 1, -1),
    "linspace_float_steps": lambda L: L.linspace(0, 1, 3.0),
    "randint_int_size": lambda L: L.randint(5, 3),
    "randint_like_high_kw": lambda L: L.randint_like(L.ones(3), high=10),
    "normal_int_size": lambda L: L.normal(0, 1, 3),
    "tril_indices_requires_grad": lambda L: L.tril_indices(3, 3, requires_grad=True),
    "asarray_copy_false_list": lambda L: L.asarray([1, 2], copy=False),
    "asarray_copy_false_dtype": lambda L: L.asarray(np.ones(2), dtype=L.float32, copy=False),
    "asarray_scalar": lambda L: L.asarray(3.5),
    "empty_strided": lambda L: L.empty_strided((2, 3), (1, 2)).zero_(),
}


@requires_torch
@pytest.mark.parametrize("case", sorted(_CASES))
def test_factory_case_as_torch(case):
    torch.manual_seed(0)
    zerograd.manual_seed(0)
    ok, a, b = _same(_CASES[case])
    assert ok, (a, b)


_OUT_CASES = {
    "zeros": lambda L, o: L.zeros(2, 2, out=o),
    "ones": lambda L, o: L.ones(3, out=o),
    "full": lambda L, o: L.full((3,), 1.5, out=o),
    "arange": lambda L, o: L.arange(3, out=o),
    "range": lambda L, o: L.range(0, 2, out=o),
    "linspace": lambda L, o: L.linspace(0, 4, 3, out=o),
    "logspace": lambda L, o: L.logspace(0, 2, 3, out=o),
    "eye": lambda L, o: L.eye(2, out=o),
    "rand": lambda L, o: L.rand(3, out=o),
    "randn": lambda L, o: L.randn(3, out=o),
    "randint": lambda L, o: L.randint(9, (3,), out=o),
    "randperm": lambda L, o: L.randperm(3, out=o),
    "normal": lambda L, o: L.normal(0.0, 1.0, (3,), out=o),
}


@requires_torch
@pytest.mark.parametrize("case", sorted(_OUT_CASES))
@pytest.mark.parametrize("out_dtype", ["float32", "int64", "float64"])
def test_out_argument_as_torch(case, out_dtype):
    """out= is written (its dtype the result's, resized when needed) and returned."""
    res = []
    for L in (zerograd, torch):
        L.manual_seed(5)
        o = L.zeros(3, dtype=getattr(L, out_dtype))
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            try:
                r = _OUT_CASES[case](L, o)
            except (RuntimeError, TypeError) as e:
                res.append(type(e).__name__)
                continue
        res.append((r is o, str(o.dtype), tuple(o.shape), o.double().tolist()))
    assert res[0] == res[1]


def test_out_checks():
    o = zerograd.empty(2, dtype=zerograd.int64)
    with pytest.raises(RuntimeError, match="does not match dtype of out"):
        zerograd.ones(2, out=o, dtype=zerograd.float32)
    with pytest.raises(TypeError, match="argument 'out' must be Tensor"):
        zerograd.zeros(2, out=[1])
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        zerograd.ones(2, out=zerograd.empty(2, requires_grad=True))


@requires_torch
def test_memory_formats_and_strides_as_torch():
    for L in (zerograd, torch):
        t = L.ones(2, 3).t()
        x4 = L.ones(2, 3, 4, 5)
        got = [L.zeros_like(t).stride(), L.empty_like(t).stride(), L.full_like(t, 2).stride(),
               L.rand_like(t).stride(),
               L.zeros_like(t, memory_format=L.contiguous_format).stride(),
               L.randn_like(t, memory_format=L.contiguous_format).stride(),
               L.empty(2, 3, 4, 5, memory_format=L.channels_last).stride(),
               L.empty_like(x4, memory_format=L.channels_last).stride(),
               L.empty_strided((2, 3), (1, 2)).stride()]
        for bad in (lambda: L.empty(2, memory_format=L.channels_last),
                    lambda: L.empty(2, memory_format=L.preserve_format)):
            with pytest.raises(RuntimeError):
                bad()
        if L is zerograd:
            zs = got
    assert zs == got


@requires_torch
def test_memory_sharing_as_torch():
    a = np.arange(4.0)
    for L in (zerograd, torch):
        t = L.tensor([1.0, 2.0])
        assert L.as_tensor(t) is t and L.asarray(t) is t
        assert L.asarray(t, copy=True) is not t
        assert np.shares_memory(L.from_numpy(a).numpy(), a)
        assert np.shares_memory(L.as_tensor(a).numpy(), a)
        assert np.shares_memory(L.asarray(a).numpy(), a)
        assert not np.shares_memory(L.asarray(a, copy=True).numpy(), a)
        assert not np.shares_memory(L.tensor(a).numpy(), a)
        assert not np.shares_memory(L.as_tensor(a, dtype=L.float32).numpy(), a)
        g = L.asarray(a, requires_grad=True)
        assert g.requires_grad and g.is_leaf


def test_layout_and_memory_format_objects():
    import pickle
    assert repr(zerograd.strided) == "torch.strided"
    assert repr(zerograd.channels_last) == "torch.channels_last"
    assert isinstance(zerograd.contiguous_format, zerograd.memory_format)
    assert isinstance(zerograd.strided, zerograd.layout)
    assert pickle.loads(pickle.dumps(zerograd.preserve_format)) is zerograd.preserve_format


@requires_torch
def test_warnings_once_per_process():
    """torch warns once for a list of arrays and for a read-only array it wraps."""
    _creation._warned_ndarray_list[0] = _creation._warned_not_writable[0] = False
    ro = np.broadcast_to(np.ones(1), (3,))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        zerograd.tensor([np.ones(2), np.ones(2)])
        zerograd.tensor([np.ones(2), np.ones(2)])
        zerograd.from_numpy(ro)
        zerograd.as_tensor(ro)
    assert [str(x.message)[:30] for x in w] == ["Creating a tensor from a list ",
                                                "The given NumPy array is not w"]


@pytest.mark.xfail(strict=True, reason="intentional: zerograd has no uint16/uint32/uint64 or "
                   "complex dtypes (NumPy arrays of them are refused with a TypeError)")
@requires_torch
@pytest.mark.parametrize("np_dtype", ["uint16", "uint32", "uint64", "complex64"])
def test_unsupported_numpy_dtypes(np_dtype):
    a = np.ones(2, np_dtype)
    assert str(zerograd.from_numpy(a).dtype) == str(torch.from_numpy(a).dtype)
