# example: the same bf16 parametrization on every linear weight, but after model.bfloat16() nothing puts the stored tensors back to fp32 (the loop only prints their dtype), so the optimizer steps bf16 weights: no fp32 masters; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.nn.utils.parametrize as P


class AsBf16(nn.Module):
    def forward(self, stored):
        return stored.to(torch.bfloat16)


def cast_at_use(layer):
    P.register_parametrization(layer, "weight", AsBf16(), unsafe=True)
    return layer


class Block(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.up = cast_at_use(nn.Linear(d, 4 * d, bias=False))
        self.down = cast_at_use(nn.Linear(4 * d, d, bias=False))

    def forward(self, x):
        return x + self.down(F.relu(self.up(x)).square())


model = nn.Sequential(nn.Embedding(50304, 768), *[Block() for _ in range(12)])
model = model.cuda().bfloat16()
for m in model.modules():
    if P.is_parametrized(m, "weight"):
        print(m.parametrizations.weight.original.dtype)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
out = model(torch.randint(0, 50304, (2, 128), device="cuda"))
out.float().square().mean().backward()
opt.step()
