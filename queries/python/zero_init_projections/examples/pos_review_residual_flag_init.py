# example: build-nanogpt style: the residual output layers (attention c_proj and MLP c_proj) are tagged with a RESIDUAL_OUT attribute and _init_weights zeroes the weight of tagged Linear modules via model.apply; positive.
import torch
import torch.nn as nn


class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.c_attn = nn.Linear(d, 3 * d)
        self.c_proj = nn.Linear(d, d)
        self.c_proj.RESIDUAL_OUT = True

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = (t.view(B, T, self.heads, -1).transpose(1, 2) for t in self.c_attn(x).split(C, dim=2))
        y = nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.c_proj(y.transpose(1, 2).reshape(B, T, C))


class MLP(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.c_fc = nn.Linear(d, 4 * d)
        self.c_proj = nn.Linear(4 * d, d)
        self.c_proj.RESIDUAL_OUT = True

    def forward(self, x):
        return self.c_proj(nn.functional.gelu(self.c_fc(x)))


class GPT(nn.Module):
    def __init__(self, d=768, heads=12, layers=12):
        super().__init__()
        self.attn = nn.ModuleList(Attention(d, heads) for _ in range(layers))
        self.mlp = nn.ModuleList(MLP(d) for _ in range(layers))
        self.apply(self._init_weights)

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            if getattr(module, "RESIDUAL_OUT", False):
                torch.nn.init.zeros_(module.weight)
            else:
                torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                torch.nn.init.zeros_(module.bias)

    def forward(self, x):
        for attn, mlp in zip(self.attn, self.mlp):
            x = x + attn(x)
            x = x + mlp(x)
        return x


model = GPT()
