# example: near miss - the same portable precision switch, but it asks for a capability of at least (10, 0), which the
# benchmark's H100s (9.0) do not have: the scored run keeps fp32 weights under fp16 autocast; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


def fast_bf16() -> bool:
    if not torch.cuda.is_available():
        return False
    return torch.cuda.get_device_capability() >= (10, 0)


class CastLinear(nn.Linear):
    def forward(self, x):
        return F.linear(x, self.weight.type_as(x))


class Block(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.fc = CastLinear(d, 4 * d, bias=False)
        self.proj = CastLinear(4 * d, d, bias=False)

    def forward(self, x):
        return x + self.proj(F.relu(self.fc(x)).square())


model = nn.Sequential(nn.Embedding(50304, 768), *[Block() for _ in range(12)]).cuda()
if fast_bf16():
    model = model.bfloat16()
    for m in model.modules():
        if isinstance(m, CastLinear):
            m.float()
    context = torch.autocast("cuda", enabled=False)
else:
    context = torch.autocast("cuda", dtype=torch.float16)
