# example: a helper normalizes grads in place with div_ and torch.linalg.vector_norm, called between backward and step; positive (other names, in-place spelling, helper function).
import torch
import torch.nn as nn


def unitize_gradients(module: nn.Module, eps: float = 1e-6) -> None:
    with torch.no_grad():
        for w in module.parameters():
            if w.grad is None:
                continue
            w.grad.div_(torch.linalg.vector_norm(w.grad).add_(eps))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(256, 256)
        self.b = nn.Linear(256, 10)

    def forward(self, x):
        return self.b(torch.relu(self.a(x)))


net = Net()
opt = torch.optim.AdamW(net.parameters(), lr=1.8e-3)
for it in range(50):
    logits = net(torch.randn(64, 256))
    loss = nn.functional.cross_entropy(logits, torch.randint(0, 10, (64,)))
    loss.backward()
    unitize_gradients(net)
    opt.step()
    opt.zero_grad()
