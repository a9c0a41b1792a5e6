"""Limit the threads of NumPy's BLAS at run time.

NumPy 2.x wheels bundle OpenBLAS as ``scipy_openblas`` (``numpy.libs/libscipy_openblas64_-*.so``),
which starts one thread per core by default.  For the small matrices of an autograd workload on a
busy machine that is a large loss: on a loaded 2-core machine a 128x64 @ 64x192 float32 matmul
takes ~6 ms with the default threads and ~0.1 ms with one.  ``OPENBLAS_NUM_THREADS`` only works if
it is set before NumPy is imported; ``set_blas_threads(n)`` works afterwards, by finding the loaded
OpenBLAS through ctypes and calling its ``*_set_num_threads`` entry point (threadpoolctl, when it
is installed, is the fallback).

    from zerograd._threads import set_blas_threads
    set_blas_threads(1)        # -> True when a BLAS was found and limited
"""
from __future__ import annotations

import ctypes
import glob
import os

__all__ = ["set_blas_threads", "get_blas_threads", "blas_libraries"]

# (setter, getter) names: scipy_openblas64 (ILP64, symbol suffix 64_), scipy_openblas32, plain
_ENTRY_POINTS = (
    ("scipy_openblas_set_num_threads64_", "scipy_openblas_get_num_threads64_"),
    ("scipy_openblas_set_num_threads", "scipy_openblas_get_num_threads"),
    ("openblas_set_num_threads64_", "openblas_get_num_threads64_"),
    ("openblas_set_num_threads", "openblas_get_num_threads"),
)


def blas_libraries() -> list[str]:
    """Paths of the OpenBLAS libraries this process has loaded (or that NumPy ships)."""
    import numpy  # noqa: F401  (loads NumPy's BLAS into the process)
    found: list[str] = []
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                parts = line.rstrip("\n").split(None, 5)
                if len(parts) == 6 and "openblas" in os.path.basename(parts[5]).lower():
                    if parts[5] not in found and os.path.exists(parts[5]):
                        found.append(parts[5])
    except OSError:                       # not Linux: look where the wheels put it
        pass
    if not found:
        root = os.path.dirname(os.path.dirname(numpy.__file__))
        for pattern in (os.path.join(root, "numpy.libs", "*openblas*"),
                        os.path.join(os.path.dirname(numpy.__file__), ".dylibs", "*openblas*")):
            found.extend(sorted(glob.glob(pattern)))
    return found


def _open(path: str):
    mode = getattr(os, "RTLD_NOLOAD", 0) | getattr(ctypes, "RTLD_GLOBAL", 0)
    try:
        return ctypes.CDLL(path, mode=mode)      # the copy already loaded, never a second one
    except OSError:
        return None


def _entry(lib, names):
    for setter, getter in names:
        fn = getattr(lib, setter, None)
        if fn is not None:
            fn.restype = None
            get = getattr(lib, getter, None)
            if get is not None:
                get.restype = ctypes.c_int
                get.argtypes = []
            return fn, get, setter
    return None


def get_blas_threads() -> int | None:
    """The thread count NumPy's OpenBLAS uses now (None when it cannot be asked)."""
    for path in blas_libraries():
        lib = _open(path)
        found = lib is not None and _entry(lib, _ENTRY_POINTS)
        if found and found[1] is not None:
            return int(found[1]())
    return None


def set_blas_threads(n: int) -> bool:
    """Limit NumPy's BLAS to `n` threads; return whether a BLAS was found and limited."""
    n = int(n)
    if n < 1:
        raise ValueError(f"set_blas_threads: n must be >= 1, got {n}")
    ok = False
    for path in blas_libraries():
        lib = _open(path)
        if lib is None:
            continue
        found = _entry(lib, _ENTRY_POINTS)
        if found is None:
            continue
        setter, getter, name = found
        # the ILP64 build takes a 64-bit integer, the others a C int
        setter.argtypes = [ctypes.c_int64 if name.endswith("64_") else ctypes.c_int]
        setter(n)
        ok = ok or getter is None or int(getter()) == n
    if ok:
        return True
    try:
        import threadpoolctl
    except ImportError:
        return False
    try:
        threadpoolctl.threadpool_limits(limits=n, user_api="blas")   # applies at once, persists
        info = [i for i in threadpoolctl.threadpool_info() if i.get("user_api") == "blas"]
    except Exception:                     # noqa: BLE001 - any failure means "not limited"
        return False
    return bool(info) and all(i.get("num_threads") == n for i in info)
