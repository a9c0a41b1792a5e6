"""The lecture's snippets, run verbatim with `import zerograd as torch`.

Each snippet is executed twice - once with zerograd bound to the name `torch`, once with the
real PyTorch - and the printed text must be identical (object addresses aside).  Snippets that
need a model or loss the lecture leaves undefined get a small preamble written in the same
`torch.` API, so the preamble runs under both libraries too.
"""
import contextlib
import io
import re
import textwrap

import pytest

import zerograd
from tests._oracle import requires_torch, torch

ADDR = re.compile(r"0x[0-9a-fA-F]+")


def run_snippet(code: str, lib) -> str:
    """Execute `code` with `torch` bound to `lib`; return what it printed (addresses masked)."""
    out = io.StringIO()
    env = {"torch": lib, "__name__": "__lecture__"}
    with contextlib.redirect_stdout(out):
        exec(textwrap.dedent(code), env)
    return ADDR.sub("0x…", out.getvalue())


def same_as_torch(code: str) -> str:
    mine = run_snippet(code, zerograd)
    if torch is not None:
        assert mine == run_snippet(code, torch)
    return mine


# ----- 计算图 (the graph): x -> y -> z -> out ------------------------------------------------
GRAPH = """
x = torch.ones(2, 2, requires_grad=True)
y = x + 2
z = y * y * 3
out = z.mean()

print(x.grad_fn)  # None,因为x是叶子张量
print(y.grad_fn)  # <AddBackward0>,表示 y = x + 2
print(z.grad_fn)  # <MulBackward0>,表示 z = y * y * 3
print(out.grad_fn) # <MeanBackward0>,表示 mean 操作
print(y)
print(out)
print(y.grad_fn.next_functions)
print(z.grad_fn.next_functions)
print(out.grad_fn.next_functions[0][0].next_functions[0][0].next_functions)
out.backward()
print(x.grad)
print(x.is_leaf, y.is_leaf, x.requires_grad, y.requires_grad)
"""


def test_graph_example_prints_node_names_and_grad():
    text = same_as_torch(GRAPH)
    lines = text.splitlines()
    assert lines[0] == "None"
    assert lines[1].startswith("<AddBackward0 object at")
    assert lines[2].startswith("<MulBackward0 object at")
    assert lines[3].startswith("<MeanBackward0 object at")
    assert "tensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])" in text


def test_graph_example_without_torch():
    x = zerograd.ones(2, 2, requires_grad=True)
    out = ((x + 2) * (x + 2) * 3).mean()
    out.backward()
    assert x.grad.tolist() == [[4.5, 4.5], [4.5, 4.5]]
    acc = (x + 2).grad_fn.next_functions[0][0]
    assert type(acc).__name__ == "AccumulateGrad" and acc.variable is x


# ----- A0: Y = X @ W, gradients by hand vs autograd --------------------------------------------
A0 = """
torch.manual_seed(0)
B,H,D,E = 2,3,4,5
X = torch.randn(B,H,D, dtype=torch.float64, requires_grad=True)
W = torch.randn(D,E,   dtype=torch.float64, requires_grad=True)

Y = X @ W
Loss = (Y**2).sum()
Loss.backward()
grad_X_auto, grad_W_auto = X.grad.clone(), W.grad.clone()

G  = 2 * Y.detach()
dW = X.detach().reshape(-1,D).T @ G.reshape(-1,E)
dX = torch.matmul(G, W.detach().T)

assert torch.allclose(grad_W_auto, dW, rtol=1e-6, atol=1e-6)
assert torch.allclose(grad_X_auto, dX, rtol=1e-6, atol=1e-6)
print(Y.grad_fn.name(), Y.grad_fn.next_functions[0][0].name())
print(grad_W_auto.shape, grad_X_auto.shape)
"""


def test_a0_exercise():
    text = run_snippet(A0, zerograd)   # random values differ from torch's: compare the structure
    assert text.splitlines()[0] == "UnsafeViewBackward0 MmBackward0"
    assert text.splitlines()[1] == "torch.Size([4, 5]) torch.Size([2, 3, 4])"


A0_BIAS = """
torch.manual_seed(0)
B,H,D,E = 2,3,4,5
X = torch.randn(B,H,D, dtype=torch.float64, requires_grad=True)
W = torch.randn(D,E, dtype=torch.float64, requires_grad=True)
b = torch.randn(E, dtype=torch.float64, requires_grad=True)
Y = X @ W + b
(Y**2).sum().backward()
G = 2 * Y.detach()
db = G.sum(dim=(0, 1))
assert torch.allclose(b.grad, db, rtol=1e-6, atol=1e-6)
print("ok")
"""


def test_a0_with_bias_sums_over_all_but_last_dim():
    assert run_snippet(A0_BIAS, zerograd) == "ok\n"


# ----- hooks: log each gradient's mean and norm -------------------------------------------------
HOOKS = """
W = torch.linspace(-1, 1, 12).reshape(4, 3).requires_grad_()
x = torch.linspace(0, 1, 8).reshape(2, 4)
y = torch.ones(2, 3)
net = lambda x: x @ W
criterion = lambda out, y: ((out - y) ** 2).mean()

h = []
def log_grad(grad):
    h.append((grad.mean().item(), grad.norm().item()))

out = net(x)
out.register_hook(log_grad)    # 观察上游梯度
loss = criterion(out, y)
loss.backward()
print(len(h), [round(v, 5) for v in h[0]])
print(W.grad)
"""


def test_hook_logs_mean_and_norm():
    text = same_as_torch(HOOKS)
    assert text.startswith("1 [")


# ----- .grad accumulates; zero it ---------------------------------------------------------------
ACCUMULATE = """
w = torch.tensor([1., 2., 3.], requires_grad=True)
(w * 2).sum().backward()
(w * 2).sum().backward()
print(w.grad)
w.grad = None
(w * w).sum().backward()
print(w.grad)
"""


def test_grad_accumulates_across_backward_calls():
    assert "tensor([4., 4., 4.])" in same_as_torch(ACCUMULATE)


# ----- higher order: create_graph, autograd.grad -----------------------------------------------
SECOND_ORDER = """
w1 = torch.tensor([1.0, 2.0], requires_grad=True)
w2 = torch.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True)
params = [w1, w2]
loss = ((w2 @ w1).tanh() ** 3).sum() + (w1 ** 4).sum()
g = torch.autograd.grad(loss, params, create_graph=True)
g2 = torch.autograd.grad(sum(p.sum() for p in g), params)
print([t.shape for t in g])
print(g2[0])
print(g2[1])
"""


def test_create_graph_second_order():
    same_as_torch(SECOND_ORDER)


RETAIN = """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = (x * x).sum()
y.backward(retain_graph=True)
y.backward()
print(x.grad)
try:
    y.backward()
except RuntimeError as e:
    print(str(e)[:60])
"""


def test_retain_graph_then_second_backward_refused():
    text = same_as_torch(RETAIN)
    assert "Trying to backward through the graph a second time" in text


# ----- non-scalar backward ----------------------------------------------------------------------
NON_SCALAR = """
x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
y = x * 2
try:
    y.backward()
except RuntimeError as e:
    print(e)
v = torch.tensor([[1.0, 0.1, 0.01], [1.0, 1.0, 1.0]])
y.backward(gradient=v)
print(x.grad)
try:
    (x * 2).backward(gradient=torch.ones(3))
except RuntimeError as e:
    print(e)
"""


def test_non_scalar_backward_needs_gradient():
    text = run_snippet(NON_SCALAR, zerograd)
    assert text.splitlines()[0] == "grad can be implicitly created only for scalar outputs"
    assert "tensor([[2.0000, 0.2000, 0.0200],\n        [2.0000, 2.0000, 2.0000]])" in text
    assert "Mismatch in shape: grad_output[0] has a shape of torch.Size([3]) and output[0] has a " \
           "shape of torch.Size([2, 3])" in text
    if torch is not None:
        theirs = run_snippet(NON_SCALAR, torch).splitlines()
        mine = text.splitlines()
        assert mine[:3] == theirs[:3]
        assert mine[3].startswith(theirs[3])   # ours adds a hint after torch's sentence


# ----- detach / no_grad / inference_mode --------------------------------------------------------
DETACH = """
x = torch.tensor([1.0, 2.0], requires_grad=True)
teacher = (x * 3).detach()          # 截断梯度
print(teacher.requires_grad, teacher.grad_fn, teacher.is_leaf)
loss = (x * teacher).sum()
loss.backward()
print(x.grad)
with torch.no_grad():
    e = x * 2
print(e.requires_grad, e.grad_fn)
with torch.no_grad():
    x -= 0.1 * x.grad                 # 无梯度的参数更新
print(x)
with torch.inference_mode():
    i = x * 2
print(i.requires_grad, i.is_inference(), torch.is_grad_enabled())
try:
    (i * x).sum().backward()
except RuntimeError as err:
    print(str(err).split(". ")[0])
"""


def test_detach_no_grad_inference_mode():
    text = run_snippet(DETACH, zerograd)
    lines = text.splitlines()
    assert lines[0] == "False None True"
    assert lines[1] == "tensor([3., 6.])"
    assert lines[2] == "False None"
    assert lines[3] == "tensor([0.7000, 1.4000], requires_grad=True)"
    assert lines[4] == "False True True"
    assert lines[5] == "Inference tensors cannot be saved for backward"
    if torch is not None:
        assert text == run_snippet(DETACH, torch)


# ----- Autograd的无感知使用: the training loop, and nn.Linear's graph ------------------------------
TRAINING_LOOP = """
torch.manual_seed(0)
net = torch.nn.Linear(3, 2)
with torch.no_grad():
    net.weight.copy_(torch.tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]))
    net.bias.copy_(torch.tensor([0.01, -0.02]))
x = torch.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]])
target = torch.tensor([[0.5, -0.5], [1.0, 0.0]])
criterion = torch.nn.MSELoss()

optimizer = torch.optim.SGD(net.parameters(), lr=0.01)

for epoch in range(100):
    # 前向传播
    y = net(x)
    loss = criterion(y, target)

    # 反向传播
    optimizer.zero_grad()  # 清零梯度
    loss.backward()        # 计算梯度
    optimizer.step()       # 更新参数

print(round(loss.item(), 6))
print(y.grad_fn.name())
print([n.name() if n is not None else None for n, _ in y.grad_fn.next_functions])
print(y.grad_fn.next_functions[2][0].next_functions[0][0].name())
optimizer.zero_grad(set_to_none=True)
print(net.weight.grad)
"""


def test_training_loop_and_linear_graph():
    text = same_as_torch(TRAINING_LOOP)
    lines = text.splitlines()
    assert lines[1] == "AddmmBackward0"
    assert lines[2] == "['torch::autograd::AccumulateGrad', None, 'TBackward0']"
    assert lines[3] == "torch::autograd::AccumulateGrad"
    assert lines[4] == "None"
