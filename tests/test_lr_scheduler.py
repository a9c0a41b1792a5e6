"""Learning-rate schedulers: every lr sequence against torch's, exactly (the same float
arithmetic), with several param groups, chaining, SequentialLR, ReduceLROnPlateau on a metric
sequence, momentum cycling, closed forms via step(epoch), and state_dict round trips."""
import math
import warnings

import pytest

import zerograd
from tests._oracle import requires_torch, torch

N = 40


def _optimizer(lib, name="SGD", lrs=(0.1, 0.03)):
    groups = [{"params": [lib.zeros(2, requires_grad=True)], "lr": lr} for lr in lrs]
    if name == "SGD":
        return lib.optim.SGD(groups, lr=0.5, momentum=0.9)
    return getattr(lib.optim, name)(groups, lr=0.5)


def lr_sequence(lib, make, n=N, opt_name="SGD", metrics=None, extra=("momentum",)):
    """Construct the scheduler(s) with `make(lib, optimizer)`, then step n times (optimizer first,
    as one must); record every group's lr (and momentum / beta1) after construction and after
    each step."""
    opt = _optimizer(lib, opt_name)
    sched = make(lib, opt)

    def record():
        row = []
        for g in opt.param_groups:
            row.append(g["lr"])
            if "momentum" in extra and "momentum" in g:
                row.append(g["momentum"])
            if "betas" in g:
                row.append(g["betas"][0])
        return row

    seq = [record()]
    for i in range(n):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[i])
        seq.append(record())
    last = sched.get_last_lr() if hasattr(sched, "get_last_lr") else None
    return seq, last


SCHEDULERS = {
    "StepLR": lambda lib, o: lib.optim.lr_scheduler.StepLR(o, step_size=7, gamma=0.3),
    "StepLR-1": lambda lib, o: lib.optim.lr_scheduler.StepLR(o, step_size=1, gamma=0.9),
    "MultiStepLR": lambda lib, o: lib.optim.lr_scheduler.MultiStepLR(o, [3, 10, 10, 25], 0.5),
    "ExponentialLR": lambda lib, o: lib.optim.lr_scheduler.ExponentialLR(o, gamma=0.93),
    "CosineAnnealingLR": lambda lib, o: lib.optim.lr_scheduler.CosineAnnealingLR(o, T_max=15),
    "CosineAnnealingLR-eta": lambda lib, o: lib.optim.lr_scheduler.CosineAnnealingLR(
        o, T_max=8, eta_min=0.001),
    "LambdaLR": lambda lib, o: lib.optim.lr_scheduler.LambdaLR(o, lambda e: 0.97 ** e / (1 + e)),
    "LambdaLR-list": lambda lib, o: lib.optim.lr_scheduler.LambdaLR(
        o, [lambda e: 1 / (e + 1), lambda e: min(1.0, (e + 1) / 5)]),
    "MultiplicativeLR": lambda lib, o: lib.optim.lr_scheduler.MultiplicativeLR(
        o, lambda e: 0.95),
    "LinearLR": lambda lib, o: lib.optim.lr_scheduler.LinearLR(o, start_factor=0.1,
                                                                total_iters=9),
    "LinearLR-down": lambda lib, o: lib.optim.lr_scheduler.LinearLR(
        o, start_factor=1.0, end_factor=0.05, total_iters=13),
    "ConstantLR": lambda lib, o: lib.optim.lr_scheduler.ConstantLR(o, factor=0.25,
                                                                    total_iters=6),
    "PolynomialLR": lambda lib, o: lib.optim.lr_scheduler.PolynomialLR(o, total_iters=17,
                                                                        power=2.0),
    "CosineAnnealingWarmRestarts": lambda lib, o:
        lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2, eta_min=1e-4),
    "OneCycleLR": lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(o, max_lr=[1.0, 0.3],
                                                                    total_steps=N),
    "OneCycleLR-linear-3phase": lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(
        o, max_lr=0.8, epochs=4, steps_per_epoch=10, anneal_strategy="linear", three_phase=True,
        pct_start=0.25),
    "CyclicLR": lambda lib, o: lib.optim.lr_scheduler.CyclicLR(o, base_lr=0.01, max_lr=0.1,
                                                                step_size_up=4,
                                                                mode="triangular2"),
    "CyclicLR-exp": lambda lib, o: lib.optim.lr_scheduler.CyclicLR(
        o, base_lr=[0.01, 0.02], max_lr=0.1, step_size_up=3, step_size_down=5, mode="exp_range",
        gamma=0.97),
    "SequentialLR": lambda lib, o: lib.optim.lr_scheduler.SequentialLR(
        o, [lib.optim.lr_scheduler.LinearLR(o, start_factor=0.2, total_iters=5),
            lib.optim.lr_scheduler.CosineAnnealingLR(o, T_max=20, eta_min=0.002)],
        milestones=[5]),
    "SequentialLR-3": lambda lib, o: lib.optim.lr_scheduler.SequentialLR(
        o, [lib.optim.lr_scheduler.ConstantLR(o, factor=0.5, total_iters=3),
            lib.optim.lr_scheduler.ExponentialLR(o, gamma=0.9),
            lib.optim.lr_scheduler.StepLR(o, step_size=4, gamma=0.5)],
        milestones=[4, 15]),
    "ChainedScheduler": lambda lib, o: lib.optim.lr_scheduler.ChainedScheduler(
        [lib.optim.lr_scheduler.ConstantLR(o, factor=0.1, total_iters=4),
         lib.optim.lr_scheduler.ExponentialLR(o, gamma=0.9)]),
}


def _chained_by_hand(lib, o):
    """Two schedulers on one optimizer, both stepped: their factors multiply (recursive forms)."""
    a = lib.optim.lr_scheduler.CosineAnnealingLR(o, T_max=12)
    b = lib.optim.lr_scheduler.MultiStepLR(o, [5, 9], gamma=0.5)

    class Both:
        def step(self):
            a.step()
            b.step()

        def get_last_lr(self):
            return b.get_last_lr()
    return Both()


SCHEDULERS["two-schedulers-one-optimizer"] = _chained_by_hand


@requires_torch
@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_lr_sequence_matches_torch_exactly(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mine, my_last = lr_sequence(zerograd, SCHEDULERS[name])
        theirs, their_last = lr_sequence(torch, SCHEDULERS[name])
    for epoch, (a, b) in enumerate(zip(mine, theirs)):
        assert a == b, f"epoch {epoch}: zerograd {a} != torch {b}"   # bit-identical floats
    assert my_last == their_last


@requires_torch
@pytest.mark.parametrize("opt_name", ["Adam", "AdamW"])
def test_onecycle_and_cyclic_cycle_adams_beta1_like_torch(opt_name):
    for name in ("OneCycleLR", "CyclicLR"):
        mine, _ = lr_sequence(zerograd, SCHEDULERS[name], opt_name=opt_name)
        theirs, _ = lr_sequence(torch, SCHEDULERS[name], opt_name=opt_name)
        assert mine == theirs


PLATEAU = {
    "min-rel": dict(mode="min", factor=0.5, patience=2),
    "min-abs-cooldown": dict(mode="min", factor=0.3, patience=1, threshold=0.05,
                             threshold_mode="abs", cooldown=2, min_lr=[0.001, 0.004]),
    "max-rel": dict(mode="max", factor=0.1, patience=0, threshold=0.01, min_lr=1e-4),
    "max-abs-eps": dict(mode="max", factor=0.5, patience=1, threshold_mode="abs", eps=0.02),
}


def _metrics():
    out, v = [], 1.0
    for i in range(N):
        v = v * 0.9 if i % 7 < 3 else v * 1.01 + (0.002 if i % 2 else -0.001)
        out.append(v)
    return out


@requires_torch
@pytest.mark.parametrize("name", list(PLATEAU))
def test_reduce_lr_on_plateau_matches_torch(name):
    kwargs = PLATEAU[name]
    metrics = _metrics()
    if kwargs["mode"] == "max":
        metrics = [-m for m in metrics]
    make = lambda lib, o: lib.optim.lr_scheduler.ReduceLROnPlateau(o, **kwargs)  # noqa: E731
    mine, my_last = lr_sequence(zerograd, make, metrics=metrics)
    theirs, their_last = lr_sequence(torch, make, metrics=metrics)
    assert mine == theirs and my_last == their_last
    assert mine[-1] != mine[0]                      # it did reduce


@requires_torch
def test_reduce_lr_on_plateau_accepts_a_zero_d_tensor_metric():
    for lib in (zerograd, torch):
        opt = _optimizer(lib)
        s = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0)
        s.step(lib.tensor(1.0))
        s.step(lib.tensor(2.0))
        assert s.get_last_lr() == [0.010000000000000002, 0.003]


@requires_torch
@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
                                  "LinearLR", "ConstantLR", "PolynomialLR",
                                  "CosineAnnealingWarmRestarts"])
def test_step_with_an_epoch_uses_the_closed_form_like_torch(name):
    def run(lib):
        opt = _optimizer(lib)
        s = SCHEDULERS[name](lib, opt)
        out = []
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            for epoch in (3, 4, 9, 2, 15, 30):
                opt.step()
                s.step(epoch)
                out.append(s.get_last_lr())
        return out, sorted({str(x.message)[:40] for x in w})
    assert run(zerograd) == run(torch)


@requires_torch
def test_scheduler_warnings_like_torch():
    def run(lib, optimizer_first):
        opt = _optimizer(lib)
        s = lib.optim.lr_scheduler.StepLR(opt, 2)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            if optimizer_first:
                opt.step()
            s.step()
            s.get_lr()
        return [str(x.message)[:60] for x in w]
    for first in (True, False):
        assert run(zerograd, first) == run(torch, first)


@requires_torch
def test_initial_lr_and_base_lrs_like_torch():
    for lib_groups in [[g for g in _optimizer(lib).param_groups] for lib in (zerograd, torch)]:
        assert "initial_lr" not in lib_groups[0]
    states = []
    for lib in (zerograd, torch):
        opt = _optimizer(lib)
        s = lib.optim.lr_scheduler.ExponentialLR(opt, 0.5)
        opt.step()
        s.step()
        states.append(([g["initial_lr"] for g in opt.param_groups], s.base_lrs, s.last_epoch,
                       sorted(s.state_dict())))
    assert states[0] == states[1]


def test_resuming_without_initial_lr_raises():
    opt = _optimizer(zerograd)
    with pytest.raises(KeyError, match="initial_lr"):
        zerograd.optim.lr_scheduler.StepLR(opt, 3, last_epoch=4)


def test_invalid_arguments_raise():
    opt = _optimizer(zerograd)
    lrs = zerograd.optim.lr_scheduler
    with pytest.raises(TypeError, match="is not an Optimizer"):
        lrs.StepLR(object(), 3)
    with pytest.raises(ValueError, match="Factor should be < 1.0"):
        lrs.ReduceLROnPlateau(opt, factor=1.5)
    with pytest.raises(ValueError, match="Starting multiplicative factor"):
        lrs.LinearLR(opt, start_factor=0)
    with pytest.raises(ValueError, match="does not support `ReduceLROnPlateau`"):
        lrs.SequentialLR(opt, [lrs.ReduceLROnPlateau(opt)], milestones=[])
    with pytest.raises(ValueError, match="number of milestones"):
        lrs.SequentialLR(opt, [lrs.StepLR(opt, 2)], milestones=[3])
    with pytest.raises(ValueError, match="Tried to step"):
        s = lrs.OneCycleLR(opt, max_lr=1.0, total_steps=2)
        for _ in range(3):
            opt.step()
            s.step()


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "CosineAnnealingLR", "OneCycleLR",
                                  "SequentialLR", "ChainedScheduler", "LinearLR", "CyclicLR",
                                  "CosineAnnealingWarmRestarts", "LambdaLR"])
def test_state_dict_round_trip_through_a_checkpoint(name, tmp_path):
    make = SCHEDULERS[name]
    straight, _ = lr_sequence(zerograd, make, n=30)

    opt = _optimizer(zerograd)
    sched = make(zerograd, opt)
    for _ in range(12):
        opt.step()
        sched.step()
    path = tmp_path / "sched.safetensors"
    zerograd.save({"optim": opt.state_dict(), "sched": sched.state_dict()}, path)

    opt2 = _optimizer(zerograd)
    sched2 = make(zerograd, opt2)           # build first: its constructor writes the lrs
    ckpt = zerograd.load(path)
    opt2.load_state_dict(ckpt["optim"])
    sched2.load_state_dict(ckpt["sched"])
    resumed = []
    for _ in range(18):
        opt2.step()
        sched2.step()
        resumed.append([v for g in opt2.param_groups
                        for v in ([g["lr"], g["momentum"]] if "momentum" in g else [g["lr"]])])
    assert resumed == straight[13:]


def test_reduce_lr_on_plateau_state_round_trips_with_its_infinite_best(tmp_path):
    opt = _optimizer(zerograd)
    s = zerograd.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=1)
    zerograd.save(s.state_dict(), tmp_path / "p.safetensors")
    sd = zerograd.load(tmp_path / "p.safetensors")
    assert sd["best"] == math.inf and sd["mode_worse"] == math.inf
    s2 = zerograd.optim.lr_scheduler.ReduceLROnPlateau(_optimizer(zerograd), patience=1)
    s2.load_state_dict(sd)
    assert s2.state_dict() == s.state_dict()
