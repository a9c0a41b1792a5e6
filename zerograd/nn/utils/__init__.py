"""zerograd.nn.utils: gradient clipping, parameter <-> vector conversion, and (loaded on first
use, as zerograd.nn.utils.rnn) padding and packing of variable-length sequences."""
from .clip_grad import clip_grad_norm, clip_grad_norm_, clip_grad_value_  # noqa: F401
from .clip_grad import _clip_grads_with_norm_ as clip_grads_with_norm_  # noqa: F401
from .clip_grad import _get_total_norm as get_total_norm  # noqa: F401
from .convert_parameters import parameters_to_vector, vector_to_parameters  # noqa: F401

from ... import _lazy  # noqa: E402

# loaded on first use: packing, parametrizations, the legacy hook-based weight/spectral norms
__getattr__, __dir__ = _lazy.attach(
    globals(), ["rnn", "parametrize", "parametrizations"],
    {n: ("_legacy_norms", n) for n in ("weight_norm", "remove_weight_norm",
                                       "spectral_norm", "remove_spectral_norm")})
