"""`graph(t)`: an object that shows the graph in a notebook (Jupyter calls `_repr_svg_`).

    zerograd.viz.graph(loss)                       # the last expression of a cell: drawn
    zerograd.viz.graph(loss, trace=tr)             # boxes also show the gradient norms
    g = zerograd.viz.graph(loss); g.save("loss.svg"); print(g)   # print: the text tree
"""
from __future__ import annotations

__all__ = ["graph", "GraphView"]


class GraphView:
    """The graph behind a tensor, drawn on demand: SVG in notebooks, the text tree in a console."""

    def __init__(self, t, params=None, max_depth=None, trace=None):
        self._t, self._params, self._max_depth, self._trace = t, params, max_depth, trace
        self._svg = None

    @property
    def svg(self) -> str:
        if self._svg is None:
            from .svg import to_svg
            self._svg = to_svg(self._t, self._params, max_depth=self._max_depth, trace=self._trace)
        return self._svg

    def _repr_svg_(self) -> str:
        return self.svg

    def text(self) -> str:
        from .text import graph_text
        return graph_text(self._t, self._params, max_depth=self._max_depth, trace=self._trace)

    def dot(self) -> str:
        from .dot import to_dot
        return to_dot(self._t, self._params, max_depth=self._max_depth, trace=self._trace)

    def save(self, path) -> str:
        from .dot import draw
        return draw(self._t, path, self._params, max_depth=self._max_depth, trace=self._trace)

    def __str__(self):
        return self.text()

    def __repr__(self):
        return self.text()


def graph(t, params=None, *, max_depth=None, trace=None) -> GraphView:
    """The graph behind `t`, shown as SVG by notebooks (no graphviz needed)."""
    return GraphView(t, params, max_depth, trace)
