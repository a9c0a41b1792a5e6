"""Gradient-flow reports: is every parameter getting a healthy gradient?

    loss.backward()
    print(zerograd.debug.grad_report(model))      # a table, one row per parameter, then layers
    zerograd.debug.grad_report(model).plot("grads.png")   # bar chart (matplotlib, optional)

    w = zerograd.debug.watch(model)               # the same, collected at every backward
    for step in ...: loss.backward(); opt.step()
    print(w.table()); w.plot("flow.png"); w.remove()

Per parameter: the gradient's norm, mean, max |g|, the grad/weight norm ratio, and flags:
  NONE       .grad is None: the parameter did not take part in the loss (or backward not run)
  ZERO       .grad is all zeros: it took part, but no gradient reached it (dead ReLUs, a mask,
             a detach() on its path...)
  NAN / INF  non-finite values in the gradient
  VANISHING  the norm is below `vanishing` (absolute), or below `relative` × the largest layer's
  EXPLODING  the norm is above `exploding`
Layers are the parameter names up to their last dot ('fc1.weight' -> 'fc1'); a layer's norm is
the norm of all its parameters' gradients together.  `model` is anything with
`named_parameters()` (an nn.Module), a dict name -> tensor, or a list of (name, tensor) pairs.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

__all__ = ["grad_report", "GradReport", "ParamStats", "watch", "Watch"]


@dataclass
class ParamStats:
    name: str
    shape: tuple
    status: str                 # 'ok', 'none', 'zero', 'frozen'
    norm: float = math.nan
    mean: float = math.nan
    max_abs: float = math.nan
    weight_norm: float = math.nan
    ratio: float = math.nan     # ‖grad‖ / ‖weight‖
    nan: int = 0
    inf: int = 0
    flags: list = field(default_factory=list)

    @property
    def layer(self) -> str:
        return self.name.rsplit(".", 1)[0] if "." in self.name else self.name


@dataclass
class LayerStats:
    name: str
    norm: float
    params: list
    flags: list = field(default_factory=list)


def _named(model):
    if hasattr(model, "named_parameters"):
        return list(model.named_parameters())
    if isinstance(model, dict):
        return list(model.items())
    items = list(model)
    if items and not isinstance(items[0], tuple):
        return [(str(i), t) for i, t in enumerate(items)]
    return items


def param_stats(name, p, g=None, use_grad=True) -> ParamStats:
    """The statistics of one parameter's gradient (`g`, or p.grad)."""
    if use_grad:
        g = p._grad
    shape = tuple(p._data.shape)
    w = np.asarray(p._data, np.float64)
    wn = float(np.sqrt(np.sum(w * w))) if w.size else 0.0
    if g is None:
        status = "none" if p._requires_grad else "frozen"
        return ParamStats(name, shape, status, weight_norm=wn)
    a = np.asarray(g._data, np.float64)
    nan = int(np.isnan(a).sum())
    inf = int(np.isinf(a).sum())
    finite = a[np.isfinite(a)]
    norm = float(np.sqrt(np.sum(a * a))) if a.size else 0.0
    st = ParamStats(name, shape, "ok", norm=norm,
                    mean=float(finite.mean()) if finite.size else math.nan,
                    max_abs=float(np.abs(finite).max()) if finite.size else math.nan,
                    weight_norm=wn,
                    ratio=norm / wn if wn > 0 else math.inf if norm > 0 else math.nan,
                    nan=nan, inf=inf)
    if not nan and not inf and a.size and not a.any():
        st.status = "zero"
    return st


class GradReport:
    """The gradient of every parameter, with flags; `str(report)` is a table."""

    def __init__(self, stats, *, vanishing=1e-7, exploding=1e3, relative=1e-4):
        self.params = list(stats)
        self.thresholds = dict(vanishing=vanishing, exploding=exploding, relative=relative)
        for st in self.params:
            st.flags = _flags(st, vanishing, exploding)
        layers = {}
        for st in self.params:
            layers.setdefault(st.layer, []).append(st)
        self.layers = []
        for name, ps in layers.items():
            norms = [p.norm for p in ps if p.status in ("ok", "zero")]
            norm = math.sqrt(sum(n * n for n in norms)) if norms else math.nan
            self.layers.append(LayerStats(name, norm, ps))
        top = max((L.norm for L in self.layers if math.isfinite(L.norm)), default=0.0)
        for L in self.layers:
            fl = sorted({f for p in L.params for f in p.flags if f in ("NAN", "INF")})
            if all(p.status == "none" for p in L.params):
                fl.append("NONE")
            elif math.isfinite(L.norm):
                if L.norm == 0:
                    fl.append("ZERO")
                elif L.norm < vanishing or (top > 0 and L.norm < relative * top):
                    fl.append("VANISHING")
                elif L.norm > exploding:
                    fl.append("EXPLODING")
            L.flags = fl

    def __getitem__(self, name) -> ParamStats:
        for st in self.params:
            if st.name == name:
                return st
        raise KeyError(name)

    @property
    def flags(self) -> dict:
        """{parameter name: [flags]} for the flagged parameters."""
        return {st.name: st.flags for st in self.params if st.flags}

    @property
    def ok(self) -> bool:
        return not self.flags and not any(L.flags for L in self.layers)

    def __str__(self):
        rows = [("parameter", "shape", "grad", "‖grad‖", "mean", "max|g|", "‖g‖/‖w‖", "flags")]
        for st in self.params:
            grad = {"ok": "yes", "none": "None", "zero": "zeros", "frozen": "frozen"}[st.status]
            rows.append((st.name, str(list(st.shape)), grad, _f(st.norm), _f(st.mean),
                         _f(st.max_abs), _f(st.ratio), " ".join(st.flags)))
        w = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        lines = ["  ".join(c.ljust(w[i]) if i in (0, 1, 2, 7) else c.rjust(w[i])
                           for i, c in enumerate(r)).rstrip() for r in rows]
        lines.insert(1, "-" * len(lines[0]))
        lines.append("")
        lines.append("layers: " + "; ".join(
            f"{L.name} ‖g‖={_f(L.norm)}" + (f" {' '.join(L.flags)}" if L.flags else "")
            for L in self.layers))
        notes = _notes(self)
        if notes:
            lines.append("")
            lines += notes
        return "\n".join(lines)

    def __repr__(self):
        return f"<GradReport: {len(self.params)} parameters, {len(self.flags)} flagged>"

    def plot(self, path, title="gradient norm per parameter"):
        """A horizontal bar chart of the gradient norms (log scale) written to `path`.
        Needs matplotlib (pip install 'zerograd[viz]')."""
        Figure, Canvas = _mpl()
        n = len(self.params)
        fig = Figure(figsize=(7.5, 0.9 + 0.32 * max(n, 1)), dpi=110)
        Canvas(fig)
        ax = fig.add_subplot(111)
        finite = [st.norm for st in self.params if st.norm > 0 and math.isfinite(st.norm)]
        floor = min(finite) / 10 if finite else 1e-12
        colors = {"ok": "#4c78a8", "VANISHING": "#f0a030", "EXPLODING": "#d62728",
                  "NAN": "#d62728", "INF": "#d62728", "ZERO": "#999999", "NONE": "#cccccc"}
        ys = list(range(n))[::-1]
        for y, st in zip(ys, self.params):
            key = next((f for f in ("NAN", "INF", "EXPLODING", "VANISHING", "ZERO", "NONE")
                        if f in st.flags), "ok")
            base = floor / 10
            if st.norm > 0 and math.isfinite(st.norm):
                ax.barh(y, st.norm - base, left=base, color=colors[key])
                v = st.norm
            else:               # None, zero or non-finite: no bar, just the flag
                v = base
            label = " ".join(st.flags) if st.flags else ""
            if label:
                ax.text(v, y, "  " + label, va="center", fontsize=8, color="#333")
        ax.set_xscale("log")
        ax.set_xlim(left=floor / 10)
        ax.set_yticks(ys)
        ax.set_yticklabels([st.name for st in self.params], fontsize=8)
        ax.set_xlabel("‖grad‖ (log scale)")
        ax.set_title(title, fontsize=10)
        fig.tight_layout()
        fig.savefig(path)
        return path


def _mpl():
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("plotting needs matplotlib, an optional extra: "
                          "pip install 'zerograd[viz]'  (or: pip install matplotlib). "
                          "str(report) gives the same numbers as a table.") from None
    return Figure, FigureCanvasAgg


def _flags(st, vanishing, exploding):
    fl = []
    if st.status == "none":
        fl.append("NONE")
    elif st.status == "zero":
        fl.append("ZERO")
    if st.nan:
        fl.append("NAN")
    if st.inf:
        fl.append("INF")
    if st.status == "ok" and math.isfinite(st.norm):
        if st.norm < vanishing:
            fl.append("VANISHING")
        elif st.norm > exploding:
            fl.append("EXPLODING")
    return fl


def _f(x) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:.3e}"


def _notes(rep) -> list:
    out = []
    seen = {f for st in rep.params for f in st.flags} | {f for L in rep.layers for f in L.flags}
    th = rep.thresholds
    text = {
        "NONE": "NONE: .grad is None: the parameter took no part in the loss (an unused layer, "
                "a branch not taken), or backward has not run since zero_grad(set_to_none=True).",
        "ZERO": "ZERO: the parameter is in the graph but received only zeros (dead ReLUs, a "
                "mask, or a detach()/no_grad on the path from it to the loss).",
        "NAN": "NAN: the gradient has NaNs: look for log(0), 0/0, sqrt at 0; run backward under "
               "zerograd.autograd.detect_anomaly() to find the node.",
        "INF": "INF: the gradient overflowed: lower the learning rate, clip gradients, or check "
               "divisions by tiny numbers.",
        "VANISHING": f"VANISHING: the gradient norm is below {th['vanishing']:g}, or below "
                     f"{th['relative']:g} × the largest layer's: it barely learns (deep saturated "
                     "tanh/sigmoid stacks, poor initialisation).",
        "EXPLODING": f"EXPLODING: the gradient norm is above {th['exploding']:g}: clip gradients "
                     "or lower the learning rate.",
    }
    for k in ("NONE", "ZERO", "NAN", "INF", "VANISHING", "EXPLODING"):
        if k in seen:
            out.append(text[k])
    return out


def grad_report(model, *, vanishing=1e-7, exploding=1e3, relative=1e-4) -> GradReport:
    """A report on the gradients now in the parameters' `.grad` (call it after backward)."""
    return GradReport([param_stats(n, p) for n, p in _named(model)], vanishing=vanishing,
                      exploding=exploding, relative=relative)


# ------------------------------------------------------------------------------------------------
# watch: the same statistics at every backward, collected by hooks
# ------------------------------------------------------------------------------------------------

class Watch:
    """Hooks on every parameter that record the gradient each backward brings (see `watch`)."""

    def __init__(self, model, **thresholds):
        self.named = _named(model)
        self.thresholds = thresholds
        self._steps = []           # list of {name: ParamStats}
        self._current = {}
        self._handles = []
        for name, p in self.named:
            if p._requires_grad and p.grad_fn is None:
                self._handles.append(p.register_hook(self._hook(name, p)))

    def _hook(self, name, p):
        def record(grad):
            if name in self._current:     # a parameter seen again: a new backward began
                self._flush()
            self._current[name] = param_stats(name, p, grad, use_grad=False)
        record.__qualname__ = f"watch[{name}]"
        return record

    def _flush(self):
        if self._current:
            step = {}
            for name, p in self.named:
                st = self._current.get(name)
                if st is None:
                    st = ParamStats(name, tuple(p._data.shape),
                                    "none" if p._requires_grad else "frozen")
                step[name] = st
            self._steps.append(step)
            self._current = {}

    @property
    def history(self) -> list:
        """One {name: ParamStats} per backward seen so far."""
        self._flush()
        return self._steps

    def __len__(self):
        return len(self.history)

    def report(self, step=-1) -> GradReport:
        """The GradReport of one recorded backward (the last by default)."""
        return GradReport(list(self.history[step].values()), **self.thresholds)

    def series(self, name) -> list:
        """The gradient norm of one parameter at each recorded step (nan where it had none)."""
        return [s[name].norm for s in self.history]

    def table(self, last=10) -> str:
        """Gradient norms per parameter (rows) over the last steps (columns)."""
        hist = self.history[-last:]
        first = len(self.history) - len(hist)
        head = ["parameter"] + [f"step {first + k}" for k in range(len(hist))]
        rows = [head]
        for name, _ in self.named:
            row = [name]
            van = self.thresholds.get("vanishing", 1e-7)
            exp = self.thresholds.get("exploding", 1e3)
            for s in hist:
                st = s[name]
                row.append(_f(st.norm) + ("*" if _flags(st, van, exp) else ""))
            rows.append(row)
        w = [max(len(r[i]) for r in rows) for i in range(len(head))]
        lines = ["  ".join(c.ljust(w[i]) if i == 0 else c.rjust(w[i]) for i, c in enumerate(r))
                 for r in rows]
        lines.insert(1, "-" * len(lines[0]))
        lines.append("(* flagged: see report(step))")
        return "\n".join(lines)

    def plot(self, path, title="gradient norm per step"):
        """Gradient norm of each parameter over the steps (log scale); needs matplotlib."""
        Figure, Canvas = _mpl()
        fig = Figure(figsize=(7.5, 4.2), dpi=110)
        Canvas(fig)
        ax = fig.add_subplot(111)
        for name, _ in self.named:
            ys = [v if v > 0 else math.nan for v in self.series(name)]
            ax.plot(range(len(ys)), ys, marker=".", label=name)
        ax.set_yscale("log")
        from matplotlib.ticker import MaxNLocator
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("backward step")
        ax.set_ylabel("‖grad‖")
        ax.set_title(title, fontsize=10)
        ax.legend(fontsize=7, ncol=2)
        fig.tight_layout()
        fig.savefig(path)
        return path

    def remove(self) -> None:
        """Remove the hooks (the history stays)."""
        for h in self._handles:
            h.remove()
        self._handles = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
        return False


def watch(model, **thresholds) -> Watch:
    """Record the gradient statistics of every parameter at each backward (hooks on the
    parameters; `remove()` them, or use `with watch(model) as w:`)."""
    return Watch(model, **thresholds)
