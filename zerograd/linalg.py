"""torch.linalg: `import zerograd.linalg` / `torch.linalg.norm(...)`.  The ops live in
zerograd/ops/linalg_extra.py (their VJPs and sign conventions are described there)."""
from __future__ import annotations

from .ops.linalg_extra import (LinAlgError, cholesky, cross, det, diagonal, eigh,  # noqa: F401
                               eigvalsh, inv, matrix_norm, matrix_power, matrix_rank, multi_dot,
                               norm, pinv, qr, slogdet, solve, svd, svdvals, vecdot, vector_norm)
from .ops.linalg import matmul  # noqa: F401,E402  (torch.linalg.matmul: torch.matmul)

__all__ = ["LinAlgError", "cholesky", "cross", "det", "diagonal", "eigh", "eigvalsh", "inv",
           "matmul", "matrix_norm", "matrix_power", "matrix_rank", "multi_dot", "norm", "pinv",
           "qr", "slogdet", "solve", "svd", "svdvals", "vecdot", "vector_norm"]
