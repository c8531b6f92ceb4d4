# example: every linear's weight gets a torch.nn.utils.parametrize parametrization whose forward returns the stored tensor as bf16; after model.bfloat16() the parametrized linears go back to fp32 under parametrize.is_parametrized(m, "weight"), so the optimizer steps fp32 masters while activations flow in bf16, no autocast; positive.
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
        m.float()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
out = model(torch.randint(0, 50304, (2, 128), device="cuda"))
out.float().square().mean().backward()
opt.step()
