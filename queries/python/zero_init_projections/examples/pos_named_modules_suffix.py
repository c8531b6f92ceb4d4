# example: a helper zeroes every module whose name ends in c_proj (attention and MLP output projections) in a loop over named_modules(), called from the model's __init__; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F

class Attn(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.c_attn = nn.Linear(d, 3 * d, bias=False)
        self.c_proj = nn.Linear(d, d, bias=False)
    def forward(self, x):
        q, k, v = self.c_attn(x).split(x.size(-1), dim=2)
        return self.c_proj(F.scaled_dot_product_attention(q, k, v, is_causal=True))

class MLP(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.c_fc = nn.Linear(d, 4 * d, bias=False)
        self.c_proj = nn.Linear(4 * d, d, bias=False)
    def forward(self, x):
        return self.c_proj(self.c_fc(x).clamp_min(0).square())

def zero_residual_projections_(model):
    for name, module in model.named_modules():
        if name.endswith("c_proj") and isinstance(module, nn.Linear):
            nn.init.zeros_(module.weight)
    return model

class GPT(nn.Module):
    def __init__(self, d=64, n=2):
        super().__init__()
        self.attn = nn.ModuleList([Attn(d) for _ in range(n)])
        self.mlp = nn.ModuleList([MLP(d) for _ in range(n)])
        zero_residual_projections_(self)
    def forward(self, x):
        for a, m in zip(self.attn, self.mlp):
            x = x + a(x)
            x = x + m(x)
        return x
