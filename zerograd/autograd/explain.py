"""What a backward node computes, in words: `node.formula` and `node.explain()`.

Every built-in node knows its rule (the vector-Jacobian product, written the way PyTorch's
`derivatives.yaml` writes it, with PyTorch's argument names):

    >>> z = x * y;  z.grad_fn.formula
    'MulBackward0: grad_self = grad * other; grad_other = grad * self'

`explain()` states the same rule for *this* node: its inputs' and output's shapes and dtypes, what
it saved (and whether those tensors are still at the version they were saved at), where each
gradient goes, and the chores the engine does after the formula (summing a broadcast gradient back
to its input's shape, casting it to the input's dtype).  For matrix products it spells out the sum
over the batch that the formula hides: for a batched `Y = X @ W`, `dW = Σ_batch Xᵀ·G`.

This module is part of the core: it reads nodes and imports nothing beside the core.  The table
`RULES` covers the built-ins by class name; a built-in missing from it falls back to the first
line of its class docstring (`z = a * b      da = g * b,  db = g * a`), and a custom
`autograd.Function` may set `formula = "..."` on its class (or on ctx in forward).
"""
from __future__ import annotations

import gc
import inspect
import re

import numpy as np

__all__ = ["RULES", "Rule", "formula", "explain", "input_names", "output_metas", "saved_items",
           "fmt_meta", "node_title", "creation_site"]


class Rule:
    """One node's rule: input names, the forward expression, one gradient expression per input,
    names of what forward saved (in save order), and how the output shape relates to the inputs
    ('bcast': broadcast of the inputs, the engine sums each gradient back; 'same': the first
    input's shape)."""
    __slots__ = ("inputs", "forward", "grads", "saved", "shape", "note")

    def __init__(self, inputs, forward, grads, saved="", shape=None, note=None):
        self.inputs = tuple(inputs.split())
        self.forward = forward
        self.grads = tuple(grads)
        self.saved = tuple(saved.split())
        self.shape = shape
        self.note = note


def R(inputs, forward, *grads, saved="", shape=None, note=None):
    return Rule(inputs, forward, grads, saved, shape, note)


_SUMTO = "the engine sums it to {in}'s shape"
RULES = {
    # ---- elementwise (ops/elementwise.py) ----
    "Add": R("self other", "self + other", "grad", "grad", shape="bcast"),
    "Sub": R("self other", "self - other", "grad", "-grad", shape="bcast"),
    "AddAlpha": R("self other", "self + alpha * other", "grad", "alpha * grad", shape="bcast"),
    "SubAlpha": R("self other", "self - alpha * other", "grad", "-alpha * grad", shape="bcast"),
    "Rsub": R("self", "other - alpha * self  (other a number)", "-alpha * grad", shape="same"),
    "RsubTensor": R("self other", "other - alpha * self", "-alpha * grad", "grad", shape="bcast"),
    "Mul": R("self other", "self * other", "grad * other", "grad * self", saved="self other",
             shape="bcast"),
    "Div": R("self other", "self / other", "grad / other", "-grad * self / other²",
             saved="self other", shape="bcast"),
    "DivRounding": R("self other", "div(self, other, rounding_mode)  (trunc/floor)",
                     "zeros_like(grad)", "zeros_like(grad)", shape="bcast"),
    "NotDifferentiable": R("inputs", "an op torch records without a derivative",
                           "not differentiable (backward raises)"),
    "RemainderNumber": R("self other", "self % other  (self a number)",
                         "not differentiable (backward raises)",
                         "not differentiable (backward raises)", shape="bcast"),
    "ScatterReduce": R("self src", "self.scatter_reduce(dim, index, src, reduce, include_self)",
                       "sum: grad (0 where self is left out); mean: grad / count; prod: grad * "
                       "result / self; amax/amin: grad shared evenly by the values equal to result",
                       "sum: grad.gather(dim, index); mean: (grad / count).gather(dim, index); "
                       "prod: (grad * result).gather(dim, index) / src; amax/amin: the share of "
                       "the src values equal to result", saved="self src result"),
    "ScatterLegacyReduce": R("self src", "self.scatter(dim, index, src, reduce='add'|'multiply')",
                             "not differentiable (backward raises)",
                             "not differentiable (backward raises)"),
    "FloorDivide": R("self other", "floor(self / other)", "not differentiable (backward raises)",
                     "not differentiable (backward raises)", shape="bcast"),
    "Pow": R("self", "self ** exponent  (exponent a number)",
             "grad * exponent * self ** (exponent - 1)", saved="self", shape="same"),
    "PowTensor": R("self exponent", "self ** exponent",
                   "grad * exponent * self ** (exponent - 1)",
                   "grad * result * log(self)  (0 where self = 0 and exponent >= 0)",
                   saved="self exponent", shape="bcast"),
    "RPow": R("exponent", "self ** exponent  (self a number)", "grad * result * log(self)",
              saved="result", shape="same"),
    "Maximum": R("self other", "maximum(self, other)", "grad where self > other (grad/2 on ties)",
                 "grad where other > self (grad/2 on ties)", saved="self other", shape="bcast"),
    "Minimum": R("self other", "minimum(self, other)", "grad where self < other (grad/2 on ties)",
                 "grad where other < self (grad/2 on ties)", saved="self other", shape="bcast"),
    "Where": R("self other", "where(condition, self, other)", "where(condition, grad, 0)",
               "where(condition, 0, grad)", shape="bcast"),
    "Neg": R("self", "-self", "-grad", shape="same"),
    "Abs": R("self", "|self|", "grad * sgn(self)", saved="self", shape="same"),
    "Exp": R("self", "exp(self)", "grad * result", saved="result", shape="same"),
    "Log": R("self", "log(self)", "grad / self", saved="self", shape="same"),
    "Log1p": R("self", "log(1 + self)", "grad / (self + 1)", saved="self", shape="same"),
    "Sqrt": R("self", "sqrt(self)", "grad / (2 * result)", saved="result", shape="same"),
    "Rsqrt": R("self", "1 / sqrt(self)", "-0.5 * grad * result³", saved="result", shape="same"),
    "Reciprocal": R("self", "1 / self", "-grad * result²", saved="result", shape="same"),
    "Sin": R("self", "sin(self)", "grad * cos(self)", saved="self", shape="same"),
    "Cos": R("self", "cos(self)", "grad * -sin(self)", saved="self", shape="same"),
    "Tanh": R("self", "tanh(self)", "grad * (1 - result²)", saved="result", shape="same"),
    "Sigmoid": R("self", "sigmoid(self)", "grad * result * (1 - result)", saved="result",
                 shape="same"),
    "Relu": R("self", "relu(self) = max(self, 0)", "grad * (result > 0)", saved="result",
              shape="same"),
    "Clamp": R("self", "clamp(self, min, max)  (numbers)", "grad * (min <= self <= max)",
               saved="self", shape="same"),
    "ClampMin": R("self", "clamp_min(self, min)", "grad * (self >= min)", saved="self",
                  shape="same"),
    "ClampMax": R("self", "clamp_max(self, max)", "grad * (self <= max)", saved="self",
                  shape="same"),
    "ClampTensor": R("self min max", "clamp(self, min, max)  (tensors)",
                     "grad * (min <= self <= max)", "grad * (self < min)", "grad * (self > max)",
                     saved="self min max", shape="bcast"),
    "Sign": R("self", "sign(self)", "zeros_like(grad)", shape="same"),
    "ToCopy": R("self", "self.to(dtype)", "grad.to(self.dtype)", shape="same"),
    # ---- shape (ops/shape.py) ----
    "View": R("self", "self.view(size)", "grad.reshape(self.sizes())"),
    "UnsafeView": R("self", "self._unsafe_view(size)  (a reshape of a fresh result)",
                    "grad.reshape(self.sizes())"),
    "ReshapeAlias": R("self", "self.reshape(size)  (no copy)", "grad.reshape(self.sizes())"),
    "Clone": R("self", "self.clone()", "grad", shape="same"),
    "T": R("self", "self.t()", "grad.t()"),
    "Transpose": R("self", "self.transpose(dim0, dim1)", "grad.transpose(dim0, dim1)"),
    "Permute": R("self", "self.permute(dims)", "grad.permute(argsort(dims))"),
    "Expand": R("self", "self.expand(size)  (broadcast, no copy)",
                "sum_to(grad, self.sizes())  (the engine sums over the broadcast dims)"),
    "Squeeze": R("self", "self.squeeze()", "grad.reshape(self.sizes())"),
    "SqueezeDim": R("self", "self.squeeze(dim)", "grad.unsqueeze(dim)"),
    "SqueezeDims": R("self", "self.squeeze(dims)", "grad.reshape(self.sizes())"),
    "SqueezeMatmul": R("self", "self.squeeze(dims)  (matmul's 1-D operand)",
                       "grad.reshape(self.sizes())"),
    "Unsqueeze": R("self", "self.unsqueeze(dim)", "grad.squeeze(dim)"),
    # ---- matrix products (ops/linalg.py) ----
    "Mm": R("self mat2", "self @ mat2", "grad @ mat2ᵀ", "selfᵀ @ grad", saved="self mat2"),
    "Mv": R("self vec", "self @ vec", "outer(grad, vec)", "selfᵀ @ grad", saved="self vec"),
    "Dot": R("self tensor", "self · tensor", "grad * tensor", "grad * self",
             saved="self tensor"),
    "Bmm": R("self mat2", "self[b] @ mat2[b] for each batch b", "grad @ mat2ᵀ  (per batch)",
             "selfᵀ @ grad  (per batch)", saved="self mat2"),
    "Addmm": R("self mat1 mat2", "beta * self + alpha * (mat1 @ mat2)",
               "beta * grad  (summed to self's shape)", "alpha * grad @ mat2ᵀ",
               "alpha * mat1ᵀ @ grad", saved="mat1 mat2"),
    # ---- reductions (ops/reduce.py) ----
    "Sum": R("self", "Σ self  (all elements)", "grad.expand(self.sizes())"),
    "SumDim": R("self", "self.sum(dim, keepdim)",
                "grad (unsqueezed at dim unless keepdim).expand(self.sizes())"),
    "Mean": R("self", "mean(self)", "grad.expand(self.sizes()) / self.numel()"),
    "MeanDim": R("self", "self.mean(dim, keepdim)",
                 "grad (unsqueezed at dim).expand(self.sizes()) / N  (N = elements averaged)"),
    "Prod": R("self", "Π self", "grad * result / self  (product of the others where self has 0s)",
              saved="self result"),
    "ProdDim": R("self", "self.prod(dim, keepdim)",
                 "grad * result / self along dim  (product of the others where self has 0s)",
                 saved="self result"),
    "MaxAll": R("self", "self.max()", "grad spread evenly over the elements equal to result",
                saved="self result"),
    "MinAll": R("self", "self.min()", "grad spread evenly over the elements equal to result",
                saved="self result"),
    "MaxDim": R("self", "values, indices = self.max(dim, keepdim)",
                "zeros_like(self) with grad at indices along dim"),
    "MinDim": R("self", "values, indices = self.min(dim, keepdim)",
                "zeros_like(self) with grad at indices along dim"),
    "Amax": R("self", "self.amax(dim, keepdim)",
              "grad spread evenly over the maxima of each slice", saved="self"),
    "Amin": R("self", "self.amin(dim, keepdim)",
              "grad spread evenly over the minima of each slice", saved="self"),
    "Var": R("self", "self.var(dim, correction)",
             "grad * 2 * (self - mean) / (N - correction)", saved="self"),
    "Std": R("self", "self.std(dim, correction)",
             "grad * (self - mean) / ((N - correction) * result)", saved="self result"),
    "Norm": R("self", "‖self‖_p = (Σ |self|^p)^(1/p)",
              "grad * self * |self|^(p-2) / result^(p-1)  (p=2: grad * self / result; 0 at 0)",
              saved="self result"),
    "Logsumexp": R("self", "log Σ exp(self)", "grad * exp(self - result)", saved="self"),
    # ---- in-place and views (ops/inplace.py, ops/views.py) ----
    "_Fill": R("self", "self.fill_(value)", "zeros_like(grad)", shape="same"),
    "Copy": R("self src", "self.copy_(src)", "zeros_like(grad)",
              "grad  (summed to src's shape, cast to src's dtype)", shape="same"),
    "AsStrided": R("self", "the region of self that this view covers",
                   "zeros_like(self) with grad scattered into that region"),
    "ViewScatter": R("grad_output", "zeros(size) with grad_output added into the region",
                     "the region of grad"),
    "CopySlices": R("self src", "self with the view's region replaced by src",
                    "grad with the region zeroed", "grad's values in the region", shape="same"),
    # ---- indexing (ops/indexing.py) ----
    "Select": R("self", "self.select(dim, index)  (a view)",
                "zeros_like(self) with grad at index of dim"),
    "Slice": R("self", "self[start:end:step] along dim  (a view)",
               "zeros_like(self) with grad in that range"),
    "Alias": R("self", "self  (the same memory)", "grad", shape="same"),
    "Diagonal": R("self", "self.diagonal(offset, dim1, dim2)  (a view)",
                  "zeros_like(self) with grad on that diagonal"),
    "Unbind": R("self", "self.unbind(dim)  (views)",
                "stack(grads, dim)  (zeros for unused outputs)"),
    "Split": R("self", "self.split(size, dim)  (views)",
               "cat(grads, dim)  (zeros for unused outputs)"),
    "SplitWithSizes": R("self", "self.split(sizes, dim)  (views)",
                        "cat(grads, dim)  (zeros for unused outputs)"),
    "Index": R("self", "self[indices]  (advanced indexing: a copy)",
               "zeros_like(self).index_put_(indices, grad, accumulate=True)"),
    "IndexAddInto": R("grad_output",
                      "zeros(size).index_put_(indices, grad_output, accumulate=True)",
                      "grad[indices]"),
    "IndexPut": R("self values", "self.index_put(indices, values)", "grad.index_put(indices, 0)",
                  "grad[indices]  (summed to values' shape)"),
    "Gather": R("self", "self.gather(dim, index)",
                "zeros_like(self).scatter_add(dim, index, grad)"),
    "Scatter": R("self src", "self.scatter(dim, index, src)", "grad.scatter(dim, index, 0)",
                 "grad.gather(dim, index)"),
    "ScatterValue": R("self", "self.scatter(dim, index, value)", "grad.scatter(dim, index, 0)"),
    "ScatterAdd": R("self src", "self.scatter_add(dim, index, src)", "grad",
                    "grad.gather(dim, index)"),
    "IndexSelect": R("self", "self.index_select(dim, index)",
                     "zeros_like(self).index_add(dim, index, grad)"),
    "IndexAdd": R("self source", "self.index_add(dim, index, source, alpha)", "grad",
                  "alpha * grad.index_select(dim, index)"),
    "IndexCopy": R("self source", "self.index_copy(dim, index, source)",
                   "grad.index_fill(dim, index, 0)", "grad.index_select(dim, index)"),
    "IndexFill": R("self", "self.index_fill(dim, index, value)", "grad.index_fill(dim, index, 0)"),
    "IndexFillTensor": R("self value", "self.index_fill(dim, index, value)  (value a 0-d tensor)",
                         "grad.index_fill(dim, index, 0)", "grad.index_select(dim, index).sum()"),
    "MaskedFill": R("self", "self.masked_fill(mask, value)", "grad.masked_fill(mask, 0)"),
    "MaskedFillTensor": R("self value", "self.masked_fill(mask, value)  (value a 0-d tensor)",
                          "grad.masked_fill(mask, 0)", "grad.masked_fill(~mask, 0).sum()"),
    "MaskedSelect": R("self", "self[mask]  (1-D)", "zeros_like(self).masked_scatter(mask, grad)"),
    "MaskedScatter": R("self source", "self.masked_scatter(mask, source)",
                       "grad.masked_fill(mask, 0)",
                       "grad[mask] padded with zeros to source's size"),
    # ---- fused neural-network ops (ops/nn_ops.py) ----
    "Softmax": R("self", "softmax(self, dim)", "result * (grad - Σ_dim grad * result)",
                 saved="result", shape="same"),
    "LogSoftmax": R("self", "log_softmax(self, dim)", "grad - exp(result) * Σ_dim grad",
                    saved="result", shape="same"),
    "CrossEntropy": R("self", "cross_entropy(self, target)  (log_softmax + nll_loss, one node)",
                      "grad * w[target] * (softmax(self) - one_hot(target)) / D  "
                      "(D = Σ w[target] for 'mean'; smoothing mixes in 1/C)"),
    "CrossEntropySmoothed": R("self", "cross_entropy(self, target, label_smoothing=ε)",
                              "grad * ((1-ε)·(softmax(self) - one_hot(target))·w[target] + "
                              "ε·(softmax(self)·Σw - w)/C) / D"),
    "CrossEntropyProbs": R("self target weight",
                           "cross_entropy(self, target, weight)  (class probabilities)",
                           "grad * (softmax(self)·Σ_c w·t' - w·t') / D",
                           "-grad * w * log_softmax(self) * (1-ε) / D",
                           "-Σ grad * t' * log_softmax(self) / D  (over all but the class dim)"),
    "CrossEntropyProbsSum": R("self target weight", "cross_entropy(self, target, weight)  "
                              "(probabilities, reduction 'sum'/'none')",
                              "grad * (softmax(self)·Σ_c w·t' - w·t')",
                              "-grad * w * log_softmax(self) * (1-ε)",
                              "-Σ grad * t' * log_softmax(self)  (over all but the class dim)"),
    "NllLoss": R("self", "nll_loss(self, target)  (self holds log-probabilities)",
                 "-grad * w[target] / D at [i, target_i], 0 elsewhere"),
    "LayerNorm": R("input weight bias", "(input - μ)/σ · weight + bias  over the normalized dims",
                   "(ĝ - mean(ĝ) - x̂·mean(ĝ·x̂)) / σ  with x̂ = (input - μ)/σ, ĝ = grad·weight",
                   "Σ_batch grad · x̂", "Σ_batch grad", saved="input weight mean rstd"),
    "RmsNorm": R("input weight", "input / rms(input) · weight", "(ĝ - x̂·mean(ĝ·x̂)) / rms  "
                 "with x̂ = input/rms, ĝ = grad·weight", "Σ_batch grad · x̂",
                 saved="input weight rinv"),
    "Erf": R("self", "erf(self)", "grad * 2/√π * exp(-self²)", saved="self", shape="same"),
    "Gelu": R("self", "gelu(self) = self·Φ(self)", "grad * (Φ(self) + self·φ(self))",
              saved="self", shape="same"),
    "Silu": R("self", "silu(self) = self·σ(self)", "grad * σ(self) * (1 + self·(1 - σ(self)))",
              saved="self", shape="same"),
    "Embedding": R("weight", "weight[indices]",
                   "zeros_like(weight).index_add_(0, indices, grad)  (rows of grad summed into "
                   "their index's row; none into padding_idx)"),
    "EmbeddingDenseBackward": R("grad_output", "embedding_dense_backward(grad_output, indices)",
                                "grad[indices]  (0 at padding_idx)"),
    "ConstantPadNd": R("self", "constant_pad_nd(self, pad, value)",
                       "constant_pad_nd(grad, -pad)  (grad cropped back)"),
    "MseLoss": R("self target", "reduce((self - target)²)", "2 * (self - target) * grad / n",
                 "-2 * (self - target) * grad / n", saved="self target"),
    "SmoothL1Loss": R("self target", "reduce(smooth_l1(self - target, beta))",
                      "grad / n * clamp((self - target) / beta, -1, 1)",
                      "-grad / n * clamp((self - target) / beta, -1, 1)", saved="self target"),
    "BinaryCrossEntropy": R("self target", "reduce(-w·(target·log self + (1-target)·log(1-self)))",
                            "grad / n * w * (self - target) / (self·(1-self))",
                            "grad / n * w * (log(1-self) - log self)", saved="self target"),
    "BinaryCrossEntropyWithLogits": R("self target", "reduce(w·((1-t)·x - l·log σ(x)))  "
                                      "(x = self, t = target, l = 1 + (pos_weight-1)·t)",
                                      "grad / n * w * (l·σ(x) - pos_weight·t)",
                                      "grad / n * w * (-x - (pos_weight-1)·log σ(x))",
                                      saved="self target"),
}

_VIEW_LIKE = {"ViewBackward0", "UnsafeViewBackward0", "ReshapeAliasBackward0"}


# ------------------------------------------------------------------------------------------------
# small helpers shared with zerograd.viz
# ------------------------------------------------------------------------------------------------

def fmt_meta(meta) -> str:
    """(shape, numpy dtype) -> 'float32[2, 3]'."""
    if meta is None:
        return "?"
    shape, dt = meta
    return f"{_dtype_name(dt)}[{', '.join(str(s) for s in shape)}]"


def _dtype_name(dt) -> str:
    from .. import dtypes
    d = dtypes._NP_TO_DTYPE.get(np.dtype(dt))
    return d.name if d is not None else str(dt)


def node_title(node) -> str:
    """'MulBackward0'; 'AccumulateGrad' for leaves (torch's name is torch::autograd::...)."""
    name = node.name()
    return name.rsplit("::", 1)[-1]


def _fn(node):
    return getattr(node, "_fn", None)


def _is_builtin(node) -> bool:
    from .function import Op
    fn = _fn(node)
    return isinstance(fn, type) and issubclass(fn, Op)


def _rule_class(fn):
    """The Op class whose rule describes `fn`'s backward: fn itself when RULES or its docstring
    state one, else the base class it inherits backward from (SortStable -> Sort)."""
    from .function import Op
    seen = 0
    while isinstance(fn, type) and issubclass(fn, Op) and fn is not Op and seen < 8:
        if fn.__name__ in RULES or _own_doc_rule(fn) is not None or "backward" in fn.__dict__:
            return fn
        fn = next((b for b in fn.__bases__ if isinstance(b, type) and issubclass(b, Op)), None)
        seen += 1
    return fn


def rule_of(node):
    fn = _fn(node)
    if fn is None or not _is_builtin(node):
        return None
    return RULES.get(_rule_class(fn).__name__)


def _own_doc_rule(fn):
    doc = fn.__dict__.get("__doc__") if fn is not None else None
    if not doc:
        return None
    lines = [line.strip() for line in doc.strip().split("\n\n")[0].splitlines()]
    for k, line in enumerate(lines):      # the rule: from 'dx =' to the end of its line
        m = re.search(r"(?:^|\s{2,})(d\w*\s*=.*)$", line)
        if m is not None:
            fwd = " ".join(lines[:k] + [line[:m.start()]]).strip()
            return fwd, re.sub(r"\s{3,}", "  ", m.group(1).strip())
    return None


def _doc_rule(fn):
    """The rule in an Op's docstring: 'forward    backward' -> (forward, backward) or None."""
    if fn is None:
        return None
    return _own_doc_rule(_rule_class(fn))


def input_names(node) -> list:
    """A name per forward input (per entry of next_functions)."""
    n = len(node.next_functions)
    rule = rule_of(node)
    if rule is not None and len(rule.inputs) == n:
        return list(rule.inputs)
    fn = _fn(node)
    if fn is not None:
        try:
            params = [p for p in inspect.signature(fn.forward).parameters][1:]
        except (TypeError, ValueError):
            params = []
        params = [p for p in params if not p.startswith("*")]
        if len(params) >= n:
            return params[:n]
    return [f"input{i}" for i in range(n)]


def output_metas(node, out=None) -> list:
    """[(shape, dtype)] per output of `node`: from `out` (a tensor or a meta), what the node
    recorded, a saved output, a live output tensor, or the rule ([None] when unknown)."""
    if out is not None:
        if hasattr(out, "_data"):
            return [(out._data.shape, out._data.dtype)]
        return [tuple(out)]
    metas = node.__dict__.get("_out_metas")
    if metas is not None:
        return list(metas)
    from .function import AccumulateGrad, _SavedOutput, _saved_items
    if type(node) is AccumulateGrad:
        v = node.variable
        return [(v._data.shape, v._data.dtype)]
    saved = _saved_items(node._saved)
    if isinstance(saved, (tuple, list)):
        for item in saved:
            if type(item) is _SavedOutput:
                return [(item.data.shape, item.data.dtype)]
    ruled = _rule_output(node)
    if ruled is not None:
        return [ruled]
    return [_live_output(node)]      # slow (scans live objects): the last resort


def _live_output(node):
    """The output tensor of `node`, if it is still alive (a debugging-time lookup)."""
    from ..tensor import Tensor
    for o in gc.get_referrers(node):
        if type(o) is Tensor and o.grad_fn is node:
            return (o._data.shape, o._data.dtype)
    return None


def input_metas(node) -> list:
    """(shape, dtype) per input: recorded for inputs that require grad, else read from what
    forward saved under that input's name (None when neither is known)."""
    names = input_names(node)
    metas = list(node._metas) + [None] * (len(names) - len(node._metas))
    if None in metas:
        items = saved_items(node) or []
        by_name = {n: v for n, v, _ in items}
        for i, name in enumerate(names):
            v = by_name.get(name)
            if metas[i] is None and v is not None:
                a = getattr(v, "_data", v)
                if isinstance(a, np.ndarray):
                    metas[i] = (a.shape, a.dtype)
    return metas


def _rule_output(node):
    rule = rule_of(node)
    if rule is None:
        return None
    metas = input_metas(node)
    known = [m for m in metas if m is not None]
    if not known:
        return None
    kind = _fn(node).__name__
    if kind == "Where":          # the condition (not an input) broadcasts too
        return None
    try:
        if rule.shape == "same" and metas[0] is not None:
            return metas[0]
        if rule.shape == "bcast" and None not in metas:
            shapes = [m[0] for m in known]
            return tuple(np.broadcast_shapes(*shapes)), np.result_type(*[m[1] for m in known])
        if kind in ("Mm", "Addmm") and None not in metas[-2:]:
            a, b = metas[-2:]
            return (a[0][0], b[0][1]), a[1]
        if kind == "Bmm" and None not in metas:
            return (metas[0][0][0], metas[0][0][1], metas[1][0][2]), metas[0][1]
        if kind == "Mv" and metas[0] is not None:
            return (metas[0][0][0],), metas[0][1]
    except (ValueError, IndexError, TypeError):
        return None
    return None


def saved_items(node) -> list:
    """[(name, value, note)] of what forward saved: value is a Tensor (inputs), an array
    (a saved output) or a constant; note tells the version status. [] when nothing was saved;
    None when the saved values were freed by backward."""
    from .function import _RELEASED, _SavedOutput, _saved_items
    saved = node._saved
    if saved is _RELEASED:
        return None
    saved = _saved_items(saved)
    if not saved:
        return []
    versions = node._saved_versions or [None] * len(saved)
    rule = rule_of(node)
    names = list(rule.saved) if rule is not None else []
    inames = input_names(node)
    out = []
    for k, (item, v) in enumerate(zip(saved, versions)):
        if item is None:
            continue
        name = names[k] if k < len(names) else None
        if type(item) is _SavedOutput:
            name = name or ("result" if item.nr == 0 else f"result{item.nr}")
            now = item.vc[0] if item.vc is not None else None
            out.append((name, item.data, _version_note(v, now)))
        elif hasattr(item, "_data"):
            if name is None:
                name = _match_input(node, item, inames) or f"saved[{k}]"
            now = item._vc[0] if item._vc is not None else None
            out.append((name, item, _version_note(v, now)))
        else:
            out.append((name or f"saved[{k}]", item, "constant"))
    return out


_FREED = ("Trying to backward through the graph a second time (or directly access saved tensors "
          "after they have already been freed). Saved intermediate values of the graph are freed "
          "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
          "backward through the graph a second time or if you need to access saved tensors after "
          "calling backward.")


_WRAPPED = {}        # Python number type -> the dtype of torch's wrapped 0-d tensor


# torch's argument names of ops with more than two tensor inputs (others: self, other)
_TORCH_INPUTS = {"Addcmul": ("self", "tensor1", "tensor2"), "Addcdiv": ("self", "tensor1", "tensor2"),
                 "Addmv": ("self", "mat", "vec"), "Baddbmm": ("self", "batch1", "batch2"),
                 "Addbmm": ("self", "batch1", "batch2"), "LerpTensor": ("self", "end", "weight"),
                 "Convolution": ("input", "weight", "bias"),
                 "NativeGroupNorm": ("input", "weight", "bias")}


def _torch_input_names(node) -> dict:
    """zerograd's name of each forward input -> torch's (self, other, tensor1, ...)."""
    ours = input_names(node)
    fn = _fn(node)
    theirs = _TORCH_INPUTS.get(_rule_class(fn).__name__) if fn is not None else None
    theirs = theirs or ("self", "other")
    return dict(zip(ours, theirs)) if len(ours) <= len(theirs) else {}


def saved_attribute(node, name):
    """`node._saved_<name>` as torch's: the tensor (or constant) forward saved under torch's name
    - an input as the tensor itself, an output as a tensor of this node - and torch's error once
    backward has freed them.  Names the op does not save raise AttributeError."""
    from ..tensor import Tensor
    if not _is_builtin(node):               # (a custom Function's node has saved_tensors)
        raise AttributeError(f"'{type(node).__name__}' object has no attribute '_saved_{name}'")
    if not _WRAPPED:
        from .. import dtypes
        _WRAPPED.update({bool: dtypes.bool, int: dtypes.int64, float: dtypes.float64})
    items = saved_items(node)
    if items is None:
        if rule_of(node) is not None and name in rule_of(node).saved:
            raise RuntimeError(_FREED)
        items = []
    aliases = _torch_input_names(node)
    for item_name, value, _ in items:
        if item_name == name or aliases.get(item_name) == name:
            if isinstance(value, np.ndarray):           # a saved output: a tensor of this node
                nr = int(name[len("result"):] or 0) if name.startswith("result") else 0
                return Tensor._make(value, True, node, nr)
            if name in ("self", "other") and isinstance(value, (bool, int, float)):
                from ..ops import tensor as _tensor     # a number operand: torch's wrapped
                return _tensor(value, dtype=_WRAPPED[type(value)])      # 0-d tensor
            return value
    if rule_of(node) is not None and name in rule_of(node).saved:
        return None         # a name this op saves, not saved this time (mul's self when only
                            # self needs grad): torch's undefined tensor
    raise AttributeError(f"'{type(node).__name__}' object has no attribute '_saved_{name}'")


def _version_note(saved_at, now):
    if saved_at is None:
        return "constant"
    if now is None or now == saved_at:
        return f"version {saved_at}"
    return (f"saved at version {saved_at}, now version {now}: MODIFIED IN PLACE since "
            "(backward will fail)")


def _match_input(node, t, names):
    for (child, nr), name in zip(node.next_functions, names):
        if child is None:
            continue
        if t.grad_fn is not None and t.grad_fn is child and t._output_nr == nr:
            return name
        acc = t._acc() if t._acc is not None else None
        if acc is not None and acc is child:
            return name
    return None


def creation_site(node):
    """'file.py:12 in f' of the user code that created the node (anomaly mode), else None."""
    trace = getattr(node, "_trace", None)
    if not trace:
        return None
    import os
    pkg = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for frame in reversed(trace):
        m = re.match(r'\s*File "(.+?)", line (\d+), in (.+)', frame)
        if m and not os.path.abspath(m.group(1)).startswith(pkg):
            return f"{m.group(1)}:{m.group(2)} in {m.group(3).strip()}"
    return None


# ------------------------------------------------------------------------------------------------
# formula
# ------------------------------------------------------------------------------------------------

def formula(node):
    """The node's VJP rule in one line, or None for a built-in that has none (a bug)."""
    from .function import AccumulateGrad, GraphRoot
    name = node_title(node)
    own = node.__dict__.get("formula")
    if own is None:
        fn = _fn(node)
        own = getattr(fn, "formula", None) if fn is not None else None
        if isinstance(own, property):
            own = None
    if isinstance(own, str):
        return own if own.startswith(name) else f"{name}: {own}"
    if type(node) is AccumulateGrad:
        return ("AccumulateGrad: variable.grad += grad  (the first gradient is stored - a copy "
                "unless nothing else holds it; later ones are added in place)")
    if type(node) is GraphRoot:
        return "GraphRoot: grad = the seed (1 for a scalar, else the gradient= passed to backward)"
    if not _is_builtin(node):
        return (f"{name}: user-defined (a custom autograd.Function: its backward() is your code; "
                "set `formula = \"...\"` on the class to describe it)")
    rule = rule_of(node)
    if rule is not None:
        parts = [f"grad_{n} = {g}" for n, g in zip(rule.inputs, rule.grads)]
        return f"{name}: " + "; ".join(parts)
    doc = _doc_rule(_fn(node))
    if doc is not None:
        return f"{name}: {doc[1]}"
    return None


# ------------------------------------------------------------------------------------------------
# explain
# ------------------------------------------------------------------------------------------------

def explain(node, out=None, params=None) -> str:
    """The node's rule with its actual shapes, dtypes, saved tensors and the engine's chores.

    out     the node's output tensor (or (shape, dtype)), when known: fills in the result's
            shape if the node did not record it
    params  {name: tensor}, to name leaves (e.g. dict(model.named_parameters()))"""
    from .function import AccumulateGrad, GraphRoot
    title = node_title(node)
    lines = [formula(node) or f"{title}: (no formula recorded: a built-in missing from RULES)"]
    pnames = {id(t): n for n, t in (params or {}).items()}
    add = lines.append

    if type(node) is GraphRoot:
        add("  the start of backward: its gradients are the seeds of the outputs' edges")
        return "\n".join(lines)
    if type(node) is AccumulateGrad:
        v = node.variable
        name = pnames.get(id(v))
        add(f"  leaf      {fmt_meta((v._data.shape, v._data.dtype))}"
            + (f"  '{name}'" if name else ""))
        add("  writes    leaf.grad: stored the first time (a copy unless nothing else holds "
            "the gradient), added in place after (out of place under create_graph)")
        g = v._grad
        now = "None" if g is None else fmt_meta((g._data.shape, g._data.dtype))
        add(f"  now       .grad is {now}")
        hooks = len(v._backward_hooks or ()) + len(v._post_acc_hooks or ())
        if hooks:
            add(f"  hooks     {len(v._backward_hooks or ())} tensor hook(s), "
                f"{len(v._post_acc_hooks or ())} post-accumulate hook(s)")
        return "\n".join(lines)

    rule = rule_of(node)
    builtin = _is_builtin(node)
    names = input_names(node)
    outs = output_metas(node, out)
    metas = input_metas(node)
    if rule is not None:
        add(f"  forward   result = {rule.forward}")
    elif builtin and _doc_rule(_fn(node)) is not None:
        add(f"  forward   {_doc_rule(_fn(node))[0]}")
    elif not builtin:
        add(f"  forward   {_fn(node).__qualname__}.forward (user-defined)")
    if len(outs) == 1:
        om = outs[0]
        shown = fmt_meta(om) if om is not None else "shape unknown (pass out=the output tensor)"
        add(f"  result    {shown}   so grad (the incoming gradient) has this shape")
    else:
        add("  results   " + ", ".join(fmt_meta(m) if m is not None else "-" for m in outs)
            + "   one incoming gradient each")

    width = max([len(n) for n in names] + [1])
    add("  inputs")
    for i, ((child, nr), name) in enumerate(zip(node.next_functions, names)):
        meta = metas[i]
        if child is None:
            add(f"    {name:<{width}}  {fmt_meta(meta) + '  ' if meta else ''}"
                "does not require grad: no gradient computed")
            continue
        add(f"    {name:<{width}}  {fmt_meta(meta)}  <- {_describe_child(child, nr, pnames)}")

    grads = rule.grads if rule is not None and len(rule.grads) == len(names) else None
    add("  computes")
    for i, ((child, nr), name) in enumerate(zip(node.next_functions, names)):
        if child is None:
            continue
        expr = grads[i] if grads is not None else ("see the formula" if builtin else
                                                    "your backward()'s output #%d" % i)
        add(f"    grad_{name:<{width}} = {expr}   -> {fmt_meta(metas[i])}")

    items = saved_items(node)
    if items is None:
        add("  saved     freed: backward already ran through this node "
            "(pass retain_graph=True to keep the saved tensors)")
    elif items:
        add("  saved")
        for name, value, note in items:
            add(f"    {name:<{width}}  {_describe_value(value)}  ({note})")
    attrs = _ctx_attrs(node)
    if attrs:
        add("  with      " + ", ".join(f"{k}={v!r}" for k, v in attrs))

    engine = _engine_lines(node, rule, names, metas, outs)
    batch = _batch_lines(node, names, metas, outs, pnames)
    for i, text in enumerate(batch):
        add(("  batch     " if i == 0 else "            ") + text)
    if engine:
        for i, text in enumerate(engine):
            add(("  engine    " if i == 0 else "            ") + text)
    else:
        add("  engine    nothing to do: each gradient already has its input's shape and dtype")
    site = creation_site(node)
    if site:
        add(f"  created   at {site}")
    hooks = [(len(node._pre_hooks or ()), "pre-hook"), (len(node._post_hooks or ()), "post-hook"),
             (sum(len(h) for h in (node._tensor_pre_hooks or {}).values()), "tensor hook"),
             (len(node._retain_hooks or ()), "retain_grad")]
    hooks = [f"{n} {what}{'s' if n > 1 else ''}" for n, what in hooks if n]
    if hooks:
        add("  hooks     " + ", ".join(hooks))
    return "\n".join(lines)


def _describe_child(child, nr, pnames) -> str:
    from .function import AccumulateGrad
    if type(child) is AccumulateGrad:
        v = child.variable
        name = pnames.get(id(v))
        return "AccumulateGrad (a leaf" + (f" '{name}'" if name else "") + ")"
    title = node_title(child)
    return title if child._num_outputs == 1 else f"{title} (output {nr})"


def _describe_value(value) -> str:
    if hasattr(value, "_data"):
        return fmt_meta((value._data.shape, value._data.dtype))
    if isinstance(value, np.ndarray):
        return fmt_meta((value.shape, value.dtype))
    return repr(value)


def _ctx_attrs(node):
    """Plain values forward stored on ctx (dim, keepdim, alpha, ...)."""
    out = []
    for k, v in node.__dict__.items():
        if k.startswith("_") or k == "formula":
            continue
        if v is None or isinstance(v, (bool, int, float, str, tuple)) and len(repr(v)) < 60:
            out.append((k, v))
    return out


def _sum_dims(shape, target):
    """The dims of a `target`-shaped gradient that sum_to(shape) reduces."""
    lead = len(target) - len(shape)
    return tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape)
                                      if s == 1 and target[lead + i] != 1)


def _engine_lines(node, rule, names, metas, outs) -> list:
    """What the engine does to each gradient after the formula: sum to shape, cast dtype."""
    lines = []
    om = outs[0] if len(outs) == 1 else None
    fn_name = _fn(node).__name__ if _fn(node) is not None else ""
    raw_is_grad = rule is not None and rule.shape == "bcast" or fn_name in ("Expand", "Addmm")
    for i, ((child, _), name) in enumerate(zip(node.next_functions, names)):
        meta = metas[i]
        if child is None or meta is None or om is None:
            continue
        if fn_name == "Addmm" and i != 0:
            continue
        if raw_is_grad and tuple(meta[0]) != tuple(om[0]):
            dims = _sum_dims(tuple(meta[0]), tuple(om[0]))
            lines.append(f"sums grad_{name} over dims {dims}: {list(om[0])} -> {list(meta[0])} "
                         f"(the forward broadcast {name}; sum_to undoes it)")
        if raw_is_grad and np.dtype(meta[1]) != np.dtype(om[1]):
            lines.append(f"casts grad_{name} from {_dtype_name(om[1])} to {_dtype_name(meta[1])} "
                         f"({name}'s dtype; the forward promoted it)")
    return lines


def _batch_lines(node, names, metas, outs, pnames) -> list:
    """The sum over the batch hidden in a matrix product's formula (dW = Σ_batch Xᵀ·G)."""
    fn = _fn(node)
    if fn is None or fn.__name__ not in ("Mm", "Addmm", "Bmm"):
        return []
    kind = fn.__name__
    lines = []
    if kind in ("Mm", "Addmm"):
        a, b = (1, 2) if kind == "Addmm" else (0, 1)
        ma = metas[a]
        child_a, child_b = node.next_functions[a][0], node.next_functions[b][0]
        if ma is None or len(ma[0]) != 2:
            return []
        rows = ma[0][0]
        left, right = names[a], names[b]
        wname = _leaf_name(_through(child_b, ("TBackward0",)), pnames) or right
        folded = _folded_shape(child_a, rows)
        if child_b is not None:
            if folded is not None:
                dims = " × ".join(str(s) for s in folded[:-1])
                xname = _leaf_name(child_a.next_functions[0][0], pnames) or "X"
                lines.append(f"{left} is {xname} {list(folded)} with its batch dims ({dims}) "
                             f"folded into {rows} rows by the matmul, so")
                lines.append(f"grad_{right} = {left}ᵀ @ grad sums over all {rows} batch "
                             f"positions: d{wname} = Σ_batch {xname}ᵀ·G")
            elif rows > 1:
                lines.append(f"grad_{right} = {left}ᵀ @ grad sums over the {rows} rows of {left} "
                             f"(the batch): d{wname} = Σ_batch xᵀ·G")
            if child_b is not None and node_title(child_b) == "TBackward0":
                lines.append("TBackward0 below transposes it into the weight's (out, in) "
                             "layout: dW = Gᵀ·x")
        if kind == "Addmm" and node.next_functions[0][0] is not None and metas[0] is not None \
                and outs[0] is not None and len(metas[0][0]) < len(outs[0][0]):
            bname = _leaf_name(node.next_functions[0][0], pnames) or "b"
            lines.append(f"grad_self (the bias) is summed over the batch by the engine: "
                         f"d{bname} = Σ_batch G")
    else:  # Bmm: a broadcast operand sums over the batch in ExpandBackward0 below it
        for i, (child, _) in enumerate(node.next_functions):
            src = _through(child, _VIEW_LIKE)
            if src is not None and node_title(src) == "ExpandBackward0":
                lines.append(f"{names[i]} was broadcast over the batch: ExpandBackward0 below "
                             f"sums grad_{names[i]} over it (Σ_batch)")
    return lines


def _leaf_name(child, pnames):
    from .function import AccumulateGrad
    if type(child) is AccumulateGrad:
        return pnames.get(id(child.variable))
    return None


def _folded_shape(child, rows):
    """If `child` is a view that merged leading dims into `rows` rows, the shape before it."""
    if child is None or node_title(child) not in _VIEW_LIKE or not child._metas:
        return None
    meta = child._metas[0]
    if meta is None:
        return None
    shape = tuple(meta[0])
    if len(shape) > 2 and int(np.prod(shape[:-1])) == rows:
        return shape
    return None


def _through(child, kinds):
    """Follow single-input nodes named in `kinds` down from `child`."""
    seen = 0
    while child is not None and node_title(child) in kinds and seen < 8 and child.next_functions:
        child = child.next_functions[0][0]
        seen += 1
    return child


# ------------------------------------------------------------------------------------------------
# grad_fn._saved_<name>
# ------------------------------------------------------------------------------------------------

class _SavedAttribute:
    """`node._saved_<name>`: saved_attribute(node, name); a value assigned to it (a custom
    Function's forward may store `ctx._saved_x = ...`) is kept on the node and read back."""
    __slots__ = ("name", "attr")

    def __init__(self, name):
        self.name, self.attr = name, "_saved_" + name

    def __get__(self, node, cls=None):
        if node is None:
            return self
        d = node.__dict__
        if self.attr in d:
            return d[self.attr]
        return saved_attribute(node, self.name)

    def __set__(self, node, value):
        node.__dict__[self.attr] = value

    def __delete__(self, node):
        try:
            del node.__dict__[self.attr]
        except KeyError:
            raise AttributeError(self.attr) from None


def _names_of(op) -> set:
    """The names an op's saved items can have: its rule's inputs and saved names, torch's
    input names, and its forward's parameters (input_names' fallback)."""
    names = set()
    rule = RULES.get(_rule_class(op).__name__)
    if rule is not None:
        names.update(rule.inputs)
        names.update(rule.saved)
    names.update(_TORCH_INPUTS.get(_rule_class(op).__name__, ()))
    fwd = getattr(op, "forward", None)
    code = getattr(getattr(fwd, "__func__", fwd), "__code__", None)
    if code is not None:
        names.update(code.co_varnames[1:code.co_argcount])
    return names


def _install(names) -> None:
    from .function import Node
    for name in names:
        attr = "_saved_" + name
        if name.isidentifier() and attr not in Node.__dict__ and not hasattr(Node, attr):
            setattr(Node, attr, _SavedAttribute(name))


def install_saved_attributes() -> None:
    """Give Node a `_saved_<name>` descriptor for every name a built-in op (defined now or
    later) saves under - torch's attributes, found without a __getattr__ on nodes."""
    from . import function
    from .function import Op
    names = {"self", "other", "result"} | {f"result{i}" for i in range(1, 10)}
    stack = [Op]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        names |= _names_of(cls)
    _install(names)
    function._saved_names_hook = lambda op: _install(_names_of(op))
