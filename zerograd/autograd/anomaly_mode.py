"""Anomaly detection: record where each node was created, and stop at the first NaN in backward.

    with zerograd.autograd.detect_anomaly():
        loss.backward()   # RuntimeError: Function 'DivBackward0' returned nan values in its 0th
                          # output.  ...plus the forward traceback of the op that made the node
"""
from __future__ import annotations

from .function import _anomaly


def is_anomaly_enabled() -> bool:
    return _anomaly.enabled


def is_anomaly_check_nan_enabled() -> bool:
    return _anomaly.check_nan


class detect_anomaly:
    """Context manager (and decorator) that turns anomaly detection on."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        self.prev = (False, True)
        import warnings
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", stacklevel=2)

    def __enter__(self) -> None:
        self.prev = (_anomaly.enabled, _anomaly.check_nan)
        _anomaly.enabled, _anomaly.check_nan = True, self.check_nan

    def __exit__(self, *exc) -> None:
        _anomaly.enabled, _anomaly.check_nan = self.prev

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with detect_anomaly(self.check_nan):        # (warns each call, as torch's clone)
                return fn(*args, **kwargs)
        return wrapper


class set_detect_anomaly:
    """`set_detect_anomaly(True)` switches anomaly detection on at once (and back on exit when
    used in `with`)."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = (_anomaly.enabled, _anomaly.check_nan)
        _anomaly.enabled, _anomaly.check_nan = bool(mode), check_nan

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc) -> None:
        _anomaly.enabled, _anomaly.check_nan = self.prev
