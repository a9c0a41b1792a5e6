"""Shared test setup.

Parity tests use PyTorch as an oracle.  Without torch they skip with a visible reason; with the
environment variable ZEROGRAD_REQUIRE_TORCH=1 (CI sets it) a missing torch is an error, and any
test skipped for lack of torch fails the run instead of passing silently.
"""
import os

import pytest

REQUIRE_TORCH = os.environ.get("ZEROGRAD_REQUIRE_TORCH") == "1"
TORCH_SKIP_REASON = "PyTorch (the oracle) is not installed: pip install torch==2.13.0"


def pytest_configure(config):
    if REQUIRE_TORCH:
        try:
            import torch  # noqa: F401
        except ImportError as e:
            raise pytest.UsageError(f"ZEROGRAD_REQUIRE_TORCH=1 but torch cannot be imported: {e}")


def pytest_runtest_logreport(report):
    if REQUIRE_TORCH and report.skipped and "oracle" in str(report.longrepr):
        report.outcome = "failed"
        report.longrepr = f"skipped for lack of torch while ZEROGRAD_REQUIRE_TORCH=1: {report.longrepr}"
