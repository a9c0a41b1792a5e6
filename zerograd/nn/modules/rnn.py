"""Recurrent layers: RNN, LSTM, GRU (whole sequences, stacked and bidirectional) and their cells.

A recurrent layer reads a sequence x_1 ... x_T and carries a hidden state h_t from one step to
the next.  Every step has two affine maps, one of the input and one of the previous state,

    gates_t = (x_t W_ihᵀ + b_ih) + (h_{t-1} W_hhᵀ + b_hh)

and a cell that turns the gates into the new state (σ is the sigmoid, ⊙ the elementwise product):

    RNN   h_t = tanh(gates_t)                  (or relu with nonlinearity='relu')
    LSTM  i, f, g, o = gates_t split in 4      (input, forget, cell, output gates)
          c_t = σ(f) ⊙ c_{t-1} + σ(i) ⊙ tanh(g)
          h_t = σ(o) ⊙ tanh(c_t)               (then h_t W_hrᵀ with proj_size > 0)
    GRU   r = σ(x_r + h_r),  z = σ(x_z + h_z)  (reset, update gates; x_* / h_* the three
          n = tanh(x_n + r ⊙ h_n)               thirds of the input / hidden maps)
          h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}

The input maps do not depend on the state, so a layer computes them for all T steps with one
matmul before it loops over time; only the hidden map is done step by step.  A bidirectional
layer runs a second set of weights (suffix `_reverse`) from x_T back to x_1 and concatenates the
two outputs feature-wise; layer l+1 reads layer l's outputs (after dropout, in training, for all
but the last layer).  Everything is built from differentiable ops (linear, sigmoid, tanh, chunk,
stack, cat...), so autograd derives the backward pass through time.

A PackedSequence (zerograd.nn.utils.rnn) holds sequences of different lengths, sorted longest
first, without padding: step t runs only the first batch_sizes[t] of them, each sequence's
final state is the one after its own last step, and the reverse direction starts every sequence
at its own last step.  The output is packed like the input; hx and the final states are in the
batch's own order (permuted with sorted_indices / unsorted_indices around the recurrence).

Parameters, their names and order, initialisation (every one U(-1/sqrt(hidden_size),
1/sqrt(hidden_size)) in parameters() order), argument checks, error messages and repr are
torch's.
"""
from __future__ import annotations

import math
import numbers
import warnings

from ... import _autocast
from ...ops import empty, zeros
from ...ops.join import cat, stack
from .. import functional as F
from .. import init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]


# ----------------------------------------------------------------------------------------------
# one time step of each cell.  `gx` is the input map x_t W_ihᵀ + b_ih (already computed), `state`
# the previous state: (h,) or, for the LSTM, (h, c).  Each returns the new state.
# ----------------------------------------------------------------------------------------------

def _rnn_tanh_step(gx, state, w_hh, b_hh, w_hr=None):
    """h' = tanh(gx + h W_hhᵀ + b_hh)"""
    (h,) = state
    return ((gx + F.linear(h, w_hh, b_hh)).tanh(),)


def _rnn_relu_step(gx, state, w_hh, b_hh, w_hr=None):
    """h' = relu(gx + h W_hhᵀ + b_hh)"""
    (h,) = state
    return ((gx + F.linear(h, w_hh, b_hh)).relu(),)


def _lstm_step(gx, state, w_hh, b_hh, w_hr=None):
    """i, f, g, o = gates;  c' = σ(f) c + σ(i) tanh(g);  h' = σ(o) tanh(c')  [then h' W_hrᵀ]"""
    h, c = state
    i, f, g, o = (gx + F.linear(h, w_hh, b_hh)).chunk(4, 1)
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h = o.sigmoid() * c.tanh()
    if w_hr is not None:
        h = F.linear(h, w_hr)
    return h, c


def _gru_step(gx, state, w_hh, b_hh, w_hr=None):
    """r = σ(x_r + h_r);  z = σ(x_z + h_z);  n = tanh(x_n + r h_n);  h' = (1 - z) n + z h"""
    (h,) = state
    x_r, x_z, x_n = gx.chunk(3, 1)
    h_r, h_z, h_n = F.linear(h, w_hh, b_hh).chunk(3, 1)
    r = (x_r + h_r).sigmoid()
    z = (x_z + h_z).sigmoid()
    n = (x_n + r * h_n).tanh()
    return (n + z * (h - n),)       # = (1 - z) n + z h, in torch's order of operations


_STEPS = {"RNN_TANH": _rnn_tanh_step, "RNN_RELU": _rnn_relu_step, "LSTM": _lstm_step,
          "GRU": _gru_step}
_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _run_direction(step, gx_steps, state, w_hh, b_hh, w_hr, reverse):
    """One layer in one direction.  gx_steps: each time step's input map, in time order, one
    (N_t, gates) tensor per step; state: the initial state of all N sequences, each (N, ·).
    Returns the outputs of every step (in time order, also when reverse) and the final state.

    A padded batch runs all N sequences at every step (N_t = N).  A packed batch is sorted
    longest first and N_t shrinks as sequences end: step t runs the first N_t rows only, so
    padding never enters the recurrence, and each sequence's final state is the one after its
    own last step.  Forward, a sequence leaves the running rows after its last step (its state
    is put aside); in reverse, it joins them at its last step, from its initial state."""
    steps = reversed(gx_steps) if reverse else gx_steps
    initial, ended = state, []
    if reverse:                         # start with the sequences that have the last step
        state = _rows(state, 0, gx_steps[-1].size(0))
    outputs = []
    for gx_t in steps:
        running, n = state[0].size(0), gx_t.size(0)
        if n < running:                 # (forward) sequences n.. have just ended
            ended.append(_rows(state, n, running))
            state = _rows(state, 0, n)
        elif n > running:               # (reverse) sequences running.. start here
            state = tuple(cat([s, s0[running:n]]) for s, s0 in zip(state, initial))
        state = step(gx_t, state, w_hh, b_hh, w_hr)
        outputs.append(state[0])
    if reverse:
        outputs.reverse()
    if ended:       # back in batch order: the rows still running, then the latest to end
        state = tuple(cat(parts) for parts in zip(state, *reversed(ended)))
    return outputs, state


def _rows(state, start, stop):
    """Rows start:stop of every tensor of a state (the state itself when that is all of it)."""
    if start == 0 and stop == state[0].size(0):
        return state
    return tuple(s[start:stop] for s in state)


def _is_packed(input) -> bool:
    return isinstance(input, PackedSequence)


class RNNBase(Module):
    """What RNN, LSTM and GRU share: the parameters, their initialisation, the argument and
    shape checks, and the layer/direction loop (`_run`).  `mode` is 'RNN_TANH', 'RNN_RELU',
    'LSTM' or 'GRU'.

    Per layer l and direction (suffix '' or '_reverse'), with G = gates·hidden_size (gates 1, 4
    and 3 for RNN, LSTM and GRU) and H = proj_size or hidden_size:
        weight_ih_l{l}: (G, input_size for l = 0, else H·num_directions)
        weight_hh_l{l}: (G, H)     bias_ih_l{l}, bias_hh_l{l}: (G,)   (bias=True)
        weight_hr_l{l}: (proj_size, hidden_size)                      (LSTM, proj_size > 0)"""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None,
                 dtype=None) -> None:
        super().__init__()
        kw = dict(device=device, dtype=dtype)
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1

        if not isinstance(dropout, numbers.Number) or isinstance(dropout, bool) \
                or not 0 <= dropout <= 1:
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", stacklevel=2)
        for name, value, kind in (("bias", bias, bool), ("batch_first", batch_first, bool),
                                  ("input_size", input_size, int)):
            if not isinstance(value, kind):
                raise TypeError(f"{name} should be of type {kind.__name__}, got: "
                                f"{type(value).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: "
                            f"{type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)

        gate_size = _GATES[mode] * hidden_size
        real_hidden_size = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names = []       # every parameter's name, in registration order
        self._all_weights = []              # the same, one list per layer and direction
        for layer in range(num_layers):
            layer_input_size = input_size if layer == 0 else real_hidden_size * num_directions
            for direction in range(num_directions):
                suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
                shapes = {"weight_ih": (gate_size, layer_input_size),
                          "weight_hh": (gate_size, real_hidden_size)}
                if bias:
                    shapes["bias_ih"] = (gate_size,)
                    shapes["bias_hh"] = (gate_size,)
                if proj_size > 0:
                    shapes["weight_hr"] = (proj_size, hidden_size)
                names = []
                for kind, shape in shapes.items():
                    setattr(self, kind + suffix, Parameter(empty(shape, **kw)))
                    names.append(kind + suffix)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every parameter ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), drawn in
        parameters() order."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    @property
    def _flat_weights(self):
        return [getattr(self, name, None) for name in self._flat_weights_names]

    @property
    def all_weights(self):
        """The parameters, one list per layer and direction."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def flatten_parameters(self) -> None:
        """A no-op (torch compacts the weights for cuDNN; there is no cuDNN here)."""

    # -- checks (torch's names and messages) ---------------------------------------------------

    def check_input(self, input, batch_sizes=None) -> None:
        weight_dtype = self._flat_weights[0].dtype
        if input.dtype != weight_dtype and not _autocast.state.enabled:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype "
                             f"({weight_dtype}). Convert input: input.to({weight_dtype}), or "
                             f"convert model: model.to({input.dtype})")
        expected_input_dim = 2 if batch_sizes is not None else 3
        if input.dim() != expected_input_dim:
            raise RuntimeError(f"input must have {expected_input_dim} dimensions, got "
                               f"{input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.size(-1)}")

    def get_expected_hidden_size(self, input, batch_sizes=None):
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        num_directions = 2 if self.bidirectional else 1
        return (self.num_layers * num_directions, mini_batch,
                self.proj_size if self.proj_size > 0 else self.hidden_size)

    def check_hidden_size(self, hx, expected_hidden_size,
                          msg: str = "Expected hidden size {}, got {}") -> None:
        if tuple(hx.size()) != tuple(expected_hidden_size):
            raise RuntimeError(msg.format(expected_hidden_size, list(hx.size())))

    def check_forward_args(self, input, hidden, batch_sizes=None) -> None:
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    # -- the computation -----------------------------------------------------------------------

    def _run(self, input, hx, batch_sizes=None):
        """The stacked, possibly bidirectional recurrence.  input: (T, N, input_size) or, with
        batch_first, (N, T, input_size); or, with batch_sizes (a packed batch), the packed data
        (sum of the lengths, input_size).  hx: a tuple of initial states, each
        (num_layers·num_directions, N, ·).  Returns the last layer's outputs (in input's layout)
        and the tuple of final states, stacked like hx."""
        packed = batch_sizes is not None
        if not packed and input.size(0 if not self.batch_first else 1) == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        if _autocast.state.enabled and self.mode != "GRU":
            # torch's autocast runs RNN and LSTM in the lower precision: input and states here,
            # the weights through linear's cast.  GRU is on neither list: only its products
            # are cast (by linear), and its output stays float32, as torch's
            dt = _autocast.state.dtype
            input, hx = _autocast.cast_for(input, dt), _autocast.cast_for(tuple(hx), dt)
        step = _STEPS[self.mode]
        num_directions = 2 if self.bidirectional else 1
        if packed:
            x, sizes = input, batch_sizes.tolist()
        else:
            x = input.transpose(0, 1) if self.batch_first else input      # time first
        final_states = []
        for layer in range(self.num_layers):
            if layer > 0 and self.dropout > 0 and self.training:
                x = F.dropout(x, self.dropout, training=True)
            outputs = []
            for direction in range(num_directions):
                idx = layer * num_directions + direction
                weights = self.all_weights[idx]
                w_ih, w_hh = weights[0], weights[1]
                b_ih, b_hh = (weights[2], weights[3]) if self.bias else (None, None)
                w_hr = weights[-1] if self.proj_size > 0 else None
                # the input map of every step at once (one matmul), then one slice per step
                # (one backward node): (T, N, gates) unbound, or the packed rows split by step
                gx = F.linear(x, w_ih, b_ih)
                gx_steps = gx.split(sizes, 0) if packed else gx.unbind(0)
                out, state = _run_direction(step, gx_steps, tuple(h[idx] for h in hx), w_hh,
                                            b_hh, w_hr, reverse=direction == 1)
                outputs.append(cat(out, 0) if packed else stack(out, 0))
                final_states.append(state)
            x = outputs[0] if num_directions == 1 else cat(outputs, -1)
        output = x.transpose(0, 1) if self.batch_first and not packed else x
        return output, tuple(stack(list(s), 0) for s in zip(*final_states))

    def _forward_packed(self, input, hx):
        """forward() of a PackedSequence: hx (a tuple of states, or None) is in the batch's
        order and is permuted to the sorted order, the final states permuted back; the output
        is packed like input."""
        data, batch_sizes, sorted_indices, unsorted_indices = input
        if hx is None:
            num_directions = 2 if self.bidirectional else 1
            shape = (self.num_layers * num_directions, int(batch_sizes[0]))
            sizes = [self.proj_size or self.hidden_size] + \
                ([self.hidden_size] if self.mode == "LSTM" else [])
            hx = tuple(zeros(*shape, size, dtype=data.dtype, device=data.device)
                       for size in sizes)
        else:
            if self.mode == "LSTM" and len(hx) != 2:
                raise RuntimeError("lstm expects two hidden states")
            if sorted_indices is not None:
                hx = tuple(h.index_select(1, sorted_indices) for h in hx)
        self.check_forward_args(data, hx if self.mode == "LSTM" else hx[0], batch_sizes)
        output, final = self._run(data, hx, batch_sizes)
        if unsorted_indices is not None:
            final = tuple(h.index_select(1, unsorted_indices) for h in final)
        return PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices), final

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)


class _SingleStateRNN(RNNBase):
    """The forward of RNN and GRU, whose state is one tensor h."""

    def forward(self, input, hx=None):
        if _is_packed(input):
            output, (h_n,) = self._forward_packed(input, None if hx is None else (hx,))
            return output, h_n
        name = "RNN" if self.mode.startswith("RNN") else self.mode
        if input.dim() not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D "
                             + ("tensor instead" if name == "RNN" else "instead"))
        is_batched = input.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        if not is_batched:
            input = input.unsqueeze(batch_dim)
            if hx is not None:
                if hx.dim() != 2:
                    raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got "
                                       f"{hx.dim()}-D tensor")
                hx = hx.unsqueeze(1)
        elif hx is not None and hx.dim() != 3:
            raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got "
                               f"{hx.dim()}-D tensor")
        if hx is None:
            num_directions = 2 if self.bidirectional else 1
            hx = zeros(self.num_layers * num_directions, input.size(batch_dim),
                       self.hidden_size, dtype=input.dtype, device=input.device)
        self.check_forward_args(input, hx)
        output, (h_n,) = self._run(input, (hx,))
        if not is_batched:
            return output.squeeze(batch_dim), h_n.squeeze(1)
        return output, h_n


class RNN(_SingleStateRNN):
    """Elman RNN: h_t = tanh(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh) (relu with
    nonlinearity='relu'), over num_layers stacked layers.

    forward(input, hx=None) -> (output, h_n): input (L, N, input_size) ((N, L, input_size)
    with batch_first, or unbatched (L, input_size)); hx (num_layers·num_directions, N,
    hidden_size), zeros by default; output (L, N, num_directions·hidden_size) = the last
    layer's h_t for every t; h_n the final state of every layer and direction.  input may be a
    PackedSequence (zerograd.nn.utils.rnn): output is then packed the same way, and h_n holds
    each sequence's state after its own last step."""

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None,
                 **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        modes = {"tanh": "RNN_TANH", "relu": "RNN_RELU"}
        if nonlinearity not in modes:
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             f"'relu'.")
        super().__init__(modes[nonlinearity], input_size, hidden_size, num_layers, bias,
                         batch_first, dropout, bidirectional, device=device, dtype=dtype,
                         **kwargs)
        self.nonlinearity = nonlinearity


class GRU(_SingleStateRNN):
    """Gated recurrent unit, per step (gate order r, z, n in the weights):
        r = σ(x W_irᵀ + b_ir + h W_hrᵀ + b_hr),  z = σ(x W_izᵀ + b_iz + h W_hzᵀ + b_hz),
        n = tanh(x W_inᵀ + b_in + r ⊙ (h W_hnᵀ + b_hn)),  h' = (1 - z) ⊙ n + z ⊙ h.
    forward(input, hx=None) -> (output, h_n), shapes as RNN's."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, device=device, dtype=dtype, **kwargs)


class LSTM(RNNBase):
    """Long short-term memory, per step (gate order i, f, g, o in the weights):
        i, f, o = σ(·), g = tanh(·) of x W_ihᵀ + b_ih + h W_hhᵀ + b_hh (each a quarter),
        c' = f ⊙ c + i ⊙ g,  h' = o ⊙ tanh(c')   (h' = (o ⊙ tanh(c')) W_hrᵀ with proj_size).

    forward(input, (h_0, c_0)=None) -> (output, (h_n, c_n)): h_0 (num_layers·num_directions, N,
    proj_size or hidden_size), c_0 (num_layers·num_directions, N, hidden_size), zeros by
    default; other shapes as RNN's."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device=device, dtype=dtype)

    def get_expected_cell_size(self, input, batch_sizes=None):
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        num_directions = 2 if self.bidirectional else 1
        return (self.num_layers * num_directions, mini_batch, self.hidden_size)

    def check_forward_args(self, input, hidden, batch_sizes=None) -> None:
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden[0], self.get_expected_hidden_size(input, batch_sizes),
                               "Expected hidden[0] size {}, got {}")
        self.check_hidden_size(hidden[1], self.get_expected_cell_size(input, batch_sizes),
                               "Expected hidden[1] size {}, got {}")

    def forward(self, input, hx=None):
        if _is_packed(input):
            return self._forward_packed(input, None if hx is None else tuple(hx))
        if input.dim() not in (2, 3):
            raise ValueError(f"LSTM: Expected input to be 2D or 3D, got {input.dim()}D instead")
        is_batched = input.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        if not is_batched:
            input = input.unsqueeze(batch_dim)
        if hx is None:
            num_directions = 2 if self.bidirectional else 1
            shape = (self.num_layers * num_directions, input.size(batch_dim))
            real_hidden_size = self.proj_size if self.proj_size > 0 else self.hidden_size
            hx = (zeros(*shape, real_hidden_size, dtype=input.dtype, device=input.device),
                  zeros(*shape, self.hidden_size, dtype=input.dtype, device=input.device))
        else:
            want = 3 if is_batched else 2
            if hx[0].dim() != want or hx[1].dim() != want:
                raise RuntimeError(
                    f"For {'batched 3' if is_batched else 'unbatched 2'}-D input, hx and cx "
                    f"should also be {want}-D but got ({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
            if not is_batched:
                hx = (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
        self.check_forward_args(input, hx)
        output, (h_n, c_n) = self._run(input, tuple(hx))
        if not is_batched:
            return output.squeeze(batch_dim), (h_n.squeeze(1), c_n.squeeze(1))
        return output, (h_n, c_n)


# ----------------------------------------------------------------------------------------------
# cells: one time step, the same equations and parameter layout as one layer above
# ----------------------------------------------------------------------------------------------

class RNNCellBase(Module):
    """What the cells share: weight_ih (chunks·hidden_size, input_size), weight_hh
    (chunks·hidden_size, hidden_size), bias_ih and bias_hh (chunks·hidden_size,) (or None),
    all ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) in that order."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device=None, dtype=None) -> None:
        super().__init__()
        kw = dict(device=device, dtype=dtype)
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(empty((num_chunks * hidden_size, input_size), **kw))
        self.weight_hh = Parameter(empty((num_chunks * hidden_size, hidden_size), **kw))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, **kw))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, **kw))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def _check_dims(self, input, hx, what="hidden"):
        """torch's rank checks: input (N, input_size) or (input_size,); each state 1-D or 2-D."""
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        for i, h in enumerate(hx):
            if h.dim() not in (1, 2):
                label = f"hx[{i}]" if what == "hx" else "hidden"
                raise ValueError(f"{name}: Expected {label} to be 1D or 2D, got {h.dim()}D "
                                 f"instead")

    def _step(self, step, input, hx):
        """Checks the (batched) shapes as torch's cell kernels do, then runs one step."""
        if input.size(1) != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.size(1)} "
                               f"expected {self.input_size}")
        for i, h in enumerate(hx):
            if input.size(0) != h.size(0):
                raise RuntimeError(f"Input batch size {input.size(0)} doesn't match hidden{i} "
                                   f"batch size {h.size(0)}")
            if h.size(1) != self.hidden_size:
                raise RuntimeError(f"hidden{i} has inconsistent hidden_size: got {h.size(1)}, "
                                   f"expected {self.hidden_size}")
        gx = F.linear(input, self.weight_ih, self.bias_ih)
        return step(gx, hx, self.weight_hh, self.bias_hh)

    def _zeros(self, input):
        return zeros(input.size(0), self.hidden_size, dtype=input.dtype, device=input.device)

    def _one_state_step(self, steps, kind, input, hx):
        """RNNCell's and GRUCell's forward: one state h, batched or unbatched, zeros by
        default; `steps[kind]` is the cell's step (kind unknown: torch's error)."""
        self._check_dims(input, () if hx is None else (hx,))
        is_batched = input.dim() == 2
        if not is_batched:
            input = input.unsqueeze(0)
        if hx is None:
            hx = self._zeros(input)
        elif not is_batched:
            hx = hx.unsqueeze(0)
        if kind not in steps:
            raise RuntimeError(f"Unknown nonlinearity: {kind}")
        (h,) = self._step(steps[kind], input, (hx,))
        return h if is_batched else h.squeeze(0)


class RNNCell(RNNCellBase):
    """h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh) (relu with nonlinearity='relu').
    forward(input, hx=None) -> h': input (N, input_size) or (input_size,), hx (N, hidden_size)
    or (hidden_size,), zeros by default."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        steps = {"tanh": _rnn_tanh_step, "relu": _rnn_relu_step}
        return self._one_state_step(steps, self.nonlinearity, input, hx)


class LSTMCell(RNNCellBase):
    """i, f, g, o = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh split in 4;  c' = σ(f) c + σ(i) tanh(g);
    h' = σ(o) tanh(c').  forward(input, (h, c)=None) -> (h', c'), shapes as RNNCell's."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        self._check_dims(input, () if hx is None else hx, what="hx")
        is_batched = input.dim() == 2
        if not is_batched:
            input = input.unsqueeze(0)
        if hx is None:
            hx = (self._zeros(input), self._zeros(input))
        elif not is_batched:
            hx = (hx[0].unsqueeze(0), hx[1].unsqueeze(0))
        if not isinstance(hx, (tuple, list)):
            raise TypeError(f"lstm_cell(): argument 'hx' (position 2) must be tuple of Tensors, "
                            f"not {type(hx).__name__}")
        if len(hx) != 2:
            raise RuntimeError("lstm_cell expects two hidden states")
        h, c = self._step(_lstm_step, input, tuple(hx))
        return (h, c) if is_batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """r = σ(x_r + h_r), z = σ(x_z + h_z), n = tanh(x_n + r ⊙ h_n), h' = (1 - z) ⊙ n + z ⊙ h
    (x_* / h_* the thirds of x W_ihᵀ + b_ih and h W_hhᵀ + b_hh).  forward(input, hx=None) ->
    h', shapes as RNNCell's."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        return self._one_state_step({"gru": _gru_step}, "gru", input, hx)
