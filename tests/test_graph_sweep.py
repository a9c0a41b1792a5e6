"""Random graphs against PyTorch: a seeded sweep of small programs that mix the elementwise fast
path (whose nodes the sweep trusts, see autograd.function.ExactMetas) with broadcasting, views
(t, slices, reshape, unsqueeze), tensors without grad and 0-d ones, reductions, an in-place op on a clone, a tensor hook that
scales, float32 and float64, and a second backward through a retained graph - comparing every
leaf's gradient (shape, dtype and values) or the error's type."""
from __future__ import annotations

import random

import numpy as np
import pytest

import zerograd
from tests._oracle import requires_torch, torch

SEEDS = range(300)


def _step(L, R, pool, consts):
    a = R.choice(pool)
    k = R.randint(0, 16)
    if k == 15:                                 # a tensor without grad (broadcasting, 0-d)
        return a * R.choice(consts) if R.random() < 0.5 else R.choice(consts) + a
    if k == 16:
        return a.sum() * R.choice(pool)         # a 0-d tensor into the fast path
    if k == 0:
        return a * R.choice(pool)
    if k == 1:
        return a + R.choice([1.5, -2, 0.0])
    if k == 2:
        return (a * 0.3).tanh()
    if k == 3:
        return (a * 0.2).exp()
    if k == 4:
        return a.relu()
    if k == 5:
        return a.sigmoid()
    if k == 6:
        return a - R.choice(pool)
    if k == 7:
        return a / (R.choice(pool).abs() + 1)
    if k == 8:
        return a.t() if a.dim() == 2 else a.unsqueeze(0)
    if k == 9:
        return a[..., 1:] if a.shape[-1] > 1 else a * 1.0
    if k == 10:
        return a.sum(-1, keepdim=True)
    if k == 11:
        y = a * 1.0
        y.register_hook(lambda g: g * 2)
        return y
    if k == 12:
        y = a.clone()
        y.mul_(1.5)
        return y
    if k == 13:
        return -a
    return a.reshape(-1) if a.dim() > 1 else a.unsqueeze(-1)


def run(L, seed):
    """One program in library L: (the errors of steps that raised, each leaf's gradient)."""
    R, rng = random.Random(seed), np.random.default_rng(seed)
    dt = L.float64 if R.random() < 0.3 else L.float32
    leaves = [L.tensor(rng.standard_normal((3, 4)), dtype=dt, requires_grad=True) for _ in range(2)]
    leaves.append(L.tensor(rng.standard_normal((4,)), dtype=dt, requires_grad=True))
    consts = [L.tensor(rng.standard_normal(s), dtype=dt) for s in ((1, 4), (3, 1), (), (4,))]
    pool, errors = list(leaves), []
    for _ in range(R.randint(3, 12)):
        try:
            pool.append(_step(L, R, pool, consts))
        except RuntimeError as e:               # shapes that do not broadcast
            errors.append(type(e).__name__)
    out = leaves[0].sum() * 0
    for i, p in enumerate(pool[3:]):
        out = out + p.sum() * ((i + 1) * 0.1)
    retain = R.random() < 0.3
    out.backward(retain_graph=retain)
    if retain:
        out.backward()
    return errors, [None if t.grad is None else (str(t.grad.dtype), tuple(t.grad.shape),
                                                  t.grad.detach().double().numpy())
                    for t in leaves]


@requires_torch
@pytest.mark.parametrize("chunk", range(3))
def test_random_graphs_match_torch(chunk):
    for seed in SEEDS[chunk::3]:
        mine, theirs = run(zerograd, seed), run(torch, seed)
        assert mine[0] == theirs[0], seed
        for g, h in zip(mine[1], theirs[1]):
            assert (g is None) == (h is None), seed
            if g is not None:
                assert g[:2] == h[:2], seed
                np.testing.assert_allclose(g[2], h[2], rtol=1e-4, atol=1e-5, err_msg=str(seed))
