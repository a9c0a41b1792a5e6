"""zerograd.debug: find out what is wrong with your gradients.

    grad_report(model)                     per-parameter gradient statistics, flags, a table
    watch(model)                           the same, recorded at every backward (hooks)
    check_manual_grad(fn, inputs, grads)   check a hand derivation against autograd, and say
                                           what is wrong with it (the lecture's A0)
    why_no_grad(t)                         why a tensor has no gradient, and the fix
    provenance()                           errors inside backward name the node, the input and
                                           the shapes

Nothing in the core imports this package.
"""
from __future__ import annotations

from ..viz.trace import provenance
from .a0 import InputCheck, ManualGradReport, check_manual_grad
from .report import GradReport, ParamStats, Watch, grad_report, watch
from .why import why_no_grad

__all__ = ["grad_report", "GradReport", "ParamStats", "watch", "Watch", "check_manual_grad",
           "ManualGradReport", "InputCheck", "why_no_grad", "provenance"]
