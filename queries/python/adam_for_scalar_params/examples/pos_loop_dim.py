# example: a loop over named_parameters uses p.dim() to append matrices to one list and gains/biases to another; the first goes to an orthogonal optimizer, the second to AdamW; positive (loop spelling, dim()).
import torch
import torch.nn as nn


class OrthoSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02):
        super().__init__(params, dict(lr=lr))

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            for w in g["params"]:
                X = w.grad / (w.grad.norm() + 1e-7)
                for _ in range(5):
                    A = X @ X.T
                    X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
                w.sub_(g["lr"] * X)


body = nn.Sequential(nn.Linear(512, 2048), nn.LayerNorm(2048), nn.Linear(2048, 512))
mats, small = [], []
for name, p in body.named_parameters():
    if p.dim() == 2:
        mats.append(p)
    else:
        small.append(p)
opt_mats = OrthoSGD(mats, lr=0.02)
opt_small = torch.optim.AdamW(small, lr=0.02, betas=(0.9, 0.95), weight_decay=0.0)
