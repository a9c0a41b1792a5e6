"""zerograd.viz: see the graph autograd records, and watch the engine walk it.

    graph_text(t) / print_graph(t)    the graph as an indented text tree (10⁵ nodes are fine)
    to_dot(t)                         DOT text for graphviz
    draw(t, "g.svg")                  a picture: .svg drawn by zerograd itself, .png via graphviz
    graph(t)                          shows itself in a notebook (SVG, no graphviz needed)
    trace_backward()                  record a backward pass: node runs, accumulations, hooks

Every backward node also explains itself: `t.grad_fn.formula` and `t.grad_fn.explain()`
(autograd/explain.py).  Nothing in the core imports this package.
"""
from __future__ import annotations

from .dot import draw, to_dot
from .notebook import GraphView, graph
from .svg import to_svg
from .text import graph_text, print_graph
from .trace import Event, GradInfo, Trace, trace_backward

__all__ = ["graph_text", "print_graph", "to_dot", "draw", "graph", "GraphView", "to_svg",
           "trace_backward", "Trace", "Event", "GradInfo"]
