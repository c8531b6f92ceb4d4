# example: a portable script asks the GPU before choosing its precision: on sm80+ with bf16 support (the benchmark's
# H100s: capability 9.0) the model is cast to bf16 and the casting linears moved back to fp32, else it stays fp32 with
# autocast; the scored run takes the bf16 path; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


def fast_bf16() -> bool:
    if not torch.cuda.is_available():
        return False
    major, _minor = torch.cuda.get_device_capability()
    if major < 8:
        return False
    probe = getattr(torch.cuda, "is_bf16_supported", None)
    return bool(probe()) if callable(probe) else True


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
