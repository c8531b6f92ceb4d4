# example: Zeroing done by a model.apply lambda that inspects named_modules paths ("attn.proj" / "mlp.down") and uses nn.init.constant_; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class CausalAttention(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.proj = nn.Linear(d, d, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=-1)
        q, k, v = (t.view(B, T, self.h, -1).transpose(1, 2) for t in (q, k, v))
        return self.proj(F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, C))


class MLP(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.up = nn.Linear(d, 4 * d, bias=False)
        self.down = nn.Linear(4 * d, d, bias=False)

    def forward(self, x):
        return self.down(F.gelu(self.up(x)))


class Block(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.attn = CausalAttention(d, h)
        self.mlp = MLP(d)

    def forward(self, x):
        x = x + self.attn(F.layer_norm(x, x.shape[-1:]))
        return x + self.mlp(F.layer_norm(x, x.shape[-1:]))


def init_gpt(model: nn.Module) -> None:
    residual_outputs = ("attn.proj", "mlp.down")
    for path, mod in model.named_modules():
        if isinstance(mod, nn.Linear):
            if path.endswith(residual_outputs):
                nn.init.constant_(mod.weight, 0.0)
            else:
                nn.init.normal_(mod.weight, std=0.02)


net = nn.ModuleList(Block(768, 12) for _ in range(12))
init_gpt(net)
