# example: MomentumRamp is instantiated (ramp = MomentumRamp(...)) but the trainer is built with callbacks=[] and the ramp never runs; negative.
import torch
import torch.nn as nn


def zeropower(G, steps=5, eps=1e-7):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16() / (G.norm() + eps)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X.to(G.dtype)


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = torch.zeros_like(p)
                buf = state["momentum_buffer"]
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(zeropower(buf), alpha=-group["lr"])


class Callback:
    def on_before_optimizer_step(self, trainer, module, step):
        pass


class MomentumRamp(Callback):
    def __init__(self, lo, hi, steps):
        self.lo = lo
        self.hi = hi
        self.steps = steps

    def on_before_optimizer_step(self, trainer, module, step):
        t = min(step / self.steps, 1)
        for opt in trainer.optimizers:
            if isinstance(opt, Muon):
                for g in opt.param_groups:
                    g["momentum"] = self.lo + t * (self.hi - self.lo)


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, width=512):
        super().__init__()
        self.emb = nn.Embedding(vocab, width)
        self.hidden = nn.Linear(width, width, bias=False)
        self.out = nn.Linear(width, vocab, bias=False)

    def forward(self, idx):
        return self.out(torch.tanh(self.hidden(self.emb(idx))))

    def configure_optimizers(self):
        adam = torch.optim.Adam(list(self.emb.parameters()) + list(self.out.parameters()), lr=0.005)
        muon = Muon(self.hidden.parameters(), lr=0.02, momentum=0.95)
        return [adam, muon]


class Trainer:
    def __init__(self, callbacks=(), max_steps=1000):
        self.callbacks = list(callbacks)
        self.max_steps = max_steps
        self.optimizers = []

    def fit(self, module):
        self.optimizers = module.configure_optimizers()
        for step in range(self.max_steps):
            idx = torch.randint(0, 50304, (8, 64))
            module(idx).float().logsumexp(-1).mean().backward()
            for cb in self.callbacks:
                cb.on_before_optimizer_step(self, module, step)
            for opt in self.optimizers:
                opt.step()
                opt.zero_grad(set_to_none=True)


ramp = MomentumRamp(0.85, 0.95, 300)
trainer = Trainer(callbacks=[], max_steps=1000)
print('ramp configured', ramp.lo, ramp.hi)
trainer.fit(TinyLM())
