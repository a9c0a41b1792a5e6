"""node.formula and node.explain(): every built-in node states its VJP rule, and explains it
with its own shapes, saved tensors and the engine's reductions (zerograd/autograd/explain.py)."""
from __future__ import annotations

import importlib
import pkgutil
import warnings

import numpy as np
import pytest

import zerograd
from zerograd.autograd.explain import RULES, explain
from zerograd.autograd.function import AccumulateGrad, Function, Op
from zerograd.viz._walk import collect
from tests.op_db import OP_DB
from tests._oracle import requires_torch, torch


def _import_all(pkg_name):
    try:
        pkg = importlib.import_module(pkg_name)
    except ImportError:
        return
    for m in pkgutil.walk_packages(pkg.__path__, pkg_name + "."):
        try:
            importlib.import_module(m.name)
        except Exception:   # noqa: BLE001 - a module being written by someone else
            pass


def _op_classes():
    _import_all("zerograd.ops")
    _import_all("zerograd.nn")
    out, stack = [], list(Op.__subclasses__())
    while stack:
        c = stack.pop()
        if c not in out:
            out.append(c)
            stack.extend(c.__subclasses__())
    return sorted(out, key=lambda c: c.__module__ + c.__name__)


OPS = _op_classes()


def test_the_walk_finds_the_ops():
    names = {c.__name__ for c in OPS}
    assert {"Mul", "Mm", "Addmm", "Sum", "View", "T"} <= names
    assert len(OPS) >= 60


@pytest.mark.parametrize("cls", OPS, ids=lambda c: c.__name__)
def test_every_builtin_node_has_a_formula(cls):
    node = cls._node_cls()
    f = node.formula
    assert f, (f"{cls.__module__}.{cls.__name__} ({cls.node_name}) has no formula: add a row to "
               "RULES in zerograd/autograd/explain.py, or make the first line of its docstring "
               "state the rule ('z = ...     da = ...')")
    assert f.startswith(node.name().rsplit("::", 1)[-1] + ": ")
    assert "=" in f.split(": ", 1)[1]


def test_rules_have_one_grad_per_input_and_match_the_ops_arity():
    by_name = {c.__name__: c for c in OPS}
    for key, rule in RULES.items():
        assert len(rule.grads) == len(rule.inputs), key
        cls = by_name.get(key)
        if cls is not None and cls.arity is not None:
            assert len(rule.inputs) == cls.arity, (key, rule.inputs, cls.arity)


def test_formula_of_mul_is_torchs_derivative():
    x = zerograd.randn(3, requires_grad=True)
    y = zerograd.randn(3, requires_grad=True)
    assert (x * y).grad_fn.formula == \
        "MulBackward0: grad_self = grad * other; grad_other = grad * self"
    assert (x + y).grad_fn.formula == "AddBackward0: grad_self = grad; grad_other = grad"


# ---- explain() on every node the op table builds ---------------------------------------------

def _tensors(case, spec):
    args = []
    for i, a in enumerate(case.args):
        if isinstance(a, np.ndarray):
            t = zerograd.from_numpy(a.copy())
            if a.dtype.kind == "f" and i not in case.nograd:
                t.requires_grad_(True)
            a = t
        args.append(a)
    return args


def _cases():
    out = []
    for spec in OP_DB:
        if not spec.differentiable:
            continue
        ok = [c for c in spec.samples() if c.error is None and not c.xfail][:2]
        for k, c in enumerate(ok):
            out.append(pytest.param(spec, c, id=f"{spec.name}-{k}"))
    return out


@pytest.mark.parametrize("spec,case", _cases())
def test_explain_every_node_of_the_op_table(spec, case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out = spec.call(zerograd, _tensors(case, spec), case.kwargs)
        except Exception as e:   # noqa: BLE001 - the op's own tests report op failures
            pytest.skip(f"the op itself fails here ({type(e).__name__}); "
                        "tests/test_ops.py covers it")
    outs = [o for o in (out if isinstance(out, tuple) else (out,))
            if isinstance(o, zerograd.Tensor) and o.grad_fn is not None]
    if not outs:
        pytest.skip("no graph recorded for this case")
    g = collect(outs)
    for node in g.nodes:
        metas = g.out_meta.get(node) or [None]
        meta = metas[0] if len(metas) == 1 else None
        f = node.formula
        assert f, f"{node.name()} has no formula"
        text = explain(node, meta)
        title = node.name().rsplit("::", 1)[-1]
        assert text.startswith(title + ": "), text
        if type(node) is not AccumulateGrad:
            assert "inputs" in text and "computes" in text and "engine" in text, text
            # every input that needs a gradient is listed with its shape and dtype
            for child, _ in node.next_functions:
                if child is not None:
                    assert "float64[" in text or "float32[" in text, text


# ---- explain() with its actual shapes: the worked examples -------------------------------------

def test_explain_mul_of_the_lecture_example():
    x = zerograd.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y * 3
    text = z.grad_fn.next_functions[0][0].explain()
    assert text == """\
MulBackward0: grad_self = grad * other; grad_other = grad * self
  forward   result = self * other
  result    float32[2, 2]   so grad (the incoming gradient) has this shape
  inputs
    self   float32[2, 2]  <- AddBackward0
    other  float32[2, 2]  <- AddBackward0
  computes
    grad_self  = grad * other   -> float32[2, 2]
    grad_other = grad * self   -> float32[2, 2]
  saved
    self   float32[2, 2]  (version 0)
    other  float32[2, 2]  (version 0)
  engine    nothing to do: each gradient already has its input's shape and dtype"""


def test_explain_batched_matmul_names_the_sum_over_the_batch():
    zerograd.manual_seed(0)
    X = zerograd.randn(2, 3, 4, dtype=zerograd.float64, requires_grad=True)
    W = zerograd.randn(4, 5, dtype=zerograd.float64, requires_grad=True)
    Y = X @ W                         # torch: ViewBackward0 -> MmBackward0 -> UnsafeViewBackward0
    mm = Y.grad_fn.next_functions[0][0]
    assert mm.name() == "MmBackward0"
    text = mm.explain(params={"X": X, "W": W})
    assert "result    float64[6, 5]" in text
    assert "self  float64[6, 4]  <- ViewBackward0" in text
    assert "mat2  float64[4, 5]  <- AccumulateGrad (a leaf 'W')" in text
    assert "X [2, 3, 4] with its batch dims (2 × 3) folded into 6 rows" in text
    assert "dW = Σ_batch Xᵀ·G" in text


def test_explain_linear_names_bias_sum_and_transpose():
    b = zerograd.randn(3, requires_grad=True)
    w = zerograd.randn(3, 4, requires_grad=True)
    x = zerograd.randn(8, 4)
    y = zerograd.addmm(b, x, w.t())
    text = y.grad_fn.explain(params={"bias": b, "weight": w})
    assert "mat1  float32[8, 4]  does not require grad" in text
    assert "grad_mat2 = mat1ᵀ @ grad sums over the 8 rows of mat1 (the batch)" in text
    assert "TBackward0 below transposes it" in text
    assert "dbias = Σ_batch G" in text
    assert "sums grad_self over dims (0,): [8, 3] -> [3]" in text
    assert ("saved\n    mat1  float32[8, 4]  (version 0)\n"
            "    mat2  float32[4, 3]  (version 0)") in text


def test_explain_broadcast_and_promotion_are_the_engines_chores():
    a = zerograd.randn(3, 1, requires_grad=True)                       # float32
    b = zerograd.randn(2, 1, 4, dtype=zerograd.float64, requires_grad=True)
    text = (a + b).grad_fn.explain()
    assert "result    float64[2, 3, 4]" in text
    assert "sums grad_self over dims (0, 2): [2, 3, 4] -> [3, 1]" in text
    assert "casts grad_self from float64 to float32" in text
    assert "sums grad_other over dims (1,): [2, 3, 4] -> [2, 1, 4]" in text


def test_explain_reports_freed_and_modified_saved_tensors():
    x = zerograd.randn(3, requires_grad=True)
    y = x * 1
    z = (y * y).sum()
    node = z.grad_fn.next_functions[0][0]
    with zerograd.no_grad():
        y.add_(1)
    assert "MODIFIED IN PLACE" in node.explain()
    w = zerograd.randn(3, requires_grad=True)
    out = (w.exp()).sum()
    exp_node = out.grad_fn.next_functions[0][0]
    out.backward()
    assert "freed: backward already ran" in exp_node.explain()


def test_explain_accumulate_grad_and_hooks():
    w = zerograd.randn(2, requires_grad=True)
    y = (w * 2).sum()
    acc = y.grad_fn.next_functions[0][0].next_functions[0][0]
    w.register_hook(lambda g: g)
    text = acc.explain(params={"w": w})
    assert text.startswith("AccumulateGrad: variable.grad += grad")
    assert "leaf      float32[2]  'w'" in text
    assert ".grad is None" in text and "1 tensor hook(s)" in text


def test_custom_function_formula_is_user_defined_or_its_own():
    class Cube(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 3 * g * x * x

    class Cube2(Cube):
        formula = "grad_x = 3 * grad * x²"

    x = zerograd.randn(4, requires_grad=True)
    node = Cube.apply(x).grad_fn
    assert node.formula.startswith("CubeBackward: user-defined")
    text = node.explain()
    assert "CubeBackward: user-defined" in text and "x  float32[4]  <- AccumulateGrad" in text
    assert "saved\n    x  float32[4]" in text
    assert Cube2.apply(x).grad_fn.formula == "Cube2Backward: grad_x = 3 * grad * x²"
    node.formula = "grad_x = 3 g x²"          # set on the ctx
    assert node.formula == "CubeBackward: grad_x = 3 g x²"


def test_explain_knows_the_output_shape_without_the_tensor():
    x = zerograd.randn(2, 3, requires_grad=True)
    w = zerograd.randn(3, 4, requires_grad=True)
    loss = (x @ w).sum()                         # the mm output is gone
    mm = loss.grad_fn.next_functions[0][0]
    assert "result    float32[2, 4]" in mm.explain()


def test_formula_and_explain_cost_nothing_until_asked():
    # Node has no per-op state for them: the property and method live on the class
    from zerograd.autograd.function import Node
    assert isinstance(Node.__dict__["formula"], property)
    x = zerograd.randn(2, requires_grad=True)
    assert "formula" not in (x * 2).grad_fn.__dict__


# ----- grad_fn._saved_<name>: what forward saved, under torch's names ---------------------------

def test_saved_attributes_are_torchs():
    a = zerograd.tensor([1.0, 2.0], requires_grad=True)
    b = zerograd.tensor([3.0, 4.0], requires_grad=True)
    y = a * b
    t = y.tanh()
    assert y.grad_fn._saved_self is a and y.grad_fn._saved_other is b      # inputs: themselves
    r = t.grad_fn._saved_result                     # an output: a tensor of the node
    assert r.grad_fn is t.grad_fn and r.tolist() == t.tolist()
    assert repr((a * 2.0).grad_fn._saved_other) == "tensor(2., dtype=torch.float64)"
    assert repr((2 * a).grad_fn._saved_other) == "tensor(2)"          # torch's wrapped numbers
    with pytest.raises(AttributeError, match="'MulBackward0' object has no attribute '_saved_x'"):
        y.grad_fn._saved_x
    t.sum().backward()
    with pytest.raises(RuntimeError, match="directly access saved tensors after they have already"):
        t.grad_fn._saved_result


@requires_torch
def test_saved_attributes_match_torchs_over_the_op_table():
    """Every tensor torch's node exposes as `_saved_<name>` that zerograd's node saved too has
    torch's value (zerograd saves what its VJP reads: some of torch's are not there, e.g. the
    indices of max(dim) - at least 570 of the 776 tensors of the table's first cases are)."""
    found, differ, total = 0, [], 0
    for spec in OP_DB:
        if not spec.differentiable:
            continue
        for case in spec.samples()[:2]:
            if case.error is not None:
                continue
            outs = []
            for L in (torch, zerograd):
                args = [L.tensor(a, dtype=L.float64, requires_grad=True)
                        if isinstance(a, np.ndarray) and a.dtype.kind == "f" else
                        L.tensor(a) if isinstance(a, np.ndarray) else a for a in case.args]
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        o = spec.call(L, args, case.kwargs)
                except Exception:
                    o = None
                outs.append(o[0] if isinstance(o, (tuple, list)) and o else o)
            t, z = outs
            if t is None or z is None or t.grad_fn is None or z.grad_fn is None or \
                    type(t.grad_fn).__name__ != z.grad_fn.name():
                continue
            for attr in dir(t.grad_fn):
                if not attr.startswith("_saved_"):
                    continue
                tv = getattr(t.grad_fn, attr, None)
                if not isinstance(tv, torch.Tensor):
                    continue
                total += 1
                try:
                    zv = getattr(z.grad_fn, attr)
                except AttributeError:
                    continue
                found += 1
                if not (isinstance(zv, zerograd.Tensor) and tuple(zv.shape) == tuple(tv.shape)
                        and str(zv.dtype) == str(tv.dtype)
                        and np.allclose(zv.detach().numpy(), tv.detach().numpy(), equal_nan=True)):
                    differ.append((spec.name, attr))
    assert not differ, differ[:5]
    assert found >= 570, (found, total)
