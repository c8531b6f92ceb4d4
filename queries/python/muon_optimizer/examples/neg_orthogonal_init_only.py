# example: near miss - a quintic Newton-Schulz routine is used only to orthogonalize weights once at init; training uses AdamW; negative (the update is never orthogonalized).
import torch
import torch.nn as nn


def zeropower_via_newtonschulz5(G, steps=5):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X


class MLP(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.up = nn.Linear(d, 4 * d, bias=False)
        self.down = nn.Linear(4 * d, d, bias=False)
        with torch.no_grad():
            for lin in (self.up, self.down):
                W = lin.weight
                tall = W.size(0) > W.size(1)
                W.copy_(zeropower_via_newtonschulz5(W.T).T if tall else zeropower_via_newtonschulz5(W))

    def forward(self, x):
        return self.down(torch.relu(self.up(x)))


model = nn.Sequential(*[MLP() for _ in range(4)])
optimizer = torch.optim.AdamW(model.parameters(), lr=0.0018, betas=(0.9, 0.95), weight_decay=0)
for step in range(10):
    model(torch.randn(8, 768)).square().mean().backward()
    optimizer.step()
    optimizer.zero_grad()
