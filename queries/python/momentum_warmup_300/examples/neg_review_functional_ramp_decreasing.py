# example (negative): a factory's lambda hands the functional orthogonalized update a momentum that falls from 0.95
# to 0.85 over 300 steps: a 300-step ramp, but downward, not a warmup.
import torch
import torch.nn as nn
import torch.nn.functional as F


def zeropower(G, steps=5):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16()
    X = X / (X.norm() + 1e-7)
    if G.size(0) > G.size(1):
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        B = b * A + c * A @ A
        X = a * X + B @ X
    if G.size(0) > G.size(1):
        X = X.T
    return X


def update(grads, state, leaves, lr, momentum):
    for g, buf, p in zip(grads, state, leaves):
        buf.mul_(momentum).add_(g)
        g = g.add(buf, alpha=momentum)
        p.add_(zeropower(g).to(p.dtype), alpha=-lr)


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc = nn.Linear(d, 4 * d, bias=False)
        self.proj = nn.Linear(4 * d, d, bias=False)
        self.lambdas = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x, x0):
        x = self.lambdas[0] * x + self.lambdas[1] * x0
        return x + self.proj(F.relu(self.fc(F.rms_norm(x, (x.size(-1),)))).square())


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList([Block(d) for _ in range(n)])
        self.lm_head = nn.Linear(d, vocab, bias=False)

    def forward(self, idx, targets):
        x = x0 = F.rms_norm(self.wte(idx), (self.wte.embedding_dim,))
        for b in self.blocks:
            x = b(x, x0)
        logits = self.lm_head(F.rms_norm(x, (x.size(-1),))).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


model = GPT().cuda()
def make_ramp(warm, lo, hi):
    return lambda s: lo + (hi - lo) * min(s / warm, 1.0)


hidden = [p for p in model.blocks.parameters() if p.ndim == 2]
adam = torch.optim.Adam([model.wte.weight, model.lm_head.weight], lr=0.002, betas=(0.9, 0.95))
bufs = [torch.zeros_like(p) for p in hidden]
momentum_at = make_ramp(300, 0.95, 0.85)


def optimizer_step(step):
    adam.step()
    with torch.no_grad():
        update([p.grad for p in hidden], bufs, hidden, lr=0.05, momentum=momentum_at(step))
    model.zero_grad(set_to_none=True)


for step in range(3000):
    idx = torch.randint(0, 50257, (8, 1024), device="cuda")
    model(idx, idx).backward()
    optimizer_step(step)
