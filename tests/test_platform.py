"""What scripts written for GPUs touch first, against PyTorch's CPU build (session 15):
torch.finfo / torch.iinfo, torch.cuda, torch.backends, torch.compile (eager: zerograd has no
compiler), set_float32_matmul_precision, use_deterministic_algorithms."""
import pytest

import zerograd

from ._oracle import requires_torch, torch as _torch

pytestmark = requires_torch


def _report(torch):
    out = []
    for d in (torch.float32, torch.float64, torch.float16, torch.bfloat16):
        f = torch.finfo(d); out.append((repr(f), f.bits, f.eps, f.max, f.min, f.tiny, f.smallest_normal, f.resolution, f.dtype))
    out.append(repr(torch.finfo()))
    for d in (torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8):
        f = torch.iinfo(d); out.append((repr(f), f.bits, f.max, f.min, f.dtype))
    for bad in (lambda: torch.finfo(torch.int32), lambda: torch.iinfo(torch.float32), lambda: torch.iinfo(torch.bool), lambda: torch.finfo("float32"), lambda: torch.iinfo(int), lambda: torch.finfo(float)):
        try: bad(); out.append("no error")
        except Exception as e: out.append((type(e).__name__, str(e)))
    out.append((torch.cuda.is_available(), torch.cuda.device_count(), torch.cuda.is_initialized(), torch.cuda.manual_seed(1), torch.cuda.manual_seed_all(1), torch.cuda.is_bf16_supported(), torch.cuda.memory_allocated(), torch.cuda.empty_cache()))
    for f in (torch.cuda.synchronize, torch.cuda.current_device, torch.cuda.get_device_name):
        try: f(); out.append("no error")
        except AssertionError as e: out.append(str(e))
    out.append((torch.backends.mps.is_available(), torch.backends.mps.is_built(), torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32, torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic, torch.backends.cudnn.is_available(), torch.backends.cuda.is_built()))
    out.append(torch.get_float32_matmul_precision()); torch.set_float32_matmul_precision("high"); out.append(torch.get_float32_matmul_precision())
    torch.set_float32_matmul_precision("highest")
    torch.use_deterministic_algorithms(True, warn_only=True); out.append((torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled()))
    torch.use_deterministic_algorithms(False)
    torch.manual_seed(0)
    m = torch.nn.Linear(2, 2); c = torch.compile(m)
    out.append((type(c).__name__, str(c), list(c.state_dict().keys()), c.weight is m.weight, c._orig_mod is m, c.in_features))
    x = torch.ones(1, 2)
    out.append((c(x).tolist(), m(x).tolist()))
    f = torch.compile(lambda x: x * 2); out.append(f(torch.ones(1)).tolist())
    out.append(torch.compile(backend="eager")(lambda x: x + 1)(torch.ones(1)).tolist())
    out.append(torch.compile(mode="max-autotune")(m)(x).tolist())
    for bad in (lambda: torch.compile(m, mode="fast"), lambda: torch.compile(5)):
        try: bad(); out.append("no error")
        except Exception as e: out.append((type(e).__name__, str(e)))
    device = "cuda" if torch.cuda.is_available() else "cpu"; out.append(device)
    torch.set_float32_matmul_precision("highest")
    return [repr(o) for o in out]


def test_platform_api_as_torch_cpu():
    assert _report(zerograd) == _report(_torch)


def test_compile_runs_the_model_eagerly_with_the_same_gradients():
    zerograd.manual_seed(0)
    m = zerograd.nn.Sequential(zerograd.nn.Linear(3, 4), zerograd.nn.GELU(), zerograd.nn.Linear(4, 1))
    c = zerograd.compile(m)
    x = zerograd.randn(5, 3)
    c(x).sum().backward()
    g = [p.grad.clone() for p in m.parameters()]
    m.zero_grad()
    m(x).sum().backward()
    assert all((a == p.grad).all() for a, p in zip(g, m.parameters()))
    assert list(c.parameters())[0] is list(m.parameters())[0]


def test_set_float32_matmul_precision_warns_on_a_bad_value():
    for L in (_torch, zerograd):
        with pytest.warns(UserWarning, match="is not one of 'highest', 'high', or 'medium'"):
            L.set_float32_matmul_precision("fast")
        assert L.get_float32_matmul_precision() == "highest"


def _compile_setattr_report(torch):
    out = []
    class M(torch.nn.Module):
        def __init__(self):
            super().__init__(); self.lin = torch.nn.Linear(2, 3); self.foo = 5
        def forward(self, x): return self.lin(x)
    torch.manual_seed(0)
    m = M(); c = torch.compile(m)
    c.lin = torch.nn.Linear(2, 4); c.foo = 7
    out.append((m.foo, m.lin.out_features, tuple(c(torch.ones(1, 2)).shape)))
    c.lin2 = torch.nn.Linear(2, 2)
    out.append((len(list(c.parameters())), sorted(c.state_dict().keys())))
    m.eval(); out.append((c.training, m.training)); c.train(); out.append((c.training, m.training))
    out.append(torch.compile(m, disable=True) is m)
    out.append(str(c)[:40])
    return [repr(o) for o in out]


def test_compiled_module_forwards_attributes_as_torch():
    """Setting an attribute or a submodule on torch.compile's wrapper sets it on the model;
    `training` is the model's; compile(disable=True) is the model itself."""
    assert _compile_setattr_report(zerograd) == _compile_setattr_report(_torch)


def _devices(torch):
    out = []
    for args in [("cpu",), ("cuda",), ("cuda:1",), ("cuda", 0), ("mps",), ("meta",), ("xpu:2",),
                 ("cpu", 0), ("cpu:0",)]:
        d = torch.device(*args)
        out.append((repr(d), str(d), d.type, d.index, hash(d) == hash(torch.device(*args))))
    out.append(torch.device("cuda", 0) == torch.device("cuda:0"))
    out.append(torch.device("cuda") == torch.device("cpu"))
    out.append((repr(torch.get_default_device()), torch.set_default_device("cpu"),
                torch.set_default_device(None)))
    for bad in ("foo", "cuda:x", "cuda:0:1", "cuda:-1", 0, ("cuda", -1), 1.5):
        try:
            torch.device(*(bad if isinstance(bad, tuple) else (bad,)))
            out.append("no error")
        except Exception as e:
            out.append((type(e).__name__, str(e).split("\n")[0]))
    x = torch.zeros(2, dtype=torch.float64)
    out.append([repr(y) for y in (x.new_zeros(2, device="cpu"), x.new_ones((1, 2)),
                                  x.new_full((2,), 3, device="cpu:0"), x.new_empty(size=(3,)).shape,
                                  x.new_tensor([1, 2], device="cpu"), x.cpu(), x.is_meta)])
    return out


def test_devices_are_named_as_in_torch():
    assert _devices(zerograd) == _devices(_torch)


CUDA_USES = [lambda t: t.zeros(2, device="cuda"), lambda t: t.zeros(2).to("cuda"),
             lambda t: t.zeros(2).cuda(), lambda t: t.zeros(2).to(t.device("cuda", 0)),
             lambda t: t.nn.Linear(2, 2).to("cuda"), lambda t: t.nn.Linear(2, 2).cuda(),
             lambda t: t.nn.Linear(2, 2, device="cuda:0"), lambda t: t.randn(2, device="cuda"),
             lambda t: t.tensor([1.0], device="cuda"), lambda t: t.zeros(1).new_zeros(2, device="cuda"),
             lambda t: t.empty_like(t.zeros(2), device="cuda"), lambda t: t.zeros(2, device="xpu")]


@pytest.mark.parametrize("use", range(len(CUDA_USES)))
def test_a_tensor_on_cuda_raises_torch_cpu_builds_assertion_error(use):
    """torch built without CUDA raises AssertionError('Torch not compiled with CUDA enabled');
    zerograd's error is that type too (and a RuntimeError, as it raised before), with the fix."""
    with pytest.raises(AssertionError) as t_err:
        CUDA_USES[use](_torch)
    with pytest.raises(AssertionError) as z_err:
        CUDA_USES[use](zerograd)
    assert isinstance(z_err.value, RuntimeError)
    assert str(t_err.value) in str(z_err.value) and "Use device='cpu'" in str(z_err.value)


def test_meta_and_mps_tensors_raise_with_the_fix():
    for dev in ("meta", "mps"):
        with pytest.raises(RuntimeError, match=f"no {dev} tensors in zerograd.*Use device='cpu'"):
            zerograd.zeros(2, device=dev)


def _attention_and_compiler(torch):
    import warnings
    SDPBackend, sdpa_kernel = torch.nn.attention.SDPBackend, torch.nn.attention.sdpa_kernel
    bc = torch.backends.cuda
    flags = lambda: (bc.flash_sdp_enabled(), bc.mem_efficient_sdp_enabled(),  # noqa: E731
                     bc.math_sdp_enabled(), bc.cudnn_sdp_enabled())
    out = [flags(), {k: int(v) for k, v in SDPBackend.__members__.items()},
           repr(SDPBackend.MATH), str(SDPBackend.FLASH_ATTENTION), SDPBackend.MATH.name]
    with sdpa_kernel(SDPBackend.MATH):
        out.append(flags())
    with sdpa_kernel([SDPBackend.EFFICIENT_ATTENTION, SDPBackend.CUDNN_ATTENTION]):
        out.append(flags())
    out.append(flags())
    for bad in ("math", ["math"]):
        try:
            with sdpa_kernel(bad):
                pass
            out.append("no error")
        except AssertionError as e:
            out.append(str(e))
    bc.enable_flash_sdp(False)
    out.append(flags())
    bc.enable_flash_sdp(True)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        with bc.sdp_kernel(enable_math=False):
            out.append(flags())
    out.append([(c.category.__name__, str(c.message)) for c in w if "sdp_kernel" in str(c.message)])
    out.append((flags(), torch.backends.mha.get_fastpath_enabled()))
    c = torch.compiler
    out.append((c.is_compiling(), c.is_dynamo_compiling(), c.is_exporting(), c.reset(),
                c.cudagraph_mark_step_begin(), c.list_backends(), c.get_default_backend()))
    f = lambda x: x + 1  # noqa: E731
    out.append((c.disable(f)(1), c.disable(recursive=False)(f)(2), c.allow_in_graph(f)(3),
                c.assume_constant_result(f)(4), c.compile(f)(torch.ones(1)).tolist()))
    torch.manual_seed(0)
    m = torch.nn.Linear(2, 2)
    y0 = m(torch.ones(1, 2)).tolist()
    out.append((m.compile(), m(torch.ones(1, 2)).tolist() == y0, type(m).__name__))
    try:
        m.compile(mode="bad")
    except RuntimeError as e:
        out.append(str(e))
    return out


def test_attention_backends_and_torch_compiler_as_torch_cpu():
    assert _attention_and_compiler(zerograd) == _attention_and_compiler(_torch)


def _sdpa_under_kernel_choices(torch):
    SDPBackend, sdpa_kernel = torch.nn.attention.SDPBackend, torch.nn.attention.sdpa_kernel
    F = torch.nn.functional
    q = torch.ones(1, 2, 3, 4)
    out = []
    for choice in list(SDPBackend.__members__.values()) + [[SDPBackend.EFFICIENT_ATTENTION,
                                                            SDPBackend.FLASH_ATTENTION]]:
        try:
            with sdpa_kernel(choice):
                out.append(F.scaled_dot_product_attention(q, q, q).shape)
        except RuntimeError as e:
            out.append(str(e))
    bc = torch.backends.cuda
    bc.enable_math_sdp(False)
    bc.enable_flash_sdp(False)
    try:
        F.scaled_dot_product_attention(q, q, q)
        out.append("no error")
    except RuntimeError as e:
        out.append(str(e))
    finally:
        bc.enable_math_sdp(True)
        bc.enable_flash_sdp(True)
    out.append(F.scaled_dot_product_attention(q, q, q).shape)
    return [str(o) for o in out]


def test_sdpa_runs_only_where_torch_cpu_has_a_kernel():
    """On torch's CPU build only the math and flash kernels run; a region that allows neither
    raises its "No viable backend" error."""
    assert _sdpa_under_kernel_choices(zerograd) == _sdpa_under_kernel_choices(_torch)


def test_pinned_memory_as_torch_cpu():
    for L in (zerograd, _torch):
        assert L.ones(2).is_pinned() is False
        with pytest.raises(RuntimeError, match="Cannot access accelerator device"):
            L.ones(2).pin_memory()
