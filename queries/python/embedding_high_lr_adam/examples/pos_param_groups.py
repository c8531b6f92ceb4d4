# example: a single torch.optim.Adam with two param groups (embedding lr 0.3, head lr 0.002) plus an orthogonal optimizer for matrices; positive (groups instead of separate optimizers).
import torch
from torch import nn


class OrthoSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02):
        super().__init__(params, dict(lr=lr))

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            for w in g["params"]:
                U, _, Vh = torch.linalg.svd(w.grad, full_matrices=False)
                w.sub_(g["lr"] * (U @ Vh))


embedding = nn.Embedding(50304, 768)
layers = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12))
readout = nn.Linear(768, 50304, bias=False)

adam = torch.optim.Adam(
    [
        {"params": embedding.parameters(), "lr": 0.3},
        {"params": readout.parameters(), "lr": 0.002},
    ],
    betas=(0.9, 0.95),
    eps=1e-8,
)
ortho = OrthoSGD(layers.parameters(), lr=0.02)
