"""Keep freed memory for reuse instead of handing it back to the OS (glibc only).

An autograd step allocates and frees the same large arrays every iteration.  glibc's malloc gives
freed memory back to the OS when the free space at the top of its heap passes a threshold, and
serves arrays above another threshold with fresh `mmap`s; either way the next step's arrays touch
new pages, and every 4 KiB page costs a page fault (the kernel zeroes it).  On the GPT step of the
benchmark that was ~6,500 faults per step and 12-20% of its time (`minflt` of getrusage).  With
the two thresholds raised - arrays up to 32 MiB from the heap, up to 1 GiB of free heap kept -
a step faults ~0 times and peak RSS is unchanged (RSS stays at the peak instead of dropping).

`tune()` runs when zerograd is imported, on Linux with glibc, unless the environment variable
``ZEROGRAD_MALLOC_TUNING=0`` is set.  It changes the process's allocator (NumPy's, Python's, every
library's), as LD_PRELOAD-ing jemalloc or tcmalloc would for PyTorch; arrays larger than 32 MiB
are still mapped and unmapped directly.  `untune()` restores glibc's defaults.
"""
from __future__ import annotations

import ctypes
import os
import sys

__all__ = ["tune", "untune", "tuned"]

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20          # glibc's largest allowed value on 64-bit (HEAP_MAX_SIZE / 2)
TRIM_THRESHOLD = 1 << 30

_state = {"tuned": False}


def _libc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        # the process's own symbols, libc's among them (ctypes.util.find_library would import
        # subprocess, tempfile and shutil: ~1.5 MiB for one lookup)
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version          # glibc only (musl has no mallopt thresholds)
        libc.mallopt
    except (OSError, AttributeError):
        return None
    return libc


def tune() -> bool:
    """Raise glibc's mmap and trim thresholds; True when it did."""
    if os.environ.get("ZEROGRAD_MALLOC_TUNING", "1") == "0":
        return False
    libc = _libc()
    if libc is None:
        return False
    ok = (libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1 and
          libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1)
    _state["tuned"] = ok
    return ok


def untune() -> bool:
    """glibc's default thresholds (128 KiB each; note: glibc's dynamic adjustment of them stays
    off once they were set)."""
    libc = _libc()
    if libc is None:
        return False
    ok = (libc.mallopt(_M_MMAP_THRESHOLD, 128 << 10) == 1 and
          libc.mallopt(_M_TRIM_THRESHOLD, 128 << 10) == 1)
    _state["tuned"] = False
    return ok


def tuned() -> bool:
    """Whether `tune()` is in effect."""
    return _state["tuned"]
