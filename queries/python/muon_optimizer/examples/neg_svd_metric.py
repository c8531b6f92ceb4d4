# example: near miss - an SVD computes U @ Vh of each weight for a logged "orthogonality gap" metric, while the optimizer is plain AdamW; negative (no orthogonalized update).
import torch
import torch.nn as nn


def orthogonality_gap(w):
    U, S, Vh = torch.linalg.svd(w.detach().float(), full_matrices=False)
    return (w - U @ Vh).norm().item()


model = nn.Sequential(nn.Linear(256, 256, bias=False), nn.ReLU(), nn.Linear(256, 256, bias=False))
opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
for step in range(20):
    model(torch.randn(8, 256)).pow(2).mean().backward()
    opt.step()
    opt.zero_grad()
    if step % 5 == 0:
        print([orthogonality_gap(m.weight) for m in model if isinstance(m, nn.Linear)])
