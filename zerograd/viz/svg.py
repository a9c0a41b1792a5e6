"""Lay out and draw the graph as SVG, with no dependency (no graphviz needed).

The layout is the classic layered (Sugiyama) scheme, kept small:
  1. layers: the output's node on top (layer 0); every node sits one layer below the lowest of
     its consumers (longest path), so every edge points upward;
  2. an edge that spans several layers gets a dummy point on each layer in between;
  3. order within each layer: a few sweeps of the barycenter heuristic (sort by the mean position
     of the neighbours in the layer above, then below) to reduce crossings;
  4. x coordinates: each node pulled toward the mean of its neighbours, then the layer packed
     left-to-right and right-to-left with the minimum gaps, and the two packings averaged.
Boxes show the node's name, the shape/dtype of its output, the leaf's name when `params` names
it, and the norm of the gradient that flowed into it when a trace is given.  Arrows point in the
forward direction (input -> consumer); backward walks them in reverse, from the top down.
"""
from __future__ import annotations

from xml.sax.saxutils import escape

from ..autograd.function import AccumulateGrad
from ._walk import collect

__all__ = ["to_svg", "layout"]

CHAR_W = 7.3        # monospace advance at 12px
LINE_H = 15
PAD_X, PAD_Y = 10, 6
GAP_X, GAP_Y = 26, 46
MARGIN = 16


class _Box:
    __slots__ = ("key", "lines", "w", "h", "x", "y", "layer", "kind", "title")

    def __init__(self, key, lines, kind, title=""):
        self.key, self.lines, self.kind, self.title = key, lines, kind, title
        if lines:
            self.w = max(len(s) for s in lines) * CHAR_W + 2 * PAD_X
            self.h = len(lines) * LINE_H + 2 * PAD_Y
        else:           # a dummy point on a long edge
            self.w, self.h = 2.0, 0.0
        self.x = self.y = 0.0
        self.layer = 0


def _labels(g, trace):
    boxes = {}
    roots = set(g.roots)
    for node in g.nodes:
        title = g.label_of(node).split("  ")[0]
        lines = [title]
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
        kind = "leaf" if type(node) is AccumulateGrad else ("root" if node in roots else "op")
        boxes[node] = _Box(node, lines, kind, title)
    return boxes


def layout(g, trace=None):
    """Positions for the nodes of `g` (a _walk.Graph): (boxes, edges as point lists, w, h)."""
    boxes = _labels(g, trace)
    # 1. longest-path layering, in a topological order of the consumer -> producer DAG
    indeg = {n: 0 for n in g.nodes}
    for _, child, _, _ in g.edges:
        indeg[child] += 1
    layer = {n: 0 for n in g.nodes}
    ready = [n for n in g.nodes if indeg[n] == 0]
    while ready:
        node = ready.pop()
        for child, _, _ in g.children.get(node, ()):
            if layer[child] < layer[node] + 1:
                layer[child] = layer[node] + 1
            indeg[child] -= 1
            if indeg[child] == 0:
                ready.append(child)
    nlayers = max(layer.values()) + 1
    layers = [[] for _ in range(nlayers)]
    for node in g.nodes:                     # discovery order: a sensible first ordering
        boxes[node].layer = layer[node]
        layers[layer[node]].append(boxes[node])
    # 2. dummy points on long edges; chains[k] = the boxes an edge passes through, top to bottom
    up, down = {}, {}                        # box -> neighbour boxes above / below
    chains = []
    for parent, child, i, nr in g.edges:
        a, b = boxes[parent], boxes[child]
        chain = [a]
        for L in range(a.layer + 1, b.layer):
            d = _Box(None, [], "dummy")
            d.layer = L
            layers[L].append(d)
            chain.append(d)
        chain.append(b)
        live = [k for k, (c, _) in enumerate(parent.next_functions) if c is not None]
        rank, n = live.index(i), len(live)
        off = (rank - (n - 1) / 2) * min(a.w / (n + 1), 18.0) if n > 1 else 0.0
        for k, (s, t) in enumerate(zip(chain, chain[1:])):
            o = off if k == 0 else 0.0          # where the edge meets the consumer's box
            down.setdefault(s, []).append((t, -o))
            up.setdefault(t, []).append((s, o))
        chains.append((chain, off))
    # 3. barycenter sweeps
    pos = {}

    def index(L):
        for k, b in enumerate(layers[L]):
            pos[b] = k
    for L in range(nlayers):
        index(L)
    for _ in range(6):
        for L in range(1, nlayers):
            _sort(layers[L], up, pos)
            index(L)
        for L in range(nlayers - 2, -1, -1):
            _sort(layers[L], down, pos)
            index(L)
    # 4. coordinates
    y = MARGIN
    for L in range(nlayers):
        hmax = max((b.h for b in layers[L]), default=0)
        for b in layers[L]:
            b.y = y + (hmax - b.h) / 2
        y += hmax + GAP_Y
    for L in range(nlayers):
        x = 0.0
        for b in layers[L]:
            b.x = x + b.w / 2
            x += b.w + (GAP_X if b.kind != "dummy" else GAP_X / 2)
    for _ in range(8):
        for L in list(range(1, nlayers)) + list(range(nlayers - 2, -1, -1)):
            _place(layers[L], up, down)
    _hang(layers, up, down)
    minx = min(b.x - b.w / 2 for L in layers for b in L)
    for L in layers:
        for b in L:
            b.x += MARGIN - minx
    width = max(b.x + b.w / 2 for L in layers for b in L) + MARGIN
    height = y - GAP_Y + MARGIN
    edges = []
    for chain, off in chains:
        top, bottom = chain[0], chain[-1]
        x_top = top.x + off
        pts = [(bottom.x, bottom.y)]                          # the producer's top edge
        pts += [(d.x, d.y) for d in reversed(chain[1:-1])]
        pts.append((x_top, top.y + top.h))                    # the consumer's bottom edge
        edges.append(pts)
    return boxes, edges, width, height


def _sort(layer, nbrs, pos):
    def key(item):
        k, b = item
        ns = nbrs.get(b)
        return (sum(pos[n] for n, _ in ns) / len(ns) if ns else k, k)
    layer[:] = [b for _, b in sorted(enumerate(layer), key=key)]


def _place(layer, up, down):
    if not layer:
        return
    want = []
    for b in layer:
        ns = up.get(b, []) + down.get(b, [])
        want.append(sum(n.x + o for n, o in ns) / len(ns) if ns else b.x)
    _pack(layer, want)


def _hang(layers, up, down):
    """Final top-down pass: a node that is its consumer's only input goes straight below it
    (chains become vertical lines); other nodes move along with their consumers."""
    moved = {}
    for L in range(1, len(layers)):
        want = []
        for b in layers[L]:
            ups = up.get(b, [])
            if len(ups) == 1 and len(down.get(ups[0][0], ())) == 1:
                n, o = ups[0]
                want.append(n.x + o)
            elif ups:
                want.append(b.x + sum(moved.get(n, 0.0) for n, _ in ups) / len(ups))
            else:
                want.append(b.x)
        old = [b.x for b in layers[L]]
        _pack(layers[L], want)
        for b, x in zip(layers[L], old):
            moved[b] = b.x - x


def _pack(layer, want):
    gaps = [(a.w + b.w) / 2 + (GAP_X if "dummy" not in (a.kind, b.kind) else GAP_X / 2)
            for a, b in zip(layer, layer[1:])]
    left = list(want)
    for k in range(1, len(layer)):
        left[k] = max(left[k], left[k - 1] + gaps[k - 1])
    right = list(want)
    for k in range(len(layer) - 2, -1, -1):
        right[k] = min(right[k], right[k + 1] - gaps[k])
    for k, b in enumerate(layer):
        b.x = (left[k] + right[k]) / 2


_FILL = {"op": "#eef1f5", "leaf": "#d7ebff", "root": "#d9f5d6"}
_STROKE = {"op": "#5b6573", "leaf": "#2f6fb0", "root": "#3c8a3c"}


def to_svg(t, params=None, *, max_depth=None, trace=None, max_nodes=2000) -> str:
    """The graph behind `t` as an SVG document (a string)."""
    g = collect(t, params, max_depth)
    if len(g.nodes) > max_nodes:
        raise ValueError(f"the graph has {len(g.nodes)} nodes, too many to draw legibly "
                         f"(max_nodes={max_nodes}). Pass max_depth=... to draw its top, or use "
                         "zerograd.viz.graph_text for the whole of it.")
    if not g.nodes:
        return ('<svg xmlns="http://www.w3.org/2000/svg" width="300" height="40">'
                '<text x="10" y="24" font-family="monospace" font-size="12">(no graph: the '
                'tensor does not require grad)</text></svg>')
    boxes, edges, width, height = layout(g, trace)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
           f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="DejaVu Sans Mono, Menlo, '
           f'Consolas, monospace" font-size="12">',
           '<defs><marker id="zg-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
           'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
           'fill="#5b6573"/></marker></defs>',
           f'<rect width="{width:.0f}" height="{height:.0f}" fill="white"/>']
    out.append('<g class="edges" fill="none" stroke="#5b6573" stroke-width="1.2">')
    for pts in edges:
        out.append(f'<path d="{_curve(pts)}" marker-end="url(#zg-arrow)"/>')
    out.append("</g>")
    for node in g.nodes:
        b = boxes[node]
        x0, y0 = b.x - b.w / 2, b.y
        out.append(f'<g class="node {b.kind}"><title>{escape(b.title)}</title>')
        out.append(f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{b.w:.1f}" height="{b.h:.1f}" rx="5" '
                   f'fill="{_FILL[b.kind]}" stroke="{_STROKE[b.kind]}" stroke-width="1.3"/>')
        for k, line in enumerate(b.lines):
            weight = ' font-weight="bold"' if k == 0 else ' fill="#333"'
            out.append(f'<text x="{b.x:.1f}" y="{y0 + PAD_Y + LINE_H * k + 11.5:.1f}" '
                       f'text-anchor="middle"{weight}>{escape(line)}</text>')
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


def _curve(pts) -> str:
    """A smooth path through the points (vertical tangents at each layer)."""
    (x, y), rest = pts[0], pts[1:]
    d = [f"M {x:.1f} {y:.1f}"]
    for nx, ny in rest:
        my = (y + ny) / 2
        d.append(f"C {x:.1f} {my:.1f} {nx:.1f} {my:.1f} {nx:.1f} {ny:.1f}")
        x, y = nx, ny
    return " ".join(d)
