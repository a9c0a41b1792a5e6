"""torch.amp.GradScaler (session 15), against torch: the scale, unscale_/step/update and their
errors, growth and backoff, the disabled forms (enabled=False, torch.cuda.amp.GradScaler on a
machine without CUDA), state_dict round trips, and a float16 model trained with it."""
import warnings

import numpy as np

import zerograd

from ._oracle import requires_torch, torch as _torch

pytestmark = requires_torch


def _report(torch):
    out = []
    s = torch.amp.GradScaler("cpu", growth_interval=2)
    out.append((s.get_scale(), s.is_enabled(), s.state_dict()))
    w = torch.nn.Parameter(torch.tensor([1.0, 2.0])); opt = torch.optim.SGD([w], lr=0.1)
    loss = (w * w).sum(); sl = s.scale(loss); out.append((sl.item(), sl.grad_fn.name()))
    sl.backward(); out.append(w.grad.tolist())
    s.unscale_(opt); out.append(w.grad.tolist())
    for bad in (lambda: s.unscale_(opt),):
        try: bad(); out.append("no error")
        except RuntimeError as e: out.append(str(e))
    r = s.step(opt); out.append((r, w.tolist()))
    try: s.step(opt); out.append("no error")
    except RuntimeError as e: out.append(str(e))
    s.update(); out.append((s.get_scale(), s.state_dict()))
    for i in range(3):
        opt.zero_grad(); s.scale((w * w).sum()).backward(); s.step(opt); s.update()
        out.append((s.get_scale(), s._get_growth_tracker(), w.tolist()))
    w.grad = torch.tensor([float("inf"), 1.0]); s.step(opt); s.update(); out.append((s.get_scale(), w.tolist()))
    try: torch.amp.GradScaler("cpu").update(); out.append("no error")
    except AssertionError as e: out.append(str(e))
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        c = torch.cuda.amp.GradScaler(); out.append((c.is_enabled(), [str(x.message) for x in ws], c.get_scale(), c.state_dict()))
    d = torch.amp.GradScaler("cpu", enabled=False); out.append((d.scale(loss) is loss, d.get_scale(), d.state_dict()))
    t = torch.amp.GradScaler("cpu"); t.load_state_dict(s.state_dict()); out.append(t.state_dict())
    out.append([x.item() for x in s.scale([torch.tensor(1.0), (torch.tensor(2.0),)])[0:1]])
    return [repr(o) for o in out]


def test_grad_scaler_as_torch():
    assert _report(zerograd) == _report(_torch)


def test_float16_training_with_a_scaler_as_torch():
    """Scaled float16 gradients, unscaled and clipped, then SGD: the parameters follow torch's."""
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((3, 4)).astype(np.float32) * 0.5
    xs = [rng.standard_normal((8, 4)).astype(np.float32) for _ in range(4)]
    res = []
    for L in (_torch, zerograd):
        w = L.nn.Parameter(L.tensor(w0))       # float32 master weights, float16 compute
        opt = L.optim.SGD([w], lr=0.05)
        scaler = L.amp.GradScaler("cpu", init_scale=2.0 ** 10, growth_interval=2)
        scales = []
        for x in xs:
            opt.zero_grad()
            loss = (L.tensor(x).half() @ w.half().t()).float().pow(2).mean()
            scaler.scale(loss).backward()
            scaler.unscale_(opt)
            L.nn.utils.clip_grad_norm_([w], 1.0)
            scaler.step(opt)
            scaler.update()
            scales.append(scaler.get_scale())
        res.append((scales, w.detach().numpy()))
        half = L.nn.Parameter(L.tensor(w0).half())
        half.grad = L.ones(3, 4, dtype=L.float16)
        try:
            scaler.unscale_(L.optim.SGD([half], lr=0.1))
        except ValueError as e:
            res[-1] += (str(e),)
    assert res[1][0] == res[0][0] and res[1][2] == res[0][2]
    np.testing.assert_allclose(res[1][1], res[0][1], rtol=2e-3, atol=2e-3)


def _misuse(torch):
    out = []
    def T(f):
        try: out.append(("ok", f()))
        except Exception as e: out.append((type(e).__name__, str(e)))
    w = torch.nn.Parameter(torch.tensor([1.0, 2.0])); opt = torch.optim.SGD([w], lr=0.1)
    def a():
        s = torch.amp.GradScaler("cpu"); w.grad = torch.ones(2); return s.step(opt)
    T(a)
    def b():
        s = torch.amp.GradScaler("cpu"); s.scale(torch.tensor(1.0)); w.grad = None; return s.step(opt)
    T(b)
    def c():
        s = torch.amp.GradScaler("cpu", init_scale=2.**127, growth_factor=4, growth_interval=1)
        for i in range(3):
            w.grad = None; s.scale((w*w).sum()).backward(); s.step(opt); s.update()
        return s.get_scale()
    T(c)
    T(lambda: torch.amp.GradScaler("cpu", init_scale=3).get_scale())
    T(lambda: torch.amp.GradScaler("cpu", init_scale=3).state_dict()["scale"])
    return [repr(o) for o in out]


def test_grad_scaler_misuse_as_torch():
    """step() without scale(), a step with no gradient to check, growth past float32's range, an
    int init_scale: torch's errors and values (zerograd stepped with wrongly scaled gradients)."""
    assert _misuse(zerograd) == _misuse(_torch)


@requires_torch
def test_grad_scaler_scales_any_iterable_as_torch():
    """Lists and tuples (nested) come back as such; other iterables as a lazy map (session 16:
    a generator raised ValueError)."""
    def report(L):
        s = L.amp.GradScaler("cpu", init_scale=4.0)
        t = L.ones(2)
        out = [repr(s.scale([[t], (t,)])), type(s.scale(iter([t]))).__name__,
               [x.tolist() for x in s.scale(x for x in [t, 2 * t])], type(s.scale({"a": t})).__name__]
        try:
            s.scale(3)
        except ValueError as e:
            out.append(str(e))
        return out
    assert report(zerograd) == report(_torch)
