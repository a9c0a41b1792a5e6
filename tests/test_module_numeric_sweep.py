"""nn modules and their functional forms against PyTorch: a seeded numeric sweep of the
activations (every constructor argument, in-place variants, nan/inf/-0.0 inputs), Linear and
Identity, Embedding (padding_idx, max_norm renorm, scale_grad_by_freq, from_pretrained),
LayerNorm / RMSNorm, the dropouts (values under training: the RNG streams match), Flatten /
Unflatten, CosineSimilarity / PairwiseDistance, every padding module and F.pad mode (negative
pads, errors), scaled_dot_product_attention and MultiheadAttention.

Each case builds the module in both libraries after the same manual_seed (zerograd's default
inits are torch's bit for bit), runs the same float32 and float64 inputs, backwards the same
random upstream gradient and compares: output dtype / shape / values (nan positions), the
grad_fn names, the input and parameter gradients, parameters after the call, repr(), warnings
and errors (type, and torch's message as a prefix of zerograd's).

Documented differences (tests at the end):
* torch's CPU kernels compute most elementwise activation backwards in SIMD vectors (AVX2: 16
  float32 / 8 float64 elements a step) and the last numel % 16 (% 8) elements of a contiguous
  tensor in a scalar loop; the two disagree on a nan input (hardtanh / relu6 / hardshrink /
  softshrink give 0 in the vector loop and g in the scalar one; elu / selu / celu / hardswish
  give nan and g).  zerograd follows the scalar kernel (as tests/test_activations.py expects),
  so the sweep puts special values in tensors of fewer than 8 elements; a nan in the vector
  part of a larger tensor differs (strict xfail below).  The one exception, documented in
  ops/activations.py: softshrink's forward between ±lambd gives +0 as the vector loop (the
  scalar loop gives x·0, -0.0 for negative x), so its signs of zero are not compared.
* unbatched in-place dropout1d / dropout3d: torch runs input.unsqueeze_(0) ... squeeze_(0) and
  records SqueezeBackward4; zerograd has no in-place unsqueeze_ / squeeze_ and records the mask
  multiply (MulBackward0); values and gradients agree.
* F.pad circular where the crops take a whole dim and a positive pad then wraps it (size 3,
  pad (-3, 1)): torch returns uninitialized memory, zerograd raises.  Reflection-pad-3d's
  backward of an empty output: torch returns uninitialized memory, zerograd zeros.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import zerograd
from tests._oracle import requires_torch, torch

LIBS = (torch, zerograd)
SEEDS = [0, 1]
# (backward runs outside run()'s warning capture: NumPy's nan/inf warnings, silenced in zerograd)
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning:zerograd")


def _arr(t):
    return t.detach().numpy()


def _err(e):
    return (type(e).__name__, str(e).split("\n")[0][:160])


def _same(a, b, rtol, atol, what, diffs, signs=False):
    if a is None or b is None:
        if (a is None) != (b is None):
            diffs.append(f"{what}: None mismatch torch={a is None} zg={b is None}")
        return
    if str(a.dtype) != str(b.dtype):
        diffs.append(f"{what}: dtype torch={a.dtype} zg={b.dtype}")
    if tuple(a.shape) != tuple(b.shape):
        diffs.append(f"{what}: shape torch={tuple(a.shape)} zg={tuple(b.shape)}")
        return
    x, y = _arr(a), _arr(b)
    if x.dtype.kind in "fc":
        if not np.array_equal(np.isnan(x), np.isnan(y)):
            diffs.append(f"{what}: NaN positions differ\n torch={x}\n zg={y}")
            return
        ok = np.isclose(x, y, rtol=rtol, atol=atol, equal_nan=True)
        if not ok.all():
            i = np.argwhere(~ok)[0]
            diffs.append(f"{what}: values differ at {tuple(i)} torch={x[tuple(i)]!r} "
                         f"zg={y[tuple(i)]!r}")
        elif signs:
            real = ~np.isnan(x)
            if not np.array_equal(np.signbit(x)[real], np.signbit(y)[real]):
                diffs.append(f"{what}: signs of zero differ\n torch={x}\n zg={y}")
    elif not np.array_equal(x, y):
        diffs.append(f"{what}: values differ torch={x} zg={y}")


def _record_all():
    warnings.simplefilter("always")
    warnings.filterwarnings("ignore", category=RuntimeWarning,
                            module=r"zerograd\.(ops(\.|$)|autograd\.(engine|function|fastpath)$)")


def _tol(dt):
    return (1e-5, 1e-6) if dt in (np.float32, "float32") else (1e-10, 1e-12)


def run(make, inputs, *, seed=0, grad=True, inplace=False, training=None, tol=None,
        upstream_seed=1, call=None, nograd_idx=(), compare_params=True, warn=True,
        signs=False):
    """Build `make(L)` in both libraries after manual_seed(seed), feed tensors made from the
    numpy `inputs` (float ones require grad unless in nograd_idx; inplace: the module gets a
    clone), call it (or call(m, L, *inputs)), backward a random upstream gradient; returns the
    differences from torch.  training: the module's mode; signs: compare the outputs' signs of zero."""
    diffs = []
    res = {}
    for L in LIBS:
        r = res[L] = {}
        L.manual_seed(seed)
        try:
            with warnings.catch_warnings(record=True) as w:
                _record_all()
                m = make(L)
        except Exception as e:      # noqa: BLE001
            r["ctor_err"] = _err(e)
            continue
        r["ctor_warn"] = [(x.category.__name__, str(x.message)[:100]) for x in w]
        r["m"] = m
        if isinstance(m, L.nn.Module):
            r["repr"] = repr(m)
            if training is not None:
                m.train(training)
        leaves = []
        xs = []
        for i, a in enumerate(inputs):
            if isinstance(a, np.ndarray):
                rg = grad and a.dtype.kind == "f" and i not in nograd_idx
                t = L.tensor(a, requires_grad=rg)
                leaves.append(t)
                xs.append(t.clone() if (inplace and rg) else t)
            else:
                leaves.append(None)
                xs.append(a)
        r["leaves"] = leaves
        L.manual_seed(seed + 1000)
        try:
            with warnings.catch_warnings(record=True) as w:
                _record_all()
                y = call(m, L, *xs) if call else m(*xs)
        except Exception as e:      # noqa: BLE001
            r["fwd_err"] = _err(e)
            continue
        r["fwd_warn"] = [(x.category.__name__, str(x.message)[:100]) for x in w]
        ys = list(y) if isinstance(y, (tuple, list)) else [y]
        r["ys"] = ys
        r["names"] = [None if (t is None or t.grad_fn is None) else t.grad_fn.name() for t in ys]
        outs = [t for t in ys if t is not None and t.requires_grad]
        if outs:
            rng = np.random.default_rng(upstream_seed)
            gs = [L.tensor(rng.standard_normal(tuple(t.shape)).astype(_arr(t).dtype))
                  for t in outs]
            try:
                L.autograd.backward(outs, gs)
            except Exception as e:     # noqa: BLE001
                r["bwd_err"] = _err(e)
    t, z = res[torch], res[zerograd]
    for k in ("ctor_err", "fwd_err", "bwd_err"):
        a, b = t.get(k), z.get(k)
        if (a is None) != (b is None) or (a and (a[0] != b[0] or not b[1].startswith(a[1]))):
            diffs.append(f"{k}: torch={a} zg={b}")
    if warn:
        for k in ("ctor_warn", "fwd_warn"):
            tw = [x[0] for x in t.get(k, [])]
            zw = [x[0] for x in z.get(k, [])]
            if tw != zw:
                diffs.append(f"{k}: torch={t.get(k)} zg={z.get(k)}")
    if "ctor_err" in t or "ctor_err" in z:
        return diffs
    if t.get("repr") != z.get("repr"):
        diffs.append(f"repr: torch={t.get('repr')!r} zg={z.get('repr')!r}")
    if "ys" not in t or "ys" not in z:
        return diffs
    dts = [_arr(y).dtype for y in t["ys"] if y is not None and y.is_floating_point()]
    rtol, atol = tol or _tol(dts[0] if dts else np.float64)
    if len(t["ys"]) != len(z["ys"]):
        diffs.append("number of outputs")
        return diffs
    for i, (a, b) in enumerate(zip(t["ys"], z["ys"])):
        _same(a, b, rtol, atol, f"out{i}", diffs, signs)
        if a is not None and b is not None and a.requires_grad != b.requires_grad:
            diffs.append(f"out{i}.requires_grad torch={a.requires_grad} zg={b.requires_grad}")
    if t["names"] != z["names"]:
        diffs.append(f"grad_fn: torch={t['names']} zg={z['names']}")
    for i, (a, b) in enumerate(zip(t["leaves"], z["leaves"])):
        if a is not None:
            _same(a.grad, b.grad, rtol, atol, f"in{i}.grad", diffs)
            if inplace:
                _same(a, b, rtol, atol, f"in{i} after", diffs)
    tm, zm = t["m"], z["m"]
    if compare_params and isinstance(tm, torch.nn.Module):
        tp = dict(tm.named_parameters())
        zp = dict(zm.named_parameters())
        if list(tp) != list(zp):
            diffs.append(f"param names torch={list(tp)} zg={list(zp)}")
        for n in tp:
            if n in zp:
                _same(tp[n], zp[n], rtol, atol, f"param {n}", diffs)
                _same(tp[n].grad, zp[n].grad, rtol, atol, f"param {n}.grad", diffs)
        tb = dict(tm.named_buffers())
        zb = dict(zm.named_buffers())
        if list(tb) != list(zb):
            diffs.append(f"buffer names torch={list(tb)} zg={list(zb)}")
    return diffs


def _rin(rng, dt, shape, scale=1.0):
    return np.asarray(np.asarray(rng.standard_normal(shape)) * scale, dtype=dt)


def _check(diffs, tag):
    assert not diffs, f"{tag}:\n" + "\n".join(d[:400] for d in diffs)


DTYPES = (np.float32, np.float64)
_SPECIAL = [np.nan, np.inf, -np.inf, -0.0, 0.0, 1.0, -1.0, 3.0, -3.0, 0.5, -0.5, 6.0, 20.0]


def _special_input(rng, dt, shape):
    """Random values with some special ones; the shapes used hold fewer than 8 elements, so
    every element is in torch's scalar loop (see the module docstring)."""
    a = _rin(rng, dt, shape, float(rng.choice([1, 3, 30])))
    k = int(rng.integers(1, a.size + 1))
    a.flat[rng.choice(a.size, k, replace=False)] = rng.choice(_SPECIAL, k)
    return a


def _activation_configs(rng):
    f = lambda: float(rng.choice([0.5, 1.0, 2.0, 0.1, -0.3, 1.5, 0.0]))     # noqa: E731
    b = lambda: bool(rng.integers(2))                                        # noqa: E731
    lo = float(rng.choice([-1.0, -2.0, 0.0, -0.5]))
    return [
        ("ReLU", dict(inplace=b())), ("LeakyReLU", dict(negative_slope=f(), inplace=b())),
        ("LeakyReLU", {}), ("ELU", dict(alpha=f(), inplace=False)),
        ("ELU", dict(alpha=float(rng.choice([0.5, 1.0, 2.0])), inplace=True)),
        ("CELU", dict(alpha=float(rng.choice([0.5, 1.0, 2.0, 1.5])), inplace=b())),
        ("SELU", dict(inplace=b())), ("GELU", dict(approximate=str(rng.choice(["none", "tanh"])))),
        ("Softplus", dict(beta=float(rng.choice([1.0, 2.0, 0.5, -1.0])),
                          threshold=float(rng.choice([20.0, 1.0, 5.0])))),
        ("Hardtanh", dict(min_val=lo, max_val=lo + float(rng.choice([1.0, 2.5])), inplace=b())),
        ("ReLU6", dict(inplace=b())), ("Threshold", dict(threshold=f(), value=f(), inplace=b())),
        ("Hardshrink", dict(lambd=float(rng.choice([0.5, 1.0, 0.0, 2.0])))),
        ("Softshrink", dict(lambd=float(rng.choice([0.5, 1.0, 0.0, 2.0])))),
        ("Tanhshrink", {}), ("Softsign", {}), ("Hardsigmoid", dict(inplace=b())),
        ("Hardswish", dict(inplace=b())), ("SiLU", dict(inplace=b())), ("Mish", dict(inplace=b())),
        ("LogSigmoid", {}), ("Tanh", {}), ("Sigmoid", {}),
    ]


@requires_torch
@pytest.mark.parametrize("seed", SEEDS)
def test_activation_modules_sweep(seed):
    """Every activation module with random constructor arguments, float32 and float64, 0-d,
    empty and n-d inputs, nan/inf/±0 values (signs of zero compared), in-place on a non-leaf."""
    rng = np.random.default_rng(seed)
    for name, kw in _activation_configs(rng):
        ip = kw.get("inplace", False)
        for dt in DTYPES:
            cases = [(_rin(rng, dt, ()), False), (_rin(rng, dt, (0, 3)), False),
                     (_rin(rng, dt, (2, 3, 4), 3.0), False),
                     (_special_input(rng, dt, (7,)), True),
                     (_special_input(rng, dt, (2, 1, 3)), True)]
            if name == "GELU":      # torch's gelu(+inf) depends on its kernel (nan in the AVX-512
                for a, _ in cases:  # one, inf in AVX2's): test_gelu_float32_of_minus_inf_is_nan
                    a[a == np.inf] = 1e30
            for a, signs in cases:
                signs = signs and name != "Softshrink"      # (see the module docstring)
                _check(run(lambda L: getattr(L.nn, name)(**kw), [a], inplace=ip, signs=signs),
                       (name, kw, a.dtype, a.shape))


@requires_torch
@pytest.mark.parametrize("seed", SEEDS)
def test_softmax_family_sweep(seed):
    """Softmax / LogSoftmax / Softmin (dim None warns and picks torch's dim), Softmax2d, GLU,
    PReLU: 0-d, empty and n-d inputs, dims in and out of range."""
    rng = np.random.default_rng(seed)
    for dt in DTYPES:
        for name in ("Softmax", "LogSoftmax", "Softmin"):
            for shape in [(), (4,), (2, 3), (2, 3, 4), (0, 3), (2, 0, 3)]:
                dim = [None, 0, -1, 1, 2, 5][int(rng.integers(6))]
                _check(run(lambda L: getattr(L.nn, name)(dim=dim), [_rin(rng, dt, shape, 5)]),
                       (name, shape, dim))
        for shape in [(3, 2, 2), (2, 3, 2, 2), (3, 4), (1, 2, 3, 4, 5)]:
            _check(run(lambda L: L.nn.Softmax2d(), [_rin(rng, dt, shape)]), ("Softmax2d", shape))
        for shape, dim in [((4, 6), -1), ((4, 6), 0), ((3, 4, 2), 1), ((3, 5), 1), ((), 0),
                           ((4,), 0), ((0, 4), 1), ((2, 4), 2)]:
            _check(run(lambda L: L.nn.GLU(dim), [_rin(rng, dt, shape)]), ("GLU", shape, dim))
        for shape, n in [((2, 3, 4), 3), ((2, 3), 1), ((5,), 1), ((), 1), ((2, 3, 4, 5), 3),
                         ((2, 3), 2), ((4,), 4)]:
            init = float(rng.choice([0.25, -0.1, 1.5]))
            _check(run(lambda L: L.nn.PReLU(n, init, dtype=getattr(L, dt.__name__)),
                       [_rin(rng, dt, shape)]), ("PReLU", shape, n))


@requires_torch
@pytest.mark.parametrize("seed", SEEDS)
def test_linear_identity_sweep(seed):
    """Linear (default init from the same seed, bias or not, 1-d / n-d / empty inputs, zero
    features, a wrong in size) and Identity with arguments."""
    rng = np.random.default_rng(seed)
    for dt in DTYPES:
        for fin, fout, shape, bias in [(3, 4, (2, 3), True), (3, 4, (5, 2, 3), False),
                                       (3, 4, (3,), True), (3, 4, (0, 3), True),
                                       (0, 4, (2, 0), True), (3, 0, (2, 3), True),
                                       (3, 4, (2, 5), True), (3, 4, (2, 3, 3), True),
                                       (5, 2, (4, 5), False)]:
            _check(run(lambda L: L.nn.Linear(fin, fout, bias, dtype=getattr(L, dt.__name__)),
                       [_rin(rng, dt, shape)], seed=int(rng.integers(1000))),
                   ("Linear", fin, fout, shape, bias))
        _check(run(lambda L: L.nn.Identity(3, foo=4), [_rin(rng, dt, (2, 3))]), "Identity")


def _with_random_params(L, m, dt):
    with L.no_grad():
        for p in m.parameters():
            p.copy_(L.tensor(np.random.default_rng(3).standard_normal(tuple(p.shape)).astype(dt)))
    return m


@requires_torch
@pytest.mark.parametrize("seed", SEEDS)
def test_layer_rms_norm_sweep(seed):
    """LayerNorm (elementwise_affine / bias off, int / tuple / list normalized_shape) and
    RMSNorm (eps None: the dtype's eps), random affine parameters, wrong and empty shapes."""
    rng = np.random.default_rng(seed)
    for dt in DTYPES:
        for ns, shape, ea, b, eps in [(4, (2, 3, 4), True, True, 1e-5),
                                      ((3, 4), (2, 3, 4), True, False, 1e-3),
                                      ([4], (4,), False, True, 1e-5), ((2, 3), (2, 3), True, True, 0.1),
                                      (4, (2, 3), True, True, 1e-5), ((0,), (2, 0), True, True, 1e-5),
                                      (4, (0, 4), True, True, 1e-5), ((), (2, 3), True, True, 1e-5),
                                      ((3, 4), (3,), True, True, 1e-5)]:
            x = _rin(rng, dt, shape, float(rng.choice([1, 10])))
            _check(run(lambda L: _with_random_params(L, L.nn.LayerNorm(
                ns, eps, ea, bias=b, dtype=getattr(L, dt.__name__)), dt), [x]),
                ("LayerNorm", ns, shape, ea, b))
            _check(run(lambda L: _with_random_params(L, L.nn.RMSNorm(
                ns, None if eps == 1e-5 else eps, ea, dtype=getattr(L, dt.__name__)), dt), [x]),
                ("RMSNorm", ns, shape, ea))


@requires_torch
@pytest.mark.parametrize("seed", SEEDS)
def test_embedding_sweep(seed):
    """Embedding: padding_idx (negative too), max_norm with each norm_type (the in-place renorm
    of the weight, bit for bit), scale_grad_by_freq, int32/int64/0-d/empty indices, bad indices
    and arguments; from_pretrained with freeze and padding_idx."""
    rng = np.random.default_rng(seed)
    for dt in DTYPES:
        for num, dim, pidx, mn, nt, sgf, ishape in [
                (10, 3, None, None, 2.0, False, (4,)), (10, 3, 2, None, 2.0, True, (2, 5)),
                (10, 3, -1, None, 2.0, False, (7,)), (10, 4, None, 1.0, 2.0, False, (6,)),
                (10, 4, 0, 0.5, 1.0, True, (3, 3)), (10, 4, None, 1.5, 3.0, False, ()),
                (10, 3, None, None, 2.0, False, (0,)), (5, 3, 5, None, 2.0, False, (2,)),
                (5, 3, -6, None, 2.0, False, (2,)), (10, 4, None, 0.7, float("inf"), False, (5,))]:
            idx = rng.integers(0, num, ishape)
            if idx.size:
                idx.flat[0] = idx.flat[-1]
            for idt in (np.int64, np.int32):
                _check(run(lambda L: L.nn.Embedding(num, dim, pidx, mn, nt, sgf,
                                                    dtype=getattr(L, dt.__name__)),
                           [idx.astype(idt)], seed=int(rng.integers(100))),
                       ("Embedding", num, dim, pidx, mn, nt, sgf, ishape, idt))
        w = _rin(rng, dt, (6, 3), 2.0)
        for freeze in (True, False):
            for pidx in (None, 1, -2):
                idx = rng.integers(0, 6, (4,))
                _check(run(lambda L: L.nn.Embedding.from_pretrained(
                    L.tensor(w), freeze=freeze, padding_idx=pidx,
                    max_norm=1.0 if pidx == 1 else None), [idx]),
                    ("from_pretrained", freeze, pidx))
        for bad in (np.array([5]), np.array([-1]), np.array([1.0])):
            _check(run(lambda L: L.nn.Embedding(5, 2), [bad], grad=False), ("bad index", bad))


_DROPOUTS = [("Dropout", [(), (5,), (3, 4), (0, 3), (40,)]),
             ("Dropout1d", [(3, 4), (2, 3, 4), (5,), (2, 3, 4, 5)]),
             ("Dropout2d", [(2, 3, 4, 5), (3, 4, 5), (3, 4), (2, 3, 4, 5, 6), (0, 3, 4, 5)]),
             ("Dropout3d", [(2, 3, 4, 5, 2), (3, 4, 5, 2), (3, 4), (2, 3, 4)]),
             ("AlphaDropout", [(), (5,), (3, 4), (40,)]),
             ("FeatureAlphaDropout", [(2, 3, 4), (3, 4), (5,), (2, 3, 4, 5)])]


@requires_torch
@pytest.mark.parametrize("seed", SEEDS)
def test_dropout_sweep(seed):
    """Every dropout module: p = 0, 1, in between and out of range, train and eval, in place or
    not, supported and deprecated input ranks (warnings) - after the same manual_seed the masks
    are torch's, so training-mode values and gradients are compared too."""
    rng = np.random.default_rng(seed)
    for dt in DTYPES:
        for name, shapes in _DROPOUTS:
            for shape in shapes:
                p = [0.0, 1.0, 0.3, 0.5, -0.1, 1.5][int(rng.integers(6))]
                training = bool(rng.integers(4))
                ip = bool(rng.integers(2))
                if ip and name in ("Dropout1d", "Dropout3d") and len(shape) != \
                        {"Dropout1d": 3, "Dropout3d": 5}[name]:
                    ip = False          # torch's grad_fn differs there: test_unbatched_inplace_...
                _check(run(lambda L: getattr(L.nn, name)(p, ip), [_rin(rng, dt, shape)],
                           training=training, inplace=ip, seed=int(rng.integers(100))),
                       (name, shape, p, training, ip))


@requires_torch
@pytest.mark.parametrize("seed", SEEDS)
def test_flatten_distance_sweep(seed):
    """Flatten / Unflatten (args, 0-d inputs, bad dims and sizes) and CosineSimilarity /
    PairwiseDistance (broadcasting, p including 0, inf, -inf, fractional and negative, eps,
    keepdim, mismatched shapes)."""
    rng = np.random.default_rng(seed)
    for dt in DTYPES:
        for args, shape in [((), (2, 3, 4)), ((0, -1), (2, 3, 4)), ((1, 2), (2, 3, 4, 5)),
                            ((0, 0), (3,)), ((), ()), ((0, -1), ()), ((2, 1), (2, 3, 4)),
                            ((0, 5), (2, 3))]:
            _check(run(lambda L: L.nn.Flatten(*args), [_rin(rng, dt, shape)]), ("Flatten", args))
        for args, shape in [((1, (2, 2)), (3, 4)), ((-1, (2, -1)), (3, 4)), ((0, [1, 3]), (3, 4)),
                            ((1, (3, 3)), (3, 4)), ((1, (-1, -1)), (3, 4)), ((1, 4), (3, 4)),
                            ((1, (2, 2.0)), (3, 4))]:
            _check(run(lambda L: L.nn.Unflatten(*args), [_rin(rng, dt, shape)]),
                   ("Unflatten", args))
        for s1, s2, dim in [((3, 4), (3, 4), 1), ((3, 4), (1, 4), 1), ((2, 3, 4), (3, 4), -1),
                            ((4,), (4,), 0), ((3, 4), (3, 4), 2), ((3, 4), (2, 4), 1),
                            ((0, 4), (0, 4), 1)]:
            eps = float(rng.choice([1e-8, 0.5]))
            _check(run(lambda L: L.nn.CosineSimilarity(dim, eps),
                       [_rin(rng, dt, s1), _rin(rng, dt, s2)]), ("Cosine", s1, s2, dim, eps))
        for s1, s2 in [((3, 4), (3, 4)), ((3, 4), (1, 4)), ((2, 3, 4), (3, 4)), ((4,), (4,)),
                       ((3, 4), (2, 4)), ((0, 4), (0, 4)), ((), ()), ((3, 4), (4,))]:
            p = [2.0, 1.0, 3, 0.0, float("inf"), -float("inf"), 0.5, -1.0][int(rng.integers(8))]
            kd, eps = bool(rng.integers(2)), float(rng.choice([1e-6, 0.1]))
            _check(run(lambda L: L.nn.PairwiseDistance(p, eps, kd),
                       [_rin(rng, dt, s1), _rin(rng, dt, s2)]), ("Pairwise", s1, s2, p, kd, eps))


_PAD_NAMES = {"constant": "ConstantPad", "reflect": "ReflectionPad",
              "replicate": "ReplicationPad", "circular": "CircularPad"}


def _torch_garbage(mode, k, shape, pad):
    """Where torch's result is uninitialized memory (see the module docstring)."""
    for i in range(k):
        n, lo, hi = shape[len(shape) - 1 - i], pad[2 * i], pad[2 * i + 1]
        kept = n + min(lo, 0) + min(hi, 0)
        if mode == "circular" and n + lo + hi > 0 and (kept <= 0 or max(lo, hi) > kept):
            return True
    if mode == "reflect" and k == 3:
        outs = [shape[len(shape) - 1 - i] + pad[2 * i] + pad[2 * i + 1] for i in range(k)]
        return 0 in outs and min(outs) >= 0            # an empty output's backward
    return False


@requires_torch
@pytest.mark.parametrize("seed", SEEDS)
def test_padding_sweep(seed):
    """F.pad in every mode over 1 to 3 dims, batched or not, with random positive and negative
    pads (crops, empty results and each of torch's errors), and every padding module with a
    tuple and an int padding."""
    rng = np.random.default_rng(seed)
    for dt in DTYPES:
        for mode in ("constant", "reflect", "replicate", "circular"):
            for k in (1, 2, 3):
                for batched in (True, False):
                    shape = tuple(int(x) for x in rng.integers(1, 5, k + 1 + batched))
                    pad = tuple(int(x) for x in rng.integers(-2, 4, 2 * k))
                    if _torch_garbage(mode, k, shape, pad):
                        continue
                    val = float(rng.choice([0.0, 1.5])) if mode == "constant" else None
                    x = _rin(rng, dt, shape)
                    _check(run(lambda L: (lambda t: L.nn.functional.pad(t, pad, mode, val)), [x]),
                           ("F.pad", mode, shape, pad, val))
                    name = _PAD_NAMES[mode] + f"{k}d"
                    _check(run(lambda L: getattr(L.nn, name)(
                        *((pad, 2.5) if mode == "constant" else (pad,))), [x]), (name, pad))
                    pi = int(rng.integers(0, 3))
                    _check(run(lambda L: getattr(L.nn, name)(
                        *((pi, -1.0) if mode == "constant" else (pi,))), [x]), (name, pi))
                    if mode == "constant":
                        _check(run(lambda L: getattr(L.nn, f"ZeroPad{k}d")(pad), [x]),
                               ("ZeroPad", k, pad))


_PAD_ERRORS = [((2, 3), (1,), "constant", None), ((2, 3), (1, 1, 1, 1, 1, 1), "constant", None),
               ((2, 3), (1, 1), "bogus", None), ((3,), (1, 1), "reflect", None),
               ((2, 3), (1, 1), "reflect", 1.0), ((2, 3), (3, 0), "reflect", None),
               ((2, 3), (4, 0), "circular", None), ((2, 3), (-4, 0), "constant", None),
               ((2, 3), (3, -4), "constant", None), ((2, 3), (2, -3), "constant", None),
               ((2, 3, 4, 5, 6, 7), (1, 1), "replicate", None), ((), (), "constant", None),
               ((2, 3), (), "constant", 1.0), ((2, 0), (1, 1), "reflect", None),
               ((0, 3), (1, 1), "replicate", None), ((0, 2, 3), (1, 1), "replicate", None),
               ((2, 0, 3), (1, 1), "circular", None), ((2, 0), (1, 1), "circular", None),
               ((2, 3), (-1, -1), "reflect", None), ((2, 3), (-1, -2), "circular", None),
               ((2, 3), (-2, -2), "circular", None), ((2, 3), (-4, 1), "circular", None),
               ((2, 3), (-2, -2), "replicate", None), ((1, 3, 3), (-2, -2, -2, -2), "reflect", None),
               ((1, 3, 3), (-2, -2, -2, -2), "replicate", None), ((1, 3, 3), (0, 0, -2, -2), "reflect", None),
               ((1, 3, 3), (-3, -2, -2, 0), "replicate", None), ((1, 3, 3), (-1, -2, 0, 0), "replicate", None),
               ((1, 3, 3, 3), (-2, -2, -2, -2, -2, -2), "reflect", None),
               ((1, 3, 3, 3), (0, 0, 0, 0, -2, -2), "replicate", None),
               ((2, 3), (1.5, 1), "constant", None), ((2, 3), (True, 1), "constant", None),
               ((2, 3), (np.int64(1), 1), "reflect", None)]


@requires_torch
@pytest.mark.parametrize("shape,pad,mode,value", _PAD_ERRORS,
                         ids=[f"{m}-{s}-{p}" for s, p, m, _ in _PAD_ERRORS])
def test_pad_edge_cases_as_torch(shape, pad, mode, value):
    x = np.random.default_rng(0).standard_normal(shape)
    _check(run(lambda L: (lambda t: L.nn.functional.pad(t, pad, mode, value)), [x]),
           (shape, pad, mode, value))


@requires_torch
@pytest.mark.parametrize("seed", SEEDS)
def test_scaled_dot_product_attention_sweep(seed):
    """F.scaled_dot_product_attention: 2-d to 4-d inputs (torch's fused node for 4-d), value
    head sizes of their own, bool / float / batched masks (rows with every key masked give 0,
    and 0 gradients), is_causal, scale, enable_gqa; gradients of q, k, v."""
    rng = np.random.default_rng(seed)
    for dt in DTYPES:
        for batch in [(2, 3), (3,), (), (2, 1), (4, 2)]:
            Lq, S, E, Ev = (int(x) for x in rng.integers(1, 5, 4))
            for mask_kind in (None, "bool", "float", "bool_b", "causal"):
                gqa = len(batch) == 2 and bool(rng.integers(2))
                scale = [None, 0.3][int(rng.integers(2))]
                hk = batch[:-1] + (1 if batch[-1] % 2 else 2,) if gqa else batch
                ins = [_rin(rng, dt, batch + (Lq, E)), _rin(rng, dt, hk + (S, E)),
                       _rin(rng, dt, hk + (S, Ev))]
                if mask_kind == "bool":
                    ins.append(rng.random((Lq, S)) > 0.3)
                elif mask_kind == "bool_b":
                    ins.append(rng.random(batch + (Lq, S)) > 0.3)
                elif mask_kind == "float":
                    ins.append(_rin(rng, dt, (Lq, S)))

                def call(m, L, q, k, v, *mask):
                    return L.nn.functional.scaled_dot_product_attention(
                        q, k, v, attn_mask=mask[0] if mask else None, dropout_p=0.0,
                        is_causal=mask_kind == "causal", scale=scale, enable_gqa=gqa)
                _check(run(lambda L: None, ins, call=call, nograd_idx=(3,)),
                       ("sdpa", batch, Lq, S, E, Ev, mask_kind, gqa, scale))


@requires_torch
@pytest.mark.parametrize("seed", SEEDS)
def test_multihead_attention_sweep(seed):
    """nn.MultiheadAttention (default init from the same seed): kdim/vdim, bias, add_bias_kv,
    add_zero_attn, batch_first, unbatched; need_weights / average_attn_weights; key padding,
    attention and causal masks; gradients of the inputs and every parameter."""
    rng = np.random.default_rng(seed)
    Lq, S, N = 3, 4, 2
    cfgs = [(4, 2, None, None, True, False, False, False, True),
            (6, 3, 5, 2, True, False, False, True, True),
            (4, 1, None, None, False, True, False, False, True),
            (4, 2, None, None, True, False, True, True, False),
            (8, 2, None, None, True, True, True, True, True)]
    for dt in DTYPES:
        for E, H, kd, vd, bias, abkv, aza, bf, batched in cfgs:
            def shp(n, e):
                return ((N, n, e) if bf else (n, N, e)) if batched else (n, e)
            ins = [_rin(rng, dt, shp(Lq, E)), _rin(rng, dt, shp(S, kd or E)),
                   _rin(rng, dt, shp(S, vd or E))]
            nw, avg = [(True, True), (True, False), (False, True)][int(rng.integers(3))]
            for mk in (None, "kpm", "am", "causal"):
                def call(m, L, q, k, v):
                    kw = {}
                    if mk == "kpm" and batched:
                        kw["key_padding_mask"] = L.tensor(np.array([[False, True, False, False],
                                                                    [False, False, False, True]]))
                    if mk in ("am", "causal"):
                        kw["attn_mask"] = L.tensor(np.triu(np.ones((Lq, S), bool), 1))
                        kw["is_causal"] = mk == "causal"
                    return m(q, k, v, need_weights=nw, average_attn_weights=avg, **kw)
                _check(run(lambda L: L.nn.MultiheadAttention(
                    E, H, 0.0, bias, abkv, aza, kd, vd, bf, dtype=getattr(L, dt.__name__)),
                    ins, call=call, training=False, seed=int(rng.integers(100))),
                    ("MHA", E, H, kd, vd, bias, abkv, aza, bf, batched, nw, avg, mk))


# ------------------------------------------------------------------------------------------------
# gradcheck of representative configurations (float64)
# ------------------------------------------------------------------------------------------------

def _gradcheck_cases():
    nn, F = zerograd.nn, zerograd.nn.functional
    d = zerograd.float64
    return [
        ("ELU", lambda x: nn.ELU(0.7)(x), (3, 4)), ("CELU", lambda x: nn.CELU(1.5)(x), (3, 4)),
        ("SELU", lambda x: nn.SELU()(x), (5,)), ("GELU tanh", lambda x: nn.GELU("tanh")(x), (6,)),
        ("GELU", lambda x: nn.GELU()(x), (6,)), ("Softplus", lambda x: nn.Softplus(2.0, 1.0)(x), (6,)),
        ("Mish", lambda x: nn.Mish()(x), (6,)), ("SiLU", lambda x: nn.SiLU()(x), (6,)),
        ("LogSigmoid", lambda x: nn.LogSigmoid()(x), (6,)), ("Softsign", lambda x: nn.Softsign()(x), (6,)),
        ("Tanhshrink", lambda x: nn.Tanhshrink()(x), (6,)), ("GLU", lambda x: nn.GLU(0)(x), (4, 3)),
        ("LogSoftmax", lambda x: nn.LogSoftmax(1)(x), (2, 5)), ("Softmin", lambda x: nn.Softmin(0)(x), (3, 2)),
        ("LayerNorm", lambda x: F.layer_norm(x, (4,), zerograd.linspace(0.5, 2, 4, dtype=d),
                                             zerograd.linspace(-1, 1, 4, dtype=d)), (3, 4)),
        ("RMSNorm", lambda x: F.rms_norm(x, (2, 3)), (2, 2, 3)),
        ("Cosine", lambda x: F.cosine_similarity(x, x.flip(0) + 0.5, 1), (3, 4)),
        ("Pairwise p=3", lambda x: F.pairwise_distance(x, x.flip(0), 3.0), (3, 4)),
        ("pad reflect", lambda x: F.pad(x, (2, -1, 1, 1), "reflect"), (1, 3, 4)),
        ("pad replicate", lambda x: F.pad(x, (1, 2), "replicate"), (2, 3)),
        ("pad circular", lambda x: F.pad(x, (1, 1, -1, 2), "circular"), (1, 3, 3)),
        ("pad constant", lambda x: F.pad(x, (1, -1, 2, 0), value=2.0), (3, 3)),
        ("sdpa 4-d masked", lambda x: F.scaled_dot_product_attention(
            x, x * 0.5, x + 1, attn_mask=zerograd.tensor([[True, False], [False, False]])),
         (1, 2, 2, 3)),
        ("sdpa causal 3-d", lambda x: F.scaled_dot_product_attention(x, x.flip(1), x, is_causal=True),
         (2, 3, 2)),
    ]


@requires_torch
def test_gradcheck_representative_configurations():
    rng = np.random.default_rng(5)
    failed = []
    for name, f, shape in _gradcheck_cases():
        x = zerograd.tensor(rng.uniform(-2, 2, shape), requires_grad=True)
        if not zerograd.autograd.gradcheck(f, (x,), eps=1e-6, atol=1e-5, raise_exception=False):
            failed.append(name)
    assert not failed


# ------------------------------------------------------------------------------------------------
# focused tests for the bugs this sweep found
# ------------------------------------------------------------------------------------------------

def _both(f):
    return [f(L) for L in LIBS]


@requires_torch
def test_relu_keeps_negative_zero_and_gives_positive_zero_grads():
    def f(L):
        x = L.tensor([-0.0, 0.0, -1.0, 2.0, float("nan")], requires_grad=True)
        y = L.relu(x)
        y.backward(L.tensor([-1.0, -1.0, -1.0, -1.0, -1.0]))
        return np.signbit(y.detach().numpy()[:3]).tolist(), np.signbit(x.grad.numpy()).tolist()
    t, z = _both(f)
    assert z == t == ([True, False, False], [False, False, False, True, True])


@requires_torch
@pytest.mark.parametrize("fn", ["hardtanh", "relu6", "hardshrink", "softshrink", "elu", "selu",
                                "celu", "hardswish"])
def test_nan_input_gradient_in_torchs_scalar_loop(fn):
    def f(L):
        x = L.tensor(np.array([np.nan, 0.5, -0.5, 2.0], np.float32), requires_grad=True)
        getattr(L.nn.functional, fn)(x).backward(L.ones(4))
        return x.grad.numpy()
    t, z = _both(f)
    np.testing.assert_allclose(z, t, rtol=1e-6)


@requires_torch
@pytest.mark.xfail(strict=True, reason="intentional: torch's SIMD loop (all but the last "
                   "numel % 16 float32 elements) takes another branch for a nan input than its "
                   "scalar loop; zerograd follows the scalar kernel")
def test_nan_input_gradient_in_torchs_vector_loop():
    def f(L):
        x = L.tensor(np.array([np.nan, 0.5, -0.5, 2.0] * 8, np.float32), requires_grad=True)
        L.nn.functional.hardtanh(x).backward(L.ones(32))
        return x.grad.numpy()
    t, z = _both(f)
    np.testing.assert_array_equal(z, t)


@requires_torch
def test_gelu_float32_of_minus_inf_is_nan():
    t, z = _both(lambda L: L.nn.functional.gelu(L.tensor([-np.inf, np.inf, -50.0])).numpy())
    assert np.isnan(z[0]) and np.isnan(t[0])
    # gelu(+inf): inf in torch's scalar and AVX2 kernels, nan in its AVX-512 one; zerograd: inf
    assert z[1] == np.inf and (t[1] == np.inf or np.isnan(t[1]))
    assert z[2] == 0 and t[2] == 0


@requires_torch
def test_softmax_and_softmin_backward_of_an_empty_input():
    def f(L):
        x = L.zeros(0, 3, requires_grad=True)
        L.nn.Softmax(1)(x).sum().backward()
        y = L.nn.functional.softmin(x, 0)
        y.sum().backward()
        return tuple(x.grad.shape), y.grad_fn.name()
    t, z = _both(f)
    assert z == t


@requires_torch
def test_embedding_of_no_indices_backward():
    def f(L):
        L.manual_seed(0)
        m = L.nn.Embedding(4, 3)
        m(L.zeros(0, dtype=L.int64)).sum().backward()
        return m.weight.grad.numpy()
    t, z = _both(f)
    np.testing.assert_array_equal(z, t)


@requires_torch
def test_embedding_max_norm_renorms_the_weight_as_torch():
    for seed in range(20):
        rng = np.random.default_rng(seed)
        w = (rng.standard_normal((10, 4)) * 2).astype(np.float32)
        idx = rng.integers(0, 10, 6)
        nt = float(rng.choice([1.0, 2.0, 3.0, np.inf]))

        def f(L):
            W = L.tensor(w.copy())
            L.nn.functional.embedding(L.tensor(idx), W, max_norm=0.7, norm_type=nt)
            return W.numpy()
        t, z = _both(f)
        # bit for bit where torch sums the norm in its AVX2 order; its AVX-512 kernels sum in
        # another order, a last-bit difference in the scale
        np.testing.assert_allclose(z, t, rtol=2.5e-7, atol=0)


@requires_torch
def test_norm_shape_errors():
    for f in (lambda L: L.nn.functional.layer_norm(L.ones(2, 3), ()),
              lambda L: L.nn.functional.rms_norm(L.ones(2, 3), ()),
              lambda L: L.nn.functional.rms_norm(L.ones(2, 3), (4,)),
              lambda L: L.nn.functional.rms_norm(L.ones(3), (3, 4))):
        errs = []
        for L in LIBS:
            with pytest.raises((RuntimeError, ValueError)) as e:
                f(L)
            errs.append((e.type, str(e.value)))
        assert errs[0] == errs[1]


@requires_torch
def test_flatten_of_a_0d_tensor_checks_its_dims():
    for L in LIBS:
        with pytest.raises(IndexError, match=r"range of \[-1, 0\], but got 1"):
            L.nn.Flatten()(L.tensor(1.0))
        assert L.nn.Flatten(0, -1)(L.tensor(1.0)).shape == (1,)


@requires_torch
def test_unflatten_keeps_its_size_as_given_and_checks_it():
    assert repr(zerograd.nn.Unflatten(1, [2, 2])) == repr(torch.nn.Unflatten(1, [2, 2]))
    for bad in (4, (2, 2.0)):
        msgs = []
        for L in LIBS:
            with pytest.raises(TypeError) as e:
                L.nn.Unflatten(1, bad)
            msgs.append(str(e.value))
        assert msgs[0] == msgs[1]


@requires_torch
@pytest.mark.parametrize("shape,pad,mode", [
    ((2, 3), (-1, -1), "circular"), ((2, 3), (-4, 1), "circular"), ((2, 3), (2, -3), "constant"),
    ((1, 3, 3), (-1, -2, 0, 0), "reflect"), ((1, 3, 3, 3), (-1, -2, 0, 0, 0, 0), "replicate")])
def test_pad_crops_to_an_empty_dim_as_torch(shape, pad, mode):
    x = np.arange(np.prod(shape), dtype=np.float64).reshape(shape)
    t, z = _both(lambda L: L.nn.functional.pad(L.tensor(x), pad, mode).numpy())
    assert z.shape == t.shape
    np.testing.assert_array_equal(z, t)


def test_circular_pad_of_an_all_cropped_dim_raises():
    """Intentional: torch wraps an empty region there and returns uninitialized memory."""
    with pytest.raises(RuntimeError, match="uninitialized memory"):
        zerograd.nn.functional.pad(zerograd.ones(2, 3), (-3, 1), "circular")


def test_reflection_pad3d_backward_of_an_empty_output_is_zero():
    """Intentional: torch's grad_input is uninitialized memory there."""
    x = zerograd.ones(1, 2, 3, 3, requires_grad=True)
    y = zerograd.nn.functional.pad(x, (-1, -2, 0, 0, 0, 0), "reflect")
    y.sum().backward()
    assert y.shape == (1, 2, 3, 0) and not x.grad.numpy().any()


@requires_torch
def test_sdpa_fully_masked_rows_give_zero_outputs_and_gradients():
    for shape in [(2, 3), (1, 2, 3), (1, 1, 2, 3)]:
        def f(L):
            g = np.random.default_rng(0)
            q, k, v = (L.tensor(g.standard_normal(shape[:-2] + (n, 3)), requires_grad=True)
                       for n in (2, 3, 3))
            m = L.tensor([[True, False, True], [False, False, False]])
            y = L.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=m)
            y.backward(L.ones(y.shape, dtype=y.dtype))
            return y.detach().numpy(), q.grad.numpy(), k.grad.numpy(), y.grad_fn.name()
        t, z = _both(f)
        assert z[3] == t[3]
        for a, b in zip(z[:3], t[:3]):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@requires_torch
def test_sdpa_enable_gqa_and_value_head_size():
    def f(L):
        g = np.random.default_rng(1)
        q = L.tensor(g.standard_normal((2, 4, 3, 5)), requires_grad=True)
        k = L.tensor(g.standard_normal((2, 2, 3, 5)), requires_grad=True)
        v = L.tensor(g.standard_normal((2, 1, 3, 2)), requires_grad=True)
        y = L.nn.functional.scaled_dot_product_attention(q, k, v, enable_gqa=True)
        y.backward(L.ones(y.shape, dtype=y.dtype))
        return y.detach().numpy(), k.grad.numpy(), v.grad.numpy(), y.grad_fn.name()
    t, z = _both(f)
    assert z[3] == t[3] == "UnsafeViewBackward0"
    for a, b in zip(z[:3], t[:3]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    for L in LIBS:
        with pytest.raises(RuntimeError, match="Number of heads in key and value must divide"):
            L.nn.functional.scaled_dot_product_attention(
                L.ones(3, 2, 4), L.ones(2, 2, 4), L.ones(2, 2, 4), enable_gqa=True)


@requires_torch
def test_mha_is_causal_without_weights_masks_the_added_keys_too():
    def f(L):
        L.manual_seed(0)
        m = L.nn.MultiheadAttention(4, 2, add_bias_kv=True, add_zero_attn=True).eval()
        x = L.tensor(np.random.default_rng(2).standard_normal((3, 2, 4)).astype(np.float32))
        mask = L.tensor(np.triu(np.ones((3, 3), bool), 1))
        return m(x, x, x, attn_mask=mask, is_causal=True, need_weights=False)[0].detach().numpy()
    t, z = _both(f)
    np.testing.assert_allclose(z, t, rtol=1e-5, atol=1e-6)


@requires_torch
def test_functional_relu_():
    t, z = _both(lambda L: L.nn.functional.relu_(L.tensor([-1.0, 2.0])).numpy())
    np.testing.assert_array_equal(z, t)


@requires_torch
@pytest.mark.xfail(strict=True, reason="intentional: torch runs input.unsqueeze_(0) and "
                   "squeeze_(0) around an unbatched in-place feature dropout (SqueezeBackward4); "
                   "zerograd has no in-place unsqueeze_/squeeze_ and records the mask multiply")
def test_unbatched_inplace_dropout1d_grad_fn():
    names = []
    for L in LIBS:
        x = L.ones(3, 4, requires_grad=True).clone()
        names.append(L.nn.functional.dropout1d(x, 0.5, True, True).grad_fn.name())
    assert names[0] == names[1]
