"""One benchmark process: one library, one workload (in quick mode: all the timed workloads).

Started by runner.py, never imported:

    python zerograd/bench/worker.py \
        '{"workloads": ["mlp"], "lib": "torch", "threads": 1, "cfg": {...}}'

The thread-count environment variables are set by the parent before this process starts (so
they are in place before NumPy or PyTorch is imported); this script also limits them at run time
and reports what it got.  Only the library under test is imported: a PyTorch worker never imports
zerograd, a NumPy worker neither.

Protocol (one JSON object per line): after the imports, building the workload and its warm-up,
the worker writes {"ready": ..., "info": {...}}; then for each line {"case": NAME, "reps": N} it
runs N repetitions and writes {"values": [...]} or {"error": "..."}; "quit" (or end of input)
ends it.  Anything the libraries print goes to stderr, so stdout carries the protocol only.
"""
from __future__ import annotations

import json
import os
import sys

_proto = os.fdopen(os.dup(1), "w", buffering=1)     # the protocol channel
os.dup2(2, 1)                                        # everything else printed -> stderr
sys.stdout = sys.stderr

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))        # the checkout holding zerograd/


def send(obj):
    _proto.write(json.dumps(obj) + "\n")
    _proto.flush()


def _load_threads_module():
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "_zerograd_bench_threads", os.path.join(os.path.dirname(HERE), "_threads.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main():
    job = json.loads(sys.argv[1])
    libname, threads, cfg = job["lib"], int(job["threads"]), job["cfg"]
    if sys.path and os.path.abspath(sys.path[0]) == HERE:
        sys.path.pop(0)                              # keep bench/ from shadowing anything
    import numpy as np
    info = {"numpy": np.__version__}
    lib = None
    if libname == "torch":
        import torch
        torch.set_num_threads(threads)
        lib = torch
        info["torch"] = torch.__version__
    elif libname == "zerograd":
        sys.path.insert(0, ROOT)
        import zerograd
        lib = zerograd
        info["zerograd"] = getattr(zerograd, "__version__", "?")
    elif libname == "floor":                         # the barest autograd (a lower bound)
        import importlib.util
        spec = importlib.util.spec_from_file_location("_zerograd_bench_floor",
                                                      os.path.join(HERE, "floor.py"))
        lib = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(lib)
    try:
        import scipy
        info["scipy"] = scipy.__version__
    except ImportError:
        pass
    th = _load_threads_module()
    info["blas_limited"] = th.set_blas_threads(threads)
    info["blas_threads"] = th.get_blas_threads()
    sys.path.insert(0, HERE)
    import workloads
    sys.path.remove(HERE)
    info["rss_after_import_mb"] = workloads.rss_mb()[0]
    cases = {}
    for wl in job["workloads"]:
        cases.update(workloads.BUILDERS[wl](libname, lib, cfg))
    errors = {}
    for name, case in cases.items():                 # warm-up
        for _ in range(case.warmup):
            try:
                case.rep()
            except Exception as e:                   # noqa: BLE001 - reported, not raised
                errors[name] = f"{type(e).__name__}: {str(e)[:200]}"
                break
    send({"ready": True, "info": info})
    for line in sys.stdin:
        line = line.strip()
        if not line or line == "quit":
            break
        cmd = json.loads(line)
        name = cmd["case"]
        if name in errors:
            send({"error": errors[name]})
            continue
        import gc
        gc.collect()
        try:
            values = [cases[name].rep() for _ in range(int(cmd.get("reps", 1)))]
        except Exception as e:                       # noqa: BLE001 - e.g. RecursionError
            errors[name] = f"{type(e).__name__}: {str(e)[:200]}"
            send({"error": errors[name]})
            continue
        send({"values": values})


if __name__ == "__main__":
    main()
