"""Collect the graph behind some tensors, iteratively (10⁵-node graphs, no recursion).

Shared by the text tree, DOT and SVG drawers.  A `Graph` holds the nodes in discovery order
(breadth first from the roots, so `depth[n]` is the fewest edges from a root), the edges
(consumer -> producer, with the consumer's input index and the producer's output number), and
what each node's output looks like: the shape and dtype its consumer recorded for that input
(nodes do not store their own output metadata; their consumers do, in `_metas`).
"""
from __future__ import annotations

import gc

from ..autograd import explain as _ex
from ..autograd.function import AccumulateGrad
from ..tensor import Tensor


class Graph:
    __slots__ = ("roots", "nodes", "index", "edges", "children", "depth", "out_meta", "cut",
                 "params", "root_metas")

    def label_of(self, node) -> str:
        """The node's name, with the parameter name for a leaf."""
        title = _ex.node_title(node)
        if type(node) is AccumulateGrad:
            name = self.params.get(id(node.variable))
            return f"{title}  {name}" if name else title
        return title

    def leaf_name(self, node):
        if type(node) is AccumulateGrad:
            return self.params.get(id(node.variable))
        return None

    def meta_text(self, node) -> str:
        """'float32[2, 3]' (or several, for a multi-output node)."""
        metas = self.out_meta.get(node)
        if not metas:
            return "?"
        if len(metas) == 1:
            return _fmt(metas[0])
        if all(m is None for m in metas):
            return "?"
        return "(" + ", ".join(_fmt(m) for m in metas) + ")"


_FMT = {}


def _fmt(meta) -> str:
    if meta is None:
        return "?"
    s = _FMT.get(meta)
    if s is None:
        s = _FMT[meta] = _ex.fmt_meta(meta)
        if len(_FMT) > 4096:
            _FMT.clear()
    return s


def collect(tensors, params=None, max_depth=None) -> Graph:
    """The graph behind `tensors` (a Tensor, a node, or a sequence of them)."""
    with gc_paused():
        return _collect(tensors, params, max_depth)


class gc_paused:
    """Pause the cycle collector: walking a big live graph allocates many small containers, and
    each full collection would traverse the whole graph again (as in the engine's sweep)."""

    def __enter__(self):
        self.was = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc):
        if self.was:
            gc.enable()


def _collect(tensors, params, max_depth):
    if isinstance(tensors, (Tensor,)) or hasattr(tensors, "next_functions"):
        tensors = [tensors]
    g = Graph()
    g.params = {id(t): n for n, t in (params or {}).items()}
    g.roots, g.root_metas = [], []
    g.nodes, g.index, g.edges, g.children, g.depth, g.out_meta = [], {}, [], {}, {}, {}
    g.cut = set()
    for t in tensors:
        if isinstance(t, Tensor):
            node = t.grad_fn
            if node is None:
                if not t._requires_grad:
                    continue
                node = t._accumulator()
            g.roots.append(node)
            _set_meta(g, node, t._output_nr, (t._data.shape, t._data.dtype))
        else:
            g.roots.append(t)
    frontier = []
    for r in g.roots:
        if r not in g.index:
            g.index[r] = len(g.nodes)
            g.nodes.append(r)
            g.depth[r] = 0
            frontier.append(r)
    # breadth first, level by level
    index, nodes, edges, children, depth, out_meta = (g.index, g.nodes, g.edges, g.children,
                                                       g.depth, g.out_meta)
    d = 0
    while frontier:
        nxt = []
        cut = max_depth is not None and d >= max_depth
        for node in frontier:
            if type(node) is AccumulateGrad:
                v = node.variable
                out_meta[node] = [(v._data.shape, v._data.dtype)]
            kids = []
            children[node] = kids
            if cut:
                if any(c is not None for c, _ in node.next_functions):
                    g.cut.add(node)
                continue
            metas = node._metas
            nm = len(metas)
            for i, (child, nr) in enumerate(node.next_functions):
                if child is None:
                    continue
                kids.append((child, nr, i))
                edges.append((node, child, i, nr))
                if i < nm and metas[i] is not None:
                    cm = out_meta.get(child)
                    if cm is None and nr == 0 and child._num_outputs == 1:
                        out_meta[child] = [metas[i]]
                    else:
                        _set_meta(g, child, nr, metas[i])
                if child not in index:
                    index[child] = len(nodes)
                    nodes.append(child)
                    depth[child] = d + 1
                    nxt.append(child)
        frontier = nxt
        d += 1
    for node in g.nodes:
        if node not in g.out_meta or None in g.out_meta[node]:
            recorded = node.__dict__.get("_out_metas") if hasattr(node, "__dict__") else None
            if recorded is not None:
                g.out_meta[node] = list(recorded)
    return g


def _set_meta(g, node, nr, meta):
    metas = g.out_meta.get(node)
    if metas is None:
        metas = g.out_meta[node] = [None] * max(node._num_outputs, nr + 1)
    if nr >= len(metas):
        metas.extend([None] * (nr + 1 - len(metas)))
    if metas[nr] is None:
        metas[nr] = meta


def parents_count(g: Graph) -> dict:
    """How many edges point at each node (a node with more than one is shared)."""
    count = {}
    for _, child, _, _ in g.edges:
        count[child] = count.get(child, 0) + 1
    return count
