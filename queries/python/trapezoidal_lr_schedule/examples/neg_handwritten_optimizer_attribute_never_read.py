# example: the same hand-written AdamW, but its step reads the rate it was built with (self.base_lr); the loop sets optimizer.lr from the warmup / flat / linear-cooldown function, an attribute the step never reads, so the rate stays flat; NOT present.
import torch
from torch import nn

ITERS = 5000
WARMUP = 256
COOLDOWN = 1500
PEAK = 0.0018


class HandAdamW:
    def __init__(self, params, lr, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.0):
        self.params = list(params)
        self.base_lr, self.betas, self.eps, self.wd = lr, betas, eps, weight_decay
        self.state = [(torch.zeros_like(p), torch.zeros_like(p)) for p in self.params]

    @torch.no_grad()
    def step(self):
        b1, b2 = self.betas
        for p, (m, v) in zip(self.params, self.state):
            m.mul_(b1).add_(p.grad, alpha=1 - b1)
            v.mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
            p.addcdiv_(m, v.sqrt_().add_(self.eps), value=-self.base_lr)


class TinyLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(50304, 768)
        self.head = nn.Linear(768, 50304, bias=False)

    def forward(self, ids):
        return self.head(self.tok(ids))

    def configure_optimizers(self, lr):
        optimizer = HandAdamW(self.parameters(), lr=lr)
        return optimizer


def rate_at(it):
    if it < WARMUP:
        return PEAK * (it + 1) / WARMUP
    left = ITERS - it
    if left > COOLDOWN:
        return PEAK
    return PEAK * left / COOLDOWN


model = TinyLM()
optimizer = model.configure_optimizers(PEAK)
for step in range(ITERS):
    ids = torch.randint(0, 50304, (4, 64))
    model(ids).float().logsumexp(-1).mean().backward()
    optimizer.lr = rate_at(step)
    optimizer.step()
