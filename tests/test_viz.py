"""zerograd.viz: the text tree, DOT, the SVG drawing, the notebook object and the backward trace."""
from __future__ import annotations

import math
import time
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import zerograd
from zerograd import viz
from zerograd.autograd import engine
from zerograd.viz._walk import collect


def lecture():
    x = zerograd.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y * 3
    out = z.mean()
    return x, out


def linear_like():
    zerograd.manual_seed(0)
    x = zerograd.randn(8, 4)
    w = zerograd.randn(3, 4, requires_grad=True)
    b = zerograd.zeros(3, requires_grad=True)
    y = zerograd.addmm(b, x, w.t())            # what nn.Linear records for a 2-D input
    return w, b, y.relu().sum()


# ---- graph_text: golden texts ------------------------------------------------------------------

def test_graph_text_lecture_example():
    x, out = lecture()
    assert viz.graph_text(out, params={"x": x}) == """\
MeanBackward0  float32[]
└── MulBackward0  float32[2, 2]
    └── MulBackward0  float32[2, 2]
        ├── AddBackward0  float32[2, 2]  #1
        │   └── AccumulateGrad  x  float32[2, 2]
        └── AddBackward0  #1 (shared, shown above)"""


def test_graph_text_without_names_and_with_saved():
    x, out = lecture()
    assert viz.graph_text(out, show_saved=True) == """\
MeanBackward0  float32[]
└── MulBackward0  float32[2, 2]
    │ saved other: 3 (constant)
    └── MulBackward0  float32[2, 2]
        │ saved self: float32[2, 2] (version 0)
        │ saved other: float32[2, 2] (version 0)
        ├── AddBackward0  float32[2, 2]  #1
        │   └── AccumulateGrad  float32[2, 2]
        └── AddBackward0  #1 (shared, shown above)"""


def test_graph_text_saved_versions_and_freed():
    x = zerograd.randn(3, requires_grad=True)
    y = x * 1
    z = (y * y).sum()
    with zerograd.no_grad():
        y.mul_(2)
    text = viz.graph_text(z, show_saved=True)
    assert "saved self: float32[3] (saved at version 0, now version 1: MODIFIED IN PLACE" in text
    w = zerograd.randn(3, requires_grad=True)
    loss = w.exp().sum()
    loss.backward()
    assert "saved: freed by backward" in viz.graph_text(loss, show_saved=True)


def test_graph_text_linear_like_addmm():
    w, b, loss = linear_like()
    assert viz.graph_text(loss, {"weight": w, "bias": b}) == """\
SumBackward0  float32[]
└── ReluBackward0  float32[8, 3]
    └── AddmmBackward0  float32[8, 3]
        ├── AccumulateGrad  bias  float32[3]
        └── TBackward0  float32[4, 3]
            └── AccumulateGrad  weight  float32[3, 4]"""
    assert viz.graph_text(loss, {"weight": w, "bias": b}, show_saved=True) == """\
SumBackward0  float32[]
└── ReluBackward0  float32[8, 3]
    │ saved result: float32[8, 3] (version 0)
    └── AddmmBackward0  float32[8, 3]
        │ saved mat1: float32[8, 4] (version 0)
        │ saved mat2: float32[4, 3] (version 0)
        ├── AccumulateGrad  bias  float32[3]
        └── TBackward0  float32[4, 3]
            └── AccumulateGrad  weight  float32[3, 4]"""


def test_graph_text_nn_linear():
    nn = pytest.importorskip("zerograd.nn")
    if not hasattr(nn, "Linear"):
        pytest.skip("zerograd.nn.Linear is not there yet")
    zerograd.manual_seed(0)
    lin = nn.Linear(4, 3)
    loss = lin(zerograd.randn(8, 4)).sum()
    assert viz.graph_text(loss, dict(lin.named_parameters())) == """\
SumBackward0  float32[]
└── AddmmBackward0  float32[8, 3]
    ├── AccumulateGrad  bias  float32[3]
    └── TBackward0  float32[4, 3]
        └── AccumulateGrad  weight  float32[3, 4]"""


def test_graph_text_max_depth_cuts():
    w, b, loss = linear_like()
    assert viz.graph_text(loss, max_depth=2) == """\
SumBackward0  float32[]
└── ReluBackward0  float32[8, 3]
    └── AddmmBackward0  float32[8, 3]
        └── … 2 input nodes below (cut at max_depth=2)"""


def test_graph_text_multi_output_and_leaf_root():
    x = zerograd.randn(3, 2, requires_grad=True)
    values, indices = zerograd.max(x, 0)
    text = viz.graph_text(values * values)
    assert text.splitlines()[0] == "MulBackward0  float32[2]"
    assert "MaxBackward0  (float32[2], int64[2])  #1" in text
    assert viz.graph_text(x).startswith("AccumulateGrad  float32[3, 2]")
    assert "no graph" in viz.graph_text(zerograd.randn(2))


def test_print_graph_prints(capsys):
    x, out = lecture()
    viz.print_graph(out)
    assert capsys.readouterr().out.startswith("MeanBackward0  float32[]\n")


def test_graph_text_of_a_100k_node_chain_has_no_recursion_and_bounded_lines():
    x = zerograd.randn(2, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    t0 = time.perf_counter()
    text = viz.graph_text(y.sum())
    lines = text.splitlines()
    assert len(lines) == 100_002
    assert max(len(s) for s in lines) < 24 * 4 + 60       # indentation capped at max_indent
    assert lines[-1].startswith("┆+")  and lines[-1].endswith("AccumulateGrad  float32[2]")
    assert time.perf_counter() - t0 < 20


def test_graph_text_wide_fold_is_linear():
    xs = [zerograd.randn(2, requires_grad=True) for _ in range(3000)]
    s = xs[0]
    for t in xs[1:]:
        s = s + t
    text = viz.graph_text(s)
    assert len(text.splitlines()) == 2999 + 3000


# ---- DOT, SVG, draw, graph -----------------------------------------------------------------------

def test_to_dot_has_every_node_and_edge():
    x, out = lecture()
    dot = viz.to_dot(out, {"x": x})
    assert dot.startswith("digraph zerograd {") and dot.rstrip().endswith("}")
    g = collect(out)
    assert dot.count(" -> ") == len(g.edges) == 5
    for name in ("MeanBackward0", "MulBackward0", "AddBackward0",
                 "AccumulateGrad\\nx\\nfloat32[2, 2]"):
        assert name in dot


def _svg_titles(svg):
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == ns + "svg"
    return root, [t.text for t in root.iter(ns + "title")]


@pytest.mark.parametrize("make", [lecture, linear_like])
def test_svg_parses_and_names_every_node(make):
    *_, out = make()
    svg = viz.to_svg(out)
    root, titles = _svg_titles(svg)
    g = collect(out)
    names = [n.name().rsplit("::", 1)[-1] for n in g.nodes]
    assert sorted(titles) == sorted(names)
    texts = " ".join(t.text for t in root.iter("{http://www.w3.org/2000/svg}text"))
    for n in names:
        assert n in texts
    assert len(list(root.iter("{http://www.w3.org/2000/svg}path"))) >= len(g.edges)


def test_svg_layout_puts_consumers_above_their_inputs():
    w, b, loss = linear_like()
    from zerograd.viz.svg import layout
    g = collect(loss)
    boxes, edges, width, height = layout(g)
    for parent, child, _, _ in g.edges:
        assert boxes[parent].y + boxes[parent].h < boxes[child].y
    for L in {bx.layer for bx in boxes.values()}:      # no overlapping boxes in a layer
        row = sorted((bx for bx in boxes.values() if bx.layer == L), key=lambda b: b.x)
        for a, c in zip(row, row[1:]):
            assert a.x + a.w / 2 <= c.x - c.w / 2 + 1e-6
    assert width > 0 and height > 0


def test_svg_of_a_large_graph_is_refused_with_advice():
    x = zerograd.randn(2, requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0
    with pytest.raises(ValueError, match="max_depth"):
        viz.to_svg(y)
    _svg_titles(viz.to_svg(y, max_depth=5))


def test_draw_svg_dot_and_png(tmp_path, monkeypatch):
    x, out = lecture()
    p = viz.draw(out, tmp_path / "g.svg", {"x": x})
    _svg_titles(open(p, encoding="utf-8").read())
    p = viz.draw(out, tmp_path / "g.dot")
    assert open(p).read().startswith("digraph")
    import shutil
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match=r"graphviz.*save as \.svg"):
        viz.draw(out, tmp_path / "g.png")
    with pytest.raises(ValueError, match="unknown file type"):
        viz.draw(out, tmp_path / "g.jpg")


def test_draw_png_with_graphviz(tmp_path):
    import shutil
    if shutil.which("dot") is None:
        pytest.skip("graphviz's dot is not installed")
    x, out = lecture()
    p = viz.draw(out, tmp_path / "g.png")
    assert open(p, "rb").read(8) == b"\x89PNG\r\n\x1a\n"


def test_graph_object_shows_itself_in_notebooks():
    x, out = lecture()
    g = viz.graph(out, {"x": x})
    _svg_titles(g._repr_svg_())
    assert repr(g) == viz.graph_text(out, {"x": x}) == str(g)
    assert g.dot().startswith("digraph")


# ---- trace_backward ------------------------------------------------------------------------------

def test_trace_records_events_in_engine_order():
    x = zerograd.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.register_hook(lambda g: g * 10)
    z = y.sum()
    z.grad_fn.register_prehook(lambda gs: None)
    z.grad_fn.register_hook(lambda gi, go: None)
    x.register_hook(lambda g: None)
    x.register_post_accumulate_grad_hook(lambda t: None)
    with viz.trace_backward({"x": x}) as tr:
        z.backward()
    got = [(e.kind, e.name) for e in tr.events]
    assert got == [
        ("backward", ""),
        ("pre_hook", "SumBackward0"),
        ("node", "SumBackward0"),
        ("post_hook", "SumBackward0"),
        ("tensor_hook", "MulBackward0"),
        ("retain_grad", "MulBackward0"),
        ("node", "MulBackward0"),
        ("leaf_hook", "AccumulateGrad"),
        ("accumulate", "AccumulateGrad"),
        ("post_accumulate_hook", "AccumulateGrad"),
    ]
    ev = tr.events
    assert ev[2].grads_in[0].shape == () and ev[2].grads_out[0].shape == (2,)
    assert ev[2].grads_out[0].norm == pytest.approx(math.sqrt(2))
    assert ev[4].note == "replaced the gradient"
    assert ev[4].grads_out[0].norm == pytest.approx(10 * math.sqrt(2))
    assert ev[6].grads_out[0].norm == pytest.approx(20 * math.sqrt(2))
    assert ev[8].target == "x" and ev[8].note == "stored (first gradient)"
    assert np.allclose(x.grad.numpy(), [20, 20]) and np.allclose(y.grad.numpy(), [10, 10])
    table = tr.table()
    assert table.splitlines()[0].split() == ["step", "event", "node", "about", "grad", "in",
                                             "grad", "out"]
    assert len(table.splitlines()) == 2 + len(tr.events)
    assert "tensor_hook" in table and "‖28.28‖" in table
    assert engine._tracer is None


def test_trace_skips_capture_and_accumulate_again():
    w = zerograd.randn(3, requires_grad=True)
    u = zerograd.randn(3, requires_grad=True)
    loss = (w * w).sum() + (u.detach() * 2).sum()
    with viz.trace_backward() as tr:
        g, = zerograd.autograd.grad(loss, [w], retain_graph=True)
        loss.backward()
        loss2 = (w * 3).sum()
        loss2.backward()
    kinds = [e.kind for e in tr.events]
    assert kinds.count("backward") == 3
    assert "capture" in kinds
    acc = [e for e in tr.events if e.kind == "accumulate"]
    assert [e.note for e in acc] == ["stored (first gradient)", "added to the existing .grad"]
    assert np.allclose(g.numpy(), 2 * w.detach().numpy())


def test_trace_gives_graph_the_gradient_norms():
    x, out = lecture()
    with viz.trace_backward({"x": x}) as tr:
        out.backward()
    text = viz.graph_text(out, {"x": x}, trace=tr)
    assert text.splitlines()[0] == "MeanBackward0  float32[]  grad ‖1‖"
    assert "AccumulateGrad  x  float32[2, 2]  grad ‖9‖" in text
    svg = viz.to_svg(out, {"x": x}, trace=tr)
    _svg_titles(svg)
    assert "grad ‖9‖" in svg and "grad ‖0.5‖" in svg


def test_tracer_is_off_outside_the_block_even_after_an_error():
    x = zerograd.randn(2, requires_grad=True)
    assert engine._tracer is None
    with pytest.raises(RuntimeError):
        with viz.trace_backward():
            (x * 2).sum().backward()
            (x * 2).backward()               # not a scalar
    assert engine._tracer is None


# the recording sweep must give exactly what the engine gives

def _scenarios():
    def diamond(x):
        a = x.exp()
        b = a * a + a.sin()
        return [b.sum()], {}

    def double_backward(x):
        y = (x ** 3).sum()
        g, = zerograd.autograd.grad(y, x, create_graph=True)
        g2, = zerograd.autograd.grad(g.sum(), x)
        return [g2], {"skip_backward": True}

    def grad_unused(x):
        u = zerograd.randn(2, requires_grad=True)
        y = (x * 2).sum()
        r = zerograd.autograd.grad(y, [x, u], allow_unused=True)
        return [r[0]], {"skip_backward": True, "none": r[1] is None}

    def inputs_kw(x):
        w = zerograd.ones(2, requires_grad=True)
        y = (x * w).sum()
        y.backward(inputs=[w])
        return [w.grad], {"skip_backward": True, "xgrad_none": x.grad is None}

    def hooks(x):
        y = x * 3
        y.register_hook(lambda g: g + 1)
        z = y.tanh().sum()
        z.grad_fn.register_hook(lambda gi, go: tuple(g * 2 for g in gi))
        return [z], {}

    def multi_output(x):
        a, b = x.reshape(2, 1).unbind(0)
        return [(a * 5 + b).sum()], {}

    def matmul_batched(x):
        W = zerograd.ones(2, 3, dtype=zerograd.float64, requires_grad=True)
        X = x.reshape(1, 1, 2).expand(4, 5, 2)
        return [(X @ W).pow(2).sum()], {}
    return [diamond, double_backward, grad_unused, inputs_kw, hooks, multi_output, matmul_batched]


@pytest.mark.parametrize("scenario", _scenarios(), ids=lambda f: f.__name__)
def test_recording_sweep_matches_the_engine(scenario):
    def run(traced):
        x = zerograd.tensor([0.3, -0.7], dtype=zerograd.float64, requires_grad=True)
        if traced:
            with viz.trace_backward() as tr:
                outs, info = scenario(x)
                if not info.get("skip_backward"):
                    outs[0].backward()
            assert len(tr.events) > 0
        else:
            outs, info = scenario(x)
            if not info.get("skip_backward"):
                outs[0].backward()
        grads = [None if x.grad is None else x.grad.numpy().copy()]
        vals = [o.detach().numpy().copy() for o in outs if o is not None]
        return grads, vals, info
    g1, v1, i1 = run(False)
    g2, v2, i2 = run(True)
    assert i1 == i2
    for a, b in zip(g1 + v1, g2 + v2):
        assert (a is None and b is None) or np.array_equal(a, b)


def test_recording_sweep_keeps_the_engines_errors():
    x = zerograd.randn(2, requires_grad=True)
    y = (x.exp()).sum()
    y.backward()
    with viz.trace_backward():
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            y.backward()
    with viz.trace_backward():
        with pytest.raises(RuntimeError, match="does not require grad"):
            zerograd.randn(2).sum().backward()


# ---- docs/seeing-autograd.md: its transcripts are real ------------------------------------------

DOC = __import__("pathlib").Path(__file__).resolve().parents[1] / "docs" / "seeing-autograd.md"


def run_doc(cwd):
    """Run the doc's python blocks in order (one namespace, in `cwd`); yield (code, printed,
    the transcript the doc shows after it or None)."""
    import contextlib
    import io
    import os
    import re
    text = DOC.read_text(encoding="utf-8")
    blocks = re.finditer(r"```python\n(.*?)```\n(?:\n```text\n(.*?)```\n)?", text, re.S)
    ns = {"__name__": "__doc__"}
    old = os.getcwd()
    os.chdir(cwd)
    try:
        for m in blocks:
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                exec(compile(m.group(1), str(DOC), "exec"), ns)
            yield m.group(1), buf.getvalue(), m.group(2)
    finally:
        os.chdir(old)


def test_doc_transcripts_match_the_code(tmp_path, monkeypatch):
    try:
        import matplotlib
        del matplotlib
    except ImportError:     # the plots are an optional extra: check the transcripts anyway
        from zerograd.debug import report
        monkeypatch.setattr(report.GradReport, "plot", lambda self, path, **k: path)
        monkeypatch.setattr(report.Watch, "plot", lambda self, path, **k: path)
    n = 0
    for code, printed, shown in run_doc(tmp_path):
        n += 1
        if shown is None:
            assert printed == "", f"the doc shows no output for a block that prints:\n{code}"
        else:
            assert printed.rstrip("\n") == shown.rstrip("\n"), f"transcript differs for:\n{code}"
    assert n >= 15
    for name in ("lecture.svg", "mlp.svg"):
        _svg_titles((tmp_path / name).read_text(encoding="utf-8"))
        assert (DOC.parent / "img" / name).exists()


if __name__ == "__main__":      # regenerate the doc's pictures: python3 -m tests.test_viz
    for _ in run_doc(DOC.parent / "img"):
        pass
