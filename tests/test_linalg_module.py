"""zerograd.linalg (torch.linalg) and the classic top-level linear-algebra functions against torch:
values, dtypes, batched shapes, error types, grad_fn names, gradients (gauge-invariant losses for
the decompositions whose signs are a convention), gradcheck in float64."""
import warnings

import numpy as np
import pytest

import zerograd
from zerograd.autograd import gradcheck
from tests._oracle import requires_torch, torch

pytestmark = requires_torch


def _rand(shape, seed=0, kind="general"):
    """A seeded well-conditioned matrix (batch): general (I·n + noise), spd, or sym."""
    r = np.random.default_rng(seed)
    x = r.standard_normal(shape)
    if kind == "rect":
        return x
    n = shape[-1]
    if kind == "general":
        return x + n * np.eye(n)
    if kind == "spd":
        return x @ np.swapaxes(x, -1, -2) + n * np.eye(n)
    if kind == "sym":
        return x + np.swapaxes(x, -1, -2)
    raise ValueError(kind)


def _pair(arr, dtype="float64", grad=False):
    return (torch.tensor(arr, dtype=getattr(torch, dtype), requires_grad=grad),
            zerograd.tensor(arr, dtype=getattr(zerograd, dtype), requires_grad=grad))


def _close(t, z, dtype="float64"):
    tol = 1e-9 if dtype == "float64" else 2e-4
    assert str(z.dtype) == str(t.dtype), (z.dtype, t.dtype)
    assert tuple(z.shape) == tuple(t.shape), (z.shape, t.shape)
    np.testing.assert_allclose(z.detach().numpy(), t.detach().numpy(), rtol=tol, atol=tol)


def _same_error(fn):
    errs = []
    for L in (torch, zerograd):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                fn(L)
                errs.append(None)
            except Exception as e:  # noqa: BLE001
                errs.append((type(e).__name__, str(e)))
    assert errs[0] is not None, "torch did not raise"
    assert errs[1] is not None, f"zerograd did not raise; torch: {errs[0]}"
    assert errs[0][0] == errs[1][0], errs
    return errs


SHAPES = [(3, 3), (2, 4, 4), (2, 1, 3, 3)]


# ***** values, dtypes, shapes ********************************************************************

VALUE_CASES = {
    "det": (lambda L, A: L.linalg.det(A), "general"),
    "slogdet": (lambda L, A: L.linalg.slogdet(A), "general"),
    "inv": (lambda L, A: L.linalg.inv(A), "general"),
    "cholesky": (lambda L, A: L.linalg.cholesky(A), "spd"),
    "cholesky_upper": (lambda L, A: L.linalg.cholesky(A, upper=True), "spd"),
    "eigvalsh": (lambda L, A: L.linalg.eigvalsh(A), "sym"),
    "eigvalsh_U": (lambda L, A: L.linalg.eigvalsh(A, UPLO="U"), "general"),
    "svdvals": (lambda L, A: L.linalg.svdvals(A), "rect"),
    "pinv": (lambda L, A: L.linalg.pinv(A), "rect"),
    "pinv_herm": (lambda L, A: L.linalg.pinv(A, hermitian=True), "sym"),
    "matrix_rank": (lambda L, A: L.linalg.matrix_rank(A), "rect"),
    "vector_norm": (lambda L, A: L.linalg.vector_norm(A), "rect"),
    "vector_norm_dim": (lambda L, A: L.linalg.vector_norm(A, 3, dim=-1, keepdim=True), "rect"),
    "vector_norm_inf": (lambda L, A: L.linalg.vector_norm(A, float("inf"), dim=(-2, -1)), "rect"),
    "vector_norm_0": (lambda L, A: L.linalg.vector_norm(A, 0), "rect"),
    "vector_norm_dtype": (lambda L, A: L.linalg.vector_norm(A, dtype=L.float64), "rect"),
    "matrix_power3": (lambda L, A: L.linalg.matrix_power(A, 3), "general"),
    "matrix_power5": (lambda L, A: L.linalg.matrix_power(A, 5), "general"),
    "matrix_power-2": (lambda L, A: L.linalg.matrix_power(A, -2), "general"),
    "matrix_power0": (lambda L, A: L.linalg.matrix_power(A, 0), "general"),
    "diagonal": (lambda L, A: L.linalg.diagonal(A, offset=1), "rect"),
    "top_det": (lambda L, A: L.det(A), "general"),
    "top_slogdet": (lambda L, A: L.slogdet(A), "general"),
    "top_logdet": (lambda L, A: L.logdet(A), "general"),
    "top_logdet_neg": (lambda L, A: L.logdet(-A), "general"),
    "top_inverse": (lambda L, A: L.inverse(A), "general"),
    "top_matrix_power": (lambda L, A: L.matrix_power(A, 4), "general"),
    "top_pinverse": (lambda L, A: L.pinverse(A), "rect"),
    "meth_det": (lambda L, A: A.det(), "general"),
    "meth_slogdet": (lambda L, A: A.slogdet(), "general"),
    "meth_logdet": (lambda L, A: A.logdet(), "spd"),
    "meth_inverse": (lambda L, A: A.inverse(), "general"),
    "meth_matrix_power": (lambda L, A: A.matrix_power(2), "general"),
    "meth_pinverse": (lambda L, A: A.pinverse(rcond=1e-10), "rect"),
}
for _o in ["fro", "nuc", float("inf"), -float("inf"), 1, -1, 2, -2]:
    VALUE_CASES[f"matrix_norm_{_o}"] = (lambda L, A, o=_o: L.linalg.matrix_norm(A, o), "rect")
    VALUE_CASES[f"matrix_norm_{_o}_keep"] = (
        lambda L, A, o=_o: L.linalg.matrix_norm(A, o, dim=(0, -1), keepdim=True), "rect")
for _k, _f in {"norm": lambda L, A: L.linalg.norm(A),
               "norm_ord_mat": lambda L, A: L.linalg.norm(A[0, 0], 1) if A.ndim == 4
               else L.linalg.norm(A.reshape(A.shape[-2], -1), "nuc"),
               "norm_dim1": lambda L, A: L.linalg.norm(A, 3, dim=1),
               "norm_dim2": lambda L, A: L.linalg.norm(A, -2, dim=(-1, -2), keepdim=True)}.items():
    VALUE_CASES[_k] = (_f, "rect")


def _rect_shape(shape):
    return shape[:-1] + (shape[-1] + 1,)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("case", sorted(VALUE_CASES))
def test_values(case, shape, dtype):
    fn, kind = VALUE_CASES[case]
    arr = _rand(_rect_shape(shape) if kind == "rect" else shape, seed=len(case), kind=kind)
    ta, za = _pair(arr, dtype)
    t, z = fn(torch, ta), fn(zerograd, za)
    if isinstance(t, tuple):
        assert type(z).__name__ == type(t).__name__ and len(z) == len(t)
        for a, b in zip(t, z):
            _close(a, b, dtype)
    else:
        _close(t, z, dtype)


def test_invariant_decompositions():
    for shape in SHAPES:
        for dtype in ("float64", "float32"):
            tol = 1e-9 if dtype == "float64" else 1e-4
            A = _rand(shape, 1, "sym")
            ta, za = _pair(A, dtype)
            tw, tv = torch.linalg.eigh(ta)
            zw, zv = zerograd.linalg.eigh(za)
            _close(tw, zw, dtype)
            assert str(zv.dtype) == str(tv.dtype) and tuple(zv.shape) == tuple(tv.shape)
            np.testing.assert_allclose(np.abs(zv.numpy()), np.abs(tv.numpy()), atol=tol * 10)
            rec = (zv * zw.unsqueeze(-2)) @ zv.mT
            np.testing.assert_allclose(rec.numpy(), A, atol=tol * 10)
            for full in (True, False):
                B = _rand(_rect_shape(shape), 2, "rect")
                tb, zb = _pair(B, dtype)
                tu, ts, tvh = torch.linalg.svd(tb, full_matrices=full)
                zu, zs, zvh = zerograd.linalg.svd(zb, full_matrices=full)
                for a, b in ((tu, zu), (tvh, zvh)):
                    assert tuple(a.shape) == tuple(b.shape) and str(a.dtype) == str(b.dtype)
                _close(ts, zs, dtype)
                k = zs.shape[-1]
                rec = (zu[..., :k] * zs.unsqueeze(-2)) @ zvh[..., :k, :]
                np.testing.assert_allclose(rec.numpy(), B, atol=tol * 10)
                np.testing.assert_allclose(np.abs(zu.numpy()[..., :k]), np.abs(tu.numpy()[..., :k]),
                                           atol=tol * 100)
            for B in (_rand(_rect_shape(shape)[:-2] + (shape[-1] + 1, shape[-1]), 3, "rect"),
                      _rand(_rect_shape(shape), 3, "rect")):
                tb, zb = _pair(B, dtype)
                for mode in ("reduced", "complete", "r"):
                    tq, tr = torch.linalg.qr(tb, mode=mode)
                    zq, zr = zerograd.linalg.qr(zb, mode=mode)
                    assert tuple(zq.shape) == tuple(tq.shape)
                    assert tuple(zr.shape) == tuple(tr.shape) and str(zr.dtype) == str(tr.dtype)
                    np.testing.assert_allclose(np.abs(zr.numpy()), np.abs(tr.numpy()), atol=tol * 10)
                    if mode != "r":
                        np.testing.assert_allclose((zq @ zr).numpy(), B, atol=tol * 10)


def test_solve_cross_vecdot_multidot():
    for dtype in ("float64", "float32"):
        A = _rand((2, 3, 3), 4)
        for B, left in ((_rand((2, 3, 2), 5, "rect"), True), (_rand((3, 2), 5, "rect"), True),
                        (_rand((3,), 6, "rect"), True), (_rand((2, 3), 6, "rect"), True),
                        (_rand((2, 4, 3), 7, "rect"), False)):
            (ta, za), (tb, zb) = _pair(A, dtype), _pair(B, dtype)
            _close(torch.linalg.solve(ta, tb, left=left), zerograd.linalg.solve(za, zb, left=left),
                   dtype)
        x, y = _rand((4, 3), 8, "rect"), _rand((1, 3), 9, "rect")
        (tx, zx), (ty, zy) = _pair(x, dtype), _pair(y, dtype)
        _close(torch.linalg.cross(tx, ty), zerograd.linalg.cross(zx, zy), dtype)
        _close(torch.linalg.vecdot(tx, ty), zerograd.linalg.vecdot(zx, zy), dtype)
        _close(torch.linalg.cross(tx.T, tx.T.flip(0), dim=0),
               zerograd.linalg.cross(zx.T, zx.T.flip(0), dim=0), dtype)
        mats = [_rand(s, i, "rect") for i, s in enumerate([(5,), (5, 2), (2, 7), (7, 3), (3, 4)])]
        pairs = [_pair(m, dtype) for m in mats]
        for sel in ([0, 1, 2], [1, 2, 3, 4], [0, 1, 2, 3, 4], [1, 2], [2, 3, 4], [0, 1]):
            t = torch.linalg.multi_dot([pairs[i][0] for i in sel])
            z = zerograd.linalg.multi_dot([pairs[i][1] for i in sel])
            _close(t, z, dtype)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _close(torch.chain_matmul(pairs[1][0], pairs[2][0], pairs[3][0]),
                   zerograd.chain_matmul(pairs[1][1], pairs[2][1], pairs[3][1]), dtype)
    ti = torch.tensor([[1, 2, 3], [4, 5, 6]])
    zi = zerograd.tensor([[1, 2, 3], [4, 5, 6]])
    _close(torch.linalg.cross(ti, ti.flip(0)), zerograd.linalg.cross(zi, zi.flip(0)))
    _close(torch.linalg.matrix_power(ti[:, :2], 3), zerograd.linalg.matrix_power(zi[:, :2], 3))


# ***** errors ************************************************************************************

SING = [[1.0, 2, 3], [2, 4, 6], [1, 1, 1]]
NPD = [[1.0, 2], [2, 1]]
ERRORS = {
    "int_det": lambda L: L.linalg.det(L.ones(3, 3, dtype=L.long)),
    "int_slogdet": lambda L: L.linalg.slogdet(L.ones(3, 3, dtype=L.long)),
    "int_inv": lambda L: L.linalg.inv(L.ones(3, 3, dtype=L.long)),
    "int_solve": lambda L: L.linalg.solve(L.ones(3, 3, dtype=L.long), L.ones(3, dtype=L.long)),
    "int_cholesky": lambda L: L.linalg.cholesky(L.ones(3, 3, dtype=L.long)),
    "int_qr": lambda L: L.linalg.qr(L.ones(3, 3, dtype=L.long)),
    "int_eigh": lambda L: L.linalg.eigh(L.ones(3, 3, dtype=L.long)),
    "int_eigvalsh": lambda L: L.linalg.eigvalsh(L.ones(3, 3, dtype=L.long)),
    "int_svd": lambda L: L.linalg.svd(L.ones(3, 3, dtype=L.long)),
    "int_svdvals": lambda L: L.linalg.svdvals(L.ones(3, 3, dtype=L.long)),
    "int_pinv": lambda L: L.linalg.pinv(L.ones(3, 3, dtype=L.long)),
    "int_rank": lambda L: L.linalg.matrix_rank(L.ones(3, 3, dtype=L.long)),
    "int_vnorm": lambda L: L.linalg.vector_norm(L.ones(3, dtype=L.long)),
    "int_mnorm": lambda L: L.linalg.matrix_norm(L.ones(3, 3, dtype=L.long)),
    "int_norm": lambda L: L.linalg.norm(L.ones(3, 3, dtype=L.long)),
    "int_logdet": lambda L: L.logdet(L.ones(3, 3, dtype=L.long)),
    "int_inverse": lambda L: L.inverse(L.ones(3, 3, dtype=L.long)),
    "int_pinverse": lambda L: L.pinverse(L.ones(3, 3, dtype=L.long)),
    "int_mpow_neg": lambda L: L.linalg.matrix_power(L.ones(3, 3, dtype=L.long), -1),
    "nonsq_det": lambda L: L.linalg.det(L.ones(2, 3)),
    "nonsq_slogdet": lambda L: L.linalg.slogdet(L.ones(2, 3)),
    "nonsq_inv": lambda L: L.linalg.inv(L.ones(2, 3)),
    "nonsq_chol": lambda L: L.linalg.cholesky(L.ones(2, 3)),
    "nonsq_eigh": lambda L: L.linalg.eigh(L.ones(2, 3)),
    "nonsq_mpow": lambda L: L.linalg.matrix_power(L.ones(2, 3), 2),
    "1d_det": lambda L: L.linalg.det(L.ones(3)),
    "1d_inv": lambda L: L.linalg.inv(L.ones(3)),
    "1d_mnorm": lambda L: L.linalg.matrix_norm(L.ones(3)),
    "sing_inv": lambda L: L.linalg.inv(L.tensor(SING)),
    "sing_inv_batch": lambda L: L.linalg.inv(L.stack([L.eye(3), L.tensor(SING)])),
    "sing_solve": lambda L: L.linalg.solve(L.tensor(SING), L.ones(3)),
    "solve_shape": lambda L: L.linalg.solve(L.eye(3), L.ones(2, 2)),
    "solve_shape_right": lambda L: L.linalg.solve(L.eye(3), L.ones(3, 2), left=False),
    "npd_chol": lambda L: L.linalg.cholesky(L.tensor(NPD)),
    "npd_chol_batch": lambda L: L.linalg.cholesky(L.stack([L.eye(2), L.tensor(NPD)])),
    "svd_driver": lambda L: L.linalg.svd(L.eye(2), driver="gesvd"),
    "svdvals_driver": lambda L: L.linalg.svdvals(L.eye(2), driver="gesvd"),
    "norm_fro_1d": lambda L: L.linalg.norm(L.ones(3), "fro"),
    "norm_str_dim1": lambda L: L.linalg.norm(L.ones(3, 3), "fro", dim=1),
    "vecdot_int": lambda L: L.linalg.vecdot(L.ones(3, dtype=L.long), L.ones(3, dtype=L.long)),
    "qr_mode": lambda L: L.linalg.qr(L.ones(3, 2), mode="x"),
    "eigh_uplo": lambda L: L.linalg.eigh(L.eye(2), UPLO="X"),
    "norm_3d": lambda L: L.linalg.norm(L.ones(2, 2, 2), ord=2),
    "mnorm_ord": lambda L: L.linalg.matrix_norm(L.eye(2), ord=3),
    "mnorm_str": lambda L: L.linalg.matrix_norm(L.eye(2), ord="x"),
    "vnorm_str": lambda L: L.linalg.vector_norm(L.ones(3), ord="fro"),
    "cross_len": lambda L: L.linalg.cross(L.ones(4), L.ones(4)),
    "cross_ndim": lambda L: L.linalg.cross(L.ones(4, 3), L.ones(2, 1, 3)),
    "cross_bcast": lambda L: L.linalg.cross(L.ones(4, 3), L.ones(2, 3)),
    "multi_dot_1": lambda L: L.linalg.multi_dot([L.ones(2, 2)]),
    "multi_dot_shape": lambda L: L.linalg.multi_dot([L.ones(2, 3), L.ones(2, 2)]),
    "multi_dot_3d": lambda L: L.linalg.multi_dot([L.ones(2, 2, 2), L.ones(2, 2)]),
    "multi_dot_mid1d": lambda L: L.linalg.multi_dot([L.ones(2, 2), L.ones(2), L.ones(2, 2)]),
    "vecdot_dtype": lambda L: L.linalg.vecdot(L.ones(3), L.ones(3, dtype=L.float64)),
    "qr_r_grad": lambda L: L.linalg.qr(L.ones(3, 2, requires_grad=True) + L.eye(3, 2),
                                       mode="r")[1].sum().backward(),
    "qr_complete_grad": lambda L: L.linalg.qr(L.ones(3, 2, requires_grad=True) + L.eye(3, 2),
                                              mode="complete")[0].sum().backward(),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_errors(case):
    t, z = _same_error(ERRORS[case])
    if case.startswith(("sing", "npd", "int", "nonsq", "1d", "solve_shape", "qr_", "eigh_",
                        "norm_", "mnorm_ord", "cross", "multi_dot", "svd", "vecdot_int")):
        if case == "cross_bcast":       # (zerograd's broadcast message adds the shapes)
            assert z[1].startswith(t[1]), (t, z)
        else:
            assert t[1] == z[1], (t, z)


def test_linalg_error_type():
    with pytest.raises(zerograd.linalg.LinAlgError) as e:
        zerograd.linalg.inv(zerograd.tensor(SING))
    assert isinstance(e.value, RuntimeError)
    assert str(e.value) == ("linalg.inv: The diagonal element 3 is zero, the inversion could not "
                            "be completed because the input matrix is singular.")


# ***** gradients and grad_fn names ***************************************************************

def _sym(L, A):
    return (A + A.mT) / 2


GRAD_CASES = {
    # name: (fn(L, A) -> tensor loss-able output, kind, shape)
    "det": (lambda L, A: L.linalg.det(A), "general", (2, 3, 3)),
    "slogdet": (lambda L, A: L.linalg.slogdet(A)[1], "general", (2, 3, 3)),
    "slogdet_both": (lambda L, A: L.linalg.slogdet(A)[0] + L.linalg.slogdet(A)[1], "general", (3, 3)),
    "inv": (lambda L, A: L.linalg.inv(A), "general", (2, 3, 3)),
    "solve": (lambda L, A: L.linalg.solve(A, A[..., :2] * 2 + 1), "general", (2, 3, 3)),
    "solve_vec": (lambda L, A: L.linalg.solve(A, A[..., 0] + 1), "general", (3, 3)),
    "solve_right": (lambda L, A: L.linalg.solve(A, A[..., :2, :] + 1, left=False), "general", (3, 3)),
    "cholesky": (lambda L, A: L.linalg.cholesky(A @ A.mT + L.eye(3)), "general", (2, 3, 3)),
    "cholesky_upper": (lambda L, A: L.linalg.cholesky(A @ A.mT, upper=True), "general", (3, 3)),
    "qr_R_abs": (lambda L, A: L.linalg.qr(A)[1].abs(), "rect", (4, 3)),
    "qr_QR": (lambda L, A: L.linalg.qr(A)[0] * L.linalg.qr(A)[1].diagonal(dim1=-2, dim2=-1).unsqueeze(-2),
              "rect", (2, 4, 3)),
    "qr_sq": (lambda L, A: L.linalg.qr(A, mode="complete")[0] @ L.linalg.qr(A, mode="complete")[1].triu(1),
              "general", (3, 3)),
    "eigh_w": (lambda L, A: L.linalg.eigh(_sym(L, A))[0], "rect", (2, 3, 3)),
    "eigh_proj": (lambda L, A: L.linalg.eigh(_sym(L, A))[1] ** 2, "rect", (3, 3)),
    "eigh_rec": (lambda L, A: (lambda w, V: (V * w.exp().unsqueeze(-2)) @ V.mT)(*L.linalg.eigh(_sym(L, A))),
                 "rect", (2, 3, 3)),
    "eigvalsh": (lambda L, A: L.linalg.eigvalsh(_sym(L, A)), "rect", (3, 3)),
    "svdvals": (lambda L, A: L.linalg.svdvals(A), "rect", (2, 3, 4)),
    "svd_S": (lambda L, A: L.linalg.svd(A, full_matrices=False)[1], "rect", (4, 3)),
    "svd_Ug": (lambda L, A: (lambda U, S, Vh: U * U)(*L.linalg.svd(A, full_matrices=False)), "rect", (4, 3)),
    "svd_Vg": (lambda L, A: (lambda U, S, Vh: Vh ** 2 * 3)(*L.linalg.svd(A, full_matrices=False)), "rect", (3, 4)),
    "svd_rec": (lambda L, A: (lambda U, S, Vh: (U * S.exp().unsqueeze(-2)) @ Vh)(*L.linalg.svd(A, full_matrices=False)),
                "rect", (2, 4, 3)),
    "svd_full": (lambda L, A: (lambda U, S, Vh: U[..., :3] * U[..., :3] + S.sum())(*L.linalg.svd(A)), "rect", (4, 3)),
    "pinv": (lambda L, A: L.linalg.pinv(A), "rect", (2, 3, 4)),
    "pinv_tall": (lambda L, A: L.linalg.pinv(A), "rect", (4, 3)),
    "vector_norm": (lambda L, A: L.linalg.vector_norm(A), "rect", (3, 4)),
    "vector_norm_3": (lambda L, A: L.linalg.vector_norm(A, 3, dim=0), "rect", (3, 4)),
    "matrix_norm_fro": (lambda L, A: L.linalg.matrix_norm(A), "rect", (2, 3, 4)),
    "matrix_norm_nuc": (lambda L, A: L.linalg.matrix_norm(A, "nuc"), "rect", (2, 3, 4)),
    "matrix_norm_2": (lambda L, A: L.linalg.matrix_norm(A, 2), "rect", (2, 3, 4)),
    "matrix_norm_-2": (lambda L, A: L.linalg.matrix_norm(A, -2), "rect", (3, 4)),
    "matrix_norm_inf": (lambda L, A: L.linalg.matrix_norm(A, float("inf")), "rect", (2, 3, 4)),
    "matrix_norm_1": (lambda L, A: L.linalg.matrix_norm(A, 1), "rect", (3, 4)),
    "matrix_norm_-1": (lambda L, A: L.linalg.matrix_norm(A, -1), "rect", (3, 4)),
    "matrix_norm_-inf": (lambda L, A: L.linalg.matrix_norm(A, -float("inf")), "rect", (3, 4)),
    "norm": (lambda L, A: L.linalg.norm(A, dim=1), "rect", (3, 4)),
    "matrix_power": (lambda L, A: L.linalg.matrix_power(A, 5), "general", (2, 3, 3)),
    "matrix_power_neg": (lambda L, A: L.linalg.matrix_power(A, -3), "general", (3, 3)),
    "matrix_power_1": (lambda L, A: L.linalg.matrix_power(A, 1), "general", (3, 3)),
    "cross": (lambda L, A: L.linalg.cross(A, A.flip(0)), "rect", (2, 3)),
    "vecdot": (lambda L, A: L.linalg.vecdot(A, A.exp()), "rect", (2, 3)),
    "multi_dot": (lambda L, A: L.linalg.multi_dot([A, A.mT, A, A.mT]), "rect", (3, 4)),
    "diagonal": (lambda L, A: L.linalg.diagonal(A), "rect", (2, 3, 4)),
    "top_logdet": (lambda L, A: L.logdet(A @ A.mT + L.eye(3)), "general", (2, 3, 3)),
    "top_inverse": (lambda L, A: A.inverse(), "general", (3, 3)),
    "top_pinverse": (lambda L, A: A.pinverse(), "rect", (3, 4)),
    "top_det": (lambda L, A: A.det(), "general", (3, 3)),
    "chain_matmul": (lambda L, A: L.chain_matmul(A, A.mT, A), "rect", (3, 4)),
}


@pytest.mark.parametrize("case", sorted(GRAD_CASES))
def test_gradients_and_names(case):
    fn, kind, shape = GRAD_CASES[case]
    arr = _rand(shape, seed=len(case) + 11, kind=kind)
    ta, za = _pair(arr, grad=True)
    r = np.random.default_rng(5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t, z = fn(torch, ta), fn(zerograd, za)
    assert (z.grad_fn.name() if z.grad_fn else None) == (t.grad_fn.name() if t.grad_fn else None)
    w = r.standard_normal(tuple(t.shape))
    (t * torch.tensor(w)).sum().backward()
    (z * zerograd.tensor(w)).sum().backward()
    np.testing.assert_allclose(za.grad.numpy(), ta.grad.numpy(), rtol=1e-7, atol=1e-9)
    # first-order gradcheck, float64 (finite differences)
    zb = zerograd.tensor(arr, dtype=zerograd.float64, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert gradcheck(lambda a: fn(zerograd, a), (zb,), eps=1e-6, atol=1e-5, rtol=1e-3)


@pytest.mark.parametrize("case", ["det", "inv", "solve", "cholesky", "eigh_rec", "svd_rec",
                                  "qr_QR", "slogdet", "pinv"])
def test_double_backward(case):
    fn, kind, shape = GRAD_CASES[case]
    arr = _rand(shape, seed=len(case) + 11, kind=kind)
    ta, za = _pair(arr, grad=True)
    w = np.random.default_rng(3).standard_normal(tuple(fn(torch, ta).shape))
    gs = []
    for L, a in ((torch, ta), (zerograd, za)):
        y = (fn(L, a) * L.tensor(w)).sum()
        g, = L.autograd.grad(y, a, create_graph=True)
        (g ** 2).sum().backward()
        gs.append(a.grad.numpy().copy())
    np.testing.assert_allclose(gs[1], gs[0], rtol=1e-6, atol=1e-8)


def test_det_gradient_at_singular_matrices():
    # torch: zero where det is exactly 0 (its LU rule g·det·A⁻ᵀ), not the cofactor matrix
    for arr in ([[1.0, 2], [2, 4]], [[[1.0, 2, 3], [2, 4, 6], [1, 1, 2]], [[2.0, 0, 0], [0, 1, 0], [0, 0, 3]]]):
        ta, za = _pair(np.array(arr), grad=True)
        torch.linalg.det(ta).sum().backward()
        zerograd.linalg.det(za).sum().backward()
        np.testing.assert_allclose(za.grad.numpy(), ta.grad.numpy(), atol=1e-10)


def test_names_multi_output():
    A = zerograd.tensor(_rand((3, 3), 1, "spd"), requires_grad=True)
    names = {
        "slogdet": [t.grad_fn.name() for t in zerograd.linalg.slogdet(A)],
        "qr": [t.grad_fn.name() for t in zerograd.linalg.qr(A)],
        "eigh": [t.grad_fn.name() for t in zerograd.linalg.eigh(A)],
        "svd": [t.grad_fn.name() for t in zerograd.linalg.svd(A)],
    }
    assert names == {"slogdet": ["LinalgSlogdetBackward0"] * 2, "qr": ["LinalgQrBackward0"] * 2,
                     "eigh": ["LinalgEighBackward0"] * 2, "svd": ["LinalgSvdBackward0"] * 3}
    assert zerograd.linalg.matrix_rank(A).dtype == zerograd.int64
    assert zerograd.linalg.matrix_rank(A).grad_fn is None
    assert repr(zerograd.linalg.slogdet(A.detach())).startswith("torch.return_types.linalg_slogdet(")
    assert zerograd.linalg.eigh(A).eigenvalues.shape == (3,)
    assert zerograd.linalg.svd(A).Vh.shape == (3, 3)
    assert zerograd.slogdet(A).logabsdet.grad_fn.name() == "LinalgSlogdetBackward0"


def test_import_forms():
    import zerograd.linalg as zl
    assert zl is zerograd.linalg
    for name in ("vector_norm", "matrix_norm", "norm", "det", "slogdet", "inv", "solve", "cholesky",
                 "qr", "eigh", "eigvalsh", "svd", "svdvals", "pinv", "matrix_rank", "matrix_power",
                 "cross", "vecdot", "multi_dot", "diagonal"):
        assert callable(getattr(zl, name)), name
