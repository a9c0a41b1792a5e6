"""torch's CPU random numbers: the Generator and the distributions ATen draws from it.

The Generator is torch's: a 32-bit Mersenne Twister (mt19937) seeded with the standard
init_genrand of the seed's low 32 bits (the full 64-bit seed is kept for initial_seed()), held
in NumPy's own MT19937 bit generator so that words come out in bulk (full-range uint32 integers
are its raw outputs; full-range uint64 ones are (w1 << 32) | w2, torch's random64() - both
checked at import).  Its state travels as torch's 5056-byte CPUGeneratorImplState
(get_rng_state / set_rng_state take torch's tensors and give ones torch takes), the cached second
Box-Muller sample included.

Each distribution follows torch 2.13's CPU kernel word for word (aten/src/ATen/core/
DistributionsHelper.h, TransformationHelper.h, native/cpu/DistributionTemplates.h, and where the
stored sources are older, what the installed torch was measured to do):

  uniform      one 32-bit word per float/half/bfloat16 value, 24 bits of it: x = w·2⁻²⁴, then
               x·(to-from)+from as one fused multiply-add in float (half types: rounded after);
               a double takes random64(), 53 bits.  A value that rounds onto `to` becomes `from`.
  normal       contiguous tensors of >= 16 elements: a uniform per element, then Box-Muller over
               chunks of 16 (u1 = 1-x[j], u2 = x[j+8], j < 8), the last 16 drawn again when 16
               does not divide n.  float32 is the AVX2 kernel: avx_mathfun.h's log and sincos
               polynomials with the multiply-adds GCC fuses, emulated exactly (products in
               float64, each rounding to float32 where the kernel rounds); half and bfloat16 run
               that float32 kernel 16 uniforms at a time; double uses libm's log/cos/sin.  Smaller
               or strided tensors: normal_distribution<double>, one pair (sqrt(-2·log1p(-u2)),
               2π·u1) per two values, the sine cached in the generator for the next draw.
  random_      (w mod range) + from: one word, or random64() for ranges >= 2²⁸.
  randperm     n < 2³²/20: swaps i <-> i + (w mod (n-i)); larger n: 64-bit inside-out shuffle.
  bernoulli    a double uniform < p (p a number); a p tensor: double uniforms for a double p, a
               float uniform (one word) otherwise.  Dropout is bernoulli_(1-p) then div_(1-p).
  exponential  -1/λ·log1p(-u); geometric ceil(log u / log(1-p)); cauchy m + σ·tan(π(u-½));
               log_normal exp of normal_distribution<double> (sharing the cached sample).
  multinomial  with replacement: a double uniform searched in the normalised cumulative
               distribution; without (or one sample): argmax / topk of p / Exp(1).

Exact where NumPy's float64 log/log1p/sin/cos/tan equal the C library's (they do on the x86-64
machines tested; NumPy's AVX-512 code paths may differ in a last bit) and up to double
rounding in the fused multiply-add emulation (a float32 result one ulp off with probability
~2⁻²⁹ per fused operation).  Approximate: the order of exactly tied p/q among multinomial's
draws without replacement (torch's topk orders ties its own way), trunc_normal_'s float32
log of its acceptance uniforms (correctly rounded here, SLEEF's within 1 ulp in torch), and
results that go on through LAPACK (nn.init.orthogonal_'s QR).
"""
from __future__ import annotations

import math
import numbers
import os
import struct
import warnings

import numpy as np

from .. import dtypes as _dt
from ..tensor import Size, Tensor
from ..autograd.function import Op
from ._args import not_implemented
from ._util import (alloc, check_shape, factory_options, factory_result, into_out, out_dtype,
                    scalar_type_name, shape_arg, size_arg, wrap, zero_grad_like)

__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed",
           "get_rng_state", "set_rng_state", "rand", "randn", "randint", "randperm", "rand_like",
           "randn_like", "randint_like", "normal", "multinomial", "bernoulli"]

_DEFAULT_SEED = 67280421310721          # c10's default_rng_seed_val
_N = 624                                # mt19937 state words
_STATE_SIZE = 5056                      # sizeof(CPUGeneratorImplState)
_F32, _F64 = np.float32, np.float64


# ------------------------------------------------------------------------------------------------
# the generator
# ------------------------------------------------------------------------------------------------

def _init_genrand(seed32: int) -> np.ndarray:
    """mt19937's state for a 32-bit seed (init_genrand):
    s[j] = 1812433253·(s[j-1] ^ s[j-1]>>30) + j  (mod 2³²)."""
    key = [seed32]
    prev = seed32
    for j in range(1, _N):
        prev = (1812433253 * (prev ^ (prev >> 30)) + j) & 0xFFFFFFFF
        key.append(prev)
    return np.array(key, dtype=np.uint32)


def _temper(y: np.ndarray) -> np.ndarray:
    y = y.astype(np.uint32)
    y ^= y >> np.uint32(11)
    y ^= (y << np.uint32(7)) & np.uint32(0x9D2C5680)
    y ^= (y << np.uint32(15)) & np.uint32(0xEFC60000)
    y ^= y >> np.uint32(18)
    return y


def _seed_arg(seed) -> int:
    """torch's Generator.manual_seed argument: an int in [-2⁶³, 2⁶⁴), negative ones wrapped."""
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (numbers.Integral, Tensor)):
        raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
    if isinstance(seed, Tensor):
        seed = seed.item()
    seed = int(seed)
    if not -2 ** 63 <= seed < 2 ** 64:
        raise ValueError("Overflow when unpacking long long")
    return seed & 0xFFFF_FFFF_FFFF_FFFF


class Generator:
    """torch.Generator for the CPU: mt19937 with torch's seeding, state format and streams."""

    def __init__(self, device="cpu"):
        from ..tensor import check_device
        check_device(device)             # (the CPU only)
        self._bg = np.random.MT19937(0)
        self._np = np.random.Generator(self._bg)
        self.manual_seed(_DEFAULT_SEED)

    # -- seeding -------------------------------------------------------------------------------
    def manual_seed(self, seed) -> "Generator":
        """Seed the generator: mt19937 state from the low 32 bits (torch keeps all 64 for
        initial_seed()); the cached normal samples are dropped."""
        seed = _seed_arg(seed)
        self._seed = seed
        self._set_engine(_init_genrand(seed & 0xFFFFFFFF), _N, None)
        self._fresh = True               # torch's state reads left=1, next=0 until the first draw
        self._next_double = None
        self._next_float = None
        return self

    def seed(self) -> int:
        """Seed from a nondeterministic source; returns the seed."""
        s = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._seed

    @property
    def device(self):
        from ..tensor import device
        return device("cpu")

    # -- state ---------------------------------------------------------------------------------
    def _set_engine(self, key, pos, prefix):
        self._bg.state = {"bit_generator": "MT19937",
                          "state": {"key": np.asarray(key, dtype=np.uint32), "pos": int(pos)}}
        self._pre = prefix               # (words, consumed, next0): a state where left+next != 625

    def get_state(self):
        """torch's CPUGeneratorImplState as a uint8 tensor of 5056 bytes."""
        st = self._bg.state["state"]
        key, pos = np.asarray(st["key"], dtype=np.uint32), int(st["pos"])
        if self._pre is not None:
            words, used, next0 = self._pre
            left, nxt = len(words) - used + 1, next0 + used
        elif self._fresh:
            left, nxt = 1, 0
        else:
            left, nxt = _N + 1 - pos, pos
        nd, nf = self._next_double, self._next_float
        raw = (struct.pack("<QiiQ", self._seed, left, 1, nxt) + key.astype("<u8").tobytes()
               + struct.pack("<dddi4x", 0.0, 0.0 if nd is None else nd, 0.0, nd is not None)
               + struct.pack("<f?3x", 0.0 if nf is None else nf, nf is not None))
        return wrap(np.frombuffer(raw, dtype=np.uint8).copy())

    def set_state(self, new_state) -> "Generator":
        """Restore a state from get_state() (ours or torch's)."""
        if not isinstance(new_state, Tensor):
            raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
        arr = new_state._data
        if arr.dtype != np.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        if arr.size != _STATE_SIZE:
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size {_STATE_SIZE} but found "
                               f"the input RNG state size to be {arr.size}")
        raw = np.ascontiguousarray(arr).reshape(-1).tobytes()
        seed, left, seeded, nxt = struct.unpack_from("<QiiQ", raw, 0)
        key = np.frombuffer(raw, dtype="<u8", count=_N, offset=24).astype(np.uint32)
        _x, normal_y, _rho, normal_valid = struct.unpack_from("<dddi", raw, 24 + 8 * _N)
        next_float, float_valid = struct.unpack_from("<f?", raw, 24 + 8 * _N + 32)
        nxt &= 0xFFFFFFFF
        if not (seeded and 0 < left <= _N and nxt <= _N):
            raise RuntimeError("Invalid mt19937 state")
        self._seed = seed
        self._fresh = False
        if left + nxt == _N + 1:
            self._set_engine(key, nxt, None)
        elif left == 1:                  # regenerates at the next draw (a fresh seed: next=0)
            self._set_engine(key, _N, None)
            self._fresh = nxt == 0
        else:                            # words key[next:next+left-1] first, then a regeneration
            words = _temper(key[nxt:nxt + left - 1])
            self._set_engine(key, _N, (words, 0, nxt))
        self._next_double = float(normal_y) if normal_valid else None
        self._next_float = float(next_float) if float_valid else None
        return self

    def __getstate__(self):
        return {"state": self.get_state()._data.tobytes()}

    def __setstate__(self, d):
        self._bg = np.random.MT19937(0)
        self._np = np.random.Generator(self._bg)
        self._seed = 0
        self.set_state(wrap(np.frombuffer(d["state"], dtype=np.uint8).copy()))

    def __repr__(self):
        return f"<zerograd.Generator object at {hex(id(self))}>"

    # -- raw draws -----------------------------------------------------------------------------
    def _words(self, n: int) -> np.ndarray:
        """The next n 32-bit outputs (torch's random()), as uint32."""
        n = int(n)
        if n <= 0:
            return np.empty(0, np.uint32)
        self._fresh = False
        if self._pre is not None:
            words, used, next0 = self._pre
            k = min(n, len(words) - used)
            head = words[used:used + k]
            if used + k == len(words):
                self._pre = None
            else:
                self._pre = (words, used + k, next0)
            if k == n:
                return head.copy()
            return np.concatenate([head, self._words(n - k)])
        # full-range uint32 integers are mt19937's next32 outputs, in order (checked at import)
        return self._np.integers(0, 1 << 32, size=n, dtype=np.uint32)

    def _words64(self, n: int) -> np.ndarray:
        """The next n random64() values: two words each, the first the high half."""
        n = int(n)
        if n > 0 and self._pre is None and _NEXT64_IS_RANDOM64:
            self._fresh = False
            return self._np.integers(0, 1 << 64, size=n, dtype=np.uint64)
        w = self._words(2 * n).astype(np.uint64).reshape(-1, 2)
        v = w[:, 0] << np.uint64(32)
        v |= w[:, 1]
        return v


def _check_numpy_draws() -> bool:
    """Whether NumPy's MT19937 gives full-range uint64 integers as (next32 << 32) | next32, the
    first word high - torch's random64() - and full-range uint32 integers as next32."""
    a, b = np.random.MT19937(0), np.random.MT19937(0)
    raw = a.random_raw(6).astype(np.uint64)
    g = np.random.Generator(b)
    w32 = g.integers(0, 1 << 32, size=2, dtype=np.uint32)
    w64 = g.integers(0, 1 << 64, size=2, dtype=np.uint64)
    if not np.array_equal(w32, raw[:2]):
        raise ImportError("NumPy's MT19937 does not give its raw words through integers()")
    return bool(np.array_equal(w64, (raw[2::2] << np.uint64(32)) | raw[3::2]))


_NEXT64_IS_RANDOM64 = _check_numpy_draws()


default_generator = Generator()


def _gen(generator) -> Generator:
    if generator is None:
        return default_generator
    if not isinstance(generator, Generator):
        raise TypeError(f"expected a Generator, but got {type(generator).__name__}")
    return generator


def manual_seed(seed) -> Generator:
    """Seed the default generator (every random function uses it unless given `generator=`)."""
    if isinstance(seed, (str, bytes, float, np.floating)) or isinstance(seed, (bool, np.bool_)):
        seed = int(seed)                 # torch.manual_seed does int(seed) first
    return default_generator.manual_seed(seed)


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    default_generator.set_state(new_state)


# ------------------------------------------------------------------------------------------------
# uniforms and exact fused multiply-adds
# ------------------------------------------------------------------------------------------------

def _u24(w: np.ndarray) -> np.ndarray:
    """uniform_real_distribution<float>(0, 1): the low 24 bits of a word times 2⁻²⁴ (exact)."""
    w &= np.uint32(0xFFFFFF)
    x = w.astype(_F32)
    x *= _F32(2.0 ** -24)
    return x


def _u53(v: np.ndarray) -> np.ndarray:
    """uniform_real_distribution<double>(0, 1): the low 53 bits of random64() times 2⁻⁵³."""
    v &= np.uint64((1 << 53) - 1)
    x = v.astype(_F64)
    x *= 2.0 ** -53
    return x


def _fma32(a, b, c):
    """round_to_float32(a·b + c) for float32 a, b, c: the product is exact in float64."""
    t = np.multiply(a, b, dtype=_F64)
    t += c
    return t.astype(_F32)


def _two_prod(a, b):
    split = 134217729.0                  # 2^27 + 1 (Dekker)
    p = a * b
    ca = split * a
    ah = ca - (ca - a)
    al = a - ah
    cb = split * b
    bh = cb - (cb - b)
    bl = b - bh
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    return p, e


def _fma64(a, b, c):
    """a·b + c with one rounding (float64), by error-free transformations: the product's error
    (Dekker) and the sum's (Knuth) added back.  Where the parts overflow it falls back to a·b+c."""
    a = np.asarray(a, _F64)
    b = np.asarray(b, _F64)
    c = np.asarray(c, _F64)
    with np.errstate(over="ignore", invalid="ignore"):
        p, e = _two_prod(a, b)
        s = p + c
        bb = s - p
        t = (p - (s - bb)) + (c - bb)
        r = s + (t + e)
    bad = ~np.isfinite(r)
    if np.any(bad):
        r = np.where(bad, a * b + c, r)
    return r


def _cast(values64_or_32, npd):
    """static_cast<scalar_t>: to half/bfloat16 through float (as c10 converts a double)."""
    npd = np.dtype(npd)
    if npd.itemsize == 2 and npd.kind == "f" or npd.name == "bfloat16":
        return np.asarray(values64_or_32).astype(_F32).astype(npd)
    return np.asarray(values64_or_32).astype(npd)


def _mem_view(out: np.ndarray) -> np.ndarray:
    """A view of `out` whose C order is its memory order: the order in which TensorIterator
    visits the elements of one output (dimensions sorted by stride)."""
    if out.flags.c_contiguous or out.ndim <= 1:
        return out
    perm = sorted(range(out.ndim), key=lambda d: (-abs(out.strides[d]), d))
    return out.transpose(perm)


def _put(out: np.ndarray, flat: np.ndarray, like: np.ndarray = None) -> np.ndarray:
    """Write values drawn in iteration order into `out` (of `like`'s shape): the order is that
    of `like`'s memory (the tensor being filled), `out` any array of its shape."""
    like = out if like is None else like
    if like.flags.c_contiguous or like.ndim <= 1:
        out[...] = flat.reshape(out.shape)
        return out
    perm = sorted(range(like.ndim), key=lambda d: (-abs(like.strides[d]), d))
    v = out.transpose(perm)
    v[...] = flat.reshape(v.shape)
    return out


def _is_float(npd) -> bool:
    return np.dtype(npd).kind == "f" or np.dtype(npd).name == "bfloat16"


def _limits(npd):
    if np.dtype(npd).name == "bfloat16":
        return -3.3895313892515355e38, 3.3895313892515355e38, 8
    fi = np.finfo(npd)
    return float(fi.min), float(fi.max), fi.nmant + 1


_TYPE_META = {"float32": "float", "float64": "double", "float16": "c10::Half",
              "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int",
              "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
              "bool": "bool"}


def _fmt(v) -> str:
    """A double as C++'s ostream prints it (6 significant digits, %g)."""
    v = float(v)
    if v == int(v) and abs(v) < 1e16:
        return str(int(v))
    return f"{v:g}"


# ------------------------------------------------------------------------------------------------
# uniform_
# ------------------------------------------------------------------------------------------------

def _check_uniform(npd, a, b):
    npd = np.dtype(npd)
    if not _is_float(npd):
        not_implemented("check_uniform_bounds", npd)
    lo, hi, _ = _limits(npd)
    name = _TYPE_META[npd.name]
    if not lo <= a <= hi:
        raise RuntimeError(f"from is out of bounds for {name}")
    if not lo <= b <= hi:
        raise RuntimeError(f"to is out of bounds for {name}")
    if a > b:
        raise RuntimeError("uniform_ expects to return a [from, to) range, but found "
                           f"from={_fmt(a)} > to={_fmt(b)}")
    if b - a > hi:
        raise RuntimeError(f"uniform_ expects to-from <= std::numeric_limits<"
                           f"{scalar_type_name(npd)}>::max(), but found to={_fmt(b)} and "
                           f"from={_fmt(a)} which result in to-from to exceed the limit")


def _uniform_flat(g: Generator, n: int, npd, a: float, b: float, out=None) -> np.ndarray:
    """n values of torch's uniform_(a, b) for dtype npd, in iteration order (into `out`, a 1-D
    array of n, when given).  Drawn in blocks: a weight of 400k elements would otherwise leave
    ~10 MiB of float64 temporaries behind in the process's heap."""
    npd = np.dtype(npd)
    if out is None:
        out = np.empty(n, npd)
    for s in range(0, n, _U_BLOCK):
        k = min(_U_BLOCK, n - s)
        out[s:s + k] = _uniform_block(g, k, npd, a, b)
    return out


_U_BLOCK = 1 << 16


def _uniform_block(g: Generator, n: int, npd, a: float, b: float) -> np.ndarray:
    if npd == np.float64:
        x = _u53(g._words64(n))
        if a == 0.0 and b == 1.0:
            return x
        v = _fma64(x, b - a, a)
        v[v == b] = a
        return v
    fa, fb = _F32(a), _F32(b)
    x = _u24(g._words(n))
    if fa == 0 and fb == 1:
        v = x
    else:
        v = _fma32(x, fb - fa, fa)
    if npd == np.float32:
        v[v == fb] = fa
        return v
    v = v.astype(npd)
    to, frm = np.asarray(b).astype(_F32).astype(npd), np.asarray(a).astype(_F32).astype(npd)
    v[v == to] = frm
    return v


def uniform_values(t_or_arr, a=0.0, b=1.0, generator=None) -> np.ndarray:
    """An array laid out like the tensor's, filled as torch's tensor.uniform_(a, b) would."""
    arr = t_or_arr._data if isinstance(t_or_arr, Tensor) else t_or_arr
    a, b = float(a), float(b)
    _check_uniform(arr.dtype, a, b)
    out = np.empty_like(arr)
    if out.size:
        if out.flags.c_contiguous and (arr.flags.c_contiguous or arr.ndim <= 1):
            _uniform_flat(_gen(generator), out.size, arr.dtype, a, b, out.reshape(-1))
        else:
            _put(out, _uniform_flat(_gen(generator), out.size, arr.dtype, a, b), arr)
    return out


# ------------------------------------------------------------------------------------------------
# normal_
# ------------------------------------------------------------------------------------------------

# avx_mathfun.h's constants (cephes)
_SQRTHF = _F32(0.707106781186547524)
_LOG_P = [_F32(c) for c in (7.0376836292E-2, -1.1514610310E-1, 1.1676998740E-1,
                            -1.2420140846E-1, 1.4249322787E-1, -1.6668057665E-1,
                            2.0000714765E-1, -2.4999993993E-1, 3.3333331174E-1)]
_LOG_Q1, _LOG_Q2 = _F32(-2.12194440e-4), _F32(0.693359375)
_DP1, _DP2, _DP3 = _F32(-0.78515625), _F32(-2.4187564849853515625e-4), _F32(-3.77489497744594108e-8)
_SIN_P = [_F32(c) for c in (-1.9515295891E-4, 8.3321608736E-3, -1.6666654611E-1)]
_COS_P = [_F32(c) for c in (2.443315711809948E-005, -1.388731625493765E-003,
                            4.166664568298827E-002)]
_FOPI = _F32(1.27323954473516)
_TWO_PI_F = _F32(2.0 * math.pi)
_BLOCK = 1 << 15                         # pairs per block (keeps the temporaries in cache)


def _horner_fma(y, x64, coeffs, t):
    """y <- round32(y·x + c) for each c (float32 y, its float64 copy's product is exact):
    torch's Horner steps, fused multiply-adds.  t: a float64 work array of y's size."""
    for c in coeffs:
        np.copyto(t, y)
        t *= x64
        t += c
        np.copyto(y, t, casting="same_kind")
    return y


def _log_avx2(x: np.ndarray) -> np.ndarray:
    """avx_mathfun's log256_ps for x in (0, 1], in float32, with the multiply-adds fused as
    torch's AVX2 build fuses them (Horner steps, and y·z + e·q1)."""
    bits = x.view(np.int32)
    m = ((bits & 0x007FFFFF) | 0x3F000000).view(_F32)       # mantissa in [0.5, 1)
    small = (m < _SQRTHF).view(np.int8).astype(_F32)         # 1.0 where m < sqrt(1/2)
    ef = (bits >> 23).astype(_F32)
    ef -= _F32(126)
    ef -= small                                              # the exponent, exact
    xm = m - _F32(1)
    small *= m
    xm += small                                              # m-1, or (m-1)+m: as the kernel
    x64 = xm.astype(_F64)
    t = x64 * float(_LOG_P[0])
    t += float(_LOG_P[1])
    y = t.astype(_F32)
    _horner_fma(y, x64, [float(c) for c in _LOG_P[2:]], t)
    y *= xm
    z = xm * xm
    np.copyto(t, y)
    t *= z                                                   # (y·z exact in float64)
    t += ef * _LOG_Q1
    np.copyto(y, t, casting="same_kind")
    z *= _F32(0.5)
    y -= z
    xm += y
    ef *= _LOG_Q2                                            # (exact: fused or not, the same)
    xm += ef
    return xm


def _sincos_avx2(x: np.ndarray):
    """avx_mathfun's sincos256_ps for x >= 0, in float32, multiply-adds fused as torch's."""
    j = (x * _FOPI).astype(np.int32)
    j += 1
    j &= ~1
    y = j.astype(_F32)
    sin_sign = (j & 4) << 29                                 # sign bits to flip
    cos_sign = (~(j - 2) & 4) << 29
    pick_sin_poly = -((j & 2) == 0).view(np.int8).astype(np.int32)   # all ones where (j&2)==0
    r = y * _DP1                                             # (exact products for DP1, DP2)
    r += x
    t = y * _DP2
    r += t
    r64 = y.astype(_F64)
    r64 *= float(_DP3)
    r64 += r
    np.copyto(r, r64, casting="same_kind")                   # fma(y, DP3, r)
    np.copyto(r64, r)
    z = r * r
    z64 = z.astype(_F64)
    t = z64 * float(_COS_P[0])
    t += float(_COS_P[1])
    yc = t.astype(_F32)
    _horner_fma(yc, z64, [float(_COS_P[2])], t)
    yc *= z
    np.copyto(t, yc)
    t *= z64
    z64 *= 0.5
    t -= z64                                                 # fma(yc, z, -z/2)
    np.copyto(yc, t, casting="same_kind")
    yc += _F32(1)
    z64 *= 2.0
    np.multiply(z64, float(_SIN_P[0]), out=t)
    t += float(_SIN_P[1])
    ys = t.astype(_F32)
    _horner_fma(ys, z64, [float(_SIN_P[2])], t)
    ys *= z
    np.copyto(t, ys)
    t *= r64
    t += r64                                                 # fma(ys, r, r)
    np.copyto(ys, t, casting="same_kind")
    yci, ysi = yc.view(np.int32), ys.view(np.int32)
    s = (ysi & pick_sin_poly) | (yci & ~pick_sin_poly)
    c = (yci & pick_sin_poly) | (ysi & ~pick_sin_poly)
    s ^= sin_sign
    c ^= cos_sign
    return s.view(_F32), c.view(_F32)


# float64 log/log1p/sin/cos/tan/exp as the C library computes them (torch's kernels call it
# one element at a time).  NumPy's own ufuncs call the same library on most machines, but where
# NumPy dispatches to its AVX-512 (SVML) loops the last bit can differ for some inputs - then
# one draw in a few thousand (and the generator's cached normal) would differ from torch's.
# Each function is probed once, on first use, against Python's math module (the C library):
# the ufunc is kept if it agrees on every probe, else the values come from math, element by
# element (~70 ns an element instead of ~5).
def _math_log(v):
    return math.log(v) if v > 0 else (-math.inf if v == 0 else math.nan)


def _math_log1p(v):
    return math.log1p(v) if v > -1 else (-math.inf if v == -1 else math.nan)


def _math_exp(v):
    try:
        return math.exp(v)
    except OverflowError:
        return math.inf


def _math_trig(f):
    def g(v):
        return f(v) if math.isfinite(v) else math.nan
    return g


_LIBM = {"log": (np.log, _math_log, (1e-300, 1.0)), "log1p": (np.log1p, _math_log1p, (-1 + 1e-16, 0.0)),
         "sin": (np.sin, _math_trig(math.sin), (0.0, 2 * math.pi)),
         "cos": (np.cos, _math_trig(math.cos), (0.0, 2 * math.pi)),
         "tan": (np.tan, _math_trig(math.tan), (-math.pi / 2, math.pi / 2)),
         "exp": (np.exp, _math_exp, (-700.0, 700.0))}
_LIBM_OK = {}


def _libm(name: str, x: np.ndarray) -> np.ndarray:
    """name(x) for a float64 array, bit for bit the C library's (see above); a new array."""
    ok = _LIBM_OK.get(name)
    ufunc, scalar, (lo, hi) = _LIBM[name]
    if ok is None:
        probe = np.random.default_rng(12345).uniform(lo, hi, 20000)
        if name in ("log", "log1p"):                    # (also the small magnitudes)
            probe = np.concatenate([probe, lo + (hi - lo) * np.geomspace(1e-300, 1, 2000)])
        with np.errstate(all="ignore"):
            ok = _LIBM_OK[name] = bool(np.array_equal(
                ufunc(probe), np.fromiter(map(scalar, probe.tolist()), _F64, probe.size)))
    x = np.asarray(x, _F64)
    if ok:
        with np.errstate(all="ignore"):
            return ufunc(x)
    return np.fromiter(map(scalar, x.ravel().tolist()), _F64, x.size).reshape(x.shape)


def _normal16_f32(u: np.ndarray, mean: float, std: float) -> np.ndarray:
    """normal_fill_16_AVX2 over rows of 16 float32 uniforms (u: (rows, 16)); a new array."""
    out = np.empty_like(u)
    fm, fs = _F32(mean), _F32(std)
    plain = fm == 0 and fs == 1
    for i in range(0, u.shape[0], _BLOCK // 8):
        blk = u[i:i + _BLOCK // 8]
        u1 = _F32(1) - blk[:, :8]
        theta = blk[:, 8:] * _TWO_PI_F
        radius = _log_avx2(u1.reshape(-1))
        radius *= _F32(-2)
        np.sqrt(radius, out=radius)
        s, c = _sincos_avx2(theta.reshape(-1))
        c *= radius
        s *= radius
        if not plain:
            c = _fma32(c, fs, fm)
            s = _fma32(s, fs, fm)
        o = out[i:i + _BLOCK // 8]
        o[:, :8] = c.reshape(-1, 8)
        o[:, 8:] = s.reshape(-1, 8)
    return out


def _normal16_f64(u: np.ndarray, mean: float, std: float) -> np.ndarray:
    """normal_fill_16<double> over rows of 16 double uniforms."""
    radius = _libm("log", 1.0 - u[:, :8])
    radius *= -2.0
    np.sqrt(radius, out=radius)
    theta = u[:, 8:] * (2.0 * math.pi)
    out = np.empty_like(u)
    c, s = out[:, :8], out[:, 8:]
    c[...] = _libm("cos", theta)
    s[...] = _libm("sin", theta)
    c *= radius
    s *= radius
    if not (mean == 0.0 and std == 1.0):
        out[...] = _fma64(out, std, mean)
    return out


def _box_muller_pairs(g: Generator, pairs: int):
    """normal_distribution<double>'s draws: (cos, sin) samples of `pairs` fresh pairs."""
    u = _u53(g._words64(2 * pairs))
    u1, u2 = u[0::2], u[1::2]
    r = np.sqrt(-2.0 * _libm("log1p", -u2))
    theta = 2.0 * math.pi * u1
    return r * _libm("cos", theta), r * _libm("sin", theta)


def _normal_doubles(g: Generator, n: int) -> np.ndarray:
    """n standard normal doubles from normal_distribution<double>, sharing the generator's cached
    second sample (used first; the last pair's sine is cached when n is odd)."""
    out = np.empty(n, _F64)
    k = 0
    if n and g._next_double is not None:
        out[0] = g._next_double
        g._next_double = None
        k = 1
    rest = n - k
    if rest:
        pairs = (rest + 1) // 2
        c, s = _box_muller_pairs(g, pairs)
        inter = np.empty(2 * pairs, _F64)
        inter[0::2] = c
        inter[1::2] = s
        out[k:] = inter[:rest]
        if rest % 2:
            g._next_double = float(s[-1])
    return out


def _normal_flat(g: Generator, n: int, npd, mean: float, std: float, contiguous: bool):
    npd = np.dtype(npd)
    if n >= 16 and contiguous:
        if npd == np.float64:
            u = _u53(g._words64(n + (16 if n % 16 else 0)))
            out = u[:n].copy()
            full = n // 16 * 16
            out[:full] = _normal16_f64(u[:full].reshape(-1, 16), mean, std).reshape(-1)
            if n % 16:
                out[n - 16:] = _normal16_f64(u[n:].reshape(1, 16), mean, std).reshape(-1)
            return out
        if npd == np.float32:
            u = _u24(g._words(n + (16 if n % 16 else 0)))
            out = u[:n].copy()
            full = n // 16 * 16
            out[:full] = _normal16_f32(u[:full].reshape(-1, 16), mean, std).reshape(-1)
            if n % 16:
                out[n - 16:] = _normal16_f32(u[n:].reshape(1, 16), mean, std).reshape(-1)
            return out
        # half / bfloat16: the float32 kernel, 16 uniforms per chunk (the tail drawn anew)
        full = n // 16 * 16
        u = _u24(g._words(full + (16 if n % 16 else 0)))
        out = np.empty(n, _F32)
        out[:full] = _normal16_f32(u[:full].reshape(-1, 16), mean, std).reshape(-1)
        if n % 16:
            out[n - 16:] = _normal16_f32(u[full:].reshape(1, 16), mean, std).reshape(-1)
        return out.astype(npd)
    v = _normal_doubles(g, n)
    if not (mean == 0.0 and std == 1.0):
        v = _fma64(v, std, mean)
    return _cast(v, npd)


def _check_normal(npd, std, size=1):
    """torch's checks: std first, the dtype only where the kernel runs (not for no elements)."""
    if not std >= 0.0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt(std)}")
    if size and not _is_float(npd):
        not_implemented("normal_kernel_cpu", npd)


def normal_values(t_or_arr, mean=0.0, std=1.0, generator=None) -> np.ndarray:
    """An array laid out like the tensor's, filled as torch's tensor.normal_(mean, std) would."""
    arr = t_or_arr._data if isinstance(t_or_arr, Tensor) else t_or_arr
    mean, std = float(mean), float(std)
    _check_normal(arr.dtype, std, arr.size)
    out = np.empty_like(arr)
    if out.size:
        _put(out, _normal_flat(_gen(generator), out.size, arr.dtype, mean, std,
                               bool(arr.flags.c_contiguous)), arr)
    return out


# ------------------------------------------------------------------------------------------------
# factories
# ------------------------------------------------------------------------------------------------

def _float_dtype(dtype, kernel):
    d = _dt.as_dtype(dtype) if dtype is not None else _dt.get_default_dtype()
    npd = np.dtype(_dt.to_numpy_dtype(d))
    if not _is_float(npd):
        not_implemented(kernel, npd)
    return npd


def rand(*size_args, size=None, generator=None, dtype=None, device=None, requires_grad=False,
         out=None, layout=None, pin_memory=False):
    """Uniform [0, 1): torch.empty(size).uniform_()."""
    factory_options("rand", layout, pin_memory)
    dtype = out_dtype("rand", dtype, out)
    shape = size_arg("rand", size_args, size)
    npd = _float_dtype(dtype, "check_uniform_bounds")
    n = math.prod(shape)
    arr = _uniform_flat(_gen(generator), n, npd, 0.0, 1.0).reshape(shape) if n else \
        np.empty(shape, npd)
    return into_out("rand", out, factory_result(np.asarray(arr, dtype=npd, order="C"),
                                                requires_grad, device))


def randn(*size_args, size=None, generator=None, dtype=None, device=None, requires_grad=False,
          out=None, layout=None, pin_memory=False):
    """Standard normal: torch.empty(size).normal_()."""
    factory_options("randn", layout, pin_memory)
    dtype = out_dtype("randn", dtype, out)
    shape = size_arg("randn", size_args, size)
    n = math.prod(shape)
    npd = _float_dtype(dtype, "normal_kernel_cpu") if n else \
        np.dtype(_dt.to_numpy_dtype(_dt.as_dtype(dtype or _dt.get_default_dtype())))
    arr = _normal_flat(_gen(generator), n, npd, 0.0, 1.0, True).reshape(shape) if n else \
        np.empty(shape, npd)
    return into_out("randn", out, factory_result(np.asarray(arr, dtype=npd, order="C"),
                                                 requires_grad, device))


def _like_dtype(t, dtype):
    return np.dtype(_dt.to_numpy_dtype(_dt.as_dtype(dtype))) if dtype is not None else t._data.dtype


def _empty_like(fname, t, dtype, layout, pin_memory, memory_format):
    """torch.empty_like(t, ...) for the *_like factories: the strides of t kept."""
    if not isinstance(t, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(t).__name__}")
    factory_options(fname, layout, pin_memory)
    return alloc(fname, t._data.shape, _like_dtype(t, dtype), memory_format, t._data)


def rand_like(t, *, dtype=None, generator=None, requires_grad=False, device=None, layout=None,
              memory_format=None, pin_memory=False):
    """torch.empty_like(t).uniform_() (the strides of t kept, as empty_like keeps them)."""
    out = _empty_like("rand_like", t, dtype, layout, pin_memory, memory_format)
    return factory_result(uniform_values(out, 0.0, 1.0, generator), requires_grad, device)


def randn_like(t, *, dtype=None, generator=None, requires_grad=False, device=None, layout=None,
               memory_format=None, pin_memory=False):
    """torch.empty_like(t).normal_(): a strided t gives a strided result, drawn as torch draws
    for it (one value at a time, in memory order)."""
    out = _empty_like("randn_like", t, dtype, layout, pin_memory, memory_format)
    return factory_result(normal_values(out, 0.0, 1.0, generator), requires_grad, device)


# -- random_ / randint ---------------------------------------------------------------------------

def _digits(npd) -> int:
    return _limits(npd)[2]


def _int_bounds(npd):
    npd = np.dtype(npd)
    if npd == np.bool_:
        return 0, 1
    ii = np.iinfo(npd)
    return int(ii.min), int(ii.max)


def _to_int64(v: int, npd) -> int:
    """static_cast<int64_t>(static_cast<scalar_t>(v)) on x86: out of range (inf) gives INT64_MIN."""
    f = float(_cast(np.array([float(v)]), npd).astype(_F64)[0])
    return int(f) if math.isfinite(f) and -2.0 ** 63 <= f < 2.0 ** 63 else -2 ** 63


def _update_from(frm: int, npd) -> int:
    """torch's update_from: move `from` right until from+1 survives the cast to the float dtype."""
    plus1 = _to_int64(frm + 1, npd)
    if plus1 < frm:
        v = abs(frm + 1)
        n = v.bit_length() - 1 if v else 0
        frm = plus1 + (1 << (n - _digits(npd) + 1))
    return frm


def _update_to(to: int, npd) -> int:
    minus1 = _to_int64(to - 1, npd)
    if minus1 >= to:
        v = abs(to - 1)
        n = v.bit_length() - 1 if v else 0
        to = minus1 - (1 << (n - _digits(npd) + 1))
    return to


def _check_from_to(frm: int, to_inc: int, npd):
    npd = np.dtype(npd)
    name = _TYPE_META[npd.name]
    if _is_float(npd):
        lo, hi, digits = _limits(npd)
        if not lo <= frm <= hi:
            raise RuntimeError(f"from is out of bounds for {name}")
        if not lo <= to_inc <= hi:
            raise RuntimeError(f"to - 1 is out of bounds for {name}")
        for var, what in ((frm, "from"), (to_inc, "to - 1")):
            if var < -(1 << digits) or var > (1 << digits):
                warnings.warn(f"{what} is out of bounds [-(2^{digits}), 2^{digits}]. Due to "
                              f"precision limitations {name} can support discrete uniform "
                              "distribution only within this range. This warning will become an "
                              "error in version 1.7 release, please fix the code in advance",
                              UserWarning, stacklevel=4)
    else:
        lo, hi = _int_bounds(npd)
        if not lo <= frm <= hi:
            raise RuntimeError(f"from is out of bounds for {name}")
        if not lo <= to_inc <= hi:
            raise RuntimeError(f"to - 1 is out of bounds for {name}")


def _from_ints(v: np.ndarray, npd) -> np.ndarray:
    """static_cast<scalar_t>(int64): wraps into small integer types, rounds into floats."""
    v = v.view(np.int64) if v.dtype == np.uint64 else v.astype(np.int64)
    return _cast(v, npd) if _is_float(npd) else v.astype(npd)


def _random_from_to_flat(g, n, npd, frm: int, rng: int):
    """uniform_int_from_to_distribution: (w mod range) + from."""
    npd = np.dtype(npd)
    wide = rng >= 1 << 28                # (torch 2.13 takes random64() from 2^28 on, any dtype)
    v = g._words64(n) if wide else g._words(n).astype(np.uint64)
    v = v % np.uint64(rng) + np.uint64(frm & 0xFFFF_FFFF_FFFF_FFFF)
    return _from_ints(v, npd)


def _random_plan(npd, frm, to):
    """Checks and (range, from) of torch's random_(from, to); range None for the full 64 bits."""
    npd = np.dtype(npd)
    if to is not None:
        if not frm < to:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={frm} "
                               f">= to={to}")
        if _is_float(npd):
            frm, to = _update_from(frm, npd), _update_to(to, npd)
            if not frm < to:
                raise RuntimeError("random_ expects 'from' casted to dtype to be less than 'to' "
                                   f"casted to dtype, but got from={frm} >= to={to}")
        _check_from_to(frm, to - 1, npd)
        return to - frm, frm
    if frm != -2 ** 63:
        if _is_float(npd):
            to_inc = min(1 << _digits(npd), 2 ** 63 - 1)
            frm = _update_from(frm, npd)
            if not frm < to_inc:
                raise RuntimeError("random_ expects 'from' casted to dtype to be less than or equal"
                                   f" to 'to_inc' casted to dtype, but got from={frm} > "
                                   f"to_inc={to_inc}")
        else:
            to_inc = _int_bounds(npd)[1]
        _check_from_to(frm, to_inc, npd)
        return to_inc - frm + 1, frm
    if not (npd in (np.int64, np.float64, np.float32) or npd.name == "bfloat16"):
        raise RuntimeError("random_full_64_bits_range_kernel_cpu handles only int64, double, float "
                           "and bfloat16")
    return None, frm


def _random_flat(g, n, npd, frm=None, to=None, plan=None):
    npd = np.dtype(npd)
    if frm is None:                      # random_(): [0, 2^mantissa] / [0, max]
        if npd == np.bool_:
            return (g._words(n) & np.uint32(1)).astype(np.bool_)
        if npd in (np.int64, np.float64):
            top = (1 << 63) if npd == np.int64 else (1 << 53) + 1
            return _from_ints(g._words64(n) % np.uint64(top), npd)
        if _is_float(npd):
            mod = (1 << _digits(npd)) + 1
        else:
            mod = _int_bounds(npd)[1] + 1
        return _from_ints(g._words(n).astype(np.uint64) % np.uint64(mod), npd)
    rng, base = plan
    if rng is None:
        return _from_ints(g._words64(n), npd)
    return _random_from_to_flat(g, n, npd, base, rng)


def _int_arg(v, name, fn="randint"):
    if isinstance(v, Tensor):
        v = v.item()
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Integral):
        raise TypeError(f"{fn}(): argument '{name}' must be int, not {type(v).__name__}")
    return int(v)


def randint(*args, generator=None, dtype=None, device=None, requires_grad=False, out=None,
            layout=None, pin_memory=False, **kwargs):
    """randint(high, size) or randint(low, high, size) (also as keywords): torch.empty(size,
    dtype=int64).random_(low, high)."""
    two = len(args) == 2 and "size" not in kwargs or len(args) == 1 and "size" in kwargs and \
        "low" not in kwargs
    names = ("high", "size") if two else ("low", "high", "size")
    given = dict(zip(names, args))
    for k, v in kwargs.items():
        if k not in ("low", "high", "size") or k in given:
            raise TypeError(f"randint() got an unexpected or repeated argument '{k}'")
        given[k] = v
    if "high" not in given or "size" not in given:
        raise TypeError("randint() missing required arguments: randint(high, size) or "
                        "randint(low, high, size)")
    if not isinstance(given["size"], (tuple, list, Size)):
        raise TypeError(f"randint(): argument 'size' must be tuple of ints, not "
                        f"{type(given['size']).__name__}")
    factory_options("randint", layout, pin_memory)
    dtype = out_dtype("randint", dtype, out)
    low = _int_arg(given.get("low", 0), "low")
    high = _int_arg(given["high"], "high")
    npd = np.dtype(_dt.to_numpy_dtype(_dt.as_dtype(dtype))) if dtype is not None else \
        np.dtype(np.int64)
    arr = np.empty(check_shape("randint", shape_arg((given["size"],))), npd)
    plan = _random_plan(npd, low, high)
    if arr.size:
        arr.reshape(-1)[:] = _random_flat(_gen(generator), arr.size, npd, low, high, plan)
    return into_out("randint", out, factory_result(arr, requires_grad, device))


def randint_like(t, low=None, high=None, *, dtype=None, generator=None, requires_grad=False,
                 device=None, layout=None, memory_format=None, pin_memory=False):
    if high is None:
        low, high = 0, low
    elif low is None:
        low = 0
    low, high = _int_arg(low, "low", "randint_like"), _int_arg(high, "high", "randint_like")
    out = _empty_like("randint_like", t, dtype, layout, pin_memory, memory_format)
    plan = _random_plan(out.dtype, low, high)
    if out.size:
        _put(out, _random_flat(_gen(generator), out.size, out.dtype, low, high, plan))
    return factory_result(out, requires_grad, device)


def random_values(t_or_arr, frm=None, to=None, generator=None) -> np.ndarray:
    """Tensor.random_(), random_(to), random_(from, to) as torch fills them."""
    arr = t_or_arr._data if isinstance(t_or_arr, Tensor) else t_or_arr
    npd = arr.dtype
    plan = None
    if frm is not None:
        plan = _random_plan(npd, frm, to)
    elif not (_is_float(npd) or npd.kind in "iub"):
        raise RuntimeError("random_ handles only integral, floating-point and boolean types")
    out = np.empty_like(arr)
    if out.size:
        _put(out, _random_flat(_gen(generator), out.size, npd, frm, to, plan), arr)
    return out


# -- randperm ------------------------------------------------------------------------------------

def _apply_swaps(j: np.ndarray) -> np.ndarray:
    """The array 0..n-1 after swapping a[i] <-> a[j[i]] for i = 0, 1, ... (j[i] >= i), without
    the sequential loop.  Slot i holds, just before step i, v(i): the value step k put there for
    the latest k < i with j[k] = i (itself v(k)), else i - a chain, followed to its root by pointer
    doubling.  Step i then takes v(i) if j[i] = i, else what slot j[i] holds: v(k) for the
    latest earlier k with the same j, else j[i]."""
    n = j.size
    if n == 0:
        return j
    idx = np.arange(n, dtype=np.int64)
    order = np.argsort(j, kind="stable")
    js = j[order]
    same = js[1:] == js[:-1]
    prev = np.full(n, -1, np.int64)                  # the previous step with the same j
    prev[order[1:][same]] = order[:-1][same]
    is_last = np.append(~same, True)
    last = np.full(n, -1, np.int64)                  # the last step with j = p, per slot p
    last[js[is_last]] = order[is_last]
    parent = np.where(last == idx, prev, last)       # the latest step k < p with j[k] = p
    root = np.where(parent >= 0, parent, idx)
    while True:
        nxt = root[root]
        if np.array_equal(nxt, root):
            break
        root = nxt
    return np.where(j == idx, root, np.where(prev >= 0, root[np.maximum(prev, 0)], j))


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False, out=None,
             layout=None, pin_memory=False):
    """A random permutation of 0..n-1, as torch's randperm_cpu shuffles it."""
    n = _int_arg(n, "n", "randperm")
    factory_options("randperm", layout, pin_memory)
    dtype = out_dtype("randperm", dtype, out)
    npd = np.dtype(_dt.to_numpy_dtype(_dt.as_dtype(dtype))) if dtype is not None else \
        np.dtype(np.int64)
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    if npd == np.bool_:
        not_implemented("randperm", npd)
    if _is_float(npd):
        limit = {"float16": ((1 << 11) + 1, "2049 for Half"), "float32": ((1 << 24) + 1,
                 "2^24+1 for Float"), "float64": ((1 << 53) + 1, "2^53+1 for Double")}
        if npd.name in limit and n > limit[npd.name][0]:
            raise RuntimeError(f"n cannot be greater than {limit[npd.name][1]} type.")
    elif n > 0 and n - 1 > _int_bounds(npd)[1]:
        raise RuntimeError(f"value cannot be converted to type {npd.name}_t without overflow")
    g = _gen(generator)
    if n < 0xFFFFFFFF // 20:
        j = np.arange(n, dtype=np.int64)
        if n > 1:
            j[:-1] += g._words(n - 1).astype(np.int64) % np.arange(n, 1, -1, dtype=np.int64)
        arr = _apply_swaps(j)
    else:                                # torch's 64-bit inside-out shuffle
        z = (g._words64(n) % np.arange(1, n + 1, dtype=np.uint64)).astype(np.int64).tolist()
        perm = [0] * n
        for i, k in enumerate(z):
            perm[i] = perm[k]
            perm[k] = i
        arr = np.array(perm, dtype=np.int64)
    return into_out("randperm", out, factory_result(_from_ints(arr, npd), requires_grad, device))


# -- normal --------------------------------------------------------------------------------------

def _broadcast_shape(a, b):
    try:
        return np.broadcast_shapes(a, b)
    except ValueError:
        for i in range(1, max(len(a), len(b)) + 1):
            x = a[-i] if i <= len(a) else 1
            y = b[-i] if i <= len(b) else 1
            if x != y and x != 1 and y != 1:
                raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b "
                                   f"({y}) at non-singleton dimension {max(len(a), len(b)) - i}")
        raise


def _check_std_tensor(std):
    s = std._data
    if s.size and not np.all(s >= 0):
        raise RuntimeError("normal expects all elements of std >= 0.0")


class NormalDraw3(Op):
    """z = torch.normal(mean, std), mean and std tensors     dmean = 0,  dstd = 0

    (torch's: the sample is not reparametrised, so no gradient flows to mean or std, only the
    node is recorded)"""
    node_name = "NormalBackward3"
    arity = 2

    @staticmethod
    def forward(ctx, *args):
        return args[-1]                 # (the draws, made before: the generator's order)

    @staticmethod
    def backward(ctx, g):
        z = zero_grad_like(g)
        return tuple(z if need else None for need in ctx.needs_input_grad)


class NormalDraw1(NormalDraw3):
    """z = torch.normal(mean, std), a tensor mean     dmean = 0"""
    node_name = "NormalBackward1"
    arity = 1


class NormalDraw2(NormalDraw3):
    """z = torch.normal(mean, std), a tensor std      dstd = 0"""
    node_name = "NormalBackward2"
    arity = 1


def _drawn(op, inputs, values, requires_grad):
    """The draws of torch.normal with tensor arguments: recorded (zero gradients) when one of
    them requires grad, as torch records them."""
    if any(t.requires_grad for t in inputs):
        return op.apply(*inputs, values)
    return factory_result(values, requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, requires_grad=False,
           out=None, device=None, layout=None, pin_memory=False):
    """torch.normal's overloads: (Tensor, Tensor), (Tensor, float), (float, Tensor) draw a
    standard (or std-scaled) normal of the broadcast shape and scale/shift it, as ATen does;
    (float, float, size) is torch.empty(size).normal_(mean, std)."""
    g = _gen(generator)
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if mt and st:
        _check_std_tensor(std)
        shape = _broadcast_shape(mean._data.shape, std._data.shape)
        npd = mean._data.dtype
        _check_normal(npd, 1.0)
        o = _normal_flat(g, int(np.prod(shape)), npd, 0.0, 1.0, True).reshape(shape)
        o = (o * std._data).astype(npd, copy=False)
        o = (o + mean._data).astype(npd, copy=False)
        return _drawn(NormalDraw3, (mean, std), o, requires_grad)
    if mt:
        std = float(std)
        npd = mean._data.dtype
        _check_normal(npd, std)
        o = np.empty(mean._data.shape, npd)
        if o.size:
            o.reshape(-1)[:] = _normal_flat(g, o.size, npd, 0.0, std, True)
        return _drawn(NormalDraw1, (mean,), (o + mean._data).astype(npd, copy=False),
                      requires_grad)
    if st:
        _check_std_tensor(std)
        npd = std._data.dtype
        _check_normal(npd, 1.0)
        o = np.empty(std._data.shape, npd)
        if o.size:
            o.reshape(-1)[:] = _normal_flat(g, o.size, npd, 0.0, 1.0, True)
        o = (o * std._data).astype(npd, copy=False)
        return _drawn(NormalDraw2, (std,),
                      (o + np.asarray(mean).astype(npd)).astype(npd, copy=False), requires_grad)
    if size is None:
        raise TypeError("normal() received an invalid combination of arguments - got (float, "
                        "float), but expected one of: (Tensor mean, Tensor std), (Tensor mean, "
                        "float std), (float mean, Tensor std), (float mean, float std, tuple of "
                        "ints size)")
    if not isinstance(size, (tuple, list, Size)):
        raise TypeError(f"normal() received an invalid combination of arguments - got "
                        f"({type(mean).__name__}, {type(std).__name__}, {type(size).__name__}), "
                        "but expected one of: (Tensor mean, Tensor std), (Tensor mean, float "
                        "std), (float mean, Tensor std), (float mean, float std, tuple of ints "
                        "size)")
    factory_options("normal", layout, pin_memory)
    dtype = out_dtype("normal", dtype, out)
    npd = _float_dtype(dtype, "normal_kernel_cpu")
    _check_normal(npd, float(std))
    arr = np.empty(check_shape("normal", shape_arg((size,))), npd)
    if arr.size:
        arr.reshape(-1)[:] = _normal_flat(g, arr.size, npd, float(mean), float(std), True)
    return into_out("normal", out, factory_result(arr, requires_grad, device))


# -- bernoulli, exponential, geometric, cauchy, log_normal ---------------------------------------

def _double_uniforms(g, n):
    return _u53(g._words64(n))


def bernoulli_values(t_or_arr, p=0.5, generator=None) -> np.ndarray:
    """Tensor.bernoulli_(p) as torch's CPU kernel fills it: p a number - a double uniform
    (two words) per element, value < p; p a tensor (broadcast to the output) - a double
    uniform where p is double, else a float uniform (one word) compared in float."""
    arr = t_or_arr._data if isinstance(t_or_arr, Tensor) else t_or_arr
    g = _gen(generator)
    out = np.empty_like(arr)
    if isinstance(p, Tensor):
        pa = p._data
        if not _is_float(pa.dtype):
            not_implemented("bernoulli_tensor_cpu_p_", pa.dtype)
        try:
            pb = np.broadcast_to(pa, arr.shape)
        except ValueError:
            raise RuntimeError(f"The size of tensor a ({arr.shape}) must match the size of tensor "
                               f"b ({pa.shape})") from None
        pv = _mem_view(_align(pb, arr)).reshape(-1)
        bad = ~((pv >= 0) & (pv <= 1))
        if bad.any():                    # torch checks each p as it draws: the ones before count
            k = int(np.argmax(bad))
            g._words64(k) if pa.dtype == np.float64 else g._words(k)
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  "
                               "(Could this error message be improved?  If so, please report an "
                               "enhancement request to PyTorch.)")
        if out.size:
            if pa.dtype == np.float64:
                keep = _double_uniforms(g, out.size) < pv
            else:
                keep = _u24(g._words(out.size)) < pv.astype(_F32)
            _put(out, keep.astype(out.dtype), arr)
        return out
    p = float(p)
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_fmt(p)}")
    if out.size:
        _put(out, (_double_uniforms(g, out.size) < p).astype(out.dtype), arr)
    return out


def _align(src, out):
    """src (broadcast to out's shape) arranged with out's strides, so that _mem_view walks the
    two in step."""
    tmp = np.empty_like(out, dtype=src.dtype)
    tmp[...] = src
    return tmp


def _continuous(name, npd):
    """torch's error for a continuous distribution's draws into a non-float dtype."""
    if not _is_float(npd):
        raise RuntimeError(f"{name} distribution is a continuous probability distribution. dtype "
                           f"must be a floating point but you specified {scalar_type_name(npd)}")


def exponential_values(t_or_arr, lambd=1.0, generator=None) -> np.ndarray:
    arr = t_or_arr._data if isinstance(t_or_arr, Tensor) else t_or_arr
    lambd = float(lambd)
    if not lambd > 0.0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_fmt(lambd)}")
    _continuous("Exponential", arr.dtype)
    out = np.empty_like(arr)
    if out.size:
        u = _double_uniforms(_gen(generator), out.size)
        with np.errstate(divide="ignore"):
            v = (-1.0 / lambd) * _libm("log1p", -u)
        _put(out, _cast(v, out.dtype), arr)
    return out


def geometric_values(t_or_arr, p, generator=None) -> np.ndarray:
    arr = t_or_arr._data if isinstance(t_or_arr, Tensor) else t_or_arr
    p = float(p)
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_fmt(p)}")
    out = np.empty_like(arr)
    if out.size:
        u = _double_uniforms(_gen(generator), out.size)
        with np.errstate(divide="ignore"):
            v = np.ceil(_libm("log", u) / math.log(1.0 - p))
        if _is_float(out.dtype):
            _put(out, _cast(v, out.dtype), arr)
        else:
            with np.errstate(invalid="ignore"):
                _put(out, v.astype(np.int64).astype(out.dtype), arr)
    return out


def cauchy_values(t_or_arr, median=0.0, sigma=1.0, generator=None) -> np.ndarray:
    arr = t_or_arr._data if isinstance(t_or_arr, Tensor) else t_or_arr
    median, sigma = float(median), float(sigma)
    if not sigma > 0.0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_fmt(sigma)}")
    _continuous("Cauchy", arr.dtype)
    out = np.empty_like(arr)
    if out.size:
        u = _double_uniforms(_gen(generator), out.size)
        v = _fma64(sigma, _libm("tan", math.pi * (u - 0.5)), median)
        _put(out, _cast(v, out.dtype), arr)
    return out


def log_normal_values(t_or_arr, mean=1.0, std=2.0, generator=None) -> np.ndarray:
    arr = t_or_arr._data if isinstance(t_or_arr, Tensor) else t_or_arr
    mean, std = float(mean), float(std)
    if not std > 0.0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_fmt(std)}")
    if not _is_float(arr.dtype):
        not_implemented("log_normal_cpu", arr.dtype)
    out = np.empty_like(arr)
    if out.size:
        v = _normal_doubles(_gen(generator), out.size)
        with np.errstate(over="ignore"):
            _put(out, _cast(_libm("exp", _fma64(v, std, mean)), out.dtype), arr)
    return out


# -- multinomial ---------------------------------------------------------------------------------

def multinomial(input, num_samples, replacement=False, *, generator=None):
    """Category indices drawn per row from the (unnormalised) weights `input`, as torch's CPU
    kernels draw them."""
    a = input._data
    num_samples = int(num_samples)
    if a.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if not _is_float(a.dtype):
        raise RuntimeError("multinomial only supports floating-point dtypes for input, got: "
                           f"{scalar_type_name(a.dtype)}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    n_cat = a.shape[-1]
    if not replacement and num_samples > n_cat:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    if n_cat > 1 << 24:
        raise RuntimeError("number of categories cannot exceed 2^24")
    out_shape = (num_samples,) if a.ndim == 1 else (a.shape[0], num_samples)
    if int(np.prod(out_shape)) == 0:
        return factory_result(np.empty(out_shape, np.int64))
    g = _gen(generator)
    rows = a.reshape(-1, n_cat)
    if not replacement or num_samples == 1:
        with np.errstate(invalid="ignore"):
            if a.size and not (np.max(a) < np.inf and np.min(a) >= 0):
                raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        acc = _F32 if a.dtype.itemsize == 2 else a.dtype
        if np.any(rows.astype(acc).sum(axis=1) == 0):
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        q = exponential_values(np.empty_like(a), 1.0, g)
        with np.errstate(divide="ignore", invalid="ignore"):
            q = (a.astype(acc) / q.astype(acc)).astype(a.dtype).reshape(-1, n_cat)
        if num_samples == 1:
            res = np.argmax(q, axis=1)[:, None]
        else:
            qq = q.astype(_F64) if a.dtype.itemsize == 2 else q
            res = np.argsort(-qq, axis=1, kind="stable")[:, :num_samples]
        return factory_result(res.reshape(out_shape).astype(np.int64))
    acc = _F32 if a.dtype.itemsize == 2 else a.dtype
    r = rows.astype(acc)
    with np.errstate(over="ignore", invalid="ignore"):
        cum = np.cumsum(r, axis=1, dtype=acc)
        sums = cum[:, -1:]
        neg = np.any(~(r >= 0), axis=1)
        inf = np.any(~np.isfinite(r), axis=1)
        bad = neg | inf | ~(sums[:, 0] > 0)
    if bad.any():                        # torch checks row by row: the rows before have drawn
        i = int(np.argmax(bad))
        g._words64(i * num_samples)
        with np.errstate(invalid="ignore"):
            wrong = ~(r[i] >= 0) | ~np.isfinite(r[i])
        if wrong.any():                  # the first wrong entry of the row names the error
            v = r[i][int(np.argmax(wrong))]
            what = "< 0" if not v >= 0 else "= infinity or NaN"
            raise RuntimeError(f"invalid multinomial distribution (encountering probability entry "
                               f"{what})")
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    cum = cum / sums
    cum[:, -1] = 1
    u = _double_uniforms(g, rows.shape[0] * num_samples).reshape(rows.shape[0], num_samples)
    res = np.empty((rows.shape[0], num_samples), np.int64)
    c64 = cum.astype(_F64)
    for i in range(rows.shape[0]):
        res[i] = np.searchsorted(c64[i], u[i], side="left")
    return factory_result(res.reshape(out_shape))


# ------------------------------------------------------------------------------------------------
# in-place methods torch's Tensor has (random_, bernoulli_, exponential_, geometric_, cauchy_,
# log_normal_) and Tensor.bernoulli; recorded with torch's node names (their gradient is zero)
# ------------------------------------------------------------------------------------------------

from .gather import _RandomFill  # noqa: E402


def _node(name):
    return type(name, (_RandomFill,), {"node_name": name, "__doc__": _RandomFill.__doc__})


_NODES = {n: _node(n) for n in ("RandomBackward0", "RandomBackward1", "RandomBackward2",
                                "BernoulliBackward0", "BernoulliBackward1", "BernoulliBackward2",
                                "ExponentialBackward0", "GeometricBackward0", "CauchyBackward0",
                                "LogNormalBackward0")}


def _fill_(t, node, draw):
    from .inplace import apply_inplace
    op = _NODES[node]
    return apply_inplace(t, lambda a: op.apply(a, draw().astype(t._data.dtype, copy=False)))


def _random_(self, *args, generator=None, **kwargs):
    """random_() / random_(to) / random_(from, to): uniform integers, as torch's random_."""
    if len(args) > 2:
        raise TypeError(f"random_() takes at most 2 positional arguments ({len(args)} given)")
    if len(args) == 1 and not kwargs:
        frm, to, node = 0, _int_arg(args[0], "to", "random_"), "RandomBackward1"
    elif args or kwargs:
        given = dict(zip(("from_", "to"), args))
        for k, v in kwargs.items():
            k = "from_" if k in ("from", "from_") else k
            if k not in ("from_", "to") or k in given:
                raise TypeError(f"random_() got an unexpected or repeated argument '{k}'")
            given[k] = v
        if "from_" not in given:
            frm, to, node = 0, _int_arg(given["to"], "to", "random_"), "RandomBackward1"
        else:
            frm = _int_arg(given["from_"], "from", "random_")
            to = given.get("to")
            to = None if to is None else _int_arg(to, "to", "random_")
            node = "RandomBackward0"
    else:
        frm, to, node = None, None, "RandomBackward2"
    return _fill_(self, node, lambda: random_values(self, frm, to, generator))


def _bernoulli_(self, p=0.5, *, generator=None):
    node = "BernoulliBackward1" if isinstance(p, Tensor) else "BernoulliBackward2"
    return _fill_(self, node, lambda: bernoulli_values(self, p, generator))


def _exponential_(self, lambd=1.0, *, generator=None):
    return _fill_(self, "ExponentialBackward0", lambda: exponential_values(self, lambd, generator))


def _geometric_(self, p, *, generator=None):
    return _fill_(self, "GeometricBackward0", lambda: geometric_values(self, p, generator))


def _cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    return _fill_(self, "CauchyBackward0", lambda: cauchy_values(self, median, sigma, generator))


def _log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    return _fill_(self, "LogNormalBackward0", lambda: log_normal_values(self, mean, std, generator))


def bernoulli(input, p=None, *, generator=None, out=None):
    """torch.bernoulli(input): 1 with probability input[i] (a float uniform per element, a double
    one for float64 input), recorded as BernoulliBackward0 (zero gradient) when input requires
    grad; torch.bernoulli(input, p): empty_like(input).bernoulli_(p)."""
    a = input._data     # (torch's result is contiguous: drawn in row-major order, also for
    dst = np.empty(a.shape, a.dtype)            # a transposed or an expanded input)
    vals = bernoulli_values(dst, input if p is None else p, generator)
    if p is None and input.requires_grad:
        from .. import grad_mode as _gm
        if _gm.is_grad_enabled():
            return _NODES["BernoulliBackward0"].apply(input, vals)
    return factory_result(vals)


class fork_rng:
    """torch.random.fork_rng for the CPU: the default generator's state restored on exit."""

    def __init__(self, devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices",
                 device_type="cuda"):
        self.enabled = enabled

    def __enter__(self):
        if self.enabled:
            self._state = get_rng_state()
        return None

    def __exit__(self, *exc):
        if self.enabled:
            set_rng_state(self._state)
        return False

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*a, **k):
            with fork_rng(enabled=self.enabled):
                return fn(*a, **k)
        return wrapper
