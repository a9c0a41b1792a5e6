"""torch.return_types: the named tuples that ops such as max(dim), sort, topk, aminmax and the
linalg decompositions return - tuples whose fields also have names, printed as torch prints them:

    torch.return_types.max(
    values=tensor([3., 6.]),
    indices=tensor([2, 2]))

Like torch's, a class is built from one sequence of its fields (`type(r)((v, i))`); zerograd's
ops also pass the fields as separate arguments.
"""
from __future__ import annotations

import operator

__all__ = ["aminmax", "cummax", "cummin", "frexp", "kthvalue", "linalg_eigh", "linalg_qr",
           "linalg_slogdet", "linalg_svd", "max", "median", "min", "mode", "nanmedian",
           "slogdet", "sort", "topk"]


class _ReturnType(tuple):
    __slots__ = ()
    _fields: tuple = ()

    def __new__(cls, *args):
        n = len(cls._fields)
        if len(args) == 1 and n > 1:            # torch's form: one sequence of the fields
            args = tuple(args[0])
        if len(args) != n:
            raise TypeError(f"torch.return_types.{cls.__name__}() takes a {n}-sequence "
                            f"({len(args)}-sequence given)")
        return tuple.__new__(cls, args)

    def __repr__(self):
        inner = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
        return f"torch.return_types.{type(self).__name__}(\n{inner})"

    def __reduce__(self):       # (by name: the classes say they live in torch.return_types)
        return (_rebuild, (type(self).__name__, tuple(self)))


def _rebuild(name, values):
    return globals()[name](values)


def _make(name: str, *fields: str) -> type:
    ns = {"__slots__": (), "_fields": fields, "n_fields": len(fields),
          "n_sequence_fields": len(fields), "n_unnamed_fields": 0,
          "__module__": "torch.return_types", "__qualname__": name}
    for i, f in enumerate(fields):
        ns[f] = property(operator.itemgetter(i))
    return type(name, (_ReturnType,), ns)


max = _make("max", "values", "indices")          # noqa: A001
min = _make("min", "values", "indices")          # noqa: A001
sort = _make("sort", "values", "indices")
topk = _make("topk", "values", "indices")
kthvalue = _make("kthvalue", "values", "indices")
median = _make("median", "values", "indices")
nanmedian = _make("nanmedian", "values", "indices")
mode = _make("mode", "values", "indices")
cummax = _make("cummax", "values", "indices")
cummin = _make("cummin", "values", "indices")
aminmax = _make("aminmax", "min", "max")
frexp = _make("frexp", "mantissa", "exponent")
slogdet = _make("slogdet", "sign", "logabsdet")
linalg_slogdet = _make("linalg_slogdet", "sign", "logabsdet")
linalg_qr = _make("linalg_qr", "Q", "R")
linalg_eigh = _make("linalg_eigh", "eigenvalues", "eigenvectors")
linalg_svd = _make("linalg_svd", "U", "S", "Vh")
