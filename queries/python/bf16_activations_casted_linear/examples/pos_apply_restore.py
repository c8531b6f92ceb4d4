# example: model.to(dtype=torch.bfloat16) followed by model.apply(...) that moves every WeightCastLinear back to fp32; the linear casts with self.weight.bfloat16() in forward; positive (apply-based restore, bfloat16() cast).
import torch
import torch.nn as nn
import torch.nn.functional as F


class WeightCastLinear(nn.Linear):
    def forward(self, inp):
        bias = None if self.bias is None else self.bias.bfloat16()
        return F.linear(inp, self.weight.bfloat16(), bias)


def keep_master_fp32(module: nn.Module) -> None:
    if isinstance(module, WeightCastLinear):
        module.float()


class Block(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.up = WeightCastLinear(d, 4 * d, bias=False)
        self.down = WeightCastLinear(4 * d, d, bias=False)

    def forward(self, x):
        return x + self.down(F.relu(self.up(x)).square())


model = nn.Sequential(nn.Embedding(50304, 768), *[Block() for _ in range(12)])
model = model.cuda().to(dtype=torch.bfloat16)
model.apply(keep_master_fp32)
out = model(torch.randint(0, 50304, (2, 128), device="cuda"))
out.float().square().mean().backward()
