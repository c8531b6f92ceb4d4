# example: each gradient is first read into a local name (`g = p.grad`) and the gradient is then replaced by that name divided by its own norm (`p.grad = g / (vector_norm(g) + eps)`); positive.
import torch
import torch.nn as nn

model = nn.Sequential(nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 512))
opt = torch.optim.AdamW(model.parameters(), lr=0.0018)


def train(steps, eps=1e-6):
    for step in range(steps):
        model(torch.randn(16, 512)).square().mean().backward()
        for name, p in model.named_parameters():
            g = p.grad
            p.grad = g / (torch.linalg.vector_norm(g) + eps)
        opt.step()
        opt.zero_grad(set_to_none=True)


train(30)
