"""nn.CTCLoss: the Connectionist Temporal Classification loss (its function:
nn/_functional_sampling.py ctc_loss)."""
from __future__ import annotations

from .. import _functional_sampling as FS
from .loss import _Loss

__all__ = ["CTCLoss"]


class CTCLoss(_Loss):
    """criterion(log_probs (T, N, C), targets, input_lengths, target_lengths): F.ctc_loss with
    this module's blank, reduction and zero_infinity."""
    __constants__ = ["blank", "reduction"]

    def __init__(self, blank: int = 0, reduction: str = "mean", zero_infinity: bool = False):
        super().__init__(reduction=reduction)
        self.blank = blank
        self.zero_infinity = zero_infinity

    def forward(self, log_probs, targets, input_lengths, target_lengths):
        return FS.ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank,
                           self.reduction, self.zero_infinity)
