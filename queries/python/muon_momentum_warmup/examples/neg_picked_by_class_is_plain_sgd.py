# example: near miss - the same list from `setup_optimizers()`, but the optimizer picked by its class is a plain SGD on
# the embeddings, and the momentum ramp goes into its groups; the orthogonalizing optimizer keeps 0.95; negative.
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
        return [torch.optim.SGD(self.emb.parameters(), lr=embedding_lr, momentum=0.9), OrthoSGD(self.body.parameters(), lr=matrix_lr)]


def get_muon_momentum(it):
    frac = min(it / 300, 1)
    return (1 - frac) * 0.85 + frac * 0.95


model = Net()
optimizers = model.setup_optimizers()
ortho = next(o for o in optimizers if isinstance(o, torch.optim.SGD))
for step in range(1000):
    model.body(model.emb(torch.randint(0, 1000, (8,)))).square().mean().backward()
    for group in ortho.param_groups:
        group["momentum"] = get_muon_momentum(step)
    for opt in optimizers:
        opt.step()
    model.zero_grad(set_to_none=True)
