"""Op-table rows for convolutions, poolings and batch / group / instance norm (see op_db.py for
the row format).  Shapes stay small so gradcheck and gradgradcheck (float64 finite differences)
run quickly; max-pool inputs have distinct values (D) so no window has a tie; running statistics
are passed as arrays that never require grad (`nograd`).  Error cases carry torch's message."""
from __future__ import annotations

from .op_db import Case, D, U, row


def _F(m):
    return m.nn.functional


def _x(rng, shape):
    return U(rng, shape, avoid=())


# ***** convolutions *****

def _conv_cases(nd):
    def cases(rng):
        S = {1: (7,), 2: (5, 6), 3: (4, 4, 3)}[nd]
        K = {1: (3,), 2: (3, 2), 3: (2, 2, 2)}[nd]
        combos = [dict(), dict(stride=2), dict(padding=1), dict(dilation=2),
                  dict(stride=2, padding=1, dilation=1, groups=2), dict(groups=4),
                  dict(padding="same"), dict(padding="valid"), dict(stride=(2,) * nd),
                  dict(padding=(1,) * nd, dilation=(2,) * nd)]
        if nd == 3:
            combos = combos[:6]
        for kw in combos:
            g = kw.get("groups", 1)
            # (torch checks the bias's dtype only without a padding string: no mixed dtypes)
            yield Case((_x(rng, (2, 4) + S), _x(rng, (6 if g != 4 else 4, 4 // g) + K),
                        _x(rng, (6 if g != 4 else 4,))), kw,
                       mixed=not isinstance(kw.get("padding"), str))
        yield Case((_x(rng, (2, 4) + S), _x(rng, (3, 4) + K), None), {"padding": 1})
        yield Case((_x(rng, (4,) + S), _x(rng, (3, 4) + K), _x(rng, (3,))), {})     # unbatched
        yield Case((_x(rng, (2, 4) + S), _x(rng, (3, 4) + K), _x(rng, (3,))), {}, nograd=(0,))
        yield Case((_x(rng, (2, 4) + S), _x(rng, (3, 4) + K), _x(rng, (3,))), {}, nograd=(1, 2))
        if nd == 2:
            yield Case((_x(rng, (2, 4, 5, 6)), _x(rng, (6, 4, 2, 3)), None), {"padding": "same"},
                       mixed=False)                              # even kernel: ConstantPadNd
            yield Case((_x(rng, (2, 4, 5, 6)), _x(rng, (6, 4, 3, 3)), None),
                       {"padding": "same", "dilation": 2})
            # errors
            yield Case((_x(rng, (2, 4, 5, 5)), _x(rng, (6, 3, 3, 3)), None), {},
                       error=RuntimeError)                        # channel mismatch
            yield Case((_x(rng, (2, 4, 5, 5)), _x(rng, (6, 4, 6, 3)), None), {},
                       error=RuntimeError)                        # kernel larger than input
            yield Case((_x(rng, (2, 4, 5, 5)), _x(rng, (5, 2, 3, 3)), None), {"groups": 2},
                       error=RuntimeError)                        # Co not divisible by groups
            yield Case((_x(rng, (2, 4, 5, 5)), _x(rng, (6, 2, 3, 3)), None), {"groups": 3},
                       error=RuntimeError)                        # bad groups
            yield Case((_x(rng, (2, 4, 5, 5)), _x(rng, (6, 4, 3, 3)), None), {"groups": 0},
                       error=RuntimeError)
            yield Case((_x(rng, (5, 5)), _x(rng, (6, 4, 3, 3)), None), {}, error=RuntimeError)
            yield Case((_x(rng, (1, 2, 4, 5, 5)), _x(rng, (6, 4, 3, 3)), None), {},
                       error=RuntimeError)                        # wrong ndim
            yield Case((_x(rng, (2, 4, 5, 5)), _x(rng, (6, 4, 3)), None), {}, error=RuntimeError)
            yield Case((_x(rng, (2, 4, 5, 5)), _x(rng, (6, 4, 3, 3)), _x(rng, (5,))), {},
                       error=RuntimeError)                        # bias size
            yield Case((_x(rng, (2, 4, 5, 5)), _x(rng, (6, 4, 3, 3)), None), {"stride": 0},
                       error=RuntimeError)
            yield Case((_x(rng, (2, 4, 5, 5)), _x(rng, (6, 4, 3, 3)), None), {"padding": -1},
                       error=RuntimeError)
            yield Case((_x(rng, (2, 4, 5, 5)), _x(rng, (6, 4, 3, 3)), None), {"dilation": 0},
                       error=RuntimeError)
            yield Case((_x(rng, (2, 4, 5, 5)), _x(rng, (6, 4, 3, 3)), None),
                       {"padding": "same", "stride": 2}, error=RuntimeError)
            yield Case((_x(rng, (2, 4, 5, 5)), _x(rng, (6, 4, 3, 3)), None),
                       {"padding": "full"}, error=RuntimeError)
            yield Case((_x(rng, (2, 4, 5, 5)), _x(rng, (6, 4, 3, 3)), None),
                       {"stride": (1, 2, 3)}, error=RuntimeError)
    return cases


for _nd in (1, 2, 3):
    row(f"conv{_nd}d", lambda m, x, w, b, nd=_nd, **k: getattr(_F(m), f"conv{nd}d")(x, w, b, **k),
        _conv_cases(_nd),
        node=lambda c: "SqueezeBackward1" if c.args[0].ndim == c.args[1].ndim - 1
        else "ConvolutionBackward0", depth=3)


def _convt_cases(nd):
    def cases(rng):
        S = {1: (5,), 2: (4, 3), 3: (3, 2, 3)}[nd]
        K = {1: (3,), 2: (3, 2), 3: (2, 2, 2)}[nd]
        combos = [dict(), dict(stride=2), dict(stride=2, padding=1, output_padding=1),
                  dict(dilation=2), dict(groups=2, stride=(2,) * nd),
                  dict(stride=3, dilation=2, output_padding=2)]
        if nd == 3:                     # (its 3-d output makes gradgradcheck slow)
            combos = combos[:5]
        for kw in combos:
            g = kw.get("groups", 1)
            # (a bias of another dtype: torch's kernels accept or refuse it case by case; the
            # conv rows check the plain path's refusal)
            yield Case((_x(rng, (2, 4) + S), _x(rng, (4, 6 // g) + K), _x(rng, (6,))), kw,
                       mixed=False)
        yield Case((_x(rng, (2, 4) + S), _x(rng, (4, 3) + K), None), {"padding": 1})
        yield Case((_x(rng, (4,) + S), _x(rng, (4, 3) + K), _x(rng, (3,))), {},
                   mixed=False)                                                   # unbatched
        if nd == 2:
            yield Case((_x(rng, (2, 4, 4, 3)), _x(rng, (3, 3, 3, 3)), None), {},
                       error=RuntimeError)                        # channel mismatch
            yield Case((_x(rng, (2, 4, 4, 3)), _x(rng, (4, 3, 3, 3)), None),
                       {"output_padding": 1}, error=RuntimeError)
            yield Case((_x(rng, (2, 4, 4, 3)), _x(rng, (4, 3, 3, 3)), None), {"padding": 4},
                       error=RuntimeError)
            yield Case((_x(rng, (2, 4, 4, 3)), _x(rng, (4, 3, 3, 3)), _x(rng, (4,))), {},
                       error=RuntimeError)                        # bias size
    return cases


for _nd in (1, 2, 3):
    row(f"conv_transpose{_nd}d",
        lambda m, x, w, b, nd=_nd, **k: getattr(_F(m), f"conv_transpose{nd}d")(x, w, b, **k),
        _convt_cases(_nd),
        node=lambda c: "SqueezeBackward1" if c.args[0].ndim == c.args[1].ndim - 1
        else "ConvolutionBackward0", depth=3)


# ***** pooling *****

def _pool2d_cases(rng, extra=()):
    combos = [dict(kernel_size=2), dict(kernel_size=3, stride=2), dict(kernel_size=(2, 3)),
              dict(kernel_size=3, stride=1, padding=1), dict(kernel_size=2, stride=2, ceil_mode=True),
              dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
              dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 0))] + list(extra)
    for kw in combos:
        yield Case((D(rng, (2, 3, 7, 6)),), kw)
    yield Case((D(rng, (3, 5, 5)),), dict(kernel_size=2))                            # unbatched
    yield Case((D(rng, (2, 3, 5, 5)),), dict(kernel_size=6), error=RuntimeError)      # too small
    yield Case((D(rng, (2, 3, 5, 5)),), dict(kernel_size=2, padding=2), error=RuntimeError)
    yield Case((D(rng, (2, 3, 5, 5)),), dict(kernel_size=2, stride=0), error=RuntimeError)
    yield Case((D(rng, (5, 5)),), dict(kernel_size=2), error=RuntimeError)


def _max_pool2d_cases(rng):
    yield from _pool2d_cases(rng, [dict(kernel_size=2, dilation=2), dict(kernel_size=3, stride=2,
                                   padding=1, dilation=2, ceil_mode=True)])
    yield Case((D(rng, (2, 3, 5, 5)),), dict(kernel_size=2, dilation=0), error=RuntimeError)


def _avg_pool2d_cases(rng):
    yield from _pool2d_cases(rng, [dict(kernel_size=3, padding=1, count_include_pad=False),
                                   dict(kernel_size=3, stride=2, padding=1, ceil_mode=True,
                                        count_include_pad=False),
                                   dict(kernel_size=2, divisor_override=3),
                                   dict(kernel_size=3, stride=2, padding=1, divisor_override=5)])
    yield Case((D(rng, (2, 3, 5, 5)),), dict(kernel_size=2, divisor_override=0),
               error=RuntimeError)


row("max_pool2d", lambda m, x, **k: _F(m).max_pool2d(x, **k), _max_pool2d_cases,
    node="MaxPool2DWithIndicesBackward0")
row("max_pool2d_indices", lambda m, x, **k: _F(m).max_pool2d(x, return_indices=True, **k),
    _max_pool2d_cases, node="MaxPool2DWithIndicesBackward0")
row("avg_pool2d", lambda m, x, **k: _F(m).avg_pool2d(x, **k), _avg_pool2d_cases,
    node="AvgPool2DBackward0")


def _pool1d_cases(rng, extra=()):
    combos = [dict(kernel_size=2), dict(kernel_size=3, stride=2), dict(kernel_size=3, padding=1),
              dict(kernel_size=2, ceil_mode=True), dict(kernel_size=3, stride=2, padding=1,
                                                       ceil_mode=True)] + list(extra)
    for kw in combos:
        yield Case((D(rng, (2, 3, 9)),), kw)
    yield Case((D(rng, (3, 7)),), dict(kernel_size=2))                              # unbatched
    yield Case((D(rng, (2, 3, 3)),), dict(kernel_size=4), error=RuntimeError)
    yield Case((D(rng, (7,)),), dict(kernel_size=2), error=RuntimeError)
    yield Case((D(rng, (2, 3, 7)),), dict(kernel_size=2, padding=2), error=RuntimeError)


row("max_pool1d", lambda m, x, **k: _F(m).max_pool1d(x, **k),
    lambda rng: _pool1d_cases(rng, [dict(kernel_size=2, dilation=3)]),
    node="SqueezeBackward1", depth=3)
row("max_pool1d_indices", lambda m, x, **k: _F(m).max_pool1d(x, return_indices=True, **k),
    lambda rng: _pool1d_cases(rng, [dict(kernel_size=2, dilation=3)]),
    node="SqueezeBackward1", depth=3)
row("avg_pool1d", lambda m, x, **k: _F(m).avg_pool1d(x, **k),
    lambda rng: _pool1d_cases(rng, [dict(kernel_size=3, padding=1, count_include_pad=False)]),
    node="SqueezeBackward1", depth=3)


def _adaptive2d_cases(rng, avg):
    for out in (3, (2, 4), (7, 6), (5, 1), 1, (1, 1), (None, 2), 4):
        yield Case((D(rng, (2, 3, 7, 6)),), dict(output_size=out))
    yield Case((D(rng, (3, 5, 5)),), dict(output_size=2))
    yield Case((D(rng, (5, 5)),), dict(output_size=2), error=RuntimeError)
    yield Case((D(rng, (2, 3, 0, 5)),), dict(output_size=2), error=RuntimeError, gradcheck=False)
    if avg:
        yield Case((D(rng, (2, 3, 5, 5)),), dict(output_size=(2, 2, 2)), error=RuntimeError)


def _adaptive_avg_node(c):
    out = c.kwargs["output_size"]
    return "MeanBackward1" if out in (1, (1, 1)) else "AdaptiveAvgPool2DBackward0"


row("adaptive_avg_pool2d", lambda m, x, **k: _F(m).adaptive_avg_pool2d(x, **k),
    lambda rng: _adaptive2d_cases(rng, True), node=_adaptive_avg_node)
row("adaptive_max_pool2d", lambda m, x, **k: _F(m).adaptive_max_pool2d(x, **k),
    lambda rng: _adaptive2d_cases(rng, False), node="AdaptiveMaxPool2DBackward0")
row("adaptive_max_pool2d_indices",
    lambda m, x, **k: _F(m).adaptive_max_pool2d(x, return_indices=True, **k),
    lambda rng: _adaptive2d_cases(rng, False), node="AdaptiveMaxPool2DBackward0")


def _adaptive1d_cases(rng):
    for out in (3, 1, 9, 4):
        yield Case((D(rng, (2, 3, 9)),), dict(output_size=out))
    yield Case((D(rng, (3, 7)),), dict(output_size=2))
    yield Case((D(rng, (7,)),), dict(output_size=2), error=RuntimeError)


row("adaptive_avg_pool1d", lambda m, x, **k: _F(m).adaptive_avg_pool1d(x, **k),
    _adaptive1d_cases, node="SqueezeBackward1", depth=3)
row("adaptive_max_pool1d", lambda m, x, **k: _F(m).adaptive_max_pool1d(x, **k),
    _adaptive1d_cases, node="SqueezeBackward1", depth=3)


# ***** normalisation *****

def _bn_cases(rng):
    for shape in ((4, 3), (3, 3, 5), (2, 3, 4, 3)):
        C = shape[1]
        yield Case((_x(rng, shape), _x(rng, (C,)), U(rng, (C,), 0.5, 2.0) * 0 + 1.5,
                    _x(rng, (C,)), _x(rng, (C,))), dict(training=True), nograd=(1, 2))
        yield Case((_x(rng, shape), _x(rng, (C,)), U(rng, (C,), 0.5, 2.0, avoid=()),
                    _x(rng, (C,)), _x(rng, (C,))), dict(training=False), nograd=(1, 2))
        yield Case((_x(rng, shape), None, None, None, None), dict(training=True))
    yield Case((_x(rng, (2, 3, 4)), None, None, _x(rng, (3,)), None),
               dict(training=True, momentum=0.3, eps=1e-3))
    yield Case((_x(rng, (2, 3, 4)), _x(rng, (3,)), U(rng, (3,), 0.5, 2.0, avoid=()), None,
                None), dict(training=False, eps=0.1), nograd=(1, 2))
    yield Case((_x(rng, (1, 3)), None, None, None, None), dict(training=True), error=ValueError)
    yield Case((_x(rng, (2, 3, 4)), None, None, _x(rng, (2,)), None), dict(training=True),
               error=RuntimeError)
    yield Case((_x(rng, (2, 3, 4)), _x(rng, (2,)), _x(rng, (2,)), None, None),
               dict(training=True), error=RuntimeError, nograd=(1, 2))
    yield Case((_x(rng, (2, 3, 4)), None, None, None, None), dict(training=False),
               error=RuntimeError)


row("batch_norm", lambda m, x, rm, rv, w, b, **k: _F(m).batch_norm(x, rm, rv, w, b, **k),
    _bn_cases, node="NativeBatchNormBackward0", ints=False)
row("batch_norm_stats_after",
    lambda m, x, rm, rv, w, b, **k: (_F(m).batch_norm(x, rm, rv, w, b, **k), rm * 1, rv * 1),
    lambda rng: [Case((_x(rng, (3, 2, 4)), _x(rng, (2,)), U(rng, (2,), 0.5, 2.0, avoid=()),
                       _x(rng, (2,)), _x(rng, (2,))), dict(training=True, momentum=0.25),
                      nograd=(1, 2))],
    node="NativeBatchNormBackward0", ints=False, depth=1)


def _gn_cases(rng):
    for shape, G in (((2, 4, 5), 2), ((2, 6, 3, 4), 3), ((3, 4), 4), ((2, 4, 3, 3), 1)):
        C = shape[1]
        yield Case((_x(rng, shape), _x(rng, (C,)), _x(rng, (C,))), dict(num_groups=G))
        yield Case((_x(rng, shape), None, None), dict(num_groups=G, eps=1e-3))
    yield Case((_x(rng, (2, 4, 3)), _x(rng, (4,)), None), dict(num_groups=2))
    yield Case((_x(rng, (2, 4, 3)), None, None), dict(num_groups=3), error=RuntimeError)
    yield Case((_x(rng, (2, 4, 3)), _x(rng, (3,)), None), dict(num_groups=2), error=RuntimeError)
    yield Case((_x(rng, (4,)), None, None), dict(num_groups=2), error=RuntimeError)
    yield Case((_x(rng, (1, 2, 1)), None, None), dict(num_groups=2), error=ValueError)


row("group_norm", lambda m, x, w, b, **k: _F(m).group_norm(x, weight=w, bias=b, **k), _gn_cases,
    node="NativeGroupNormBackward0", ints=False)


def _in_cases(rng):
    yield Case((_x(rng, (2, 3, 5)), None, None, None, None), {})
    yield Case((_x(rng, (2, 3, 4, 3)), None, None, _x(rng, (3,)), _x(rng, (3,))), {})
    yield Case((_x(rng, (2, 3, 4)), _x(rng, (3,)), U(rng, (3,), 0.5, 2.0, avoid=()), None, None),
               dict(momentum=0.2), nograd=(1, 2))
    yield Case((_x(rng, (2, 3, 4)), _x(rng, (3,)), U(rng, (3,), 0.5, 2.0, avoid=()),
                _x(rng, (3,)), None), dict(use_input_stats=False), nograd=(1, 2))
    yield Case((_x(rng, (2, 3, 1)), None, None, None, None), {}, error=ValueError)
    yield Case((_x(rng, (2, 3, 4)), None, None, None, None), dict(use_input_stats=False),
               error=RuntimeError)


row("instance_norm", lambda m, x, rm, rv, w, b, **k: _F(m).instance_norm(x, rm, rv, w, b, **k),
    _in_cases, node="ViewBackward0", ints=False)
