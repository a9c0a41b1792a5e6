"""Full backward hooks of Modules, built on the autograd graph (not inside the engine).

`module(x)` with backward hooks passes the module's tensor inputs and outputs through an identity
Function (`BackwardHookFunctionBackward` in the graph).  A post-hook on the output node sees
grad_output (and lets backward pre-hooks replace it); a post-hook on the input node sees
grad_input and calls the user's hooks with (module, grad_input, grad_output).  torch's design
(torch/utils/hooks.py BackwardHook), in zerograd's Function.
"""
from __future__ import annotations

import warnings

from ... import grad_mode as _gm
from ...autograd.function import Function
from ...tensor import Tensor

__all__ = ["BackwardHook", "BackwardHookFunction"]


class BackwardHookFunction(Function):
    """Identity on the module's input (or output) tensors; its node's hooks see their grads."""

    @staticmethod
    def forward(ctx, *args):
        ctx.mark_non_differentiable(*[a for a in args if not a.requires_grad])
        return args

    @staticmethod
    def backward(ctx, *grads):
        return grads


class BackwardHook:
    """torch's BackwardHook (torch/utils/hooks.py): wraps the module's inputs and outputs with
    BackwardHookFunction, captures grad_output on the output node, calls the user's pre-hooks
    there, and calls the user's hooks with (grad_input, grad_output) on the input node."""

    def __init__(self, module, user_hooks, user_pre_hooks):
        self.module, self.user_hooks, self.user_pre_hooks = module, user_hooks, user_pre_hooks
        self.grad_outputs = None
        self.n_outputs = self.n_inputs = -1
        self.output_tensors_index = self.input_tensors_index = None

    @staticmethod
    def _pack_with_none(indices, values, size):
        res = [None] * size
        for i, v in zip(indices, values):
            res[i] = v
        return tuple(res)

    @staticmethod
    def _unpack_none(indices, values):
        return tuple(values[i] for i in indices)

    def _set_user_hook(self, grad_fn, args):
        # inputs that do not require grad get zeros in grad_input, as torch's (materialised)
        zeros = {i: a.detach() * 0 for i, a in enumerate(args)
                 if isinstance(a, Tensor) and not a.requires_grad}

        def hook(grad_input, _):
            if self.grad_outputs is None:   # the gradient reached the inputs without the outputs
                return None
            res = list(self._pack_with_none(self.input_tensors_index, grad_input, self.n_inputs))
            for i, z in zeros.items():
                res[i] = z
            res = tuple(res)
            for user_hook in self.user_hooks:
                out = user_hook(self.module, res, self.grad_outputs)
                if out is None:
                    continue
                if len(out) != len(res):
                    raise RuntimeError("Backward hook returned an invalid number of grad_input, "
                                       f"got {len(out)}, but expected {len(res)}")
                res = out
            self.grad_outputs = None
            return self._unpack_none(self.input_tensors_index, res)
        grad_fn.register_hook(hook)

    def _apply_on_tensors(self, fn, args):
        # Only the tensors that require grad pass through the identity Function: its node's
        # hooks see their gradients at positions `idx` (zerograd's Function does not yet honour
        # mark_non_differentiable for returned inputs, so the others stay outside).
        idx = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
        if not idx or not _gm.is_grad_enabled():
            return args, None
        new = BackwardHookFunction.apply(*[args[i] for i in idx])
        fn(new[0].grad_fn)
        out = list(args)
        for i, t in zip(idx, new):
            out[i] = t
        if type(args) is not tuple and hasattr(args, "_fields"):     # a namedtuple stays one
            return type(args)(*out), idx
        return tuple(out), idx

    def setup_input_hook(self, args):
        res, idx = self._apply_on_tensors(lambda fn: self._set_user_hook(fn, args), args)
        self.n_inputs, self.input_tensors_index = len(args), idx
        return res

    def setup_output_hook(self, args):
        def fn(grad_fn):
            def hook(_, grad_output):
                self.grad_outputs = self._pack_with_none(self.output_tensors_index, grad_output,
                                                         self.n_outputs)
                for user_pre_hook in self.user_pre_hooks:
                    r = user_pre_hook(self.module, self.grad_outputs)
                    if r is None:
                        continue
                    if len(r) != len(self.grad_outputs):
                        raise RuntimeError("Backward pre hook returned an invalid number of "
                                           f"grad_output, got {len(r)}, but expected "
                                           f"{len(self.grad_outputs)}")
                    self.grad_outputs = tuple(r)
                local = self.grad_outputs
                if self.input_tensors_index is None:   # no input requires grad: call hooks now
                    warnings.warn("Full backward hook is firing when gradients are computed with "
                                  "respect to module outputs since no inputs require gradients. "
                                  "See https://docs.pytorch.org/docs/main/generated/torch.nn."
                                  "Module.html#torch.nn.Module.register_full_backward_hook for "
                                  "more details.", stacklevel=5)
                    grad_inputs = self._pack_with_none([], [], self.n_inputs)
                    for user_hook in self.user_hooks:
                        r = user_hook(self.module, grad_inputs, self.grad_outputs)
                        if r is not None and not (isinstance(r, tuple) and
                                                  all(e is None for e in r)):
                            raise RuntimeError("Backward hook for Modules where no input requires "
                                               "gradient should always return None or None for "
                                               "all gradients.")
                    self.grad_outputs = None
                if local is not None:
                    return tuple(local[i] for i in self.output_tensors_index)
                return None
            grad_fn.register_hook(hook)

        is_tuple = isinstance(args, tuple)
        if not is_tuple:
            args = (args,)
        res, idx = self._apply_on_tensors(fn, args)
        self.n_outputs, self.output_tensors_index = len(args), idx
        return res if is_tuple else res[0]

