"""PyTorch as the oracle: `torch` (or None) and the `requires_torch` mark."""
import os

import pytest

try:
    import torch
except ImportError:  # pragma: no cover - depends on the environment
    torch = None
    if os.environ.get("ZEROGRAD_REQUIRE_TORCH") == "1":
        raise

requires_torch = pytest.mark.skipif(
    torch is None, reason="PyTorch (the oracle) is not installed: pip install torch==2.13.0")
