"""zerograd.debug: check_manual_grad (the A0 checker), grad_report/watch, why_no_grad and
provenance."""
from __future__ import annotations

import builtins
import math

import numpy as np
import pytest

import zerograd
from zerograd.debug import (check_manual_grad, grad_report, provenance, watch, why_no_grad)


# ---- check_manual_grad on the lecture's A0 -------------------------------------------------------

B, H, D, E = 2, 3, 4, 5


@pytest.fixture
def a0():
    zerograd.manual_seed(0)
    X = zerograd.randn(B, H, D, dtype=zerograd.float64)
    W = zerograd.randn(D, E, dtype=zerograd.float64)
    Y = X @ W
    G = 2 * Y                                                  # Loss = Σ Y²  =>  dLoss/dY = 2Y
    dW = X.reshape(-1, D).T @ G.reshape(-1, E)
    dX = zerograd.matmul(G, W.T)
    return X, W, Y, G, dX, dW


def loss_fn(X, W):
    return (X @ W).pow(2).sum()


def check(a0, **manual):
    X, W = a0[0], a0[1]
    return check_manual_grad(loss_fn, {"X": X, "W": W}, manual)


def test_a0_right_derivation_passes(a0):
    X, W, Y, G, dX, dW = a0
    r = check(a0, X=dX, W=dW)
    assert r.ok and bool(r)
    assert str(r) == ("dX: OK (matches autograd and finite differences)\n"
                      "dW: OK (matches autograd and finite differences)")
    # names from the function's signature when inputs are a list
    r = check_manual_grad(loss_fn, [X, W], [dX, dW])
    assert r.ok and [c.name for c in r.checks] == ["X", "W"]


def test_a0_transposed(a0):
    X, W, Y, G, dX, dW = a0
    r = check(a0, W=G.reshape(-1, E).T @ X.reshape(-1, D))         # Gᵀ·X: (E, D)
    assert not r.ok and r.diagnoses == {"W": ["transposed"]}
    assert "transpose of the true gradient (shape [5, 4], expected [4, 5])" in str(r)


def test_a0_transposed_square():
    zerograd.manual_seed(1)
    X = zerograd.randn(6, 3, dtype=zerograd.float64)
    W = zerograd.randn(3, 3, dtype=zerograd.float64)
    G = 2 * (X @ W)
    r = check_manual_grad(lambda X, W: (X @ W).pow(2).sum(), {"X": X, "W": W}, {"W": G.T @ X})
    assert r.diagnoses == {"W": ["transposed"]}


def test_a0_missing_sum_over_batch(a0):
    X, W, Y, G, dX, dW = a0
    r = check(a0, W=X.transpose(-1, -2) @ G)                       # (B, D, E): per batch element
    assert r.diagnoses == {"W": ["missing_batch_sum"]}
    assert "keeps dims (0,)" in str(r) and ".sum(axis=0)" in str(r)


def test_bias_missing_sum_over_batch():
    zerograd.manual_seed(2)
    x = zerograd.randn(B, H, E, dtype=zerograd.float64)
    b = zerograd.randn(E, dtype=zerograd.float64)
    G = 2 * (x + b)
    r = check_manual_grad(lambda x, b: (x + b).pow(2).sum(), {"x": x, "b": b}, {"b": G})
    assert r.diagnoses == {"b": ["missing_batch_sum"]}
    assert "keeps dims (0, 1)" in str(r) and ".sum(axis=(0, 1))" in str(r)
    ok = check_manual_grad(lambda x, b: (x + b).pow(2).sum(), {"x": x, "b": b},
                           {"b": G.sum((0, 1))})
    assert ok.ok


def test_a0_scaled_mean_vs_sum(a0):
    X, W, Y, G, dX, dW = a0
    r = check(a0, W=dW / (B * H))
    assert r.diagnoses == {"W": ["scaled"]}
    s = str(r)
    assert "1/6 × the true gradient" in s and "mean vs sum" in s
    assert "N = 2 × 3: the leading dims of X [2, 3, 4]" in s
    assert "worst elements" in s


def test_a0_factor_two(a0):
    X, W, Y, G, dX, dW = a0
    r = check(a0, X=Y @ W.T)                                        # forgot the 2 of d(Y²)/dY
    assert r.diagnoses == {"X": ["scaled"]}
    assert "a factor 2 missing" in str(r)
    r = check(a0, X=2 * dX)
    assert "a factor 2 too many" in str(r)


def test_a0_wrong_sign(a0):
    X, W, Y, G, dX, dW = a0
    r = check(a0, W=-dW)
    assert r.diagnoses == {"W": ["wrong_sign"]}
    assert "minus the true gradient" in str(r)
    r = check(a0, W=-dW / 6)
    assert r.diagnoses == {"W": ["scaled", "wrong_sign"]}


def test_a0_wrong_shape(a0):
    X, W, Y, G, dX, dW = a0
    r = check(a0, X=dX.reshape(-1, D))                              # right values, flattened
    assert r.diagnoses == {"X": ["wrong_shape"]}
    assert "the numbers are right but laid out wrongly" in str(r)
    r = check(a0, W=zerograd.ones(3, 3, dtype=zerograd.float64))
    assert r.diagnoses == {"W": ["wrong_shape"]}
    assert "its shape is [3, 3], but W has shape [4, 5]" in str(r)


def test_a0_swapped_and_plain_mismatch(a0):
    X, W, Y, G, dX, dW = a0
    assert check(a0, X=dW).diagnoses == {"X": ["other_input"]}
    bad = dW.numpy().copy()                  # NumPy arrays are accepted as manual gradients
    bad[1, 2] += 0.5
    r = check(a0, W=bad)
    assert r.diagnoses == {"W": ["mismatch"]}
    c = r["W"]
    assert c.worst[0][0] == (1, 2) and len(c.worst) == 1
    assert "1 of 20 elements differ" in str(r)


def test_check_manual_grad_flags_a_wrong_autograd():
    class BadSquare(zerograd.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * x                     # missing the 2

    x = zerograd.randn(4, dtype=zerograd.float64)
    r = check_manual_grad(lambda x: BadSquare.apply(x).sum(), [x], [x])
    assert r.ok                                 # matches autograd ...
    assert "autograd and finite differences disagree for x" in str(r)   # ... which is wrong


def test_check_manual_grad_sums_a_non_scalar_and_validates():
    x = zerograd.randn(3, dtype=zerograd.float64)
    r = check_manual_grad(lambda x: x * 3, [x], [zerograd.full((3,), 3.0)])
    assert r.ok and "checked the gradient of its sum" in str(r)
    with pytest.raises(KeyError):
        check_manual_grad(lambda x: x.sum(), {"x": x}, {"y": x})


# ---- grad_report and watch -----------------------------------------------------------------------

class TinyModel:
    """Stands in for an nn.Module: anything with named_parameters() will do."""

    def __init__(self):
        zerograd.manual_seed(0)
        self.w1 = zerograd.randn(4, 3, requires_grad=True)
        self.b1 = zerograd.zeros(4, requires_grad=True)
        self.w2 = zerograd.randn(2, 4, requires_grad=True)
        self.b2 = zerograd.zeros(2, requires_grad=True)
        self.unused = zerograd.randn(2, 2, requires_grad=True)
        self.frozen = zerograd.randn(2)

    def named_parameters(self):
        return iter([("fc1.weight", self.w1), ("fc1.bias", self.b1), ("fc2.weight", self.w2),
                     ("fc2.bias", self.b2), ("head.weight", self.unused),
                     ("emb.weight", self.frozen)])

    def __call__(self, x, scale=1.0):
        h = zerograd.addmm(self.b1, x, self.w1.t()).relu()
        return zerograd.addmm(self.b2, h, self.w2.t()) * scale


def test_grad_report_none_vs_zero_vs_frozen():
    m = TinyModel()
    x = zerograd.randn(5, 3)
    m(x).sum().backward()
    m.w1.grad.zero_()                              # as if a dead layer got only zeros
    rep = grad_report(m)
    assert rep["head.weight"].status == "none" and rep["head.weight"].flags == ["NONE"]
    assert rep["fc1.weight"].status == "zero" and rep["fc1.weight"].flags == ["ZERO"]
    assert rep["emb.weight"].status == "frozen" and rep["emb.weight"].flags == []
    assert rep["fc2.weight"].status == "ok" and rep["fc2.weight"].flags == []
    st = rep["fc2.bias"]
    assert st.norm == pytest.approx(math.sqrt(2) * 5) and st.max_abs == pytest.approx(5)
    assert st.mean == pytest.approx(5) and math.isinf(st.ratio)     # zero weights
    text = str(rep)
    assert text.splitlines()[0].split() == ["parameter", "shape", "grad", "‖grad‖", "mean",
                                           "max|g|", "‖g‖/‖w‖", "flags"]
    assert "\nhead.weight  [2, 2]  None " in text and "NONE: .grad is None" in text
    assert "\nemb.weight   [2]     frozen " in text
    assert "ZERO: the parameter is in the graph" in text
    assert "layers: fc1 ‖g‖=" in text and "head ‖g‖=- NONE" in text
    assert not rep.ok and set(rep.flags) == {"head.weight", "fc1.weight"}


def test_grad_report_nan_inf_vanishing_exploding():
    ps = {f"l{i}.weight": zerograd.ones(3, requires_grad=True) for i in range(4)}
    grads = [[float("nan"), 1, 1], [float("inf"), 1, 1], [1e-9, 0, 0], [1e5, 0, 0]]
    for p, g in zip(ps.values(), grads):
        p.grad = zerograd.tensor(g)
    rep = grad_report(ps)
    assert rep.flags == {"l0.weight": ["NAN"], "l1.weight": ["INF"],
                         "l2.weight": ["VANISHING"], "l3.weight": ["EXPLODING"]}
    layers = {L.name: L.flags for L in rep.layers}
    assert layers["l0"] == ["NAN"] and layers["l2"] == ["VANISHING"]
    assert layers["l3"] == ["EXPLODING"]
    assert "NAN: the gradient has NaNs" in str(rep) and "EXPLODING" in str(rep)
    # relative vanishing: fine in absolute terms, tiny next to the largest layer
    ps = {"a.w": zerograd.ones(2, requires_grad=True), "b.w": zerograd.ones(2, requires_grad=True)}
    ps["a.w"].grad = zerograd.tensor([1e-5, 0.0])
    ps["b.w"].grad = zerograd.tensor([100.0, 0.0])
    rep = grad_report(ps)
    assert {L.name: L.flags for L in rep.layers} == {"a": ["VANISHING"], "b": []}


def test_grad_report_accepts_pairs_and_plots(tmp_path):
    w = zerograd.randn(3, requires_grad=True)
    (w * 2).sum().backward()
    rep = grad_report([("w", w)])
    assert rep.ok and rep["w"].norm == pytest.approx(2 * math.sqrt(3))
    pytest.importorskip("matplotlib")
    p = rep.plot(tmp_path / "g.png")
    assert open(p, "rb").read(8) == b"\x89PNG\r\n\x1a\n"


def test_plot_without_matplotlib_says_how_to_get_it(monkeypatch, tmp_path):
    real = builtins.__import__

    def no_mpl(name, *a, **k):
        if name.startswith("matplotlib"):
            raise ImportError("no matplotlib")
        return real(name, *a, **k)
    monkeypatch.setattr(builtins, "__import__", no_mpl)
    w = zerograd.randn(3, requires_grad=True)
    (w * 2).sum().backward()
    with pytest.raises(ImportError, match=r"pip install 'zerograd\[viz\]'"):
        grad_report({"w": w}).plot(tmp_path / "g.png")


def test_watch_records_each_backward(tmp_path):
    m = TinyModel()
    x = zerograd.randn(5, 3)
    with watch(m) as w:
        for step in range(3):
            m(x, scale=1e-9 if step == 2 else 1.0).sum().backward()
    assert len(w) == 3
    assert math.isnan(w.series("head.weight")[0])
    n = w.series("fc2.bias")
    assert n[0] == pytest.approx(math.sqrt(2) * 5) and n[2] == pytest.approx(math.sqrt(2) * 5e-9)
    rep = w.report(2)
    assert rep["fc2.bias"].flags == ["VANISHING"] and rep["head.weight"].flags == ["NONE"]
    assert w.report(0)["fc2.bias"].flags == []
    table = w.table()
    assert table.splitlines()[0].split() == ["parameter", "step", "0", "step", "1", "step", "2"]
    # removed: no more steps recorded
    m(x).sum().backward()
    assert len(w) == 3
    pytest.importorskip("matplotlib")
    assert open(w.plot(tmp_path / "w.png"), "rb").read(4) == b"\x89PNG"


# ---- why_no_grad -------------------------------------------------------------------------------

def test_why_no_grad_cases():
    w = zerograd.randn(3, requires_grad=True)
    assert "only floating-point tensors can require gradients" in why_no_grad(zerograd.arange(3))
    with zerograd.inference_mode():
        t = zerograd.randn(3)
    assert "created under inference_mode()" in why_no_grad(t)
    assert "detach()ed from a tensor that requires grad" in why_no_grad(w.detach())
    assert "the `.data` of a tensor that requires grad" in why_no_grad(w.data)
    assert "created without requires_grad=True" in why_no_grad(zerograd.randn(3))
    with zerograd.no_grad():
        msg_view = why_no_grad(w[0:2])
        msg_mode = why_no_grad(w * 2)
    assert "a view of a tensor that requires grad, taken under no_grad()" in msg_view
    assert "grad mode is off right now" in msg_mode
    y = w * 2
    assert "not a leaf (grad_fn=MulBackward0)" in why_no_grad(y)
    assert "retain_grad()" in why_no_grad(y)
    assert "backward has not run yet" in why_no_grad(w)


def test_why_no_grad_with_the_loss():
    w = zerograd.randn(3, requires_grad=True)
    u = zerograd.randn(3, requires_grad=True)
    loss = (w * u.detach()).sum()
    msg = why_no_grad(u, loss=loss, name="u")
    assert "u requires grad but it is not in the loss's graph" in msg
    assert "although it is in the loss's graph" in why_no_grad(w, loss=loss)
    loss.backward()
    assert "has a gradient: t.grad has norm" in why_no_grad(w)
    z = zerograd.randn(3, requires_grad=True)
    (z.relu() * 0).sum().backward()
    assert "all zeros" in why_no_grad(z)
    y = w * 2
    y.retain_grad()
    assert "retain_grad() is set but" in why_no_grad(y)
    with pytest.raises(TypeError):
        why_no_grad(np.zeros(2))


# ---- provenance of errors raised inside backward -------------------------------------------------

class WrongShape(zerograd.autograd.Function):
    @staticmethod
    def forward(ctx, x, w):
        ctx.save_for_backward(x, w)
        return x @ w

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        return g @ w.t(), g.sum(0)           # dw should be xᵀ g: (3, 2), this is (2,)


def test_engine_shape_error_names_node_index_and_shapes():
    x = zerograd.randn(4, 3, requires_grad=True)
    w = zerograd.randn(3, 2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Function WrongShapeBackward returned an invalid "
                       r"gradient at index 1 - got \[2\] but expected shape compatible "
                       r"with \[3, 2\]"):
        WrongShape.apply(x, w).sum().backward()


def test_provenance_names_the_input_and_where_the_node_was_made():
    x = zerograd.randn(4, 3, requires_grad=True)
    w = zerograd.randn(3, 2, requires_grad=True)
    y = WrongShape.apply(x, w)
    with pytest.raises(RuntimeError) as info:
        with provenance():
            y.sum().backward()
    note = "\n".join(info.value.__notes__)
    assert "the error happened in the backward of WrongShapeBackward" in note
    assert "input 1 'w': float32[3, 2] <- AccumulateGrad (a leaf)   <== this input: its " \
           "gradient must have shape [3, 2] (or broadcast to it), the backward returned [2]" in note
    assert "incoming gradient(s): float32[4, 2]" in note
    from zerograd.autograd import engine
    assert engine._tracer is None


def test_provenance_of_an_error_inside_a_formula_with_creation_site():
    class Mismatch(zerograd.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g @ zerograd.ones(5, 5)

    x = zerograd.randn(3, requires_grad=True)
    with zerograd.autograd.detect_anomaly():
        y = (x * 2).exp()                      # an Op node: its creation site is recorded
    z = Mismatch.apply(y)
    from zerograd.autograd.explain import creation_site
    assert creation_site(y.grad_fn).startswith(__file__.rstrip("c") + ":")
    with pytest.raises(Exception) as info:
        with provenance():
            z.sum().backward()
    note = "\n".join(info.value.__notes__)
    assert "in the backward of MismatchBackward" in note and "input 0 'x': float32[3]" in note
