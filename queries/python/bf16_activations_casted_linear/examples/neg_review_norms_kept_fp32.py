# example: the model is cast to bf16 wholesale and only LayerNorm modules are put back to fp32; the casting linears' weights stay bf16 (no fp32 master weights); negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class CastLinear(nn.Module):
    def __init__(self, fan_in, fan_out):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(fan_out, fan_in) * fan_in ** -0.5)

    def forward(self, x):
        return F.linear(x, self.weight.to(x.dtype))


class Net(nn.Module):
    def __init__(self, vocab=50304, d=512):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.norm = nn.LayerNorm(d)
        self.up = CastLinear(d, 4 * d)
        self.down = CastLinear(4 * d, d)

    def forward(self, idx):
        x = self.embed(idx)
        return x + self.down(F.gelu(self.up(self.norm(x.float()).type_as(x))))


model = Net().cuda().bfloat16()
for m in model.modules():
    if isinstance(m, nn.LayerNorm):
        m.float()
out = model(torch.randint(0, 50304, (2, 16), device="cuda"))
