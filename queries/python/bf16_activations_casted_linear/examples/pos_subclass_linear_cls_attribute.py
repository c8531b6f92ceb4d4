# example: subclasses swap their projections for a casting linear through a linear_cls class attribute after super().__init__; model cast to bf16 with the casting linears put back to fp32, no autocast; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class CastingLinear(nn.Linear):
    def forward(self, x):
        return F.linear(x, self.weight.to(dtype=x.dtype))


class MLP(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc = nn.Linear(d, 4 * d, bias=False)
        self.proj = nn.Linear(4 * d, d, bias=False)

    def forward(self, x):
        return self.proj(F.relu(self.fc(x)).square())


class LowPrecisionMLP(MLP):
    linear_cls = CastingLinear

    def __init__(self, d):
        super().__init__(d)
        self.fc = self.linear_cls(d, 4 * d, bias=False)
        self.proj = self.linear_cls(4 * d, d, bias=False)


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n=12, mlp_cls=LowPrecisionMLP):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(mlp_cls(d) for _ in range(n))

    def forward(self, idx):
        x = self.wte(idx)
        for block in self.blocks:
            x = x + block(x)
        return x


model = GPT().cuda().bfloat16()
for m in model.modules():
    if isinstance(m, CastingLinear):
        m.float()
