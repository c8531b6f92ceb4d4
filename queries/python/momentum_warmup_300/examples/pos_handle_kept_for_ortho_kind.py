# example: optimizers built per row of a recipe by a factory, the orthogonalizing one kept as a handle (if kind == "ortho": ortho_opt = opt), its momentum ramped over 300 steps by a closure a schedule factory returns (the factory also called with warmup=0 for a flat rate); positive.
import torch
import torch.nn as nn


def polar(G, steps=5):
    X = G / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class OrthoSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(polar(buf), alpha=-group["lr"])


class Layer(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.w = nn.Linear(d, d, bias=False)
        self.scale = nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x + self.scale * self.w(x).relu()


class Net(nn.Module):
    def __init__(self, vocab=1000, d=64, depth=4):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.layers = nn.ModuleList([Layer(d) for _ in range(depth)])
        self.lm_head = nn.Linear(d, vocab, bias=False)

    def forward(self, idx):
        x = self.wte(idx)
        for layer in self.layers:
            x = layer(x)
        return self.lm_head(x)


def split_params(module, rules):
    out = {tag: [] for tag, _ in rules}
    for pname, p in module.named_parameters():
        for tag, accepts in rules:
            if accepts(pname, p):
                out[tag].append(p)
                break
    return out


def build(kind, tensors, lr, **extra):
    if kind == "ortho":
        return OrthoSGD(tensors, lr=lr, **extra)
    if kind == "adam":
        return torch.optim.Adam(tensors, lr=lr, betas=(0.8, 0.95), **extra)
    raise KeyError(kind)


net = Net()
groups = split_params(net, rules=[
    ("tokens", lambda n, p: n.startswith("wte.")),
    ("readout", lambda n, p: n.startswith("lm_head.")),
    ("matrices", lambda n, p: p.ndim == 2),
    ("vectors", lambda n, p: p.ndim < 2),
])
def make_schedule(kind="flat", warmup=0, start=1.0, end=1.0):
    if kind == "flat":
        return lambda t: end
    if kind == "ramp":
        def ramp(t):
            frac = min(t / warmup, 1) if warmup > 0 else 1.0
            return (1 - frac) * start + frac * end
        return ramp
    raise KeyError(kind)


RECIPE = {
    "tokens": dict(kind="adam", lr=0.6),
    "readout": dict(kind="adam", lr=0.008),
    "matrices": dict(kind="ortho", lr=0.05, momentum=0.95),
    "vectors": dict(kind="adam", lr=0.04),
}
MOMENTUM_RAMP = dict(kind="ramp", warmup=300, start=0.85, end=0.95)
opts = []
ortho_opt = None
for tag, entry in RECIPE.items():
    entry = dict(entry)
    kind = entry.pop("kind")
    opt = build(kind, groups[tag], **entry)
    if kind == "ortho":
        ortho_opt = opt
    opts.append(opt)
lr_mult = make_schedule(kind="flat", warmup=0)
momentum_at = make_schedule(**MOMENTUM_RAMP)
for step in range(1000):
    idx = torch.randint(0, 1000, (4, 16))
    net(idx).float().logsumexp(-1).mean().backward()
    for group in ortho_opt.param_groups:
        group["momentum"] = momentum_at(step)
    for opt in opts:
        opt.step()
        opt.zero_grad(set_to_none=True)
