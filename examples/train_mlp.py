"""An MLP learns the UCI 8x8 handwritten digits (shipped with zerograd) - the lecture's training
loop, unchanged, with `import zerograd as torch`.

    python examples/train_mlp.py          # ~97% test accuracy after 20 epochs, a few seconds
"""
import numpy as np

import zerograd as torch
from zerograd.models.digits import load_digits

nn, F = torch.nn, torch.nn.functional

torch.manual_seed(0)
X, y = load_digits()                                   # (1797, 64) in [0, 1], labels 0..9
order = np.random.default_rng(0).permutation(len(X))
test, train = order[:360], order[360:]
x_train, y_train = torch.from_numpy(X[train]), torch.from_numpy(y[train])
x_test, y_test = torch.from_numpy(X[test]), torch.from_numpy(y[test])

net = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)

for epoch in range(20):
    for i in range(0, len(train), 64):
        x, target = x_train[i:i + 64], y_train[i:i + 64]
        # 前向传播 (forward)
        out = net(x)
        loss = criterion(out, target)
        # 反向传播 (backward)
        optimizer.zero_grad()     # 清零梯度
        loss.backward()           # 计算梯度
        optimizer.step()          # 更新参数
    with torch.no_grad():
        accuracy = (net(x_test).argmax(dim=1) == y_test).float().mean().item()
    print(f"epoch {epoch + 1:2d}  loss {loss.item():.4f}  test accuracy {accuracy:.1%}")

assert accuracy > 0.93, "the MLP should reach > 93% test accuracy"
