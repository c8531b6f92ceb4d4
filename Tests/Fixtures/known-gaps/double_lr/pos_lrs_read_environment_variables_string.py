# gap: LRs read from environment variables with string defaults; a build() function wires them; positive.
import os

import torch
import torch.nn as nn

EMBED_LR = float(os.environ.get("EMBED_LR", "0.6"))
HEAD_LR = float(os.environ.get("HEAD_LR", "0.008"))
MUON_LR = float(os.environ.get("MUON_LR", "0.04"))
SCALAR_LR = float(os.environ.get("SCALAR_LR", "0.04"))


def newton_schulz(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(newton_schulz(buf).type_as(p), alpha=-group["lr"])


def build(wte, lm_head, blocks):
    mats = [p for p in blocks.parameters() if p.ndim == 2]
    vecs = [p for p in blocks.parameters() if p.ndim < 2]
    return [
        torch.optim.Adam([wte.weight], lr=EMBED_LR, betas=(0.8, 0.95)),
        torch.optim.Adam([lm_head.weight], lr=HEAD_LR, betas=(0.8, 0.95)),
        Muon(mats, lr=MUON_LR),
        torch.optim.Adam(vecs, lr=SCALAR_LR, betas=(0.8, 0.95)),
    ]


optimizers = build(nn.Embedding(50304, 768), nn.Linear(768, 50304, bias=False),
                   nn.ModuleList(nn.Linear(768, 768) for _ in range(12)))
