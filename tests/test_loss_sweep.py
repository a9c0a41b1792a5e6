"""Losses against PyTorch: a seeded random sweep of every loss in nn.functional and its nn.*Loss
module - reductions (and the deprecated size_average/reduce), 0-d, 1-d, N-d and empty inputs,
broadcastable-but-different targets (torch warns), float32/float64 and wrong dtypes, targets at
and beyond the class bounds, nan/inf inputs, requires_grad on input, target and weights.
Compared: the result's dtype, shape, values (nan where torch's), requires_grad and grad_fn
name, the gradients of every leaf that requires grad (backward with a random upstream
gradient), the warnings, and the error type with its message (zerograd may add a hint after
torch's text).  Then gradcheck in float64 for representative configurations of each loss, and
focused tests for each difference the sweep found."""
from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest

import zerograd
from tests._oracle import requires_torch, torch

RED = ["none", "mean", "sum"]
SHAPES = [(), (1,), (5,), (3, 4), (2, 3, 2), (0,), (0, 3)]
# zerograd silences NumPy's floating point warnings raised in its op modules (ops/__init__.py)
_ZG_FILTER = r"zerograd\.(ops(\.|$)|autograd\.(engine|function|fastpath)$)"


# ------------------------------------------------------------------------------------------------
# the harness: a case is {"fn" or "module"(+"ctor"), "args", "kw"}; tensors are _T specs
# ------------------------------------------------------------------------------------------------

class _T:
    """A tensor spec: an array and whether it requires grad."""

    def __init__(self, a, rg=False):
        self.a, self.rg = np.asarray(a), rg

    def __repr__(self):
        return f"T({self.a.dtype}{list(self.a.shape)}{' rg' if self.rg else ''})"


def _build(L, v, leaves):
    if isinstance(v, _T):
        t = L.tensor(v.a.copy(), requires_grad=v.rg)
        if v.rg:
            leaves.append(t)
        return t
    return v


def _f64(L, t):
    return t.detach().to(L.float64).numpy().copy()


def _run(L, case):
    leaves, rec = [], {}
    args = [_build(L, v, leaves) for v in case["args"]]
    kw = {k: _build(L, v, leaves) for k, v in case.get("kw", {}).items()}
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=RuntimeWarning, module=_ZG_FILTER)
        try:
            if "module" in case:
                ctor = {k: _build(L, v, leaves) for k, v in case["ctor"].items()}
                out = getattr(L.nn, case["module"])(**ctor)(*args)
            else:
                out = getattr(L.nn.functional, case["fn"])(*args, **kw)
        except Exception as e:                                  # noqa: BLE001 - compared
            rec["raise"] = (type(e).__name__, str(e).split("\n")[0].split(" Fix:")[0])
        else:
            rec["out"] = (str(out.dtype), tuple(out.shape), out.requires_grad,
                          out.grad_fn.name() if out.grad_fn is not None else None)
            rec["val"] = _f64(L, out) if out.is_floating_point() else out.numpy().copy()
            if out.requires_grad:
                g = np.random.default_rng(case["gseed"]).standard_normal(out.shape)
                try:
                    out.backward(L.tensor(g).to(out.dtype))
                    rec["grads"] = [None if x.grad is None else (str(x.grad.dtype), _f64(L, x.grad))
                                    for x in leaves]
                except Exception as e:                          # noqa: BLE001 - compared
                    rec["braise"] = (type(e).__name__, str(e).split("\n")[0].split(" Fix:")[0])
    # NumPy's own RuntimeWarnings (a sum of inf and -inf, raised from numpy's module) are left
    # out: a Tensor-wide matter of zerograd's reductions, not of the losses
    rec["warn"] = [(x.category.__name__, str(x.message)) for x in w
                   if not (x.category is RuntimeWarning and "encountered in" in str(x.message))]
    return rec


def _close(a, b, rtol, atol):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype.kind != b.dtype.kind and "f" not in (a.dtype.kind,
                                                                          b.dtype.kind):
        return False
    if a.dtype.kind != "f" or b.dtype.kind != "f":
        return np.array_equal(a, b)
    if not np.array_equal(np.isnan(a), np.isnan(b)):
        return False
    m = ~np.isnan(a)
    return np.allclose(a[m], b[m], rtol=rtol, atol=atol)


def _low_precision(case):
    """float32 (or integer) operands somewhere: compare at float32's tolerance."""
    if "f32" in case:
        return case["f32"]
    vals = list(case["args"]) + list(case.get("kw", {}).values()) + \
        list(case.get("ctor", {}).values())
    return any(isinstance(v, _T) and v.a.dtype != np.float64 for v in vals)


def _diffs(case):
    t, z = _run(torch, case), _run(zerograd, case)
    d = []
    if "raise" in t or "raise" in z:
        if t.get("raise", ("-",))[0] != z.get("raise", ("-",))[0]:
            d.append(f"raise: torch {t.get('raise')} zerograd {z.get('raise')}")
        elif not z["raise"][1].startswith(t["raise"][1]):
            d.append(f"message: torch {t['raise'][1]!r} zerograd {z['raise'][1]!r}")
    else:
        if t["out"] != z["out"]:
            d.append(f"dtype/shape/requires_grad/grad_fn: torch {t['out']} zerograd {z['out']}")
        f32 = _low_precision(case) or "float32" in t["out"][0]
        if not d and not _close(t["val"], z["val"], *((1e-5, 1e-6) if f32 else (1e-10, 1e-12))):
            d.append(f"value: torch {t['val']} zerograd {z['val']}")
        if t.get("braise", ("",))[0] != z.get("braise", ("",))[0]:
            d.append(f"backward raise: torch {t.get('braise')} zerograd {z.get('braise')}")
        elif "grads" in t:
            for i, (a, b) in enumerate(zip(t["grads"], z["grads"])):
                if (a is None) != (b is None) or a is not None and a[0] != b[0]:
                    d.append(f"grad {i}: torch {a and a[0]} zerograd {b and b[0]}")
                elif a is not None:
                    tol = (1e-4, 1e-5) if f32 or a[0] == "torch.float32" else (1e-8, 1e-10)
                    if not _close(a[1], b[1], *tol):
                        d.append(f"grad {i}: torch {a[1]} zerograd {b[1]}")
    if t["warn"] != z["warn"]:
        d.append(f"warnings: torch {t['warn']} zerograd {z['warn']}")
    return d


# ------------------------------------------------------------------------------------------------
# random cases
# ------------------------------------------------------------------------------------------------

def _pick(rng, xs):
    return xs[int(rng.integers(len(xs)))]


def _arr(rng, shape, dt, kind="randn", special=0.0):
    a = np.asarray({"randn": lambda: rng.standard_normal(shape),
                    "prob": lambda: rng.uniform(0.01, 0.99, shape),
                    "pos": lambda: rng.uniform(0.1, 3.0, shape),
                    "pm1": lambda: rng.choice([-1.0, 1.0], shape),
                    "01": lambda: rng.choice([0.0, 1.0], shape)}[kind]())
    if special and a.size and rng.random() < special:      # nan, ±inf, or a boundary value
        a.reshape(-1)[rng.integers(a.size)] = _pick(rng, [np.nan, np.inf, -np.inf, 0.0, 1.0])
    return a.astype(dt)


def _to_int(a, dt):
    return np.nan_to_num(a, nan=0.0, posinf=3.0, neginf=-3.0).astype(dt)


def _fdt(rng):
    return _pick(rng, [np.float32, np.float64])


def _target_shape(rng, shape):
    """Mostly the input's shape; sometimes broadcastable but different, or not broadcastable."""
    r = rng.random()
    if r < 0.75:
        return shape
    if r < 0.85:
        return shape[1:] if shape else (1,)
    if r < 0.92:
        return (1,) * len(shape)
    return shape + (2,) if len(shape) < 3 else (7,)


def _legacy(rng, case):
    """Sometimes the deprecated size_average/reduce instead of reduction."""
    if rng.random() < 0.12:
        kw = case["kw"]
        kw.pop("reduction", None)
        if rng.random() < 0.7:
            kw["size_average"] = bool(rng.integers(2))
        if rng.random() < 0.7:
            kw["reduce"] = bool(rng.integers(2))


def _pointwise(rng, fn, kind_in="randn", kind_t="randn", extra=None, target_grad=True,
               legacy=True, weight=False, same_shape=False):
    shape = _pick(rng, SHAPES)
    dt = _fdt(rng)
    ts = shape if same_shape and rng.random() < 0.8 else _target_shape(rng, shape)
    x = _arr(rng, shape, dt, kind_in, special=0.1)
    y = _arr(rng, ts, dt if rng.random() > 0.2 else _fdt(rng), kind_t, special=0.05)
    if rng.random() < 0.1:
        y = _to_int(y, _pick(rng, [np.int64, np.bool_, np.int32]))
    if rng.random() < 0.05:
        x = _to_int(x, np.int64)
    case = {"fn": fn, "kw": {"reduction": _pick(rng, RED)},
            "args": [_T(x, x.dtype.kind == "f" and rng.random() < 0.85),
                     _T(y, y.dtype.kind == "f" and target_grad and rng.random() < 0.35)]}
    if weight and rng.random() < 0.3:
        ws = shape if rng.random() < 0.85 else ts
        case["kw"]["weight"] = _T(_arr(rng, ws, dt, "pos"), rng.random() < 0.3)
    if extra:
        extra(rng, case)
    if legacy:
        _legacy(rng, case)
    return case


def _ex_beta(rng, c):
    c["kw"]["beta"] = float(_pick(rng, [1.0, 0.0, 0.5, 2.0]))


def _ex_delta(rng, c):
    c["kw"]["delta"] = float(_pick(rng, [1.0, 0.5, 2.0]))


def _ex_bce(rng, c):
    x = c["args"][0].a
    if rng.random() < 0.3:
        c["kw"]["weight"] = _T(_arr(rng, _pick(rng, [x.shape, x.shape[-1:], ()]), _fdt(rng),
                                    "pos"), rng.random() < 0.3)


def _ex_bce_logits(rng, c):
    _ex_bce(rng, c)
    x = c["args"][0].a
    if rng.random() < 0.4:
        c["kw"]["pos_weight"] = _T(_arr(rng, _pick(rng, [x.shape[-1:], x.shape, ()]), _fdt(rng),
                                        "pos"), rng.random() < 0.3)


def _ex_kl(rng, c):
    c["kw"]["log_target"] = bool(rng.integers(2))
    if rng.random() < 0.3:
        c["kw"]["reduction"] = "batchmean"


def _ex_poisson(rng, c):
    c["kw"]["log_input"] = bool(rng.integers(2))
    c["kw"]["full"] = bool(rng.integers(2))
    if rng.random() < 0.3:
        c["kw"]["eps"] = float(_pick(rng, [1e-8, 0.1, 0.0]))
    if not c["kw"]["log_input"]:
        c["args"][0].a = np.abs(c["args"][0].a)


def _classes(rng, fn):
    """nll_loss / cross_entropy: (C,), (N, C) and (N, C, d...) inputs, N possibly 0; class
    indices (some ignored, some out of bounds, wrong dtypes) or, for cross_entropy, class
    probabilities; weights, ignore_index, label_smoothing."""
    C, N = int(_pick(rng, [1, 3, 4])), int(_pick(rng, [0, 1, 3]))
    kind = _pick(rng, ["C", "NC", "NC", "NCd", "NCdd", "NCddd"])
    shape = {"C": (C,), "NC": (N, C), "NCd": (N, C, 2), "NCdd": (N, C, 2, 3),
             "NCddd": (N, C, 1, 2, 2)}[kind]
    dt = _fdt(rng)
    x = _arr(rng, shape, dt, "randn", special=0.08)
    if rng.random() < 0.04:
        x = rng.integers(0, 3, shape)
    tshape = shape[:1] + shape[2:] if kind != "C" else ()
    if rng.random() < 0.07:
        tshape = _pick(rng, [(N + 1,), (1,), tshape + (1,), ()])
    ii = int(_pick(rng, [-100, -100, 0, 1, C - 1, -1]))
    case = {"fn": fn, "kw": {"reduction": _pick(rng, RED)}}
    if fn == "cross_entropy" and rng.random() < 0.3:                 # class probabilities
        t = _arr(rng, shape if rng.random() < 0.92 else tshape,
                 _pick(rng, [dt, dt, np.float32, np.float64]), "prob")
        if rng.random() < 0.1:
            t = t.astype(_pick(rng, [np.int64, np.int32]))
        ii = int(_pick(rng, [-100, -100, -100, 0]))
        target = _T(t, t.dtype.kind == "f" and rng.random() < 0.4)
    else:
        t = rng.integers(0, C + (1 if rng.random() < 0.05 else 0), tshape)
        if rng.random() < 0.3 and t.size:
            t.reshape(-1)[rng.integers(t.size)] = ii
        if rng.random() < 0.03 and t.size:
            t.reshape(-1)[0] = -5
        if rng.random() < 0.06:
            t = t.astype(_pick(rng, [np.int32, np.uint8, np.float32, np.bool_]))
        target = _T(t)
    case["args"] = [_T(x, x.dtype.kind == "f" and rng.random() < 0.9), target]
    if ii != -100 or rng.random() < 0.1:
        case["kw"]["ignore_index"] = ii
    if rng.random() < 0.35:
        case["kw"]["weight"] = _T(_arr(rng, (C,) if rng.random() < 0.93 else (C + 1,),
                                       _pick(rng, [dt, dt, np.float32, np.float64]), "pos"),
                                  rng.random() < 0.2)
    if fn == "cross_entropy" and rng.random() < 0.35:
        case["kw"]["label_smoothing"] = float(_pick(rng, [0.1, 0.5, 1.0, 0.0, -0.1]))
    _legacy(rng, case)
    return case


def _margin_ranking(rng):
    shape, dt = _pick(rng, [(), (5,), (0,), (4,)]), _fdt(rng)
    sh = [shape] * 3
    if rng.random() < 0.15:
        sh[int(rng.integers(3))] = _pick(rng, [(1,), (), (3, 4)])
    y = _arr(rng, sh[2], dt, "pm1")
    if rng.random() < 0.1:
        y = y.astype(np.int64)
    c = {"fn": "margin_ranking_loss", "kw": {"reduction": _pick(rng, RED)},
         "args": [_T(_arr(rng, sh[0], dt, special=0.05), rng.random() < 0.8),
                  _T(_arr(rng, sh[1], _fdt(rng)), rng.random() < 0.5),
                  _T(y, y.dtype.kind == "f" and rng.random() < 0.2)]}
    if rng.random() < 0.5:
        c["kw"]["margin"] = float(_pick(rng, [0.0, 0.5, -0.2, 1]))
    _legacy(rng, c)
    return c


def _hinge(rng):
    shape, dt = _pick(rng, SHAPES), _fdt(rng)
    x = _arr(rng, shape, dt, special=0.05)
    y = _arr(rng, _target_shape(rng, shape), dt, "pm1")
    if rng.random() < 0.15:
        y = y.astype(_pick(rng, [np.int64, np.float32]))
    if rng.random() < 0.1 and y.size:
        y.reshape(-1)[0] = 0.5 if y.dtype.kind == "f" else 0
    if rng.random() < 0.05:
        x = _to_int(x, np.int64)
    c = {"fn": "hinge_embedding_loss", "kw": {"reduction": _pick(rng, RED)},
         "args": [_T(x, x.dtype.kind == "f" and rng.random() < 0.85),
                  _T(y, y.dtype.kind == "f" and rng.random() < 0.2)]}
    if rng.random() < 0.5:
        c["kw"]["margin"] = float(_pick(rng, [0.0, 0.5, 2.0]))
    _legacy(rng, c)
    return c


def _cosine(rng):
    dt, k = _fdt(rng), _pick(rng, ["ND", "ND", "D", "bad"])
    N, D = int(_pick(rng, [0, 1, 4])), int(_pick(rng, [1, 3]))
    s1, s2, st = {"ND": ((N, D), (N, D), (N,)), "D": ((D,), (D,), ()),
                  "bad": _pick(rng, [((N, D), (N, D), (N, 1)), ((N, D, 2), (N, D, 2), (N, D)),
                                     ((N, D), (1, D), (N,)), ((N, D), (N, D), ())])}[k]
    a = _arr(rng, s1, dt, special=0.05)
    if rng.random() < 0.05:
        a[...] = 0
    y = _arr(rng, st, dt, "pm1")
    if rng.random() < 0.15:
        y = y.astype(np.int64)
    if rng.random() < 0.1 and y.size:
        y.reshape(-1)[0] = 0
    c = {"fn": "cosine_embedding_loss", "kw": {"reduction": _pick(rng, RED)},
         "args": [_T(a, rng.random() < 0.8),
                  _T(_arr(rng, s2, _pick(rng, [dt, dt, np.float32, np.float64])),
                     rng.random() < 0.5),
                  _T(y, y.dtype.kind == "f" and rng.random() < 0.2)]}
    if rng.random() < 0.5:
        c["kw"]["margin"] = float(_pick(rng, [0.0, 0.5, -0.5]))
    _legacy(rng, c)
    return c


def _gaussian(rng):
    dt = _fdt(rng)
    shape = _pick(rng, [(4, 3), (3,), (2, 3, 2), (0, 3), ()])
    r = rng.random()
    vs = shape if r < 0.4 else shape[:-1] if r < 0.55 else \
        (shape[:-1] + (1,) if shape else ()) if r < 0.7 else \
        _pick(rng, [(7,), shape + (1,), (1,) * len(shape)]) if r < 0.8 else None
    if vs is None:
        var = float(_pick(rng, [0.5, 1e-9, -1.0, 2.0]))
    else:
        v = _arr(rng, vs, _pick(rng, [dt, dt, np.float32, np.float64]), "pos")
        if rng.random() < 0.1 and v.size:
            v.reshape(-1)[0] = _pick(rng, [0.0, -1.0, 1e-9])
        var = _T(v, rng.random() < 0.4)
    y = _arr(rng, _target_shape(rng, shape) if rng.random() < 0.3 else shape, dt)
    c = {"fn": "gaussian_nll_loss", "kw": {"reduction": _pick(rng, RED)},
         "args": [_T(_arr(rng, shape, dt, special=0.05), rng.random() < 0.85),
                  _T(y, rng.random() < 0.3), var]}
    if rng.random() < 0.4:
        c["kw"]["full"] = True
    if rng.random() < 0.3:
        c["kw"]["eps"] = float(_pick(rng, [1e-6, 0.1]))
    return c


def _multilabel(rng):
    dt = _fdt(rng)
    shape = _pick(rng, [(4, 3), (3,), (2, 3, 2), (0, 3), (), (4, 1)])
    y = _arr(rng, _target_shape(rng, shape) if rng.random() < 0.2 else shape,
             _pick(rng, [dt, dt, np.float32, np.float64]), "01")
    if rng.random() < 0.15:
        y = y.astype(_pick(rng, [np.int64, np.bool_]))
    c = {"fn": "multilabel_soft_margin_loss", "kw": {"reduction": _pick(rng, RED)},
         "args": [_T(_arr(rng, shape, dt, special=0.05), rng.random() < 0.85),
                  _T(y, y.dtype.kind == "f" and rng.random() < 0.3)]}
    if rng.random() < 0.35:
        c["kw"]["weight"] = _T(_arr(rng, _pick(rng, [shape[-1:], shape[-1:], shape, (7,)]),
                                    _fdt(rng), "pos"), rng.random() < 0.3)
    _legacy(rng, c)
    return c


def _triplet(rng):
    dt = _fdt(rng)
    k = _pick(rng, [(4, 3), (4, 3), (3,), (0, 3), (2, 3, 2)])
    shapes = [k, k, k]
    if rng.random() < 0.1:
        shapes[int(rng.integers(3))] = _pick(rng, [(1, k[-1]), (k[-1],), (5,)])
    a = [_arr(rng, s, _pick(rng, [dt, dt, dt, np.float32, np.float64]), special=0.03)
         for s in shapes]
    if rng.random() < 0.05 and a[0].shape == a[1].shape:
        a[1] = a[0].copy()                        # d(a, p) = 0: the eps keeps it finite
    c = {"fn": "triplet_margin_loss", "kw": {"reduction": _pick(rng, RED)},
         "args": [_T(x, rng.random() < 0.7) for x in a]}
    if rng.random() < 0.5:
        c["kw"]["margin"] = float(_pick(rng, [1.0, 0.5, 2.0, 0.0, -1.0]))
    if rng.random() < 0.5:
        c["kw"]["p"] = _pick(rng, [1, 2, 3, 1.5, 0])
    if rng.random() < 0.4:
        c["kw"]["swap"] = True
    if rng.random() < 0.2:
        c["kw"]["eps"] = float(_pick(rng, [0.0, 1e-3]))
    _legacy(rng, c)
    return c


def _multi_margin(rng):
    """multi_margin_loss: (N, C) or (C,) scores, class targets, p 1 or 2, margins, weights.
    (No empty batch with mean/sum: torch returns uninitialised memory there.)"""
    dt = _fdt(rng)
    C, N = int(_pick(rng, [1, 3, 4])), int(_pick(rng, [1, 2, 4]))
    shape = _pick(rng, [(N, C), (N, C), (C,)])
    t = rng.integers(0, C, shape[:-1])
    c = {"fn": "multi_margin_loss", "kw": {"reduction": _pick(rng, RED)},
         "args": [_T(_arr(rng, shape, dt, special=0.05), rng.random() < 0.85), _T(t, False)]}
    if rng.random() < 0.5:
        c["kw"]["p"] = _pick(rng, [1, 2])
    if rng.random() < 0.5:
        c["kw"]["margin"] = float(_pick(rng, [1.0, 0.5, 2.0, 0.0]))
    if rng.random() < 0.3:
        c["kw"]["weight"] = _T(_arr(rng, (C,), dt, "pos"), False)
    _legacy(rng, c)
    return c


def _multilabel_margin(rng):
    """multilabel_margin_loss: (N, C) or (C,) scores; each row's target classes up to its
    first -1 (the rest ignored)."""
    dt = _fdt(rng)
    C, N = int(_pick(rng, [1, 3, 4])), int(_pick(rng, [1, 2, 4]))
    shape = _pick(rng, [(N, C), (N, C), (C,)])
    t = rng.integers(-1, C, shape)
    c = {"fn": "multilabel_margin_loss", "kw": {"reduction": _pick(rng, RED)},
         "args": [_T(_arr(rng, shape, dt, special=0.05), rng.random() < 0.85), _T(t, False)]}
    _legacy(rng, c)
    return c


def _triplet_distance(rng):
    """triplet_margin_with_distance_loss with its default distance (pairwise_distance)."""
    dt = _fdt(rng)
    k = _pick(rng, [(4, 3), (4, 3), (3,), (2, 3, 2)])
    c = {"fn": "triplet_margin_with_distance_loss", "kw": {"reduction": _pick(rng, RED)},
         "args": [_T(_arr(rng, k, dt, special=0.03), rng.random() < 0.7) for _ in range(3)]}
    if rng.random() < 0.5:
        c["kw"]["margin"] = float(_pick(rng, [1.0, 0.5, 2.0]))
    if rng.random() < 0.4:
        c["kw"]["swap"] = True
    return c


GENERATORS = {
    "multi_margin_loss": _multi_margin,
    "multilabel_margin_loss": _multilabel_margin,
    "triplet_margin_with_distance_loss": _triplet_distance,
    "cross_entropy": lambda r: _classes(r, "cross_entropy"),
    "nll_loss": lambda r: _classes(r, "nll_loss"),
    "mse_loss": lambda r: _pointwise(r, "mse_loss", weight=True),
    "l1_loss": lambda r: _pointwise(r, "l1_loss", weight=True),
    "smooth_l1_loss": lambda r: _pointwise(r, "smooth_l1_loss", extra=_ex_beta),
    "huber_loss": lambda r: _pointwise(r, "huber_loss", extra=_ex_delta, legacy=False,
                                       weight=True),
    "binary_cross_entropy": lambda r: _pointwise(r, "binary_cross_entropy", "prob", "prob",
                                                 extra=_ex_bce, same_shape=True),
    "binary_cross_entropy_with_logits": lambda r: _pointwise(
        r, "binary_cross_entropy_with_logits", "randn", "prob", extra=_ex_bce_logits,
        same_shape=True),
    "kl_div": lambda r: _pointwise(r, "kl_div", "randn", "prob", extra=_ex_kl),
    "poisson_nll_loss": lambda r: _pointwise(r, "poisson_nll_loss", "randn", "pos",
                                             extra=_ex_poisson),
    "soft_margin_loss": lambda r: _pointwise(r, "soft_margin_loss", "randn", "pm1",
                                             target_grad=False),
    "margin_ranking_loss": _margin_ranking,
    "hinge_embedding_loss": _hinge,
    "cosine_embedding_loss": _cosine,
    "gaussian_nll_loss": _gaussian,
    "multilabel_soft_margin_loss": _multilabel,
    "triplet_margin_loss": _triplet,
}

MODULES = {"cross_entropy": "CrossEntropyLoss", "nll_loss": "NLLLoss", "mse_loss": "MSELoss",
           "l1_loss": "L1Loss", "smooth_l1_loss": "SmoothL1Loss",
           "binary_cross_entropy": "BCELoss",
           "binary_cross_entropy_with_logits": "BCEWithLogitsLoss", "huber_loss": "HuberLoss",
           "kl_div": "KLDivLoss", "soft_margin_loss": "SoftMarginLoss",
           "margin_ranking_loss": "MarginRankingLoss",
           "hinge_embedding_loss": "HingeEmbeddingLoss",
           "cosine_embedding_loss": "CosineEmbeddingLoss", "poisson_nll_loss": "PoissonNLLLoss",
           "gaussian_nll_loss": "GaussianNLLLoss",
           "multilabel_soft_margin_loss": "MultiLabelSoftMarginLoss",
           "triplet_margin_loss": "TripletMarginLoss", "multi_margin_loss": "MultiMarginLoss",
           "multilabel_margin_loss": "MultiLabelMarginLoss",
           "triplet_margin_with_distance_loss": "TripletMarginWithDistanceLoss"}

# Losses torch has and zerograd does not (not implemented: calling them is an AttributeError)
NOT_IMPLEMENTED = set()
# Losses compared with torch in their own file (ctc_loss: tests/test_grid_ctc.py)
SWEPT_ELSEWHERE = {"ctc_loss"}


def _sweep(fn, seed, n, module=False):
    fails = []
    for k in range(n):
        s = seed * 10_000 + k
        case = GENERATORS[fn](np.random.default_rng(s))
        case["gseed"] = s
        if module:
            params = inspect.signature(getattr(torch.nn, MODULES[fn]).__init__).parameters
            case["ctor"] = {a: v for a, v in case.pop("kw").items() if a in params}
            case["module"] = MODULES[fn]
        d = _diffs(case)
        if d:
            fails.append(f"{s}: {case['args']} {case.get('kw', case.get('ctor'))}: {d}")
    assert not fails, f"{len(fails)} of {n} cases differ:\n" + "\n".join(fails[:5])


# ------------------------------------------------------------------------------------------------
# the sweeps
# ------------------------------------------------------------------------------------------------

@requires_torch
def test_every_loss_is_swept():
    torch_losses = {n for n in dir(torch.nn.functional) if not n.startswith("_") and (
        n.endswith("_loss") or n in ("cross_entropy", "kl_div", "binary_cross_entropy",
                                     "binary_cross_entropy_with_logits"))}
    ours = {n for n in torch_losses if hasattr(zerograd.nn.functional, n)}
    assert ours == set(GENERATORS) | SWEPT_ELSEWHERE
    assert torch_losses - ours == NOT_IMPLEMENTED
    for fn, mod in MODULES.items():
        zsig = inspect.signature(getattr(zerograd.nn, mod).__init__)
        tsig = inspect.signature(getattr(torch.nn, mod).__init__)
        assert [(p.name, p.kind, p.default) for p in zsig.parameters.values()] == \
            [(p.name, p.kind, p.default) for p in tsig.parameters.values()], mod
        zsig = inspect.signature(getattr(zerograd.nn.functional, fn))
        tsig = inspect.signature(getattr(torch.nn.functional, fn))
        assert [(p.name, p.default) for p in zsig.parameters.values()] == \
            [(p.name, p.default) for p in tsig.parameters.values()], fn


@requires_torch
@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("fn", sorted(GENERATORS))
def test_functional_loss_sweep(fn, seed):
    _sweep(fn, seed, 40 if fn != "cross_entropy" else 60)


@requires_torch
@pytest.mark.parametrize("fn", sorted(GENERATORS))
def test_loss_module_sweep(fn):
    _sweep(fn, 7, 30, module=True)


@requires_torch
@pytest.mark.parametrize("fn", sorted(GENERATORS))
def test_invalid_and_deprecated_reductions(fn):
    fails = []
    for red in ["bad", "elementwise_mean", "batchmean"]:
        for s in range(4):
            case = GENERATORS[fn](np.random.default_rng(s))
            case["gseed"] = s
            case["kw"].pop("size_average", None)
            case["kw"].pop("reduce", None)
            case["kw"]["reduction"] = red
            d = _diffs(case)
            if d:
                fails.append(f"{red} {s}: {case['args']}: {d}")
    assert not fails, "\n".join(fails[:5])


# ------------------------------------------------------------------------------------------------
# gradcheck in float64
# ------------------------------------------------------------------------------------------------

def _g(shape, lo=-2.0, hi=2.0, seed=0, rg=True):
    a = np.random.default_rng(seed).uniform(lo, hi, shape)
    return zerograd.tensor(a, requires_grad=rg)


ZF = zerograd.nn.functional
IDX = zerograd.tensor([0, 2, 1])
PROBS = _g((3, 4), 0, 1, seed=5, rg=False)

GRADCHECKS = {
    "cross_entropy": (lambda x: ZF.cross_entropy(x, IDX, weight=PROBS[0] + .5, ignore_index=1,
                                                 label_smoothing=0.2), [(3, 4)]),
    "cross_entropy_probs_weight": (lambda x, w: ZF.cross_entropy(x, PROBS, weight=w.abs() + .5),
                                   [(3, 4), (4,)]),
    "cross_entropy_kdim": (lambda x: ZF.cross_entropy(x, zerograd.tensor([[0, 2], [1, 1]]),
                                                      reduction="none"), [(2, 3, 2)]),
    "nll_loss": (lambda x: ZF.nll_loss(x, IDX, reduction="sum"), [(3, 4)]),
    "mse_loss": (lambda x, y: ZF.mse_loss(x, y.expand(3, 4)), [(3, 4), (4,)]),
    "l1_loss": (lambda x, y: ZF.l1_loss(x, y, reduction="sum"), [(3, 4), (3, 4)]),
    "smooth_l1_loss": (lambda x, y: ZF.smooth_l1_loss(x, y, beta=0.5), [(3, 4), (3, 4)]),
    "huber_loss": (lambda x, y: ZF.huber_loss(x, y, delta=0.7, reduction="none"),
                   [(3, 4), (3, 4)]),
    "binary_cross_entropy": (lambda x, y: ZF.binary_cross_entropy(x.sigmoid(), y.sigmoid()),
                             [(3, 4), (3, 4)]),
    "binary_cross_entropy_with_logits": (
        lambda x, y: ZF.binary_cross_entropy_with_logits(
            x, y.sigmoid(), pos_weight=zerograd.tensor([.5, 2., 1., 3.], dtype=zerograd.float64)),
        [(3, 4), (3, 4)]),
    "kl_div": (lambda x, y: ZF.kl_div(x, y, reduction="batchmean", log_target=True),
               [(3, 4), (3, 4)]),
    "poisson_nll_loss": (lambda x, y: ZF.poisson_nll_loss(x, y.abs() + 1, full=True),
                         [(3, 4), (3, 4)]),
    "gaussian_nll_loss": (lambda x, y, v: ZF.gaussian_nll_loss(x, y, v.abs() + .1, full=True),
                          [(3, 4), (3, 4), (3,)]),
    "soft_margin_loss": (lambda x: ZF.soft_margin_loss(x, PROBS.sign()), [(3, 4)]),
    "margin_ranking_loss": (lambda a, b: ZF.margin_ranking_loss(
        a, b, zerograd.tensor([1., -1., 1.], dtype=zerograd.float64), margin=0.1), [(3,), (3,)]),
    "hinge_embedding_loss": (lambda x: ZF.hinge_embedding_loss(x, PROBS.sign(), margin=3.0),
                             [(3, 4)]),
    "cosine_embedding_loss": (lambda a, b: ZF.cosine_embedding_loss(
        a, b, zerograd.tensor([1., -1., 1.], dtype=zerograd.float64), margin=-0.9), [(3, 4), (3, 4)]),
    "multilabel_soft_margin_loss": (lambda x, w: ZF.multilabel_soft_margin_loss(
        x, PROBS.round(), weight=w), [(3, 4), (4,)]),
    "triplet_margin_loss": (lambda a, p, n: ZF.triplet_margin_loss(a, p, n, p=3, swap=True,
                                                                   margin=4.0), [(3, 4)] * 3),
}


@pytest.mark.parametrize("name", sorted(GRADCHECKS))
def test_loss_gradcheck(name):
    fn, shapes = GRADCHECKS[name]
    inputs = tuple(_g(s, seed=i + 1) for i, s in enumerate(shapes))
    assert zerograd.autograd.gradcheck(fn, inputs)


# ------------------------------------------------------------------------------------------------
# focused tests: each difference the sweep found (now fixed)
# ------------------------------------------------------------------------------------------------

def _both(f):
    """f(L) in torch and zerograd: ('raise', type, message) or the result tensor's summary."""
    out = []
    for L in (torch, zerograd):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            warnings.filterwarnings("ignore", category=RuntimeWarning, module=_ZG_FILTER)
            try:
                r = f(L)
            except Exception as e:                              # noqa: BLE001 - compared
                out.append(("raise", type(e).__name__, str(e).split(" Fix:")[0],
                            [str(x.message) for x in w]))
                continue
        def values(x):                             # (nan, ±inf as numbers, to compare)
            v = np.nan_to_num(_f64(L, x), nan=-7.25e9, posinf=7.5e9, neginf=-7.75e9)
            return np.round(v, 6).tolist()
        if isinstance(r, tuple):
            r = tuple(None if x is None else values(x) for x in r)
        elif hasattr(r, "dtype"):
            r = (str(r.dtype), values(r), r.grad_fn.name() if r.grad_fn is not None else None)
        out.append((r, [str(x.message) for x in w]))
    return out


def _same(f):
    t, z = _both(f)
    if t[0] == "raise" and z[0] == "raise":
        assert z[1] == t[1] and z[2].startswith(t[2]), (t, z)
        assert z[3] == t[3], (t, z)
    else:
        assert z == t


def _grads(L, out, *leaves, g=None):
    out.backward(g)
    return tuple(x.grad for x in leaves)


@requires_torch
def test_regression_losses_broadcast_first_as_torch():
    # shapes that do not broadcast: torch's RuntimeError (was NumPy's ValueError)
    for fn in ("mse_loss", "smooth_l1_loss", "l1_loss", "huber_loss"):
        _same(lambda L: getattr(L.nn.functional, fn)(L.zeros(3, 4), L.zeros(3, 4, 2)))
    # torch broadcasts before its kernel: a 0-d float64 input with a float32 [1] target is
    # float64 (zerograd gave float32, the 0-d operand losing the promotion)
    for fn in ("mse_loss", "smooth_l1_loss", "l1_loss", "huber_loss"):
        _same(lambda L: getattr(L.nn.functional, fn)(
            L.tensor(0.5, dtype=L.float64), L.tensor([2.0])))
    # beta = 0 (the L1 loss) warned twice about the size
    _same(lambda L: L.nn.functional.smooth_l1_loss(L.zeros(2, 3), L.zeros(3), beta=0.0))


@requires_torch
def test_regression_losses_dtypes():
    for fn in ("mse_loss", "smooth_l1_loss"):
        for a, b in (("int64", "int64"), ("bool", "bool"), ("int32", "int64")):
            _same(lambda L: getattr(L.nn.functional, fn)(
                L.ones(3, dtype=getattr(L, a)), L.ones(3, dtype=getattr(L, b))))
        # a bool target: the backward worked in torch, raised in zerograd

        def f(L):
            x = L.tensor([0.2, 1.5, -1.0], requires_grad=True)
            return _grads(L, getattr(L.nn.functional, fn)(x, L.tensor([True, False, True])), x)
        _same(f)
    # huber's backward kernel wants one dtype (torch raises for a float64 target of float32)

    def h(L):
        x = L.tensor([0.2, 1.5], requires_grad=True)
        return _grads(L, L.nn.functional.huber_loss(x, L.tensor([0., 1.], dtype=L.float64)), x)
    _same(h)


@requires_torch
def test_smooth_l1_and_huber_nan_gradient():
    for fn, kw in (("smooth_l1_loss", {"beta": 2.0}), ("huber_loss", {"delta": 1.0})):
        def f(L):
            x = L.tensor([float("nan"), 3.0, 0.5], requires_grad=True)
            return _grads(L, getattr(L.nn.functional, fn)(x, L.zeros(3), **kw), x)
        _same(f)                                  # nan where torch's (was 0)

        def second(L):                            # and the second derivative still 0 at |d| = β
            x = L.tensor([1.0, 0.5, 2.0, float("nan")], dtype=L.float64, requires_grad=True)
            loss = getattr(L.nn.functional, fn)(x, L.zeros(4, dtype=L.float64), reduction="sum",
                                                **{k: 1.0 for k in kw})
            g, = L.autograd.grad(loss, x, create_graph=True)
            return L.autograd.grad(g.sum(), x)
        _same(second)


@requires_torch
def test_binary_cross_entropy_checks():
    F = "binary_cross_entropy"
    for a, b in (("float32", "float64"), ("float32", "int64"), ("float32", "bool"),
                 ("int64", "int64"), ("int32", "int64")):
        _same(lambda L: getattr(L.nn.functional, F)(L.full((3,), 0.5, dtype=getattr(L, a))
                                                     if a != "bool" else L.ones(3, dtype=L.bool),
                                                     L.ones(3, dtype=getattr(L, b))))
    _same(lambda L: L.nn.functional.binary_cross_entropy(
        L.full((3,), 0.5), L.ones(3), weight=L.ones(3, requires_grad=True)))
    _same(lambda L: L.nn.functional.binary_cross_entropy(L.full((3,), 0.5),
                                                         L.tensor([0.5, 1.5, 0.2])))
    _same(lambda L: L.nn.functional.binary_cross_entropy(L.tensor([0.5, 1.5, 0.2]),
                                                         L.tensor([2.0, 0.5, 0.2])))
    _same(lambda L: L.nn.functional.binary_cross_entropy(L.tensor([0.5, 0.5, 1.2]),
                                                         L.tensor([2.0, 0.5, 0.2])))


@requires_torch
def test_binary_cross_entropy_with_logits_dtypes_and_infinities():
    def F(L, x, y, **kw):
        return L.nn.functional.binary_cross_entropy_with_logits(x, y, **kw)
    # the loss is in the target's dtype (torch computes in place into 1 - target)
    _same(lambda L: F(L, L.tensor([0.3, -1.0], dtype=L.float64), L.tensor([1.0, 0.0])))
    for a, b in (("int64", "float32"), ("float32", "int64"), ("float64", "int32"),
                 ("float32", "bool"), ("bool", "float32")):
        _same(lambda L: F(L, L.ones(3, dtype=getattr(L, a)), L.ones(3, dtype=getattr(L, b))))
    _same(lambda L: F(L, L.ones(3), L.ones(3), weight=L.ones(3, requires_grad=True)))
    _same(lambda L: F(L, L.ones(3), L.ones(3), pos_weight=L.ones(3, requires_grad=True)))

    def inf(L):                               # torch's gradient formulas: nan, not ±inf
        x = L.tensor([-0.13, -float("inf"), 2.0], requires_grad=True)
        y = L.tensor([float("inf"), 0.5, 0.5], requires_grad=True)
        return _grads(L, F(L, x, y, pos_weight=L.tensor([0.75, 0.5, 2.0]), reduction="sum"), x, y)
    _same(inf)


@requires_torch
def test_soft_margin_loss_bool_target_backward_raises():
    def f(L):
        x = L.tensor([0.5, -1.0], requires_grad=True)
        return _grads(L, L.nn.functional.soft_margin_loss(x, L.tensor([True, False])), x)
    _same(f)


@requires_torch
def test_cross_entropy_probability_targets():
    F = "cross_entropy"
    x = np.random.default_rng(0).standard_normal((3, 4))
    p = np.random.default_rng(1).uniform(0, 1, (3, 4))
    # any target shaped like the input is a probability target: an integer one is an error
    _same(lambda L: getattr(L.nn.functional, F)(L.tensor(x), L.zeros(3, 4, dtype=L.int64)))
    _same(lambda L: getattr(L.nn.functional, F)(L.tensor(x[0]), L.zeros(4, dtype=L.uint8)))
    # the weight promotes the result and gets a gradient (torch's composite)

    def w(L):
        xx = L.tensor(x, dtype=L.float32, requires_grad=True)
        ww = L.tensor([1.0, 2.0, 0.5, 1.5], dtype=L.float64, requires_grad=True)
        out = getattr(L.nn.functional, F)(xx, L.tensor(p, dtype=L.float32), weight=ww,
                                          label_smoothing=0.1)
        assert str(out.dtype).endswith("float64")
        return _grads(L, out, xx, ww)
    _same(w)
    # the mean over no elements is -(...).sum().fill_(nan): a NegBackward0 node
    _same(lambda L: getattr(L.nn.functional, F)(L.zeros(0, 4, requires_grad=True),
                                                L.zeros(0, 4)))
    _same(lambda L: getattr(L.nn.functional, F)(L.tensor(x), L.tensor(p),
                                                weight=L.ones(2, 2)))


@requires_torch
def test_cross_entropy_label_smoothing_and_ignored_rows():
    x = [[0.1, float("nan"), 0.3], [0.5, 0.2, 0.1]]
    for red in RED:
        for ls in (0.0, 0.3, -0.1):               # a negative smoothing is none, as torch
            def f(L):
                xx = L.tensor(x, requires_grad=True)
                out = L.nn.functional.cross_entropy(xx, L.tensor([0, 2]), ignore_index=0,
                                                    reduction=red, label_smoothing=ls)
                return out, _grads(L, out.sum(), xx)[0]
            _same(f)                               # the ignored nan row adds 0 (was nan)
        _same(lambda L: L.nn.functional.nll_loss(L.tensor(x), L.tensor([0, 2]), ignore_index=0,
                                                 reduction=red))
    _same(lambda L: L.nn.functional.cross_entropy(L.ones(3, requires_grad=True),
                                                  L.tensor([1]), label_smoothing=0.2))


@requires_torch
def test_class_index_checks_in_torch_order():
    def nll(L, shape, tgt, tdt="int64", wshape=None, wdt="float32", wrg=False, xdt="float32",
            **kw):
        x = L.zeros(shape, dtype=getattr(L, xdt))
        w = None if wshape is None else L.ones(wshape, dtype=getattr(L, wdt), requires_grad=wrg)
        return L.nn.functional.nll_loss(x, L.tensor(tgt, dtype=getattr(L, tdt)), weight=w, **kw)

    _same(lambda L: nll(L, (), 0))
    _same(lambda L: nll(L, (0, 4), 0))
    _same(lambda L: nll(L, (0, 4, 2), 0))
    _same(lambda L: nll(L, (2, 3), [[0], [1]], tdt="int32"))
    _same(lambda L: nll(L, (2, 3), [0, 1], wshape=(4,), wrg=True))
    _same(lambda L: nll(L, (2, 3, 2), [[0, 1], [1, 1]], wshape=(3,), wrg=True))
    _same(lambda L: nll(L, (2, 3), [0, 5], wshape=(3,), wdt="float64"))
    _same(lambda L: nll(L, (2, 3), [0, 1], xdt="int64", wshape=(3,), wdt="float64"))
    _same(lambda L: nll(L, (2, 3, 2), [[0, 1], [1, 1]], xdt="int64"))
    _same(lambda L: nll(L, (2, 3, 2), [[0, 7], [1, 1]], tdt="uint8"))
    _same(lambda L: nll(L, (0, 3, 2), np.zeros((0, 2), int), tdt="uint8", reduction="none"))

    def empty_byte(L):                             # reduced: torch raises in the backward
        x = L.zeros(0, 3, 2, requires_grad=True)
        return _grads(L, L.nn.functional.nll_loss(x, L.zeros(0, 2, dtype=L.uint8)), x)
    _same(empty_byte)

    def one_d(L):                                  # (C,) input, [1] target: backward raises
        x = L.zeros(3, requires_grad=True)
        return _grads(L, L.nn.functional.cross_entropy(x, L.tensor([1])), x)
    _same(one_d)
    for shape in ((3, 4), (3, 4, 2)):
        _same(lambda L: L.nn.functional.cross_entropy(
            L.zeros(shape, dtype=L.int64), L.zeros((3,) + shape[2:], dtype=L.int64)))
    _same(lambda L: L.nn.functional.cross_entropy(L.zeros(0, 4, dtype=L.int64),
                                                  L.zeros(0, dtype=L.int64)))
    _same(lambda L: L.nn.functional.cross_entropy(L.zeros(()), L.tensor([0])))


@requires_torch
def test_loss_reductions_warn_nothing():
    # the fused losses' sum of +inf and -inf (or mean of nothing) is nan without NumPy's
    # RuntimeWarning, as torch (NumPy raised it from its own module, past zerograd's filter)
    for fn in ("mse_loss", "smooth_l1_loss", "binary_cross_entropy_with_logits"):
        _same(lambda L: getattr(L.nn.functional, fn)(L.zeros(0), L.zeros(0)))
    for red in ("sum", "mean"):
        _same(lambda L: L.nn.functional.binary_cross_entropy_with_logits(
            L.tensor([float("inf"), float("inf")]), L.tensor([0.0, 2.0]), reduction=red))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            warnings.filterwarnings("ignore", category=RuntimeWarning, module=_ZG_FILTER)
            out = zerograd.nn.functional.binary_cross_entropy_with_logits(
                zerograd.tensor([float("inf"), float("inf")]), zerograd.tensor([0.0, 2.0]),
                reduction=red)
        assert np.isnan(out.item())
