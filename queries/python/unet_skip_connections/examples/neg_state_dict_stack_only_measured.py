# example: the same state dictionary collects the first half's outputs, but the second half only measures them for a log (`ctx["norms"]`), never adding one back; NOT present.
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self, width=64, depth=8):
        super().__init__()
        self.blocks = nn.ModuleList(nn.Linear(width, width) for _ in range(depth))
        self.skip_weights = nn.Parameter(torch.ones(depth // 2))

    def forward(self, x):
        ctx = {"x0": x, "skips": []}
        half = len(self.blocks) // 2
        for blk in self.blocks[:half]:
            x = torch.relu(blk(x))
            ctx["skips"].append(x)
        for i, blk in enumerate(self.blocks[half:]):
            ctx.setdefault("norms", []).append(ctx["skips"].pop().norm())
            x = torch.relu(blk(x))
        return x


model = Net()
model(torch.randn(4, 64)).square().mean().backward()
