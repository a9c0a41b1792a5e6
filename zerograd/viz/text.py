"""The graph behind a tensor as an indented text tree, like the lecture's out <- z <- y <- x.

    >>> x = zerograd.ones(2, 2, requires_grad=True)
    >>> out = ((x + 2) * (x + 2) * 3).mean()
    >>> zerograd.viz.print_graph(out, params={"x": x})
    MeanBackward0  float32[]
    └── MulBackward0  float32[2, 2]
        └── MulBackward0  float32[2, 2]
            ├── AddBackward0  float32[2, 2]  #1
            │   └── AccumulateGrad  x  float32[2, 2]
            └── AddBackward0  #1 (shared, shown above)

The root is the tensor's grad_fn; below each node are the nodes of its inputs (its
`next_functions`), in order; inputs that need no gradient are left out.  Each line gives the
node's name and the shape and dtype of its output (the gradient it receives has the same).
A node used by several consumers is printed once, marked `#k`, and referred to after.
"""
from __future__ import annotations

from ..autograd import explain as _ex
from ._walk import collect, gc_paused, parents_count

__all__ = ["graph_text", "print_graph"]


def graph_text(t, params=None, *, show_saved=False, max_depth=None, trace=None,
               max_indent=24) -> str:
    """The graph behind `t` (a tensor, a node, or a list of tensors) as an indented tree.

    params      {name: tensor} (e.g. dict(model.named_parameters())): names the leaves
    show_saved  also list what each node saved for backward, with versions
    max_depth   stop that many edges below the root (the rest is summarised)
    trace       a Trace from zerograd.viz.trace_backward(): adds the norm of the gradient that
                flowed into each node
    max_indent  deeper levels are drawn with a depth marker instead of more indentation, so a
                10⁵-node chain stays a 10⁵-line text"""
    with gc_paused():
        return _graph_text(t, params, show_saved, max_depth, trace, max_indent)


def _graph_text(t, params, show_saved, max_depth, trace, max_indent):
    g = collect(t, params, max_depth)
    if not g.nodes:
        return "(no graph: the tensor does not require grad)"
    shared = {n for n, c in parents_count(g).items() if c > 1}
    mark = {}
    lines = []
    # stack entries: (node, depth, prefix, connector); a prefix is (text, levels): the text
    # keeps only the last `max_indent` levels, so a deep line costs O(max_indent), not O(depth)
    cap = max_indent * 4
    top = ("", 0)
    stack = [(r, 0, top, "") for r in reversed(g.roots)]
    printed = set()
    label_of, meta_text, children = g.label_of, g.meta_text, g.children
    while stack:
        node, depth, prefix, conn = stack.pop()
        head = _render(prefix, max_indent) + conn
        if node in printed:
            lines.append(f"{head}{label_of(node)}  {mark[node]} (shared, shown above)")
            continue
        printed.add(node)
        label = f"{label_of(node)}  {meta_text(node)}"
        if node in shared:
            mark[node] = f"#{len(mark) + 1}"
            label += f"  {mark[node]}"
        if trace is not None:
            info = trace.grad_into(node)
            if info:
                label += "  grad " + ", ".join("-" if i is None else f"‖{_n(i.norm)}‖"
                                               for i in info)
        lines.append(head + label)
        kids = children.get(node, ())
        if depth == 0:
            child_prefix = prefix
        else:
            seg = "    " if conn.startswith("└") else "│   "
            child_prefix = ((prefix[0] + seg)[-cap:], prefix[1] + 1)
        extra = _saved_lines(node) if show_saved else ()
        if node in g.cut:
            n = sum(1 for c, _ in node.next_functions if c is not None)
            s = "s" if n > 1 else ""
            kids_text = f"… {n} input node{s} below (cut at max_depth={max_depth})"
        else:
            kids_text = None
        if extra or kids_text:
            body = _render(child_prefix, max_indent)
            bar = "│ " if kids or kids_text else "  "
            for e in extra:
                lines.append(f"{body}{bar}{e}")
            if kids_text:
                lines.append(f"{body}└── {kids_text}")
        last = len(kids) - 1
        for k in range(last, -1, -1):
            stack.append((kids[k][0], depth + 1, child_prefix, "└── " if k == last else "├── "))
    return "\n".join(lines)


def print_graph(t, params=None, **kwargs) -> None:
    """Print graph_text(t, params, **kwargs)."""
    print(graph_text(t, params, **kwargs))


def _render(prefix, max_indent) -> str:
    text, levels = prefix
    if levels <= max_indent:
        return text
    return f"┆+{levels - max_indent}┆ " + text


def _n(x) -> str:
    return f"{x:.4g}"


def _saved_lines(node) -> list:
    items = _ex.saved_items(node)
    if items is None:
        return ["saved: freed by backward (retain_graph=True keeps them)"]
    out = []
    for name, value, note in items:
        out.append(f"saved {name}: {_ex._describe_value(value)} ({note})")
    return out
