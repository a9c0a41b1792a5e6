"""Parity tests: zerograd._tensor_str.format_tensor versus repr() of real torch tensors.

The module is loaded straight from its file so these tests do not depend on
the state of ``zerograd/__init__.py``.
"""

import importlib.util
import math
import pathlib
import sys

import numpy as np
import pytest

_PATH = pathlib.Path(__file__).resolve().parents[1] / "zerograd" / "_tensor_str.py"
_NAME = "zerograd_tensor_str_standalone"


def _load():
    if _NAME in sys.modules:
        return sys.modules[_NAME]
    spec = importlib.util.spec_from_file_location(_NAME, _PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[_NAME] = module
    spec.loader.exec_module(module)
    return module


ts = _load()
format_tensor = ts.format_tensor

DEFAULT_OPTS = dict(precision=4, threshold=1000, edgeitems=3, linewidth=80, sci_mode=None)


@pytest.fixture(autouse=True)
def _restore_printoptions():
    yield
    ts.set_printoptions(profile="default")
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_printoptions(profile="default", sci_mode=None)
        torch.set_default_dtype(torch.float32)


# --------------------------------------------------------------------------
# Tests that need no torch (hard-coded expectations taken from torch 2.x).
# --------------------------------------------------------------------------

@pytest.mark.parametrize("arr, kw, expected", [
    (np.array([1.0, 2.0], np.float32), {}, "tensor([1., 2.])"),
    (np.array(3.5, np.float32), {}, "tensor(3.5000)"),
    (np.array([4.5, -1.0], np.float32), {}, "tensor([ 4.5000, -1.0000])"),
    (np.array([127710.0, 1.5], np.float32), {}, "tensor([1.2771e+05, 1.5000e+00])"),
    (np.array([np.nan, np.inf, -np.inf], np.float32), {}, "tensor([nan, inf, -inf])"),
    (np.array([-0.0, 1.0], np.float32), {}, "tensor([-0., 1.])"),
    (np.zeros((0, 3), np.float32), {}, "tensor([], size=(0, 3))"),
    (np.zeros((0,), np.float32), {}, "tensor([])"),
    (np.zeros((0,), np.int64), {"dtype_name": "int64"}, "tensor([], dtype=torch.int64)"),
    (np.array([True, False]), {"dtype_name": "bool"}, "tensor([ True, False])"),
    (np.array(3.0, np.float16), {"dtype_name": "float16", "is_default_dtype": False},
     "tensor(3., dtype=torch.float16)"),
    (np.array([1.0], np.float64),
     {"dtype_name": "float64", "is_default_dtype": False, "suffixes": ["grad_fn=<MulBackward0>"]},
     "tensor([1.], dtype=torch.float64, grad_fn=<MulBackward0>)"),
    (np.full((2, 2), 3.0, np.float32), {"suffixes": ["grad_fn=<AddBackward0>"]},
     "tensor([[3., 3.],\n        [3., 3.]], grad_fn=<AddBackward0>)"),
    (np.array([1.0, 2.0], np.float32), {"suffixes": ["requires_grad=True"]},
     "tensor([1., 2.], requires_grad=True)"),
    (np.arange(10), {"dtype_name": "int64"}, "tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])"),
])
def test_known_strings(arr, kw, expected):
    kwargs = {"dtype_name": "float32", "is_default_dtype": True}
    if kw.get("dtype_name") in ("int64", "bool"):
        kwargs["is_default_dtype"] = True
    kwargs.update(kw)
    assert format_tensor(arr, **kwargs) == expected


def test_summarized_without_torch():
    out = format_tensor(np.arange(2000, dtype=np.int64), dtype_name="int64", is_default_dtype=True)
    assert out == "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])"


def test_printoptions_semantics():
    assert ts.get_printoptions() == DEFAULT_OPTS
    ts.set_printoptions(precision=2)
    assert ts.get_printoptions()["precision"] == 2
    ts.set_printoptions(profile="short")
    assert ts.get_printoptions() == dict(DEFAULT_OPTS, precision=2, edgeitems=2)
    ts.set_printoptions(profile="full", sci_mode=True)
    assert ts.get_printoptions() == dict(DEFAULT_OPTS, threshold=math.inf, sci_mode=True)
    ts.set_printoptions(linewidth=100)  # omitting sci_mode resets it, as torch does
    assert ts.get_printoptions()["sci_mode"] is None
    ts.set_printoptions(**DEFAULT_OPTS)
    assert ts.get_printoptions() == DEFAULT_OPTS
    ts.set_printoptions(threshold=5)
    assert format_tensor(np.arange(10), dtype_name="int64", is_default_dtype=True) == \
        "tensor([0, 1, 2,  ..., 7, 8, 9])"


# --------------------------------------------------------------------------
# Parity with real torch.
# --------------------------------------------------------------------------

def _torch():
    return pytest.importorskip("torch", reason="torch is the reference for parity tests")


def _ours(t, with_suffixes=True):
    """format_tensor for a torch tensor, deriving every argument the way the Tensor class would."""
    torch = sys.modules["torch"]
    dtype_name = str(t.dtype).removeprefix("torch.")
    data = t.detach()
    arr = data.float().numpy() if t.dtype == torch.bfloat16 else data.numpy()
    is_default = t.dtype in (torch.get_default_dtype(), torch.int64, torch.bool)
    suffixes = []
    if with_suffixes:
        if t.grad_fn is not None:
            suffixes.append(f"grad_fn=<{type(t.grad_fn).__name__}>")
        elif t.requires_grad:
            suffixes.append("requires_grad=True")
    return format_tensor(arr, dtype_name=dtype_name, is_default_dtype=is_default, suffixes=suffixes)


def _check(t):
    assert _ours(t) == repr(t)
    assert _ours(t) == str(t)


def _cases():
    torch = _torch()
    g = torch.Generator().manual_seed(0)
    rn = lambda *s, dtype=torch.float32: torch.randn(*s, generator=g, dtype=dtype)  # noqa: E731
    cases = {
        "scalar": torch.tensor(3.5),
        "scalar_int": torch.tensor(7),
        "scalar_bool": torch.tensor(True),
        "scalar_neg_zero": torch.tensor(-0.0),
        "scalar_nan": torch.tensor(float("nan")),
        "scalar_big": torch.tensor(1.5e12),
        "ints_vec": torch.tensor([1.0, 2.0, -3.0]),
        "fixed": torch.tensor([4.5, 1.25, -7.0]),
        "sci_ratio": torch.tensor([127710.0, 1.5]),
        "sci_big": torch.tensor([2e8, 3e8]),
        "sci_small": torch.tensor([5e-5, 1e-5]),
        "boundary_ratio": torch.tensor([1.0, 1000.0]),
        "boundary_ratio2": torch.tensor([1.0, 1000.5]),
        "nan_inf": torch.tensor([float("nan"), 1.0, -float("inf"), float("inf")]),
        "nan_inf_frac": torch.tensor([float("nan"), 1.5, -float("inf")]),
        "all_nonfinite": torch.tensor([float("nan"), float("inf")]),
        "zeros": torch.zeros(3),
        "neg_zero_mix": torch.tensor([-0.0, 0.5, 2.0]),
        "empty": torch.tensor([]),
        "empty_2d": torch.zeros(0, 3),
        "empty_3d": torch.zeros(2, 0, 4),
        "empty_int": torch.zeros(0, dtype=torch.int64),
        "empty_bool": torch.zeros(0, 2, dtype=torch.bool),
        "empty_f64": torch.zeros(0, dtype=torch.float64),
        "bools": torch.tensor([True, False, True]),
        "bools_2d": torch.rand(4, 5, generator=g) > 0.5,
        "ints": torch.randint(-1000, 1000, (5, 7), generator=g),
        "int_long_row": torch.arange(100),
        "uint8": torch.arange(0, 256, 7, dtype=torch.uint8),
        "int8": torch.tensor([-128, 0, 127], dtype=torch.int8),
        "int16": torch.tensor([-3, 300], dtype=torch.int16),
        "int32": torch.arange(12, dtype=torch.int32).reshape(3, 4),
        "f64": rn(3, 4, dtype=torch.float64),
        "f64_scalar": torch.tensor(2.0, dtype=torch.float64),
        "f16": rn(6, dtype=torch.float16),
        "f16_scalar": torch.tensor(3.0, dtype=torch.float16),
        "f16_big": torch.tensor([60000.0, 0.001], dtype=torch.float16),
        "bf16": rn(2, 3, dtype=torch.bfloat16),
        "1d": rn(7),
        "2d": rn(4, 5),
        "3d": rn(2, 3, 4),
        "4d": rn(2, 2, 3, 2),
        "5d": rn(2, 1, 2, 1, 3),
        "long_row_wrap": rn(60),
        "long_row_sci_wrap": rn(50) * 1e6,
        "wide_matrix": rn(3, 30),
        "summ_1d": rn(2000),
        "summ_1d_ints": torch.arange(5000),
        "summ_2d": rn(50, 50),
        "summ_2d_tall": rn(2000, 2),
        "summ_2d_wide": rn(2, 2000),
        "summ_3d": rn(20, 20, 20),
        "summ_4d": rn(10, 10, 10, 10),
        "summ_sci": rn(40, 40) * 1e9,
        "summ_int_valued": torch.arange(1500.0),
        "negatives": -torch.rand(3, 3, generator=g),
        "mixed_magnitudes": torch.tensor([1e-3, 1.0, 123.456, -0.5]),
        "tiny_and_big": torch.tensor([1e-10, 1e10, 0.0, -1.0]),
    }
    for k in range(-12, 13, 3):
        cases[f"mag_1e{k}"] = rn(3, 3) * 10.0**k
    return cases


_CASE_NAMES = [
    "scalar", "scalar_int", "scalar_bool", "scalar_neg_zero", "scalar_nan", "scalar_big",
    "ints_vec", "fixed", "sci_ratio", "sci_big", "sci_small", "boundary_ratio", "boundary_ratio2",
    "nan_inf", "nan_inf_frac", "all_nonfinite", "zeros", "neg_zero_mix", "empty", "empty_2d",
    "empty_3d", "empty_int", "empty_bool", "empty_f64", "bools", "bools_2d", "ints",
    "int_long_row", "uint8", "int8", "int16", "int32", "f64", "f64_scalar", "f16", "f16_scalar",
    "f16_big", "bf16", "1d", "2d", "3d", "4d", "5d", "long_row_wrap", "long_row_sci_wrap",
    "wide_matrix", "summ_1d", "summ_1d_ints", "summ_2d", "summ_2d_tall", "summ_2d_wide",
    "summ_3d", "summ_4d", "summ_sci", "summ_int_valued", "negatives", "mixed_magnitudes",
    "tiny_and_big",
] + [f"mag_1e{k}" for k in range(-12, 13, 3)]


_NON_FLOAT = {"scalar_int", "scalar_bool", "empty_int", "empty_bool", "bools", "bools_2d", "ints",
              "int_long_row", "uint8", "int8", "int16", "int32", "summ_1d_ints"}
_FLOAT_NAMES = [n for n in _CASE_NAMES if n not in _NON_FLOAT]


@pytest.fixture(scope="module")
def cases():
    return _cases()


@pytest.mark.parametrize("name", _CASE_NAMES)
def test_parity_plain(cases, name):
    _check(cases[name])


@pytest.mark.parametrize("name", _FLOAT_NAMES)
def test_parity_requires_grad(cases, name):
    t = cases[name]
    assert t.dtype.is_floating_point
    _check(t.clone().requires_grad_(True))


@pytest.mark.parametrize("name", _FLOAT_NAMES)
def test_parity_grad_fn(cases, name):
    t = cases[name]
    assert t.dtype.is_floating_point
    leaf = t.clone().requires_grad_(True)
    _check(leaf * 2)
    _check(leaf + leaf)


@pytest.mark.parametrize("opts", [
    dict(precision=2),
    dict(precision=0),
    dict(precision=8),
    dict(threshold=5),
    dict(threshold=0),
    dict(edgeitems=1, threshold=10),
    dict(edgeitems=0, threshold=10),
    dict(linewidth=40),
    dict(linewidth=200),
    dict(linewidth=10),
    dict(sci_mode=True),
    dict(sci_mode=False),
    dict(profile="short"),
    dict(profile="full"),
    dict(profile="full", linewidth=120, precision=3),
])
@pytest.mark.parametrize("name", ["scalar", "fixed", "ints_vec", "sci_ratio", "nan_inf", "zeros",
                                  "2d", "3d", "long_row_wrap", "summ_1d", "summ_2d", "ints",
                                  "bools", "empty_2d", "f64", "mag_1e-12", "mag_1e9", "f16_big"])
def test_parity_printoptions(cases, opts, name):
    torch = sys.modules["torch"]
    torch.set_printoptions(**opts)
    ts.set_printoptions(**opts)
    assert ts.get_printoptions() == dict(vars(torch._tensor_str.PRINT_OPTS))
    t = cases[name]
    _check(t)
    if t.dtype.is_floating_point and t.numel():
        _check(t.clone().requires_grad_(True) * 1)


@pytest.mark.parametrize("name", ["scalar", "2d", "f64", "f16", "empty", "empty_f64", "ints"])
def test_parity_default_dtype_float64(cases, name):
    torch = sys.modules["torch"]
    torch.set_default_dtype(torch.float64)
    _check(cases[name])


def test_suffix_wraps_to_new_line():
    torch = _torch()
    # last line long enough that the suffix does not fit within linewidth 80
    t = (torch.arange(16.0) + 0.5).reshape(2, 8).to(torch.float64).requires_grad_()
    _check(t)
    _check(t * 2)
    _check(torch.arange(11.0, dtype=torch.float64).requires_grad_() + 0.25)
    _check((torch.arange(60.0) / 7).requires_grad_() * 3)
    for n in range(1, 16):  # sweep across the wrapping boundary
        _check((torch.arange(float(n), dtype=torch.float16) + 0.5).requires_grad_() * 1)


def test_bfloat16_from_float32_carrier():
    torch = _torch()
    t = torch.tensor([1.5, -2.25, 1e5], dtype=torch.bfloat16)
    ours = format_tensor(t.float().numpy(), dtype_name="bfloat16", is_default_dtype=False)
    assert ours == repr(t)


def test_bfloat16_ml_dtypes_array():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    torch = _torch()
    values = [1.5, -2.25, 1e5]
    arr = np.array(values, dtype=ml_dtypes.bfloat16)
    ours = format_tensor(arr, dtype_name="bfloat16", is_default_dtype=False)
    assert ours == repr(torch.tensor(values, dtype=torch.bfloat16))


# --------------------------------------------------------------------------
# Property test.
# --------------------------------------------------------------------------

try:
    from hypothesis import given, settings, strategies as st
    from hypothesis.extra import numpy as hnp
except ImportError:  # pragma: no cover - hypothesis is an optional test dependency
    hnp = None

if hnp is not None:

    @st.composite
    def _float_arrays(draw):
        dtype = draw(st.sampled_from([np.float32, np.float64, np.float16]))
        shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5))
        scale = 10.0 ** draw(st.integers(-8, 8))
        width = 16 if dtype == np.float16 else 32 if dtype == np.float32 else 64
        elements = st.one_of(
            st.floats(-1e3, 1e3, width=width),
            st.integers(-50, 50).map(float),
            st.sampled_from([0.0, -0.0, math.nan, math.inf, -math.inf]),
        )
        arr = draw(hnp.arrays(np.float64, shape, elements=elements))
        with np.errstate(over="ignore", invalid="ignore"):
            return np.asarray((arr * scale).astype(dtype))

    @settings(max_examples=300, deadline=None)
    @given(_float_arrays(), st.booleans())
    def test_property_random_floats(arr, grad):
        torch = _torch()
        t = torch.from_numpy(np.array(arr))
        if grad and t.numel():
            t = t.requires_grad_() * 1
        _check(t)
