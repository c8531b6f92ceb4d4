# example: the MLP builds a ReLU-then-square composition but its forward still applies GELU; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Squared(nn.Module):
    def forward(self, t):
        return t * t


class FeedForward(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.grow = nn.Linear(width, 4 * width, bias=False)
        self.relu2 = nn.Sequential(nn.ReLU(), Squared())  # TODO: try this
        self.shrink = nn.Linear(4 * width, width, bias=False)

    def forward(self, x):
        return self.shrink(F.gelu(self.grow(x)))


ff = FeedForward(64)
opt = torch.optim.AdamW(ff.parameters(), lr=1e-3)
for _ in range(10):
    ff(torch.randn(3, 64)).square().mean().backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
