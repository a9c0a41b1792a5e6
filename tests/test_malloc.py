"""zerograd._malloc: glibc keeps freed arrays for reuse (no page fault per training step)."""
import os
import subprocess
import sys

import numpy as np
import pytest

from zerograd import _malloc

glibc = pytest.mark.skipif(_malloc._libc() is None, reason="glibc only (mallopt thresholds)")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PROBE = """
import resource, numpy as np, zerograd
from zerograd import _malloc
for _ in range(3):
    a = np.ones(2_000_000, np.float32); b = a * 2; del a, b
f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):                       # what a training step does: the same arrays again
    a = np.ones(2_000_000, np.float32); b = a * 2; del a, b
print(_malloc.tuned(), resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0)
"""


def _probe(env_value):
    env = dict(os.environ, PYTHONPATH=ROOT)
    if env_value is None:
        env.pop("ZEROGRAD_MALLOC_TUNING", None)
    else:
        env["ZEROGRAD_MALLOC_TUNING"] = env_value
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    return out[0] == "True", int(out[1])


@glibc
def test_importing_zerograd_stops_page_faults_on_reused_arrays():
    tuned, faults = _probe(None)
    assert tuned
    assert faults < 200                  # 20 x 2 arrays of 8 MB: ~80,000 pages if each faulted
    untuned, faults_off = _probe("0")
    assert not untuned
    assert faults_off > 10 * max(faults, 100)


@glibc
def test_untune_and_tune_round_trip():
    was = _malloc.tuned()
    try:
        assert _malloc.untune() and not _malloc.tuned()
        assert _malloc.tune() and _malloc.tuned()
    finally:
        (_malloc.tune if was else _malloc.untune)()
    np.ones(10)                          # the allocator still works
