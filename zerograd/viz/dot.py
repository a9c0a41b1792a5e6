"""DOT text for graphviz, and `draw(t, path)`: .svg (always), .png/.pdf (through graphviz).

    zerograd.viz.to_dot(loss, params=dict(model.named_parameters()))   # a string, no dependency
    zerograd.viz.draw(loss, "graph.svg")     # laid out and drawn by zerograd itself
    zerograd.viz.draw(loss, "graph.png")     # needs graphviz's `dot` program on the PATH

The drawing conventions are those of the SVG: the output's node on top, leaves (AccumulateGrad)
in blue with their parameter names, arrows in the forward direction.
"""
from __future__ import annotations

import os
import shutil
import subprocess

from ..autograd.function import AccumulateGrad
from ._walk import collect

__all__ = ["to_dot", "draw"]


def _q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(t, params=None, *, max_depth=None, trace=None) -> str:
    """The graph behind `t` as DOT text (feed it to graphviz's `dot`)."""
    g = collect(t, params, max_depth)
    ids = {node: f"n{k}" for k, node in enumerate(g.nodes)}
    roots = set(g.roots)
    out = ["digraph zerograd {",
           '  graph [rankdir=BT, nodesep=0.3, ranksep=0.4];',
           '  node [shape=box, style="rounded,filled", fontname="monospace", fontsize=11, '
           'fillcolor="#eef1f5", color="#5b6573"];',
           '  edge [color="#5b6573", arrowsize=0.7];']
    for node in g.nodes:
        lines = [g.label_of(node).split("  ")[0]]
        name = g.leaf_name(node)
        if name:
            lines.append(name)
        lines.append(g.meta_text(node))
        if trace is not None:
            info = trace.grad_into(node)
            if info:
                lines.append("grad " + ", ".join("-" if i is None else f"‖{i.norm:.3g}‖"
                                                  for i in info))
        if node in g.cut:
            lines.append("… (cut)")
        attrs = [f"label={_q(chr(10).join(lines))}"]
        if type(node) is AccumulateGrad:
            attrs.append('fillcolor="#d7ebff", color="#2f6fb0"')
        elif node in roots:
            attrs.append('fillcolor="#d9f5d6", color="#3c8a3c"')
        out.append(f"  {ids[node]} [{', '.join(attrs)}];".replace("\n", "\\n"))
    for parent, child, i, nr in g.edges:
        out.append(f"  {ids[child]} -> {ids[parent]};")
    out.append("}")
    return "\n".join(out) + "\n"


def draw(t, path, params=None, *, max_depth=None, trace=None) -> str:
    """Write the graph behind `t` to `path`: .svg (zerograd's own drawing, no dependency),
    .dot/.gv (DOT text), .png/.pdf (rendered by graphviz's `dot`).  Returns the path."""
    path = os.fspath(path)
    ext = os.path.splitext(path)[1].lower()
    if ext == ".svg":
        from .svg import to_svg
        text = to_svg(t, params, max_depth=max_depth, trace=trace)
    elif ext in (".dot", ".gv"):
        text = to_dot(t, params, max_depth=max_depth, trace=trace)
    elif ext in (".png", ".pdf"):
        exe = shutil.which("dot")
        if exe is None:
            raise RuntimeError(
                f"draw(..., {path!r}): writing {ext} needs graphviz's `dot` program, which is not "
                "installed (e.g. `apt install graphviz` or `brew install graphviz`). Without it, "
                "save as .svg instead: zerograd lays out and draws SVG itself, and browsers, "
                "notebooks and most editors show it.")
        dot = to_dot(t, params, max_depth=max_depth, trace=trace)
        subprocess.run([exe, f"-T{ext[1:]}", "-o", path], input=dot.encode(), check=True)
        return path
    else:
        raise ValueError(f"draw(): unknown file type {ext!r}; use .svg, .png, .pdf or .dot")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path
