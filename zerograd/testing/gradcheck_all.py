"""`zerograd gradcheck`: float64 finite-difference checks of every differentiable op of the op
table (zerograd/testing/op_db.py, the same table that drives tests/test_ops.py)."""
from __future__ import annotations

import time
import warnings

import numpy as np

import zerograd
from zerograd.autograd.gradcheck import gradcheck, gradgradcheck


def _tensors(case):
    """The case's float arrays as float64 leaves requiring grad (bool arrays stay masks)."""
    args, inputs = [], []
    for i, a in enumerate(case.args):
        if isinstance(a, np.ndarray):
            if a.dtype == np.bool_:
                args.append(zerograd.from_numpy(a))
            else:
                t = zerograd.tensor(a, dtype=zerograd.float64,
                                    requires_grad=i not in case.nograd and a.dtype.kind == "f")
                args.append(t)
                if t.requires_grad:
                    inputs.append(t)
        else:
            args.append(a)
    return args, inputs


def run_all(fast: bool = False, verbose: bool = False) -> bool:
    from .op_db import OP_DB
    rows = ok = failed = skipped = 0
    failures = []
    t0 = time.perf_counter()
    for spec in OP_DB:
        if not spec.differentiable or not spec.gradcheck:
            continue
        rows += 1
        for k, case in enumerate(spec.samples()):
            if case.error is not None or not case.gradcheck or "gradcheck" in case.xfail \
                    or "gradcheck" in spec.xfail:
                skipped += 1
                continue
            args, inputs = _tensors(case)
            if not inputs or any(t.numel() == 0 for t in inputs):   # nothing to perturb
                skipped += 1
                continue
            slots = [i for i, a in enumerate(args) if isinstance(a, zerograd.Tensor)
                     and a.requires_grad]

            def fn(*xs, _args=args, _slots=slots, _case=case, _spec=spec):
                full = list(_args)
                for s, x in zip(_slots, xs):
                    full[s] = x
                out = _spec.call(zerograd, full, _case.kwargs)
                if isinstance(out, tuple):
                    out = tuple(o for o in out if isinstance(o, zerograd.Tensor)
                                and o.is_floating_point())
                return out
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    gradcheck(fn, tuple(inputs), fast_mode=fast)
                    if spec.gradgrad and case.gradgrad and not fast:
                        gradgradcheck(fn, tuple(inputs))
                ok += 1
            except Exception as e:          # report every failure, keep going
                failed += 1
                failures.append(f"{spec.name}[{k}]: {type(e).__name__}: {str(e).splitlines()[0]}")
        if verbose:
            print(f"{spec.name}: done")
    dt = time.perf_counter() - t0
    print(f"gradcheck{' (fast mode)' if fast else ' + gradgradcheck'} over {rows} ops of the op "
          f"table: {ok} cases passed, {failed} failed, {skipped} not checkable (errors, non-float "
          f"or non-differentiable cases), in {dt:.1f} s")
    for f in failures:
        print("  FAILED", f)
    return failed == 0
