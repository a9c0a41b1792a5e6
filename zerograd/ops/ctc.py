"""Connectionist temporal classification: the per-sequence loss -log p(target | log_probs) summed
over all alignments (CtcLossBackward0).

With the extended target l' = (blank, l1, blank, l2, ..., lL, blank) of 2L+1 positions s:

    alpha   α[0, 0] = lp[0, blank], α[0, 1] = lp[0, l1];
            α[t, s] = lse(α[t-1, s], α[t-1, s-1], α[t-1, s-2] if l'_s ≠ blank and
                      l'_s ≠ l'_{s-2}) + lp[t, l'_s]
    loss    -lse(α[T-1, 2L], α[T-1, 2L-1])            (T: this sequence's input length)
    beta    β[T-1, 2L] = lp[T-1, blank], β[T-1, 2L-1] = lp[T-1, lL];
            β[t, s] = lse(β[t+1, s], β[t+1, s+1], β[t+1, s+2] if allowed) + lp[t, l'_s]
    grad    d/dlp[t, c] = exp(lp[t, c]) - exp(lse_{s: l'_s = c}(α[t, s] + β[t, s]) + loss
                          - lp[t, c])      for t < T, else 0   (torch's: the gradient through a
                          log_softmax that produced lp, not the plain partial derivative)

The recursions loop over time and are vectorised over the batch and the positions; they run in
float64 and the results are cast to the input's dtype."""
from __future__ import annotations

import numpy as np

from ..autograd.function import NotDifferentiable, Op

__all__ = ["ctc_loss_per_sequence", "CtcLoss"]

_NEG = -np.inf


def _lse3(a, b, c):
    m = np.maximum(np.maximum(a, b), c)
    m = np.where(m == _NEG, 0.0, m)
    with np.errstate(divide="ignore"):
        return np.log(np.exp(a - m) + np.exp(b - m) + np.exp(c - m)) + m


def _lse2(a, b):
    m = np.maximum(a, b)
    m = np.where(m == _NEG, 0.0, m)
    with np.errstate(divide="ignore"):
        return np.log(np.exp(a - m) + np.exp(b - m)) + m


def _extended(tgt, tl, blank):
    """(N, 2S+1) labels of l' (blank past each sequence's end), the valid mask, and where the
    skip from s-2 is allowed."""
    N, S = tgt.shape
    ext = np.full((N, 2 * S + 1), blank, np.int64)
    ext[:, 1::2] = tgt
    pos = np.arange(2 * S + 1)
    valid = pos[None, :] < (2 * tl[:, None] + 1)
    ext = np.where(valid, ext, blank)
    skip = np.zeros_like(valid)
    if S > 1:
        skip[:, 3::2] = (ext[:, 3::2] != ext[:, 1:-2:2])
    skip &= valid
    return ext, valid, skip


def _alpha(lp, ext, valid, skip, il, tl):
    T, N, _ = lp.shape
    L2 = ext.shape[1]
    bidx = np.arange(N)[:, None]
    la = np.full((max(T, 1), N, L2), _NEG)
    if T == 0:
        return la
    emit = lambda t: lp[t][bidx, ext]          # noqa: E731  (N, 2S+1)
    la[0, :, 0] = lp[0][np.arange(N), ext[:, 0]]
    if L2 > 1:
        la[0, :, 1] = np.where(tl > 0, lp[0][np.arange(N), ext[:, 1]], _NEG)
    la[0] = np.where(valid, la[0], _NEG)
    for t in range(1, int(il.max(initial=0))):
        prev = la[t - 1]
        p1 = np.concatenate([np.full((N, 1), _NEG), prev[:, :-1]], axis=1)
        p2 = np.concatenate([np.full((N, 2), _NEG), prev[:, :-2]], axis=1)[:, :L2]
        p2 = np.where(skip, p2, _NEG)
        la[t] = np.where(valid, _lse3(prev, p1, p2) + emit(t), _NEG)
    return la


def _beta(lp, ext, valid, skip, il, tl):
    T, N, _ = lp.shape
    L2 = ext.shape[1]
    bidx = np.arange(N)[:, None]
    rows = np.arange(N)
    lb = np.full((max(T, 1), N, L2), _NEG)
    end = 2 * tl
    skip_next = np.zeros_like(skip)                 # may s jump to s+2?
    skip_next[:, :-2] = skip[:, 2:]
    for t in range(int(il.max(initial=0)) - 1, -1, -1):
        start = il - 1 == t
        cur = np.full((N, L2), _NEG)
        if start.any():
            b = rows[start]
            cur[b, end[b]] = lp[t][b, ext[b, end[b]]]
            bb = b[tl[b] > 0]
            cur[bb, end[bb] - 1] = lp[t][bb, ext[bb, end[bb] - 1]]
        if t + 1 < T:
            nxt = lb[t + 1]
            n1 = np.concatenate([nxt[:, 1:], np.full((N, 1), _NEG)], axis=1)
            n2 = np.concatenate([nxt[:, 2:], np.full((N, 2), _NEG)], axis=1)[:, :L2]
            n2 = np.where(skip_next, n2, _NEG)
            rec = _lse3(nxt, n1, n2) + lp[t][bidx, ext]
            inner = (il - 1 > t)[:, None] & valid
            cur = np.where(inner, rec, cur)
        lb[t] = cur
    return lb


def ctc_loss_per_sequence(lp, tgt, il, tl, blank):
    """(losses (N,), saved state) for log_probs lp (T, N, C) float64, padded targets (N, S)."""
    ext, valid, skip = _extended(tgt, tl, blank)
    la = _alpha(lp, ext, valid, skip, il, tl)
    N = lp.shape[1]
    rows = np.arange(N)
    tlast = np.maximum(il - 1, 0)
    l1 = la[tlast, rows, 2 * tl]
    l2 = np.where(tl > 0, la[tlast, rows, np.maximum(2 * tl - 1, 0)], _NEG)
    ll = _lse2(l1, l2)
    ll = np.where(il == 0, np.where(tl == 0, 0.0, _NEG), ll)
    return -ll, (ext, valid, skip, la)


def ctc_grad(lp, il, tl, nll, state, zero_infinity):
    """torch's gradient of each sequence's loss w.r.t. lp (T, N, C), float64."""
    ext, valid, skip, la = state
    T, N, C = lp.shape
    lb = _beta(lp, ext, valid, skip, il, tl)
    ab = la[:T] + lb[:T]                                     # (T, N, 2S+1)
    lcab = np.full((T, N, C), _NEG)
    # blanks: every even position
    blank = ext[0, 0] if ext.size else 0
    even = ab[:, :, 0::2]
    m = even.max(axis=2)
    m = np.where(m == _NEG, 0.0, m)
    with np.errstate(divide="ignore"):
        lcab[:, :, blank] = np.log(np.exp(even - m[..., None]).sum(2)) + m
    rows = np.arange(N)
    for s in range(1, ext.shape[1], 2):
        c = ext[:, s]
        cur = lcab[:, rows, c]
        lcab[:, rows, c] = np.logaddexp(cur, ab[:, :, s])
    with np.errstate(invalid="ignore", over="ignore"):
        g = np.exp(lp) - np.exp(lcab + nll[None, :, None] - lp)
    t = np.arange(T)[:, None]
    g = np.where((t < il[None, :])[..., None], g, 0.0)
    if zero_infinity:
        g = np.where(np.isinf(nll)[None, :, None], 0.0, g)
    return g


class CtcLoss(Op):
    """loss[n] = -log Σ_alignments Π_t lp[t, n, a_t]   (alpha recursion)
    dlp = (exp(lp) - posterior occupancy / p) · g       (beta recursion; see the module doc)"""
    node_name = "CtcLossBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, log_probs, tgt, il, tl, blank, zero_infinity):
        lp = log_probs._data
        nll, state = ctc_loss_per_sequence(lp.astype(np.float64), tgt, il, tl, blank)
        ctx.save_for_backward(log_probs)
        ctx.params = (tgt, il, tl, blank, zero_infinity, nll, state)
        return nll.astype(lp.dtype)

    @staticmethod
    def backward(ctx, g):
        lp, = ctx.saved_tensors
        return NotDifferentiable.record(CtcLossGrad.apply(g, lp, *ctx.params))

    @staticmethod
    def np_backward(ctx, g):
        lp, = ctx._saved_np()
        return _grad_array(g, lp, *ctx.params)


def _grad_array(g, lp, tgt, il, tl, blank, zero_infinity, nll, state):
    d = ctc_grad(lp.astype(np.float64), il, tl, nll, state, zero_infinity)
    return (d * g.astype(np.float64)[None, :, None]).astype(lp.dtype)


class CtcLossGrad(NotDifferentiable):
    node_name, aten = "NotImplemented", "_ctc_loss_backward"
    arity = 2

    @staticmethod
    def forward(ctx, g, lp, *params):
        return _grad_array(g._data, lp._data, *params)
