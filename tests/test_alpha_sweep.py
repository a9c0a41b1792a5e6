"""add/sub/rsub's alpha and addcmul/addcdiv/addmv's value, beta, alpha against torch: every kind of
number (Python, NumPy, bool, complex, 0-d tensors), the operand dtypes that check them, the
method / in-place / function forms, and torch's deprecated overloads that take the scalar first
(`p.data.add_(-lr, grad)` of older optimizer code) - values, dtypes, gradients, error types."""
import warnings

import numpy as np
import pytest

import zerograd
from tests._oracle import requires_torch, torch

_DTYPES = ["bool", "uint8", "int64", "float32", "float64"]


def _scalar(L, kind):
    return {"int": 2, "one": 1, "neg": -3, "float": 2.5, "float1": 1.0, "true": True,
            "false": False, "complex": 2 + 0j, "np_f32": np.float32(1.5), "np_i64": np.int64(2),
            "np_bool": np.bool_(True), "t0": L.tensor(2.0), "t0i": L.tensor(3),
            "t0g": L.tensor(2.0, requires_grad=True), "t1": L.tensor([2.0]), "none": None,
            "str": "a"}[kind]


_KINDS = ["int", "one", "neg", "float", "float1", "true", "false", "complex", "np_f32",
          "np_i64", "np_bool", "t0", "t0i", "t0g", "t1", "none", "str"]

_FORMS = {
    "add": lambda L, x, y, s: x.add(y, alpha=s),
    "sub": lambda L, x, y, s: x.sub(y, alpha=s),
    "add_": lambda L, x, y, s: x.clone().add_(y, alpha=s),
    "sub_": lambda L, x, y, s: x.clone().sub_(y, alpha=s),
    "torch.add": lambda L, x, y, s: L.add(x, y, alpha=s),
    "torch.sub": lambda L, x, y, s: L.sub(x, y, alpha=s),
    "rsub": lambda L, x, y, s: L.rsub(x, y, alpha=s),
    "rsub_number": lambda L, x, y, s: L.rsub(x, 2, alpha=s),
    "sub_number_first": lambda L, x, y, s: L.sub(2, x, alpha=s),
    "add_number": lambda L, x, y, s: x.add(3, alpha=s),
    "old_add": lambda L, x, y, s: x.add(s, y),
    "old_add_": lambda L, x, y, s: x.clone().add_(s, y),
    "old_sub": lambda L, x, y, s: x.sub(s, y),
    "old_sub_": lambda L, x, y, s: x.clone().sub_(s, y),
    "old_torch.add": lambda L, x, y, s: L.add(x, s, y),
    "old_torch.sub": lambda L, x, y, s: L.sub(x, s, y),
    "addcmul": lambda L, x, y, s: x.addcmul(y, y, value=s),
    "addcdiv": lambda L, x, y, s: x.addcdiv(y, y + 1, value=s),
    "addcmul_": lambda L, x, y, s: x.clone().addcmul_(y, y, value=s),
    "old_addcmul": lambda L, x, y, s: x.addcmul(s, y, y),
    "old_addcdiv": lambda L, x, y, s: x.addcdiv(s, y, y + 1),
    "old_addcmul_": lambda L, x, y, s: x.clone().addcmul_(s, y, y),
    "old_addcdiv_": lambda L, x, y, s: x.clone().addcdiv_(s, y, y + 1),
    "old_torch.addcmul": lambda L, x, y, s: L.addcmul(x, s, y, y),
    "old_torch.addcdiv": lambda L, x, y, s: L.addcdiv(x, s, y, y + 1),
    "addmv_beta": lambda L, x, y, s: L.addmv(x, L.ones(2, 2, dtype=x.dtype), y, beta=s),
    "addmv_alpha": lambda L, x, y, s: L.addmv(x, L.ones(2, 2, dtype=x.dtype), y, alpha=s),
}


def _outcome(L, form, kind, dx, dy, seed):
    r = np.random.default_rng(seed)
    x = L.tensor(r.integers(0, 3, 2).astype(dx))
    y = L.tensor(r.integers(1, 3, 2).astype(dy))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")             # (the deprecation: tested below)
        try:
            out = _FORMS[form](L, x, y, _scalar(L, kind))
        except (RuntimeError, TypeError, ValueError, IndexError) as e:
            return type(e).__name__
    return str(out.dtype).split(".")[-1], out.double().tolist()


@requires_torch
@pytest.mark.parametrize("seed", range(3))
def test_random_alpha_and_value_arguments_as_torch(seed):
    rng = np.random.default_rng(seed)
    diffs = []
    for _ in range(400):
        form = list(_FORMS)[rng.integers(len(_FORMS))]
        kind = _KINDS[rng.integers(len(_KINDS))]
        dx, dy = rng.choice(_DTYPES), rng.choice(_DTYPES)
        s = int(rng.integers(1 << 30))
        ours, theirs = (_outcome(L, form, kind, dx, dy, s) for L in (zerograd, torch))
        if ours != theirs:
            diffs.append((form, kind, dx, dy, ours, theirs))
    assert not diffs, f"{len(diffs)} of 400 differ; first: {diffs[:3]}"


@requires_torch
def test_deprecated_scalar_first_overloads_differentiate_as_torch():
    def run(L):
        x = L.tensor([1.0, -2.0], dtype=L.float64, requires_grad=True)
        y = L.tensor([0.5, 3.0], dtype=L.float64, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outs = [x.add(-0.1, y), x.sub(2, y), L.add(x, 3, y), x.addcmul(0.5, y, y),
                    x.addcdiv(2, y, x * x + 1), L.addcmul(x, 3, x, y)]
        (sum(o * (k + 1) for k, o in enumerate(outs))).sum().backward()
        return ([o.tolist() for o in outs], [o.grad_fn.name() for o in outs], x.grad.tolist(),
                y.grad.tolist())
    ours, theirs = run(zerograd), run(torch)
    assert ours[1] == theirs[1]
    for a, b in zip(ours[0] + list(ours[2:]), theirs[0] + list(theirs[2:])):
        assert a == pytest.approx(b)


def test_deprecated_overload_warns_once_per_process_with_torchs_text():
    from zerograd.ops import _args
    x, y = zerograd.ones(2), zerograd.ones(2)
    calls = {
        "add_": (lambda: x.add_(2, y), "add_(Number alpha, Tensor other)",
                 "add_(Tensor other, *, Number alpha = 1)"),
        "sub": (lambda: x.sub(2, y), "sub(Number alpha, Tensor other)",
                "sub(Tensor other, *, Number alpha = 1)"),
        "addcmul": (lambda: x.addcmul(2, y, y),
                    "addcmul(Number value, Tensor tensor1, Tensor tensor2)",
                    "addcmul(Tensor tensor1, Tensor tensor2, *, Number value = 1)"),
        "add": (lambda: zerograd.add(x, 2, y),
                "add(Tensor input, Number alpha, Tensor other, *, Tensor out = None)",
                "add(Tensor input, Tensor other, *, Number alpha = 1, Tensor out = None)"),
    }
    before = _args._scalar_first_warned[0]
    for name, (call, old, new) in calls.items():
        _args._scalar_first_warned[0] = False
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            call()
            call()                      # once per process (torch's TORCH_WARN_ONCE)
            x.sub_(1, y)                # ... for every overload
        assert [str(m.message) for m in w] == [
            f"This overload of {name} is deprecated:\n\t{old}\nConsider using one of the "
            f"following signatures instead:\n\t{new}"]
        assert w[0].category is UserWarning and w[0].filename == __file__
    _args._scalar_first_warned[0] = before


def test_positional_alpha_that_is_not_the_old_overload_is_a_type_error():
    x, y = zerograd.ones(2), zerograd.ones(2)
    with pytest.raises(TypeError, match=r"add\(\) takes 1 positional argument but 2 were given"):
        x.add(y, 2)
    with pytest.raises(TypeError, match=r"add\(\) takes 2 positional arguments but 3 were given"):
        zerograd.add(x, y, 2)
    with pytest.raises(TypeError, match=r"got \(!int!, !int!, !int!\)"):
        x.add(1, 2, 3)
    with pytest.raises(TypeError, match="unrecognized keyword arguments: alpha"):
        x.add(2, y, alpha=3)
    with pytest.raises(TypeError, match=r"argument 'tensor1' \(position 1\) must be Tensor"):
        x.addcmul(2, y)
    with pytest.raises(TypeError, match=r"argument 'tensor1' \(position 2\) must be Tensor"):
        zerograd.addcmul(x, 2, y)
