# gap: AdamW trains everything; after each step the hidden WEIGHTS are projected back onto the orthogonal manifold with Newton-Schulz (a Stiefel retraction). The update itself is never orthogonalized; negative.
import torch
import torch.nn as nn


def newton_schulz(G, steps=5):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X


class OrthoConstrainedAdamW(torch.optim.AdamW):
    @torch.no_grad()
    def step(self, closure=None):
        loss = super().step(closure)
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim == 2 and p.size(0) == p.size(1):
                    p.copy_(newton_schulz(p).to(p.dtype))
        return loss


blocks = nn.ModuleList(nn.Linear(512, 512, bias=False) for _ in range(6))
opt = OrthoConstrainedAdamW(blocks.parameters(), lr=1e-3, betas=(0.9, 0.95), weight_decay=0.0)
for step in range(100):
    x = torch.randn(8, 512)
    for b in blocks:
        x = x + b(x)
    x.square().mean().backward()
    opt.step()
    opt.zero_grad()
