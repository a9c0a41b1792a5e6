"""Optimizers: trajectories against torch (float64, 20 steps, same grads), state_dict format and
round trips, the Optimizer base (groups, zero_grad, hooks, errors), in-place updates.

The "model" is a dict of leaf tensors (nn.Module lives elsewhere); the same code runs with
`lib` = zerograd and `lib` = torch.
"""
import copy
import itertools
import warnings

import numpy as np
import sys

import pytest

import zerograd
from tests._oracle import requires_torch, torch

SHAPES = {"w": (3, 4), "b": (4,), "s": ()}
N_STEPS = 20


def _data(seed=0, n_steps=N_STEPS):
    rng = np.random.default_rng(seed)
    init = {k: rng.standard_normal(s) for k, s in SHAPES.items()}
    grads = [{k: rng.standard_normal(s) for k, s in SHAPES.items()} for _ in range(n_steps)]
    return init, grads


def _params(lib, init, dtype):
    return {k: lib.tensor(v.astype(dtype), requires_grad=True) for k, v in init.items()}


def _np(t):
    return np.array(t.detach().numpy(), copy=True)


def trajectory(lib, name, kwargs, dtype=np.float64, n_steps=N_STEPS, seed=0, groups=None):
    """Run `n_steps` of optimizer `name` on fixed grads; return every parameter after each step
    and the final state tensors."""
    init, grads = _data(seed, n_steps)
    params = _params(lib, init, dtype)
    if groups is None:
        opt = getattr(lib.optim, name)(list(params.values()), **kwargs)
    else:
        opt = getattr(lib.optim, name)(
            [dict(params=[params[k] for k in ks], **kw) for ks, kw in groups], **kwargs)
    out = []
    for g in grads:
        for k, p in params.items():
            p.grad = lib.tensor(g[k].astype(dtype))
        opt.step()
        out.append({k: _np(p) for k, p in params.items()})
    state = {i: {k: (_np(v) if hasattr(v, "detach") else v) for k, v in opt.state[p].items()}
             for i, p in enumerate(params.values())}
    return out, state


def assert_trajectories_close(a, b, rtol=1e-12, atol=1e-12):
    for step, (x, y) in enumerate(zip(a, b)):
        for k in x:
            np.testing.assert_allclose(x[k], y[k], rtol=rtol, atol=atol,
                                       err_msg=f"param {k} after step {step + 1}")


def _combos(**options):
    keys = list(options)
    return [dict(zip(keys, values)) for values in itertools.product(*options.values())]


CASES = (
    [("SGD", dict(lr=0.1, **c)) for c in _combos(momentum=[0, 0.9], dampening=[0, 0.3],
                                                  weight_decay=[0, 0.05], maximize=[False, True])]
    + [("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, **c))
       for c in _combos(weight_decay=[0, 0.1], maximize=[False, True])]
    + [(name, dict(lr=0.01, **c)) for name in ("Adam", "AdamW")
       for c in _combos(amsgrad=[False, True], weight_decay=[0, 0.1], maximize=[False, True])]
    + [("Adam", dict(lr=0.02, betas=(0.8, 0.9), eps=1e-3, decoupled_weight_decay=True,
                     weight_decay=0.3))]
    + [("RMSprop", dict(lr=0.01, **c)) for c in _combos(centered=[False, True],
                                                          momentum=[0, 0.9],
                                                          weight_decay=[0, 0.1])]
    + [("RMSprop", dict(lr=0.01, alpha=0.5, eps=1e-4, maximize=True, centered=True))]
    + [("Adagrad", dict(lr=0.1, **c)) for c in _combos(lr_decay=[0, 0.05],
                                                        weight_decay=[0, 0.1],
                                                        initial_accumulator_value=[0, 0.5])]
    + [("Adagrad", dict(lr=0.1, eps=1e-3, maximize=True))]
)


def _case_id(case):
    name, kw = case
    return name + "-" + ",".join(f"{k}={v}" for k, v in kw.items() if k != "lr")


# ------------------------------------------------------------------------------------------------
# parity with torch
# ------------------------------------------------------------------------------------------------
@requires_torch
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_trajectory_matches_torch_float64(case):
    name, kwargs = case
    mine, my_state = trajectory(zerograd, name, kwargs)
    theirs, their_state = trajectory(torch, name, kwargs)
    assert_trajectories_close(mine, theirs)
    for i in their_state:
        assert set(my_state[i]) == set(their_state[i])
        for k, v in their_state[i].items():
            np.testing.assert_allclose(my_state[i][k], v, rtol=1e-12, atol=1e-12,
                                       err_msg=f"state[{i}][{k!r}]")


@requires_torch
@pytest.mark.parametrize("name,kwargs", [("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
                                         ("Adam", dict(lr=0.01, amsgrad=True)),
                                         ("AdamW", dict(lr=0.01)),
                                         ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5)),
                                         ("Adagrad", dict(lr=0.1, lr_decay=0.01))])
def test_trajectory_matches_torch_float32(name, kwargs):
    mine, _ = trajectory(zerograd, name, kwargs, dtype=np.float32)
    theirs, _ = trajectory(torch, name, kwargs, dtype=np.float32)
    assert mine[-1]["w"].dtype == np.float32
    assert_trajectories_close(mine, theirs, rtol=1e-5, atol=1e-5)


@requires_torch
@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_param_groups_with_their_own_options_match_torch(name):
    extra = {"SGD": {"momentum": 0.9}, "Adam": {"amsgrad": True}, "AdamW": {},
             "RMSprop": {"centered": True}, "Adagrad": {"lr_decay": 0.1}}[name]
    groups = [(["w"], dict(lr=0.05, weight_decay=0.1)), (["b", "s"], dict(lr=0.2, **extra))]
    mine, _ = trajectory(zerograd, name, dict(lr=0.01), groups=groups)
    theirs, _ = trajectory(torch, name, dict(lr=0.01), groups=groups)
    assert_trajectories_close(mine, theirs)


def _train(lib, name, kwargs, steps=20):
    """A real loop: forward, backward (zerograd's autograd), step; returns the losses."""
    rng = np.random.default_rng(1)
    x = lib.tensor(rng.standard_normal((8, 3)))
    y = lib.tensor(rng.standard_normal((8, 2)))
    w = lib.tensor(rng.standard_normal((3, 2)) * 0.5, requires_grad=True)
    b = lib.tensor(np.zeros(2), requires_grad=True)
    opt = getattr(lib.optim, name)([w, b], **kwargs)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = ((lib.tanh(x @ w + b) - y) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, _np(w), _np(b)


@requires_torch
@pytest.mark.parametrize("name,kwargs", [("SGD", dict(lr=0.5, momentum=0.9)),
                                         ("Adam", dict(lr=0.05)), ("AdamW", dict(lr=0.05)),
                                         ("RMSprop", dict(lr=0.01)), ("Adagrad", dict(lr=0.3))])
def test_training_loop_with_backward_matches_torch(name, kwargs):
    l1, w1, b1 = _train(zerograd, name, kwargs)
    l2, w2, b2 = _train(torch, name, kwargs)
    np.testing.assert_allclose(l1, l2, rtol=1e-10)
    np.testing.assert_allclose(w1, w2, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b1, b2, rtol=1e-10, atol=1e-12)
    assert l1[-1] < l1[0]


@requires_torch
def test_closure_is_called_with_grad_enabled_and_its_loss_returned():
    for lib in (zerograd, torch):
        p = lib.tensor([1.0, -2.0], requires_grad=True)
        opt = lib.optim.SGD([p], lr=0.1)
        seen = []

        def closure():
            seen.append(lib.is_grad_enabled())
            opt.zero_grad()
            loss = (p * p).sum()
            loss.backward()
            return loss

        loss = opt.step(closure)
        assert seen == [True] and loss.item() == 5.0
        assert p.detach().tolist() == pytest.approx([0.8, -1.6])


# ------------------------------------------------------------------------------------------------
# state_dict
# ------------------------------------------------------------------------------------------------
OPTIMIZERS = [("SGD", dict(lr=0.1, momentum=0.9, dampening=0.1)),
              ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.01)),
              ("AdamW", dict(lr=0.01)),
              ("RMSprop", dict(lr=0.01, centered=True, momentum=0.9)),
              ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1))]


def _run(opt, params, grads, dtype=np.float64, lib=zerograd):
    traj = []
    for g in grads:
        for k, p in params.items():
            p.grad = lib.tensor(g[k].astype(dtype))
        opt.step()
        traj.append({k: _np(p) for k, p in params.items()})
    return traj


def _tree_to_plain(x):
    """A state dict with tensors turned into nested lists (comparable between libraries)."""
    if hasattr(x, "detach"):
        return ("tensor", str(x.dtype).replace("torch.", ""), x.detach().tolist())
    if isinstance(x, dict):
        return {k: _tree_to_plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(_tree_to_plain(v) for v in x)
    return x


@requires_torch
@pytest.mark.parametrize("name,kwargs", OPTIMIZERS)
def test_state_dict_has_torchs_format(name, kwargs):
    def make(lib):
        init, grads = _data()
        params = _params(lib, init, np.float64)
        opt = getattr(lib.optim, name)([{"params": [params["w"]]},
                                        {"params": [params["b"], params["s"]], "lr": 0.3}],
                                       **kwargs)
        _run(opt, params, grads[:3], lib=lib)
        return opt.state_dict()
    mine, theirs = make(zerograd), make(torch)
    assert list(mine) == ["state", "param_groups"]
    assert mine["param_groups"] == theirs["param_groups"]       # same keys, values, ids
    a, b = _tree_to_plain(mine["state"]), _tree_to_plain(theirs["state"])
    assert a.keys() == b.keys()
    for i in a:
        assert list(a[i]) == list(b[i]), f"state keys of param {i}"
        for k in a[i]:
            assert a[i][k][:2] == b[i][k][:2], f"dtype of state[{i}][{k!r}]"
            np.testing.assert_allclose(np.array(a[i][k][2]), np.array(b[i][k][2]), rtol=1e-12,
                                       atol=1e-14)


@pytest.mark.parametrize("name,kwargs", OPTIMIZERS)
def test_state_dict_round_trip_through_a_checkpoint_continues_the_same_trajectory(
        name, kwargs, tmp_path):
    init, grads = _data(seed=3)
    # uninterrupted: 20 steps
    params = _params(zerograd, init, np.float64)
    opt = getattr(zerograd.optim, name)(list(params.values()), **kwargs)
    straight = _run(opt, params, grads)
    # 10 steps, checkpoint params + optimizer, fresh objects, load, 10 more steps
    params = _params(zerograd, init, np.float64)
    opt = getattr(zerograd.optim, name)(list(params.values()), **kwargs)
    _run(opt, params, grads[:10])
    path = tmp_path / "ckpt.safetensors"
    zerograd.save({"model": {k: p.detach() for k, p in params.items()},
                   "optim": opt.state_dict()}, path)
    del params, opt
    ckpt = zerograd.load(path)
    params = {k: v.requires_grad_() for k, v in ckpt["model"].items()}   # fresh leaves
    opt = getattr(zerograd.optim, name)(list(params.values()), lr=123.0)   # lr gets overwritten
    opt.load_state_dict(ckpt["optim"])
    assert opt.param_groups[0]["lr"] == kwargs["lr"]
    resumed = _run(opt, params, grads[10:])
    for a, b in zip(straight[10:], resumed):
        for k in a:
            np.testing.assert_array_equal(a[k], b[k])


def _to_zerograd_tree(x):
    if isinstance(x, torch.Tensor):
        return zerograd.tensor(x.detach().numpy().copy())
    if isinstance(x, dict):
        return {k: _to_zerograd_tree(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(_to_zerograd_tree(v) for v in x)
    return x


@requires_torch
@pytest.mark.parametrize("name,kwargs", OPTIMIZERS)
def test_torch_state_dict_loads_into_zerograd_and_both_continue_alike(name, kwargs):
    init, grads = _data(seed=5)
    tp = _params(torch, init, np.float64)
    topt = getattr(torch.optim, name)(list(tp.values()), **kwargs)
    _run(topt, tp, grads[:7], lib=torch)
    zp = {k: zerograd.tensor(_np(p), requires_grad=True) for k, p in tp.items()}
    zopt = getattr(zerograd.optim, name)(list(zp.values()), **kwargs)
    zopt.load_state_dict(_to_zerograd_tree(topt.state_dict()))
    theirs = _run(topt, tp, grads[7:], lib=torch)
    mine = _run(zopt, zp, grads[7:])
    assert_trajectories_close(mine, theirs)


def test_load_state_dict_casts_state_to_the_params_dtype_and_checks_group_sizes():
    p = zerograd.zeros(3, dtype=zerograd.float32, requires_grad=True)
    opt = zerograd.optim.SGD([p], lr=0.1, momentum=0.9)
    sd = {"state": {0: {"momentum_buffer": zerograd.ones(3, dtype=zerograd.float64)}},
          "param_groups": [dict(opt.state_dict()["param_groups"][0])]}
    opt.load_state_dict(sd)
    assert opt.state[p]["momentum_buffer"].dtype == zerograd.float32
    q = zerograd.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        zerograd.optim.SGD([{"params": [p]}, {"params": [q]}], lr=0.1).load_state_dict(sd)
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        zerograd.optim.SGD([p, q], lr=0.1).load_state_dict(sd)


# ------------------------------------------------------------------------------------------------
# the Optimizer base: construction and errors as torch
# ------------------------------------------------------------------------------------------------
@requires_torch
def test_param_groups_get_defaults_like_torch():
    for name, kwargs in OPTIMIZERS:
        groups = []
        for lib in (zerograd, torch):
            a = lib.zeros(2, requires_grad=True)
            b = lib.zeros(3, requires_grad=True)
            opt = getattr(lib.optim, name)([{"params": [a]}, {"params": b, "lr": 0.5}], **kwargs)
            groups.append([{k: v for k, v in g.items() if k != "params"}
                           for g in opt.param_groups])
            assert len(opt.param_groups[1]["params"]) == 1
        assert groups[0] == groups[1], name


@requires_torch
def test_repr_matches_torch():
    for name, kwargs in OPTIMIZERS:
        reprs = [repr(getattr(lib.optim, name)([lib.zeros(2, requires_grad=True)], **kwargs))
                 for lib in (zerograd, torch)]
        assert reprs[0] == reprs[1]


@requires_torch
def test_bad_params_raise_as_torch():
    def errors(lib):
        out = []
        x = lib.ones(2, requires_grad=True)
        for make in (lambda: lib.optim.SGD([x * 2], lr=0.1),                    # non-leaf
                     lambda: lib.optim.SGD(x, lr=0.1),                          # a single Tensor
                     lambda: lib.optim.SGD(lib.ones(2, dtype=lib.float64), lr=0.1),
                     lambda: lib.optim.SGD([1.0], lr=0.1),
                     lambda: lib.optim.SGD([], lr=0.1),
                     lambda: lib.optim.SGD({x}, lr=0.1),
                     lambda: lib.optim.SGD([{"params": {x}}], lr=0.1),
                     lambda: lib.optim.SGD([{"params": [x]}, {"params": [x]}], lr=0.1),
                     lambda: lib.optim.SGD([x], lr=-1.0),
                     lambda: lib.optim.SGD([x], lr=0.1, momentum=-0.5),
                     lambda: lib.optim.SGD([x], lr=0.1, nesterov=True),
                     lambda: lib.optim.SGD([x], lr=0.1, momentum=0.9, dampening=0.1,
                                           nesterov=True),
                     lambda: lib.optim.Adam([x], betas=(0, 0.9)),
                     lambda: lib.optim.Adam([x], betas=(0.9, 1.0)),
                     lambda: lib.optim.Adam([x], eps=-1.0),
                     lambda: lib.optim.RMSprop([x], alpha=-0.1),
                     lambda: lib.optim.Adagrad([x], lr_decay=-0.1),
                     lambda: lib.optim.SGD([x], lr=0.1).add_param_group([x])):
            try:
                make()
                out.append(None)
            except Exception as e:  # noqa: BLE001 - comparing what each library raises
                out.append((type(e).__name__, str(e)))
        return out
    mine, theirs = errors(zerograd), errors(torch)
    for i, (a, b) in enumerate(zip(mine, theirs)):
        assert a == b, f"case {i}: zerograd {a} vs torch {b}"
    assert mine[0] == ("ValueError", "can't optimize a non-leaf Tensor")
    assert mine[1] == ("TypeError", "params argument given to the optimizer should be an "
                                    "iterable of Tensors or dicts, but got torch.FloatTensor")


def test_a_tensor_that_does_not_require_grad_is_accepted_and_skipped():
    frozen = zerograd.tensor([1.0, 2.0])
    live = zerograd.tensor([1.0, 2.0], requires_grad=True)
    opt = zerograd.optim.Adam([frozen, live], lr=0.1)
    (live * 3).sum().backward()
    opt.step()
    assert frozen.tolist() == [1.0, 2.0]
    assert live.tolist() != [1.0, 2.0]
    assert frozen not in opt.state and len(opt.state[live]) == 3


def test_parameters_without_grad_are_skipped_but_keep_their_state():
    a = zerograd.tensor([1.0], requires_grad=True)
    b = zerograd.tensor([1.0], requires_grad=True)
    opt = zerograd.optim.SGD([a, b], lr=0.1, momentum=0.9)
    a.grad = zerograd.tensor([1.0])
    b.grad = zerograd.tensor([1.0])
    opt.step()
    b.grad = None
    opt.step()
    assert b.tolist() == pytest.approx([0.9]) and a.tolist() == pytest.approx([0.71])


def test_unsupported_implementation_flags_raise_clearly():
    x = zerograd.zeros(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="fused=True"):
        zerograd.optim.Adam([x], fused=True)
    zerograd.optim.Adam([x], foreach=True).step()      # accepted: same math


def test_add_param_group_then_step_matches_a_single_group_run():
    init, grads = _data(seed=7)
    ps = _params(zerograd, init, np.float64)
    opt = zerograd.optim.Adam([ps["w"]], lr=0.01)
    opt.add_param_group({"params": [ps["b"], ps["s"]], "lr": 0.01})
    assert opt.param_groups[1]["betas"] == (0.9, 0.999)
    got = _run(opt, ps, grads)
    ps2 = _params(zerograd, init, np.float64)
    want = _run(zerograd.optim.Adam(list(ps2.values()), lr=0.01), ps2, grads)
    assert_trajectories_close(got, want, rtol=0, atol=0)


def test_named_parameters_keep_their_names():
    w = zerograd.zeros(2, requires_grad=True)
    opt = zerograd.optim.SGD([("layer.w", w)], lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["layer.w"]
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["layer.w"]


# ------------------------------------------------------------------------------------------------
# zero_grad, hooks, in-place semantics
# ------------------------------------------------------------------------------------------------
def test_zero_grad_sets_to_none_or_zeroes_in_place():
    p = zerograd.tensor([1.0, 2.0], requires_grad=True)
    opt = zerograd.optim.SGD([p], lr=0.1)
    (p * p).sum().backward()
    g = p.grad
    opt.zero_grad(set_to_none=False)
    assert p.grad is g and p.grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert p.grad is None


def test_step_hooks_run_in_order_and_can_be_removed():
    p = zerograd.tensor([1.0], requires_grad=True)
    p.grad = zerograd.tensor([1.0])
    opt = zerograd.optim.SGD([p], lr=0.1)
    log = []
    h1 = opt.register_step_pre_hook(lambda o, args, kw: log.append(("pre", p.item())))
    h2 = opt.register_step_post_hook(lambda o, args, kw: log.append(("post", p.item())))
    g = zerograd.optim.optimizer.register_optimizer_step_pre_hook(
        lambda o, args, kw: log.append("global-pre"))
    try:
        opt.step()
    finally:
        g.remove()
    assert log == ["global-pre", ("pre", 1.0), ("post", pytest.approx(0.9))]
    h1.remove()
    h2.remove()
    opt.step()
    assert len(log) == 3


def test_step_updates_in_place_and_bumps_the_version():
    p = zerograd.tensor([1.0, 2.0], requires_grad=True)
    mem = p._data
    alias = p.detach()
    opt = zerograd.optim.Adam([p], lr=0.1)
    y = (p * p).sum()
    y.backward(retain_graph=True)
    v0 = p._version
    opt.step()
    assert p._data is mem and p._version > v0
    assert alias.tolist() == p.tolist()          # same memory
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()                             # the graph saved p before the step


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_the_error_names_the_line_that_called_step(name):
    """The site of an optimizer's change is the line that called step() (looked up once per
    step); after the step, an in-place change names its own line again."""
    p = zerograd.tensor([1.0, 2.0], requires_grad=True)
    opt = getattr(zerograd.optim, name)([p], lr=0.1, **({"momentum": 0.9} if name == "SGD" else {}))
    y = (p * p).sum()
    y.backward(retain_graph=True)

    def stepper():
        opt.step(); return sys._getframe().f_lineno  # noqa: E702
    line = stepper()
    with pytest.raises(RuntimeError, match=rf"modified in place at .*test_optim.py:{line}\."):
        y.backward()
    z = p * 1                                    # outside step(): each change its own line
    w = (z * z).sum()
    z.mul_(2); here = sys._getframe().f_lineno  # noqa: E702
    with pytest.raises(RuntimeError, match=rf"modified in place at .*test_optim.py:{here}\."):
        w.backward()


def test_step_does_not_record_a_graph():
    p = zerograd.tensor([1.0], requires_grad=True)
    p.grad = zerograd.tensor([1.0])
    zerograd.optim.SGD([p], lr=0.1, momentum=0.9).step()
    assert p.grad_fn is None and p.is_leaf and p.requires_grad


def test_inference_tensor_cannot_be_stepped():
    with zerograd.inference_mode():
        p = zerograd.tensor([1.0])
    p.grad = zerograd.tensor([1.0])
    opt = zerograd.optim.SGD([p], lr=0.1)
    with pytest.raises(RuntimeError, match="inference tensor"):
        opt.step()


def test_deepcopy_of_an_optimizer_is_independent():
    p = zerograd.tensor([1.0], requires_grad=True)
    p.grad = zerograd.tensor([1.0])
    opt = zerograd.optim.SGD([p], lr=0.1, momentum=0.9)
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sd = copy.deepcopy(opt.state_dict())
    assert sd["state"][0]["momentum_buffer"] is not opt.state[p]["momentum_buffer"]


def test_deepcopy_of_an_optimizer_steps_on_its_own_copies():
    p = zerograd.tensor([1.0, 2.0], requires_grad=True)
    opt = zerograd.optim.Adam([p], lr=0.1)
    p.grad = zerograd.tensor([1.0, 1.0])
    opt.step()
    twin = copy.deepcopy(opt)
    q = twin.param_groups[0]["params"][0]
    assert q is not p and q.tolist() == p.tolist() and q.grad.tolist() == [1.0, 1.0]
    twin.step()
    opt.step()
    assert q.tolist() == p.tolist()
    assert twin.state[q]["exp_avg"] is not opt.state[p]["exp_avg"]


@requires_torch
def test_a_tensor_learning_rate_is_scheduled_in_place_like_torch():
    results = []
    for lib in (zerograd, torch):
        p = lib.tensor([1.0, 2.0], requires_grad=True)
        lr = lib.tensor(0.1)
        opt = lib.optim.SGD([p], lr=lr, momentum=0.9)
        sched = lib.optim.lr_scheduler.StepLR(opt, 1, 0.5)
        for _ in range(3):
            p.grad = lib.ones(2)
            opt.step()
            sched.step()
        assert opt.param_groups[0]["lr"] is lr
        results.append((p.detach().tolist(), lr.item(), [x.item() for x in sched.get_last_lr()]))
    (p1, lr1, last1), (p2, lr2, last2) = results
    np.testing.assert_allclose(p1, p2, rtol=1e-6)      # float32 tensors
    assert lr1 == lr2 == np.float32(0.0125) and last1 == last2


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sgd_update_of_a_large_parameter_in_blocks_is_the_plain_formula(dtype):
    """SGD updates a parameter of more than 2^18 elements in blocks (one block-sized temporary):
    the same numbers as theta + grad * (-lr), bit for bit, the remainder block included."""
    rng = np.random.default_rng(0)
    theta0 = rng.standard_normal((700, 401)).astype(dtype)
    grad = rng.standard_normal(theta0.shape).astype(dtype)
    p = zerograd.nn.Parameter(zerograd.tensor(theta0.copy()))
    p.grad = zerograd.tensor(grad)
    zerograd.optim.SGD([p], lr=0.037).step()
    want = theta0 + grad * np.asarray(-0.037, dtype)
    assert p.dtype == zerograd.tensor(theta0).dtype
    assert np.array_equal(p.detach().numpy(), want)
