"""Lazy modules: layers whose input size (in_features, in_channels, num_features) is read off
their first input, as torch's LazyLinear, LazyConv*, LazyConvTranspose*, LazyBatchNorm* and
LazyInstanceNorm*.

    net = nn.Sequential(nn.LazyLinear(16), nn.ReLU(), nn.LazyLinear(1))
    net(torch.ones(8, 5))          # fc1 becomes Linear(5, 16), fc2 Linear(16, 1)

Until that first call the module's parameters (and, for the norms, running statistics) are
UninitializedParameter / UninitializedBuffer placeholders.  A forward pre-hook then calls
`initialize_parameters(*args, **kwargs)`: the sizes are inferred, the placeholders materialized
and `reset_parameters()` run - so the random draws happen there, in torch's order, and a seed
set before the first forward gives torch's values - and the module's class becomes the plain
one (`cls_to_become`: LazyLinear -> Linear).  state_dict() keeps the placeholders as they are;
load_state_dict() of an initialized state into a lazy module materializes its placeholders with
the loaded shapes (the class changes at the next forward, as in torch).
"""
from __future__ import annotations

import itertools

from ... import grad_mode as _gm
from ...ops import tensor
from ... import dtypes as _dt
from .._uninitialized import UninitializedBuffer, UninitializedParameter, is_lazy
from .batchnorm import (BatchNorm1d, BatchNorm2d, BatchNorm3d, InstanceNorm1d, InstanceNorm2d,
                        InstanceNorm3d, _BatchNorm, _InstanceNorm, _NormBase)
from .conv import (Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)
from .linear import Linear
from .module import Module, _EXTRA_STATE_KEY_SUFFIX

__all__ = ["LazyModuleMixin", "LazyLinear", "LazyConv1d", "LazyConv2d", "LazyConv3d",
           "LazyConvTranspose1d", "LazyConvTranspose2d", "LazyConvTranspose3d",
           "LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d", "LazyInstanceNorm1d",
           "LazyInstanceNorm2d", "LazyInstanceNorm3d"]


class LazyModuleMixin:
    """Mixed in before a layer class (`class LazyLinear(LazyModuleMixin, Linear)`): registers
    the forward pre-hook that infers the shapes on the first call (`_initialize_hook`) and the
    load_state_dict pre-hook that materializes placeholders from a loaded state (`_load_hook`);
    both are removed once the module is initialized, and its class becomes `cls_to_become`."""

    cls_to_become = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._load_hook = self._register_load_state_dict_pre_hook(self._lazy_load_hook)
        self._initialize_hook = self.register_forward_pre_hook(self._infer_parameters,
                                                               with_kwargs=True)

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        """As Module's, except that placeholders are stored themselves (they can't be
        detached)."""
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars or is_lazy(param) \
                    else param.detach()
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buf if keep_vars or is_lazy(buf) else buf.detach()
        if getattr(type(self), "get_extra_state", Module.get_extra_state) \
                is not Module.get_extra_state:
            destination[prefix + _EXTRA_STATE_KEY_SUFFIX] = self.get_extra_state()

    def _lazy_load_hook(self, state_dict, prefix, local_metadata, strict, missing_keys,
                        unexpected_keys, error_msgs):
        """load_state_dict pre-hook: a placeholder given an initialized tensor takes its shape
        (materialized; Module's loading then copies the values in)."""
        for name, value in itertools.chain(self._parameters.items(), self._buffers.items()):
            key = prefix + name
            if value is None or key not in state_dict or not is_lazy(value):
                continue
            incoming = state_dict[key]
            if not is_lazy(incoming):
                with _gm.no_grad():
                    value.materialize(incoming.shape)

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs):
        """Module's, with a placeholder loaded from a placeholder left as it is (torch copies an
        empty tensor into an empty one there)."""
        self._lazy_load_hook(state_dict, prefix, local_metadata, strict, missing_keys,
                             unexpected_keys, error_msgs)
        both_lazy = [prefix + name for name, value in itertools.chain(self._parameters.items(),
                                                                      self._buffers.items())
                     if value is not None and is_lazy(value) and prefix + name in state_dict
                     and is_lazy(state_dict[prefix + name])]
        if not both_lazy:
            return super()._load_from_state_dict(state_dict, prefix, local_metadata, strict,
                                                 missing_keys, unexpected_keys, error_msgs)
        rest = type(state_dict)((k, v) for k, v in state_dict.items() if k not in both_lazy)
        if hasattr(state_dict, "_metadata"):
            rest._metadata = state_dict._metadata
        n_missing = len(missing_keys)
        super()._load_from_state_dict(rest, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs)
        missing_keys[n_missing:] = [k for k in missing_keys[n_missing:] if k not in both_lazy]

    def initialize_parameters(self, *args, **kwargs):
        """Infer the shapes from the forward's arguments and materialize the parameters
        (each lazy layer defines it)."""
        raise NotImplementedError(
            f"initialize_parameters is not implemented for {self.__class__.__name__}")

    def has_uninitialized_params(self):
        """Whether any of this module's own parameters or buffers is still a placeholder."""
        return any(is_lazy(t) for t in itertools.chain(self._parameters.values(),
                                                       self._buffers.values()))

    def _infer_parameters(self, module, args, kwargs=None):
        """The forward pre-hook: initialize from this first input, then stop being lazy."""
        module.initialize_parameters(*args, **(kwargs or {}))
        if module.has_uninitialized_params():
            raise RuntimeError(f"module {self._get_name()} has not been fully initialized")
        module._initialize_hook.remove()
        module._load_hook.remove()
        delattr(module, "_initialize_hook")
        delattr(module, "_load_hook")
        if module.cls_to_become is not None:
            module.__class__ = module.cls_to_become

    def _replicate_for_data_parallel(self):
        raise RuntimeError("Modules with uninitialized parameters can't be used with "
                           "`DataParallel`. Run a dummy forward pass to correctly initialize the "
                           "modules")


# ------------------------------------------------------------------------------------------------
# Linear
# ------------------------------------------------------------------------------------------------
class LazyLinear(LazyModuleMixin, Linear):
    """Linear with in_features taken from input.shape[-1] at the first call (then a Linear)."""

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__(0, 0, False)            # (no bias tensor to throw away)
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_features = out_features
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self) -> None:
        if self.in_features != 0 and not self.has_uninitialized_params():
            super().reset_parameters()

    def initialize_parameters(self, input) -> None:
        if self.has_uninitialized_params():
            with _gm.no_grad():
                self.in_features = input.shape[-1]
                self.weight.materialize((self.out_features, self.in_features))
                if self.bias is not None:
                    self.bias.materialize((self.out_features,))
                self.reset_parameters()
        if self.in_features == 0:                # (loaded from a state dict)
            if input.shape[-1] != self.weight.shape[-1]:
                raise AssertionError(
                    f"The in_features inferred from input: {input.shape[-1]} is not equal to "
                    f"in_features from self.weight: {self.weight.shape[-1]}")
            self.in_features = input.shape[-1]


# ------------------------------------------------------------------------------------------------
# convolutions
# ------------------------------------------------------------------------------------------------
class _LazyConvXdMixin(LazyModuleMixin):
    """in_channels from the input's channel dim (dim 1 batched, dim 0 unbatched)."""

    def reset_parameters(self) -> None:
        if self.in_channels != 0 and not self.has_uninitialized_params():
            super().reset_parameters()

    def initialize_parameters(self, input, *args, **kwargs) -> None:
        if not self.has_uninitialized_params():
            return
        self.in_channels = self._get_in_channels(input)
        if self.in_channels % self.groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if not isinstance(self.weight, UninitializedParameter):
            raise AssertionError("self.weight must be an UninitializedParameter")
        if self.transposed:
            shape = (self.in_channels, self.out_channels // self.groups, *self.kernel_size)
        else:
            shape = (self.out_channels, self.in_channels // self.groups, *self.kernel_size)
        self.weight.materialize(shape)
        if self.bias is not None:
            if not isinstance(self.bias, UninitializedParameter):
                raise AssertionError("self.bias must be an UninitializedParameter")
            self.bias.materialize((self.out_channels,))
        self.reset_parameters()

    def _get_in_channels(self, input) -> int:
        spatial = self._get_num_spatial_dims()
        unbatched, batched = spatial + 1, spatial + 2
        if input.dim() not in (unbatched, batched):
            raise RuntimeError(f"Expected {unbatched}D (unbatched) or {batched}D (batched) input "
                               f"to {self.__class__.__name__}, but got input of size: "
                               f"{input.shape}")
        return input.shape[1] if input.dim() == batched else input.shape[0]

    def _get_num_spatial_dims(self) -> int:
        raise NotImplementedError


class _LazyConv(_LazyConvXdMixin):
    def __init__(self, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None) -> None:
        super().__init__(0, 0, kernel_size, stride, padding, dilation, groups, False,
                         padding_mode, device=device, dtype=dtype)
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_channels = out_channels
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def _get_num_spatial_dims(self) -> int:
        return self._nd


class _LazyConvTranspose(_LazyConvXdMixin):
    def __init__(self, out_channels, kernel_size, stride=1, padding=0, output_padding=0,
                 groups=1, bias=True, dilation=1, padding_mode="zeros", device=None,
                 dtype=None) -> None:
        super().__init__(0, 0, kernel_size, stride, padding, output_padding, groups, False,
                         dilation, padding_mode, device=device, dtype=dtype)
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_channels = out_channels
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def _get_num_spatial_dims(self) -> int:
        return self._nd


class LazyConv1d(_LazyConv, Conv1d):
    """Conv1d with in_channels taken from the first input (then a Conv1d)."""
    cls_to_become = Conv1d


class LazyConv2d(_LazyConv, Conv2d):
    """Conv2d with in_channels taken from the first input (then a Conv2d)."""
    cls_to_become = Conv2d


class LazyConv3d(_LazyConv, Conv3d):
    """Conv3d with in_channels taken from the first input (then a Conv3d)."""
    cls_to_become = Conv3d


class LazyConvTranspose1d(_LazyConvTranspose, ConvTranspose1d):
    """ConvTranspose1d with in_channels taken from the first input."""
    cls_to_become = ConvTranspose1d


class LazyConvTranspose2d(_LazyConvTranspose, ConvTranspose2d):
    """ConvTranspose2d with in_channels taken from the first input."""
    cls_to_become = ConvTranspose2d


class LazyConvTranspose3d(_LazyConvTranspose, ConvTranspose3d):
    """ConvTranspose3d with in_channels taken from the first input."""
    cls_to_become = ConvTranspose3d


# ------------------------------------------------------------------------------------------------
# normalization
# ------------------------------------------------------------------------------------------------
class _LazyNormBase(LazyModuleMixin, _NormBase):
    """num_features from input.shape[1] (torch's rule, also for an unbatched instance norm
    input); defaults affine=True, track_running_stats=True (torch's, for every lazy norm)."""

    def __init__(self, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None, *, bias=True) -> None:
        super().__init__(0, eps, momentum, False, False, device=device, dtype=dtype, bias=False)
        self.affine = affine
        self.track_running_stats = track_running_stats
        if self.affine:
            self.weight = UninitializedParameter(device=device, dtype=dtype)
            if bias:
                self.bias = UninitializedParameter(device=device, dtype=dtype)
        if self.track_running_stats:
            self.running_mean = UninitializedBuffer(device=device, dtype=dtype)
            self.running_var = UninitializedBuffer(device=device, dtype=dtype)
            self.num_batches_tracked = tensor(0, dtype=_dt.long)

    def reset_parameters(self) -> None:
        if self.num_features != 0 and not self.has_uninitialized_params():
            super().reset_parameters()

    def initialize_parameters(self, input) -> None:
        if not self.has_uninitialized_params():
            return
        self.num_features = input.shape[1]
        if self.affine:
            if not isinstance(self.weight, UninitializedParameter):
                raise AssertionError("self.weight must be an UninitializedParameter")
            self.weight.materialize((self.num_features,))
            if self.bias is not None:
                if not isinstance(self.bias, UninitializedParameter):
                    raise AssertionError("self.bias must be an UninitializedParameter")
                self.bias.materialize((self.num_features,))
        if self.track_running_stats:
            self.running_mean.materialize((self.num_features,))
            self.running_var.materialize((self.num_features,))
        self.reset_parameters()


class LazyBatchNorm1d(_LazyNormBase, _BatchNorm):
    """BatchNorm1d with num_features taken from the first input (then a BatchNorm1d)."""
    cls_to_become = BatchNorm1d
    _check_input_dim = BatchNorm1d._check_input_dim


class LazyBatchNorm2d(_LazyNormBase, _BatchNorm):
    """BatchNorm2d with num_features taken from the first input (then a BatchNorm2d)."""
    cls_to_become = BatchNorm2d
    _check_input_dim = BatchNorm2d._check_input_dim


class LazyBatchNorm3d(_LazyNormBase, _BatchNorm):
    """BatchNorm3d with num_features taken from the first input (then a BatchNorm3d)."""
    cls_to_become = BatchNorm3d
    _check_input_dim = BatchNorm3d._check_input_dim


class LazyInstanceNorm1d(_LazyNormBase, _InstanceNorm):
    """InstanceNorm1d with num_features taken from the first input (then an InstanceNorm1d)."""
    cls_to_become = InstanceNorm1d
    _no_batch_dim = InstanceNorm1d._no_batch_dim
    _check_input_dim = InstanceNorm1d._check_input_dim

    def _get_no_batch_dim(self) -> int:
        return self._no_batch_dim


class LazyInstanceNorm2d(_LazyNormBase, _InstanceNorm):
    """InstanceNorm2d with num_features taken from the first input (then an InstanceNorm2d)."""
    cls_to_become = InstanceNorm2d
    _no_batch_dim = InstanceNorm2d._no_batch_dim
    _check_input_dim = InstanceNorm2d._check_input_dim

    def _get_no_batch_dim(self) -> int:
        return self._no_batch_dim


class LazyInstanceNorm3d(_LazyNormBase, _InstanceNorm):
    """InstanceNorm3d with num_features taken from the first input (then an InstanceNorm3d)."""
    cls_to_become = InstanceNorm3d
    _no_batch_dim = InstanceNorm3d._no_batch_dim
    _check_input_dim = InstanceNorm3d._check_input_dim

    def _get_no_batch_dim(self) -> int:
        return self._no_batch_dim
