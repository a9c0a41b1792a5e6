"""Text formatting of tensors, reproducing ``repr(torch_tensor)`` character for character.

Pure NumPy.  The layout rules mirror PyTorch's ``torch/_tensor_str.py``:

* One formatter is built per tensor from all of its (summarized) values, so
  every element is right-aligned to a common width.
* Floats use one of three styles, chosen from the nonzero finite values only:
  integer style (``1.``, ``-3.``) when every such value is integral,
  scientific (``1.2771e+05``) when max/min > 1000, max > 1e8 or min < 1e-4,
  otherwise fixed point with ``precision`` decimals.  Zeros, nan and inf never
  influence the style or the width.
* Tensors with more than ``threshold`` elements are summarized: each dimension
  longer than ``2 * edgeitems`` keeps ``edgeitems`` entries at each end with
  ``...`` between them.
* 1-D rows wrap so no line holds more elements than fit in ``linewidth``.
* Trailing ``key=value`` suffixes go after the data, wrapping onto a new line
  when the current last line would grow beyond ``linewidth``.
"""

import math
from typing import Any

import numpy as np

__all__ = ["format_tensor", "set_printoptions", "get_printoptions", "PRINT_OPTS"]

_PREFIX = "tensor("


class _PrintOptions:
    """torch._tensor_str.PRINT_OPTS: the options set_printoptions changes."""

    def __init__(self, precision: int = 4, threshold: float = 1000, edgeitems: int = 3,
                 linewidth: int = 80, sci_mode: bool | None = None):
        self.precision = precision
        self.threshold = threshold
        self.edgeitems = edgeitems
        self.linewidth = linewidth
        self.sci_mode = sci_mode

    def __repr__(self):
        return "_PrintOptions(" + ", ".join(f"{k}={v!r}" for k, v in vars(self).items()) + ")"


PRINT_OPTS = _PrintOptions()

_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Same semantics as ``torch.set_printoptions``.

    A profile ("default", "short", "full") is applied first and the explicit
    arguments override it.  As in torch, ``sci_mode`` is always assigned, so a
    call that omits it resets it to ``None`` (automatic).
    """
    if profile is not None and profile in _PROFILES:
        for key, value in _PROFILES[profile].items():
            setattr(PRINT_OPTS, key, value)
    for key, value in (("precision", precision), ("threshold", threshold),
                       ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            setattr(PRINT_OPTS, key, value)
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """Current options as a dict that can be passed back to ``set_printoptions``."""
    return dict(vars(PRINT_OPTS))


def _is_floating(dtype_name: str) -> bool:
    return dtype_name.startswith("float") or dtype_name == "bfloat16"


def _summarized_values(arr: np.ndarray) -> np.ndarray:
    """Flat array of the values that remain visible after summarization.

    Only these values feed the formatter (width and float style).  Faithful to
    torch, including its quirk that a 1-D tensor with ``edgeitems == 0`` keeps
    every value (``a[-0:]`` is the whole array).
    """
    e = PRINT_OPTS.edgeitems
    if arr.ndim == 0:
        return arr.reshape(-1)
    if arr.ndim == 1:
        if arr.shape[0] > 2 * e:
            return np.concatenate((arr[:e], arr[-e:]))
        return arr
    if not e:
        return arr.reshape(-1)[:0]
    rows = range(arr.shape[0])
    if arr.shape[0] > 2 * e:
        rows = list(range(e)) + list(range(arr.shape[0] - e, arr.shape[0]))
    return np.concatenate([_summarized_values(arr[i]) for i in rows])


class _Formatter:
    """Chooses the element style and the common width from the given values."""

    def __init__(self, values: np.ndarray, floating: bool):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        prec = PRINT_OPTS.precision

        if not floating:
            for v in values.tolist():
                self.max_width = max(self.max_width, len(str(v)))
            return

        # Only nonzero finite values decide the style and the width.
        vals = values[np.isfinite(values) & (values != 0)]
        if vals.size == 0:
            return  # all zero / nan / inf: integer style, width 1
        absv = np.abs(vals)
        vmin, vmax = float(absv.min()), float(absv.max())
        self.int_mode = bool(np.all(vals == np.ceil(vals)))
        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = vmax / vmin > 1000.0 or vmax > 1.0e8 or vmin < 1.0e-4
        else:
            self.sci_mode = PRINT_OPTS.sci_mode

        for v in vals.tolist():
            if self.sci_mode:
                width = len(f"{v:.{prec}e}")
            elif self.int_mode:
                width = len(f"{v:.0f}") + 1  # +1 for the trailing "."
            else:
                width = len(f"{v:.{prec}f}")
            self.max_width = max(self.max_width, width)

    def format(self, value) -> str:
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:.{PRINT_OPTS.precision}e}"
        elif self.int_mode:
            text = f"{value:.0f}"
            if math.isfinite(value):
                text += "."  # mark integral floats as floats: "3."
        else:
            text = f"{value:.{PRINT_OPTS.precision}f}"
        return text.rjust(self.max_width)


def _vector_str(arr: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    e = PRINT_OPTS.edgeitems
    # each element costs its width plus ", "
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / (fmt.max_width + 2)))
    if summarize and not e:
        data = ["..."]
    elif summarize and arr.shape[0] > 2 * e:
        data = ([fmt.format(v) for v in arr[:e].tolist()] + [" ..."]
                + [fmt.format(v) for v in arr[-e:].tolist()])
    else:
        data = [fmt.format(v) for v in arr.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str(arr: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if arr.ndim == 0:
        return fmt.format(arr.item())
    if arr.ndim == 1:
        return _vector_str(arr, indent, summarize, fmt)
    e = PRINT_OPTS.edgeitems
    n = arr.shape[0]
    if summarize and n > 2 * e:
        slices = ([_tensor_str(arr[i], indent + 1, summarize, fmt) for i in range(e)]
                  + ["..."]
                  + [_tensor_str(arr[i], indent + 1, summarize, fmt) for i in range(n - e, n)])
    else:
        slices = [_tensor_str(arr[i], indent + 1, summarize, fmt) for i in range(n)]
    # sub-blocks of a k-D tensor are separated by k-1 newlines (blank lines)
    return "[" + ("," + "\n" * (arr.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    parts = [text]
    # torch's (slightly odd) measure of the last line: it counts 2 extra chars
    # when there is no newline and 1 extra char otherwise.
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def format_tensor(arr: "np.ndarray", *, dtype_name: str, is_default_dtype: bool,
                  suffixes: list[str] | None = None) -> str:
    """Return the text torch prints for a tensor holding `arr`.

    dtype_name: e.g. "float32", "float64", "int64", "bool", "float16", "bfloat16".
    is_default_dtype: True when torch would not print the dtype (the default
        float dtype, int64, bool).
    suffixes: extra "key=value" strings appended after size/dtype, in order,
        e.g. ["requires_grad=True"] or ["grad_fn=<AddBackward0>"].
    """
    arr = np.asarray(arr)
    floating = _is_floating(dtype_name)
    if floating:
        # float16 / bfloat16 (ml_dtypes or float32 carrier) widen exactly.
        arr = arr.astype(np.float32).astype(np.float64) if arr.dtype != np.float64 else arr
    elif dtype_name == "bool":
        arr = arr.astype(bool)
    indent = len(_PREFIX)
    extra: list[str] = []
    dtype_str = "dtype=torch." + dtype_name

    if arr.size == 0:
        # Empty: print the shape unless it is (0,), and the dtype unless it is
        # the default *float* dtype (int64/bool cannot be inferred from "[]").
        if arr.ndim != 1:
            extra.append("size=" + str(tuple(arr.shape)))
        if not (is_default_dtype and floating):
            extra.append(dtype_str)
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            extra.append("size=" + str(tuple(arr.shape)))
        if not is_default_dtype:
            extra.append(dtype_str)
        summarize = arr.size > PRINT_OPTS.threshold
        values = _summarized_values(arr) if summarize else arr.reshape(-1)
        body = _tensor_str(arr, indent, summarize, _Formatter(values, floating))

    return _add_suffixes(_PREFIX + body, extra + list(suffixes or []), indent)
