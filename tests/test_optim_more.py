"""Adamax, NAdam, RAdam, Adadelta, Rprop, ASGD, Adafactor and LBFGS against PyTorch.

Each optimizer runs 20 steps over a grid of options on a few parameters (a matrix, a vector, a
0-d tensor, a 3-d tensor) whose gradients come from a fixed NumPy function of the parameters,
the same in both libraries; the parameters and the whole state_dict (keys, values, types,
dtypes) must equal torch's: float64 to 1e-12, float32 to ~1e-5 of the values' scale, bfloat16
keeping its dtype and close.  Also: a torch state_dict loaded mid-run, constructor errors,
repr, an lr scheduler, and LBFGS with a closure (plain and strong-Wolfe line search).
"""
from __future__ import annotations

import copy
import math
import subprocess
import sys

import numpy as np
import pytest

import zerograd
from tests._oracle import requires_torch, torch

SHAPES = [(3, 4), (5,), (), (2, 3, 2)]
STEPS = 20

GRID = {
    "Adamax": [{}, dict(weight_decay=0.1, maximize=True), dict(lr=0.05, betas=(0.5, 0.6),
                                                                eps=1e-3)],
    "NAdam": [{}, dict(weight_decay=0.1, maximize=True),
              dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True, momentum_decay=0.1),
              dict(betas=(0.5, 0.6), eps=1e-3)],
    "RAdam": [{}, dict(weight_decay=0.1, maximize=True),
              dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True),
              dict(betas=(0.5, 0.6)),                 # ρ∞ = 4: never rectified
              dict(betas=(0.9, 0.9))],                # rectified from step 6 on
    "Adadelta": [{}, dict(weight_decay=0.1, maximize=True), dict(lr=0.5, rho=0.5, eps=1e-3)],
    "Rprop": [{}, dict(maximize=True), dict(lr=0.1, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2))],
    "ASGD": [{}, dict(weight_decay=0.1, maximize=True),
             dict(lr=0.1, lambd=0.1, alpha=0.5, t0=5)],
    "Adafactor": [{}, dict(weight_decay=0.1, maximize=True),
                  dict(lr=0.1, eps=(1e-3, 1e-2), d=1.5, beta2_decay=-0.5)],
}
CASES = [(name, kw) for name, kws in GRID.items() for kw in kws]
IDS = [f"{name}-{i}" for name, kws in GRID.items() for i in range(len(kws))]


# ------------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------------
def _grad_fn(a: np.ndarray, k: int, i: int) -> np.ndarray:
    """The gradient both libraries get for parameter k at step i (bounded: maximize is safe)."""
    a64 = a.astype(np.float64)
    return (np.sin(2 * a64 + k) + 0.5 * np.tanh(a64) + 0.05 * k) * (1 + 0.1 * i)


def _np(t) -> np.ndarray:
    """A tensor of either library as float64 NumPy (bfloat16 through float32)."""
    t = t.detach()
    if str(t.dtype).endswith("bfloat16"):
        t = t.float()
    return np.asarray(t.numpy(), dtype=np.float64)


def _params(lib, dtype, seed=0):
    rng = np.random.default_rng(seed)
    dt = getattr(lib, dtype)
    return [lib.tensor(rng.standard_normal(s)).to(dt).requires_grad_() for s in SHAPES]


def _run(lib, opt, params, steps, start=0, sched=None):
    for i in range(start, start + steps):
        for k, p in enumerate(params):
            g = _grad_fn(_np(p), k, i)
            p.grad = lib.tensor(g).to(p.dtype)
        opt.step()
        if sched is not None:
            sched.step()


def _to_zerograd(v):
    """A torch value (state dict, ...) as zerograd's: tensors by value, dtype kept."""
    if isinstance(v, torch.Tensor):
        if v.dtype == torch.bfloat16:
            return zerograd.tensor(v.float().numpy().copy()).to(zerograd.bfloat16)
        return zerograd.tensor(v.detach().numpy().copy())
    if isinstance(v, tuple):
        return tuple(_to_zerograd(x) for x in v)
    if isinstance(v, list):
        return [_to_zerograd(x) for x in v]
    if isinstance(v, dict):
        return {k: _to_zerograd(x) for k, x in v.items()}
    return v


def _assert_same(z, t, where, rtol=1e-12):
    """zerograd value `z` equals torch value `t`: same structure, types, dtypes, and values
    within rtol of the array's scale."""
    if isinstance(t, torch.Tensor):
        assert isinstance(z, zerograd.Tensor), f"{where}: {type(z).__name__} is not a tensor"
        assert str(z.dtype) == str(t.dtype), f"{where}: dtype {z.dtype} != {t.dtype}"
        assert tuple(z.shape) == tuple(t.shape), f"{where}: shape {z.shape} != {t.shape}"
        tv = _np(t)
        scale = float(np.max(np.abs(tv))) if tv.size else 0.0
        np.testing.assert_allclose(_np(z), tv, rtol=rtol, atol=rtol * scale, err_msg=where)
    elif isinstance(t, dict):
        assert isinstance(z, dict), f"{where}: {type(z).__name__} is not a dict"
        assert list(z) == list(t), f"{where}: keys {list(z)} != {list(t)}"
        for k in t:
            _assert_same(z[k], t[k], f"{where}[{k!r}]", rtol)
    elif isinstance(t, (list, tuple)):
        assert type(z) is type(t), f"{where}: {type(z).__name__} != {type(t).__name__}"
        assert len(z) == len(t), f"{where}: length {len(z)} != {len(t)}"
        for i, (a, b) in enumerate(zip(z, t)):
            _assert_same(a, b, f"{where}[{i}]", rtol)
    elif isinstance(t, float):
        assert type(z) is float, f"{where}: {z!r} is not a float like {t!r}"
        assert math.isclose(z, t, rel_tol=rtol, abs_tol=1e-300), f"{where}: {z!r} != {t!r}"
    else:
        assert type(z) is type(t) and z == t, f"{where}: {z!r} != {t!r}"


def _raises(fz, ft):
    """Both raise the same exception type with the same message (or neither raises)."""
    try:
        ft()
    except Exception as e:     # noqa: BLE001 - the oracle decides what is expected
        expected = e
    else:
        expected = None
    if expected is None:
        fz()
        return
    with pytest.raises(type(expected)) as info:
        fz()
    assert str(info.value) == str(expected)


TOL = {"float64": 1e-12, "float32": 2e-5, "bfloat16": 8e-2}


# ------------------------------------------------------------------------------------------------
# trajectories and state dicts
# ------------------------------------------------------------------------------------------------
@requires_torch
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_20_steps_match_torch(name, kwargs, dtype):
    results = []
    for lib in (zerograd, torch):
        params = _params(lib, dtype)
        opt = getattr(lib.optim, name)(params, **kwargs)
        _run(lib, opt, params, STEPS)
        results.append((params, opt.state_dict()))
    (zp, zsd), (tp, tsd) = results
    for i, (a, b) in enumerate(zip(zp, tp)):
        _assert_same(a.detach(), b.detach(), f"param {i}", TOL[dtype])
    _assert_same(zsd, tsd, "state_dict", TOL[dtype])


@requires_torch
@pytest.mark.parametrize("name", list(GRID))
def test_bfloat16_parameters_keep_their_dtype_and_follow_torch(name):
    results = []
    for lib in (zerograd, torch):
        params = _params(lib, "bfloat16")
        opt = getattr(lib.optim, name)(params, **GRID[name][-1])
        _run(lib, opt, params, 5)
        results.append((params, opt.state_dict()))
    (zp, zsd), (tp, tsd) = results
    for i, (a, b) in enumerate(zip(zp, tp)):
        assert a.dtype == zerograd.bfloat16
        _assert_same(a.detach(), b.detach(), f"param {i}", TOL["bfloat16"])
    _assert_same(zsd, tsd, "state_dict", TOL["bfloat16"])


@requires_torch
@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_torch_state_dict_loads_into_zerograd_and_both_continue_alike(name, kwargs):
    tparams = _params(torch, "float64", seed=1)
    topt = getattr(torch.optim, name)(tparams, **kwargs)
    _run(torch, topt, tparams, 8)
    # both load it into a new optimizer (a load casts the state to the parameters' dtypes:
    # NAdam's mu_product, ASGD's eta and mu become float64 here, in both)
    zparams = [zerograd.tensor(_np(p)).requires_grad_() for p in tparams]
    zopt = getattr(zerograd.optim, name)(zparams, **kwargs)
    zopt.load_state_dict(_to_zerograd(topt.state_dict()))
    tparams = [p.detach().clone().requires_grad_() for p in tparams]
    saved, topt = topt.state_dict(), getattr(torch.optim, name)(tparams, **kwargs)
    topt.load_state_dict(saved)
    _assert_same(zopt.state_dict(), topt.state_dict(), "loaded")
    _run(torch, topt, tparams, 8, start=8)
    _run(zerograd, zopt, zparams, 8, start=8)
    for i, (a, b) in enumerate(zip(zparams, tparams)):
        _assert_same(a.detach(), b.detach(), f"param {i}")
    _assert_same(zopt.state_dict(), topt.state_dict(), "state_dict")


@pytest.mark.parametrize("name", list(GRID))
def test_own_state_dict_round_trip_continues_the_same_trajectory(name):
    kwargs = GRID[name][-1]
    a = _params(zerograd, "float64", seed=2)
    opt_a = getattr(zerograd.optim, name)(a, **kwargs)
    _run(zerograd, opt_a, a, 6)
    b = [p.detach().clone().requires_grad_() for p in a]
    opt_b = getattr(zerograd.optim, name)(b, **kwargs)
    opt_b.load_state_dict(copy.deepcopy(opt_a.state_dict()))   # (a checkpoint: its own copy)
    _run(zerograd, opt_a, a, 6, start=6)
    _run(zerograd, opt_b, b, 6, start=6)
    # (equal but for NAdam's mu_product and ASGD's eta, mu: a load casts them to float64 here,
    # as torch's does)
    for p, q in zip(a, b):
        np.testing.assert_allclose(_np(p), _np(q), rtol=1e-12, atol=1e-14)


@requires_torch
def test_state_of_a_float32_optimizer_loaded_into_float64_params_is_cast_like_torch():
    results = []
    for lib in (zerograd, torch):
        src = _params(lib, "float32")
        opt = lib.optim.ASGD(src, t0=2)
        _run(lib, opt, src, 4)
        sd = opt.state_dict()
        if lib is torch:
            sd = _to_zerograd(sd)
        dst = _params(zerograd, "float64")
        opt2 = zerograd.optim.ASGD(dst, t0=2)
        opt2.load_state_dict(sd)
        results.append({k: str(v.dtype) for k, v in opt2.state[dst[0]].items()})
    tparams = _params(torch, "float64")
    topt = torch.optim.ASGD(tparams, t0=2)
    src = _params(torch, "float32")
    o = torch.optim.ASGD(src, t0=2)
    _run(torch, o, src, 4)
    topt.load_state_dict(o.state_dict())
    assert results[0] == results[1] == {k: str(v.dtype) for k, v in topt.state[tparams[0]].items()}


@requires_torch
def test_with_a_step_lr_scheduler_matches_torch():
    results = []
    for lib in (zerograd, torch):
        params = _params(lib, "float64")
        opt = lib.optim.NAdam(params, lr=0.05, weight_decay=0.01, decoupled_weight_decay=True)
        sched = lib.optim.lr_scheduler.StepLR(opt, step_size=5, gamma=0.5)
        _run(lib, opt, params, STEPS, sched=sched)
        results.append((params, opt.state_dict(), sched.get_last_lr(), sched.state_dict()))
    (zp, zsd, zlr, zss), (tp, tsd, tlr, tss) = results
    for i, (a, b) in enumerate(zip(zp, tp)):
        _assert_same(a.detach(), b.detach(), f"param {i}")
    _assert_same(zsd, tsd, "state_dict")
    assert zlr == tlr and zsd["param_groups"][0]["lr"] == tsd["param_groups"][0]["lr"]
    # Rprop's step sizes are made from lr at the first step only; ASGD reads lr at every step
    for name in ("Rprop", "ASGD", "Adadelta"):
        out = []
        for lib in (zerograd, torch):
            params = _params(lib, "float64")
            opt = getattr(lib.optim, name)(params, lr=0.1)
            sched = lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.8)
            _run(lib, opt, params, 10, sched=sched)
            out.append(params)
        for i, (a, b) in enumerate(zip(*out)):
            _assert_same(a.detach(), b.detach(), f"{name} param {i}")


@requires_torch
@pytest.mark.parametrize("name", ["Adamax", "NAdam", "RAdam", "Adadelta", "ASGD", "Adafactor"])
def test_a_tensor_learning_rate_matches_torch(name):
    results = []
    for lib in (zerograd, torch):
        params = _params(lib, "float64")
        opt = getattr(lib.optim, name)(params, lr=lib.tensor(0.02, dtype=lib.float64))
        _run(lib, opt, params, 10)
        results.append(params)
    for i, (a, b) in enumerate(zip(*results)):
        _assert_same(a.detach(), b.detach(), f"param {i}")


# ------------------------------------------------------------------------------------------------
# constructor checks, repr, flags
# ------------------------------------------------------------------------------------------------
BAD = {
    "Adamax": [dict(lr=-1), dict(eps=-1), dict(betas=(1.0, 0.9)), dict(betas=(0.9, -0.1)),
               dict(weight_decay=-1)],
    "NAdam": [dict(lr=-1), dict(eps=-1), dict(betas=(1.0, 0.9)), dict(betas=(0.9, 1.0)),
              dict(weight_decay=-1), dict(momentum_decay=-1)],
    "RAdam": [dict(lr=-1), dict(eps=-1), dict(betas=(-0.1, 0.9)), dict(betas=(0.9, 1.0)),
              dict(weight_decay=-1)],
    "Adadelta": [dict(lr=-1), dict(rho=1.1), dict(rho=-0.1), dict(eps=-1), dict(weight_decay=-1)],
    "Rprop": [dict(lr=-1), dict(etas=(1.1, 1.2)), dict(etas=(0.5, 0.9)), dict(etas=(0.0, 1.2)),
              dict(step_sizes=(1, 0.5))],
    "ASGD": [dict(lr=-1), dict(weight_decay=-1), dict(lambd=-1), dict(t0=-1)],
    "Adafactor": [dict(lr=-1), dict(beta2_decay=0.1), dict(eps=(-1, 1e-3)), dict(eps=(None, -1)),
                  dict(d=0.5), dict(weight_decay=-1), dict(eps=(None, None))],
    "LBFGS": [dict(lr=-1), dict(max_iter=0), dict(history_size=0)],
}


@requires_torch
@pytest.mark.parametrize("name", list(BAD))
def test_constructor_errors_match_torch(name):
    for kwargs in BAD[name] + [dict(lr=[1.0, 2.0])]:
        if kwargs.get("lr") == [1.0, 2.0]:
            kwargs = dict(lr=None)      # a 2-element tensor lr, built per library below
        _raises(lambda: getattr(zerograd.optim, name)(
                    [zerograd.zeros(2, requires_grad=True)],
                    **(kwargs if kwargs.get("lr", 0) is not None
                       else dict(lr=zerograd.tensor([1.0, 2.0])))),
                lambda: getattr(torch.optim, name)(
                    [torch.zeros(2, requires_grad=True)],
                    **(kwargs if kwargs.get("lr", 0) is not None
                       else dict(lr=torch.tensor([1.0, 2.0])))))


@requires_torch
def test_lbfgs_refuses_parameter_groups_like_torch():
    _raises(lambda: zerograd.optim.LBFGS([{"params": [zerograd.zeros(1, requires_grad=True)]},
                                          {"params": [zerograd.zeros(1, requires_grad=True)]}]),
            lambda: torch.optim.LBFGS([{"params": [torch.zeros(1, requires_grad=True)]},
                                       {"params": [torch.zeros(1, requires_grad=True)]}]))


@requires_torch
@pytest.mark.parametrize("name", list(BAD))
def test_repr_and_param_groups_match_torch(name):
    kwargs = {} if name == "LBFGS" else GRID[name][-1]
    opts = [getattr(lib.optim, name)([lib.zeros(2, requires_grad=True)], **kwargs)
            for lib in (zerograd, torch)]
    assert repr(opts[0]) == repr(opts[1])
    _assert_same(opts[0].state_dict(), opts[1].state_dict(), "state_dict")


@pytest.mark.parametrize("name", [n for n in GRID if n != "Adafactor"])
def test_unsupported_implementation_flags_raise_clearly(name):
    for flag in ("capturable", "differentiable"):
        with pytest.raises(RuntimeError, match=f"`{flag}=True` is not supported"):
            getattr(zerograd.optim, name)([zerograd.zeros(2, requires_grad=True)],
                                          **{flag: True})
    opt = getattr(zerograd.optim, name)([zerograd.zeros(2, requires_grad=True)], foreach=True)
    assert opt.param_groups[0]["foreach"] is True


def test_step_updates_in_place_skips_params_without_grad_and_records_no_graph():
    for name in GRID:
        p = zerograd.ones(3, requires_grad=True)
        q = zerograd.ones(2, requires_grad=True)
        opt = getattr(zerograd.optim, name)([p, q])
        data, version = p._data, p._version
        (p * p).sum().backward()
        opt.step()
        assert p._data is data and p._version > version, name
        assert p.grad_fn is None and p.requires_grad
        assert q not in opt.state and np.all(q.detach().numpy() == 1), name


def test_the_less_common_optimizers_are_imported_on_first_use():
    code = ("import sys, zerograd, zerograd.optim as o; "
            "assert 'zerograd.optim.nadam' not in sys.modules; "
            "o.NAdam; assert 'zerograd.optim.nadam' in sys.modules; "
            "assert {'NAdam', 'LBFGS', 'Adafactor'} <= set(dir(o))")
    subprocess.run([sys.executable, "-c", code], check=True)


# ------------------------------------------------------------------------------------------------
# LBFGS: closure-based
# ------------------------------------------------------------------------------------------------
def _rosenbrock(x: np.ndarray):
    """f and ∇f of a 4-d Rosenbrock function plus a small quartic, in float64 NumPy."""
    a, b = x[:2], x[2:]
    f = np.sum((1 - a) ** 2) + 100 * np.sum((b - a ** 2) ** 2) + 0.01 * np.sum(x ** 4)
    g = 0.04 * x ** 3
    g[:2] += -2 * (1 - a) - 400 * a * (b - a ** 2)
    g[2:] += 200 * (b - a ** 2)
    return f, g


def _quadratic(x: np.ndarray):
    A = np.diag([1.0, 3.0, 0.5, 2.0]) + 0.1
    f = 0.5 * x @ A @ x - x.sum()
    return f, A @ x - 1


def _lbfgs_run(lib, fn, dtype, steps, **kwargs):
    x0 = np.array([-1.5, 2.0, 0.5, -0.3])
    x = lib.tensor(x0[:3]).to(getattr(lib, dtype)).requires_grad_()
    y = lib.tensor(x0[3:]).to(getattr(lib, dtype)).requires_grad_()
    opt = lib.optim.LBFGS([x, y], **kwargs)
    calls = []

    def closure():
        opt.zero_grad()
        v = np.concatenate([_np(x), _np(y)])
        f, g = fn(v)
        calls.append(lib.is_grad_enabled())
        x.grad = lib.tensor(g[:3]).to(x.dtype)
        y.grad = lib.tensor(g[3:]).to(y.dtype)
        return lib.tensor(f)

    losses = [float(opt.step(closure)) for _ in range(steps)]
    return [x, y], opt, losses, calls


@requires_torch
@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
@pytest.mark.parametrize("fn,dtype,kwargs", [
    (_rosenbrock, "float64", {}),
    (_rosenbrock, "float64", dict(history_size=3, max_iter=7, lr=0.5)),
    (_quadratic, "float64", dict(max_iter=4)),
    (_quadratic, "float32", dict(max_iter=4)),
], ids=["rosenbrock", "rosenbrock-short-history", "quadratic", "quadratic-float32"])
def test_lbfgs_matches_torch(fn, dtype, kwargs, line_search_fn):
    z = _lbfgs_run(zerograd, fn, dtype, 3, line_search_fn=line_search_fn, **kwargs)
    t = _lbfgs_run(torch, fn, dtype, 3, line_search_fn=line_search_fn, **kwargs)
    # (the two libraries' dot products and sums round differently: Rosenbrock's curvature
    # amplifies an ulp over the iterations)
    rtol = (1e-6 if fn is _rosenbrock else 1e-10) if dtype == "float64" else 1e-4
    for a, b in zip(z[0], t[0]):
        _assert_same(a.detach(), b.detach(), "param", rtol)
    np.testing.assert_allclose(z[2], t[2], rtol=rtol)
    assert len(z[3]) == len(t[3]) and all(z[3])       # closure calls, grad enabled
    _assert_same(z[1].state_dict(), t[1].state_dict(), "state_dict", rtol)


@requires_torch
@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_continues_from_torchs_state_dict(line_search_fn):
    _, topt, _, _ = _lbfgs_run(torch, _rosenbrock, "float64", 1, line_search_fn=line_search_fn,
                               max_iter=5)
    tp = topt.param_groups[0]["params"]
    zp = [zerograd.tensor(_np(p)).requires_grad_() for p in tp]
    zopt = zerograd.optim.LBFGS(zp, line_search_fn=line_search_fn, max_iter=5)
    zopt.load_state_dict(_to_zerograd(topt.state_dict()))

    def closure_for(lib, opt, params):
        def closure():
            opt.zero_grad()
            f, g = _rosenbrock(np.concatenate([_np(p) for p in params]))
            params[0].grad = lib.tensor(g[:3])
            params[1].grad = lib.tensor(g[3:])
            return lib.tensor(f)
        return closure

    for _ in range(2):
        topt.step(closure_for(torch, topt, tp))
        zopt.step(closure_for(zerograd, zopt, zp))
    for a, b in zip(zp, tp):
        _assert_same(a.detach(), b.detach(), "param", 1e-6)
    _assert_same(zopt.state_dict(), topt.state_dict(), "state_dict", 1e-6)


def test_lbfgs_minimises_a_model_through_autograd():
    zerograd.manual_seed(0)
    w = zerograd.zeros(3, requires_grad=True)
    target = zerograd.tensor([1.0, -2.0, 0.5])
    opt = zerograd.optim.LBFGS([w], line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = ((w - target) ** 2).sum() + (w ** 4).sum() * 0.0
        loss.backward()
        return loss

    first = opt.step(closure)
    assert first.item() == pytest.approx(5.25)       # (LBFGS itself warns about nothing)
    np.testing.assert_allclose(w.detach().numpy(), target.numpy(), atol=1e-5)
    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        bad = zerograd.optim.LBFGS([zerograd.ones(2, requires_grad=True)], line_search_fn="x")
        p = bad.param_groups[0]["params"][0]

        def c():
            bad.zero_grad()
            loss = (p ** 2).sum()
            loss.backward()
            return loss
        bad.step(c)


@requires_torch
@pytest.mark.parametrize("name", list(BAD))
def test_signatures_match_torch(name):
    import inspect

    def shape(cls):
        return [(p.name, p.kind, p.default) for p in
                inspect.signature(cls.__init__).parameters.values()]
    assert shape(getattr(zerograd.optim, name)) == shape(getattr(torch.optim, name))
