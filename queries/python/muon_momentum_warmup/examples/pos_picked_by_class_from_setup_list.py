# example: nanochat-style set-up: the model's `setup_optimizers()` returns a list of optimizers and the script picks the
# orthogonalizing one by its class (`next(o for o in opts if isinstance(o, OrthoSGD))`); each step it writes a momentum
# ramping from 0.85 to 0.95 over 300 steps into that optimizer's groups; positive.
import torch
from torch import nn


import torch


def polar(update, rounds=5):
    x = update.bfloat16()
    x = x / (x.norm() + 1e-7)
    for _ in range(rounds):
        gram = x @ x.mT
        x = 3.4445 * x + (-4.7750 * gram + 2.0315 * gram @ gram) @ x
    return x


class OrthoSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=0.04, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            for w in g["params"]:
                m = self.state[w].setdefault("m", torch.zeros_like(w))
                m.mul_(g["momentum"]).add_(w.grad)
                w.add_(polar(w.grad.add(m, alpha=g["momentum"])).type_as(w), alpha=-g["lr"])


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(1000, 256)
        self.body = nn.Linear(256, 256, bias=False)

    def setup_optimizers(self, matrix_lr=0.04, embedding_lr=0.3):
        return [torch.optim.Adam(self.emb.parameters(), lr=embedding_lr), OrthoSGD(self.body.parameters(), lr=matrix_lr)]


def get_muon_momentum(it):
    frac = min(it / 300, 1)
    return (1 - frac) * 0.85 + frac * 0.95


model = Net()
optimizers = model.setup_optimizers()
ortho = next(o for o in optimizers if isinstance(o, OrthoSGD))
for step in range(1000):
    model.body(model.emb(torch.randint(0, 1000, (8,)))).square().mean().backward()
    for group in ortho.param_groups:
        group["momentum"] = get_muon_momentum(step)
    for opt in optimizers:
        opt.step()
    model.zero_grad(set_to_none=True)
