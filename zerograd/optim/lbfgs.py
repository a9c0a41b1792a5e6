"""L-BFGS: a quasi-Newton method with a limited history of curvature pairs (closure-based)."""
from __future__ import annotations

import math
from functools import reduce

import numpy as np

from ..tensor import Tensor
from .adamax import _check_lr
from .optimizer import Optimizer, _begin_update, _bump_version, _no_grad_step

__all__ = ["LBFGS"]


# ------------------------------------------------------------------------------------------------
# The state holds torch's types: vectors are tensors, and the scalars torch computes from tensors
# (dot products, step lengths after interpolation, ...) are 0-d tensors, the others Python
# numbers.  The algorithm runs on NumPy: ndarrays for vectors, NumPy scalars for the 0-d
# tensors (they promote as torch's 0-d tensors do), Python numbers for Python numbers.
# ------------------------------------------------------------------------------------------------
def _to_np(v):
    if isinstance(v, Tensor):
        a = v._data
        return a[()] if a.ndim == 0 else a
    if isinstance(v, list):
        return [_to_np(x) for x in v]
    return v


def _to_state(v):
    if isinstance(v, np.ndarray):
        return Tensor._make(v, False, None, 0)
    if isinstance(v, np.generic):
        return Tensor._make(np.asarray(v), False, None, 0)
    if isinstance(v, list):
        return [_to_state(x) for x in v]
    return v


def _sqrt(x):
    return np.sqrt(x) if isinstance(x, np.generic) else math.sqrt(x)


def _cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """The minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1, g2, clamped to
    `bounds` (default: between x1 and x2); their midpoint when the cubic has none."""
    if bounds is not None:
        lo, hi = bounds
    else:
        lo, hi = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square >= 0:
        d2 = _sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, lo), hi)
    return (lo + hi) / 2.0


def _strong_wolfe(obj_func, x, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9,
                  max_ls=25):
    """A line search along d from x for a step t satisfying the strong Wolfe conditions
    (sufficient decrease c1, curvature c2): bracket a step, then zoom into the bracket by cubic
    interpolation.  Returns (f_new, g_new, t, number of function evaluations)."""
    d_norm = np.max(np.abs(d))
    g = g.copy()
    f_new, g_new = obj_func(x, t, d)
    evals = 1
    gtd_new = np.dot(g_new, d)
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        # bracketing phase
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        # extrapolate, between a little past t and 10 t
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp = t
        t = _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                               bounds=(min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new.copy(), gtd_new
        f_new, g_new = obj_func(x, t, d)
        evals += 1
        gtd_new = np.dot(g_new, d)
        ls_iter += 1
    if ls_iter == max_ls:           # reached the limit: the bracket is [0, t]
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]
        bracket_gtd = [gtd, gtd_new]

    # zoom phase: shrink the bracket until a point satisfies the conditions
    insuf_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break                   # the bracket is too small
        t = _cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1],
                               bracket_f[1], bracket_gtd[1])
        # keep t away from the bracket's ends, unless progress was poor last time
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                if abs(t - max(bracket)) < abs(t - min(bracket)):
                    t = max(bracket) - eps
                else:
                    t = min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        f_new, g_new = obj_func(x, t, d)
        evals += 1
        gtd_new = np.dot(g_new, d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            # not a sufficient decrease: t becomes the high end
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = g_new.copy(), gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True         # the Wolfe conditions hold
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                bracket[high_pos], bracket_f[high_pos] = bracket[low_pos], bracket_f[low_pos]
                bracket_g[high_pos] = bracket_g[low_pos]
                bracket_gtd[high_pos] = bracket_gtd[low_pos]
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = g_new.copy(), gtd_new
    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], evals


class LBFGS(Optimizer):
    r"""L-BFGS (torch.optim.LBFGS; Nocedal & Wright, algorithm 7.4 / 7.5), as torch runs it.

    One `step(closure)` runs up to `max_iter` iterations on all parameters as one flat vector x,
    with the gradient g of the loss the closure returns.  With the history of the last
    `history_size` pairs s_k = x_{k+1} - x_k, y_k = g_{k+1} - g_k (kept only when yᵀs > 1e-10):

        d = -H g      (two-loop recursion, with H₀ = (yᵀs / yᵀy) I from the newest pair)
        t = min(1, 1/‖g‖₁) · lr  on the very first iteration, lr afterwards
        stop if gᵀd > -tolerance_change               (not a descent direction)
        line_search_fn None:           x ← x + t d, then re-evaluate the closure
        line_search_fn 'strong_wolfe': t from a strong-Wolfe line search (cubic interpolation)
        stop when: max_iter iterations, max_eval closure calls, max|g| ≤ tolerance_grad,
                   max|t d| ≤ tolerance_change, or |loss change| < tolerance_change

    Args:
        params: tensors (one group only: LBFGS has no per-parameter options).
        lr: the step length factor (default 1).
        max_iter: iterations per step() (default 20).
        max_eval: closure evaluations per step() (default max_iter * 5 // 4).
        tolerance_grad: first-order optimality tolerance (default 1e-7).
        tolerance_change: tolerance on the change of the loss or the parameters (default 1e-9).
        history_size: how many curvature pairs to keep (default 100).
        line_search_fn: None or 'strong_wolfe'.

    The state lives under the first parameter: func_evals, n_iter, d, t, old_dirs, old_stps, ro,
    H_diag, prev_flat_grad, prev_loss (and `al`), with torch's types.  The closure must
    return the loss; it is called with grad enabled.
    """

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
                 tolerance_change=1e-9, history_size=100, line_search_fn=None):
        _check_lr(lr)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                        tolerance_grad=tolerance_grad, tolerance_change=tolerance_change,
                        history_size=history_size, line_search_fn=line_search_fn)
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]
        self._numel_cache = None

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        self._params = self.param_groups[0]["params"]
        self._numel_cache = None

    def load_state_dict(self, state_dict: dict) -> None:
        super().load_state_dict(state_dict)
        self._params = self.param_groups[0]["params"]

    def _numel(self) -> int:
        if self._numel_cache is None:
            self._numel_cache = reduce(lambda total, p: total + p.numel(), self._params, 0)
        return self._numel_cache

    def _gather_flat_grad(self) -> np.ndarray:
        views = []
        for p in self._params:
            if p.grad is None:
                views.append(np.zeros(p._data.size, p._data.dtype))
            else:
                views.append(np.ravel(p.grad._data))
        return np.concatenate(views)

    def _add_grad(self, step_size, update: np.ndarray) -> None:
        """x ← x + step_size · update, parameter by parameter."""
        offset = 0
        for p in self._params:
            theta = _begin_update(p)
            n = theta.size
            theta += (update[offset:offset + n] * step_size).reshape(theta.shape) \
                .astype(theta.dtype, copy=False)
            _bump_version(p)
            offset += n
        assert offset == self._numel()

    def _clone_param(self):
        return [p._data.copy() for p in self._params]

    def _set_param(self, params_data) -> None:
        for p, data in zip(self._params, params_data):
            _begin_update(p)[...] = data
            _bump_version(p)

    def _directional_evaluate(self, closure, x, t, d):
        self._add_grad(t, d)
        loss = float(self._run_closure(closure))
        flat_grad = self._gather_flat_grad()
        self._set_param(x)
        return loss, flat_grad

    @_no_grad_step
    def step(self, closure):
        """Run up to max_iter L-BFGS iterations; returns the closure's first loss.

        closure: re-evaluates the model and returns the loss (required)."""
        group = self.param_groups[0]
        lr = group["lr"]
        lr = lr._data.reshape(())[()] if isinstance(lr, Tensor) else lr
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = self._run_closure(closure)
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if np.max(np.abs(flat_grad)) <= tolerance_grad:   # already optimal
            return orig_loss

        d, t = _to_np(state.get("d")), _to_np(state.get("t"))
        old_dirs, old_stps = _to_np(state.get("old_dirs")), _to_np(state.get("old_stps"))
        ro, H_diag = _to_np(state.get("ro")), _to_np(state.get("H_diag"))
        prev_flat_grad, prev_loss = _to_np(state.get("prev_flat_grad")), state.get("prev_loss")
        if isinstance(d, np.ndarray):
            d = d.copy()            # (updated in place below; the state's tensor is not)

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            # the direction: steepest descent first, then the two-loop recursion
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1
            else:
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = np.dot(y, s)
                if ys > 1e-10:      # keep the pair only with positive curvature
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / np.dot(y, y)
                num_old = len(old_dirs)
                if "al" not in state:
                    state["al"] = [None] * history_size
                al = _to_np(state["al"])
                q = -flat_grad
                for i in range(num_old - 1, -1, -1):
                    al[i] = np.dot(old_stps[i], q) * ro[i]
                    q += old_dirs[i] * -al[i]
                d = r = q * H_diag
                for i in range(num_old):
                    be_i = np.dot(old_dirs[i], r) * ro[i]
                    r += old_stps[i] * (al[i] - be_i)
                state["al"] = _to_state(al)

            prev_flat_grad = flat_grad.copy()
            prev_loss = loss
            # the step length
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / np.sum(np.abs(flat_grad))) * lr
            else:
                t = lr
            gtd = np.dot(flat_grad, d)
            if gtd > -tolerance_change:                   # not a descent direction
                break

            ls_func_evals = 0
            if line_search_fn is not None:
                if line_search_fn != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                x_init = self._clone_param()

                def obj_func(x, t, d):
                    return self._directional_evaluate(closure, x, t, d)

                loss, flat_grad, t, ls_func_evals = _strong_wolfe(obj_func, x_init, t, d, loss,
                                                                  flat_grad, gtd)
                self._add_grad(t, d)
                opt_cond = np.max(np.abs(flat_grad)) <= tolerance_grad
            else:
                self._add_grad(t, d)
                if n_iter != max_iter:
                    loss = float(self._run_closure(closure))
                    flat_grad = self._gather_flat_grad()
                    opt_cond = np.max(np.abs(flat_grad)) <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if np.max(np.abs(d * t)) <= tolerance_change:  # the step is too small
                break
            if abs(loss - prev_loss) < tolerance_change:  # the loss barely changes
                break

        state["d"] = _to_state(d)
        state["t"] = _to_state(t)
        state["old_dirs"] = _to_state(old_dirs)
        state["old_stps"] = _to_state(old_stps)
        state["ro"] = _to_state(ro)
        state["H_diag"] = _to_state(H_diag)
        state["prev_flat_grad"] = _to_state(prev_flat_grad)
        state["prev_loss"] = prev_loss
        return orig_loss
