"""Check hand-derived gradients, and say what is wrong with them (the lecture's A0).

    X = zerograd.randn(B, H, D, dtype=zerograd.float64)
    W = zerograd.randn(D, E, dtype=zerograd.float64)
    Y = X @ W;  G = 2 * Y                                   # Loss = Σ Y², so dLoss/dY = 2Y
    dW = X.reshape(-1, D).T @ G.reshape(-1, E)              # the batch dims summed
    dX = G @ W.T
    report = zerograd.debug.check_manual_grad(lambda X, W: (X @ W).pow(2).sum(),
                                              {"X": X, "W": W}, {"X": dX, "W": dW})
    print(report); assert report.ok

The hand-derived gradients are compared with autograd's, and autograd's with float64 central
differences (so a wrong `fn` is told apart from a wrong derivation).  On a mismatch the report
names the input and tries the usual mistakes, one transformation at a time, to find the one that
explains it:

  transposed           the manual gradient is the transpose of the true one (Gᵀ·X for Xᵀ·G)
  missing_batch_sum    it keeps batch dims the true gradient sums over (dW per sample)
  scaled               it is c × the true gradient: c = 1/N is a mean where the loss sums
                       (mean vs sum), c = 2 or 1/2 a factor 2 (d(y²)/dy = 2y)
  wrong_sign           it is minus the true gradient
  wrong_shape          its shape is not the input's (and no transformation above explains it;
                       the right numbers in another layout are reported as such)
  other_input          it is the gradient of another input (swapped)
  mismatch             none of these: the worst elements are shown
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field

import numpy as np

__all__ = ["check_manual_grad", "ManualGradReport", "InputCheck"]


@dataclass
class InputCheck:
    name: str
    ok: bool
    diagnosis: list = field(default_factory=list)     # codes, e.g. ['missing_batch_sum']
    message: str = ""
    expected_shape: tuple = ()
    got_shape: tuple = ()
    worst: list = field(default_factory=list)         # (index, manual, autograd, numeric)


class ManualGradReport:
    """The result of check_manual_grad: `ok`, one InputCheck per input, and a readable str."""

    def __init__(self, checks, notes):
        self.checks = checks
        self.notes = notes

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def __bool__(self):
        return self.ok

    def __getitem__(self, name) -> InputCheck:
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def diagnoses(self) -> dict:
        return {c.name: c.diagnosis for c in self.checks if not c.ok}

    def __str__(self):
        lines = []
        for c in self.checks:
            if c.ok:
                lines.append(f"d{c.name}: OK (matches autograd{c.message})")
                continue
            lines.append(f"d{c.name}: WRONG [{', '.join(c.diagnosis)}]")
            for part in c.message.splitlines():
                lines.append("  " + part)
            if c.worst:
                lines.append("  worst elements (index: manual | autograd | finite differences):")
                for idx, m, a, n in c.worst:
                    ns = "-" if n is None else f"{n: .6g}"
                    ms = "-" if m is None else f"{m: .6g}"
                    lines.append(f"    {str(list(idx)):<14} {ms:>13} | {a: .6g} | {ns}")
        lines += self.notes
        return "\n".join(lines)

    __repr__ = __str__


def _array(x):
    if x is None:
        return None
    if hasattr(x, "_data"):
        return np.asarray(x._data, np.float64)
    return np.asarray(x, np.float64)


def check_manual_grad(fn, inputs, manual_grads, *, rtol=1e-6, atol=1e-6, numerical=True,
                      max_numerical=4000, eps=1e-6) -> ManualGradReport:
    """Compare `manual_grads` (hand-derived dLoss/dinput, one per input; None to skip one) with
    autograd's gradient of `fn(*inputs)` (a scalar; a non-scalar is summed), in float64.

    inputs        a sequence of tensors, or a dict name -> tensor (the names are used in the
                  report; fn is called with the values in order)
    manual_grads  a sequence aligned with inputs, or a dict name -> gradient (tensors/arrays)
    numerical     also check autograd against central differences (elements beyond
                  `max_numerical` per input are sampled)"""
    from .. import grad_mode
    from ..autograd import grad as _grad
    from ..tensor import Tensor
    if isinstance(inputs, dict):
        names, values = list(inputs), list(inputs.values())
    else:
        values = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        names = _param_names(fn, len(values))
    if isinstance(manual_grads, dict):
        unknown = set(manual_grads) - set(names)
        if unknown:
            raise KeyError(f"manual_grads names {sorted(unknown)}, which are not inputs "
                           f"({names})")
        manual = [manual_grads.get(n) for n in names]
    else:
        manual = list(manual_grads) if isinstance(manual_grads, (list, tuple)) else [manual_grads]
        if len(manual) != len(values):
            raise ValueError(f"got {len(manual)} manual gradients for {len(values)} inputs")
    xs = []
    for n, v in zip(names, values):
        a = _array(v)
        xs.append(Tensor._make(np.array(a, np.float64), True, None, 0))
    notes = []
    with grad_mode.enable_grad():
        out = fn(*xs)
        if not isinstance(out, Tensor):
            raise TypeError(f"fn must return a Tensor (the loss), got {type(out).__name__}")
        if out.numel() != 1:
            notes.append(f"note: fn returned shape {list(out.shape)}, not a scalar: checked the "
                         "gradient of its sum")
            out = out.sum()
        auto = _grad(out, xs, allow_unused=True)
    autos = [np.zeros_like(x._data) if g is None else np.asarray(g._data, np.float64)
             for x, g in zip(xs, auto)]
    nums = [None] * len(xs)
    if numerical:
        for i, m in enumerate(manual):
            if m is None:
                continue
            nums[i] = _central(fn, xs, i, eps, max_numerical)
            idx, vals = nums[i]
            a = autos[i].reshape(-1)[idx]
            if not np.allclose(vals, a, rtol=1e-4, atol=1e-5):
                k = int(np.argmax(np.abs(vals - a)))
                notes.append(f"warning: autograd and finite differences disagree for {names[i]} "
                             f"(at {list(np.unravel_index(idx[k], xs[i].shape))}: autograd "
                             f"{a[k]:.6g}, finite differences {vals[k]:.6g}): fn may not be "
                             "differentiable there, or an op's backward is wrong")
    checks = []
    for i, (name, m) in enumerate(zip(names, manual)):
        if m is None:
            continue
        checks.append(_check(name, _array(m), autos[i], nums[i], names, autos, rtol, atol,
                             xs[i]._data.shape, [(n, x._data.shape) for n, x in zip(names, xs)]))
    return ManualGradReport(checks, notes)


def _param_names(fn, n):
    try:
        ps = [p.name for p in inspect.signature(fn).parameters.values()
              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        ps = []
    return ps[:n] if len(ps) >= n else [f"inputs[{i}]" for i in range(n)]


def _central(fn, xs, i, eps, limit):
    """Central differences of fn's (summed) output w.r.t. xs[i] at up to `limit` elements."""
    from .. import grad_mode
    x = xs[i]._data
    n = x.size
    if n <= limit:
        idx = np.arange(n)
    else:
        idx = np.sort(np.random.default_rng(0).choice(n, limit, replace=False))
    flat = x.reshape(-1)
    vals = np.empty(len(idx))
    with grad_mode.no_grad():
        for k, j in enumerate(idx):
            old = flat[j]
            flat[j] = old + eps
            f1 = float(np.sum(fn(*xs)._data))
            flat[j] = old - eps
            f2 = float(np.sum(fn(*xs)._data))
            flat[j] = old
            vals[k] = (f1 - f2) / (2 * eps)
    return idx, vals


def _close(a, b, rtol, atol):
    return a.shape == b.shape and np.allclose(a, b, rtol=rtol, atol=atol)


def _scale_of(m, a, rtol, atol):
    """c when m ≈ c·a for one number c ≠ 1 (None otherwise)."""
    aa = float(np.sum(a * a))
    if aa == 0 or m.shape != a.shape:
        return None
    c = float(np.sum(m * a)) / aa
    if abs(c - 1) < 1e-9 or c == 0:
        return None
    if np.allclose(m, c * a, rtol=max(rtol, 1e-6), atol=atol * max(1.0, abs(c))):
        return c
    return None


def _describe_scale(c, shapes=()):
    s = abs(c)
    k = round(s)
    inv = round(1 / s) if s > 0 else 0
    sign = "minus " if c < 0 else ""
    if k >= 1 and abs(s - k) < 1e-6 * max(1, s):
        if k == 2:
            return (f"it is {sign}2 × the true gradient: a factor 2 too many (d(y²)/dy = 2y "
                    "counted twice, or 2·G where G already holds the 2)")
        return (f"it is {sign}{k} × the true gradient: the loss averages over N = {k} elements "
                f"(a mean) but your derivation sums: divide by {k} (mean vs sum)"
                f"{_n_hint(k, shapes)}")
    if inv >= 2 and abs(1 / s - inv) < 1e-6 * inv:
        if inv == 2:
            return (f"it is {sign}1/2 × the true gradient: a factor 2 missing (d(y²)/dy = 2y, "
                    "not y)")
        return (f"it is {sign}1/{inv} × the true gradient: you divided by N = {inv} (a mean) "
                f"where the loss sums (mean vs sum){_n_hint(inv, shapes)}")
    return f"it is {c:.6g} × the true gradient (a missing or extra constant factor)"


def _n_hint(n, shapes):
    """'; N = 2 × 3, the leading dims of X' when some input's leading dims multiply to n."""
    for name, shape in shapes:
        for k in range(1, len(shape) + 1):
            if int(np.prod(shape[:k])) == n:
                dims = " × ".join(str(d) for d in shape[:k])
                what = "the number of elements" if k == len(shape) else "the leading dims"
                return f"; N = {dims}: {what} of {name} {list(shape)}"
    return ""


def _sum_dims(shape, target):
    """Dims of a `target`-shaped array to sum so it becomes `shape` (None if impossible)."""
    if len(shape) > len(target):
        return None
    lead = len(target) - len(shape)
    for s, t in zip(shape, target[lead:]):
        if s != t and s != 1:
            return None
    return tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape)
                                      if s == 1 and target[lead + i] != 1)


def _candidates(m, shape, name):
    """(array of `shape`, codes, explanation) for the usual mistakes, most likely first."""
    out = []
    if m.shape == shape:
        out.append((m, [], ""))
    if m.ndim >= 2 and m.shape[:-2] + m.shape[-2:][::-1] == shape and m.shape[-1] != m.shape[-2] \
            or m.ndim >= 2 and m.shape == shape and m.shape[-1] == m.shape[-2]:
        out.append((np.swapaxes(m, -1, -2), ["transposed"],
                    f"it is the transpose of the true gradient (shape {list(m.shape)}, expected "
                    f"{list(shape)}): e.g. Gᵀ·X where Xᵀ·G was needed; transpose it"))
    if m.shape != shape:
        dims = _sum_dims(shape, m.shape)
        if dims:
            s = m.sum(axis=dims, keepdims=False)
            s = s.reshape(shape)
            out.append((s, ["missing_batch_sum"],
                        f"it keeps dims {dims} of shape {[m.shape[d] for d in dims]} that the true "
                        f"gradient sums over: every batch position contributes to the same "
                        f"parameter, so sum over them (d{name} = Σ_batch ...): "
                        f".sum(axis={dims if len(dims) > 1 else dims[0]})"))
        if m.size == int(np.prod(shape)):
            out.append((m.reshape(shape), ["wrong_shape"],
                        f"its shape is {list(m.shape)}, expected {list(shape)}: the numbers are "
                        f"right but laid out wrongly: .reshape({list(shape)})"))
    return out


def _check(name, m, a, num, names, autos, rtol, atol, shape, shapes) -> InputCheck:
    shape = tuple(shape)
    c = InputCheck(name, False, expected_shape=shape, got_shape=tuple(m.shape))
    for arr, codes, why in _candidates(m, shape, name):
        if _close(arr, a, rtol, atol):
            if not codes:
                c.ok = True
                if num is not None:
                    c.message = " and finite differences"
                return c
            c.diagnosis, c.message = codes, why
            return c
        if _close(arr, -a, rtol, atol) and np.any(a):
            c.diagnosis = codes + ["wrong_sign"]
            c.message = (why + "\nand " if why else "") + \
                "it is minus the true gradient: a sign flipped (e.g. L = (y - t)² gives " \
                "2(y - t), not 2(t - y))"
            c.worst = _worst(arr, a, num, shape)
            return c
        s = _scale_of(arr, a, rtol, atol)
        if s is not None:
            c.diagnosis = codes + (["scaled"] if s > 0 else ["scaled", "wrong_sign"])
            c.message = (why + "\nand " if why else "") + _describe_scale(s, shapes)
            c.worst = _worst(arr, a, num, shape)
            return c
    for other, oa in zip(names, autos):
        if other != name and m.shape == oa.shape and np.allclose(m, oa, rtol=rtol, atol=atol):
            c.diagnosis = ["other_input"]
            c.message = f"it is the gradient of {other}, not of {name} (swapped?)"
            return c
    if m.shape != shape:
        c.diagnosis = ["wrong_shape"]
        c.message = (f"its shape is {list(m.shape)}, but {name} has shape {list(shape)}: a "
                     f"gradient always has its input's shape")
        return c
    c.diagnosis = ["mismatch"]
    bad = ~np.isclose(m, a, rtol=rtol, atol=atol)
    c.message = (f"{int(bad.sum())} of {m.size} elements differ (none of: transposed, missing "
                 "batch sum, scaled, wrong sign explains it)")
    c.worst = _worst(m, a, num, shape)
    return c


def _worst(m, a, num, shape, k=5):
    if m.shape != a.shape:
        return []
    d = np.abs(m - a).reshape(-1)
    order = np.argsort(-d, kind="stable")[:k]
    numv = {}
    if num is not None:
        idx, vals = num
        numv = dict(zip(idx.tolist(), vals.tolist()))
    return [(tuple(int(i) for i in np.unravel_index(j, shape)), float(m.reshape(-1)[j]),
             float(a.reshape(-1)[j]), numv.get(int(j))) for j in order if d[j] > 0]
