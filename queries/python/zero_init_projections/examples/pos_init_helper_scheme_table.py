# example: a general init helper picks its init function from a table by a `scheme` mode and hands the layer back; both output projections are built through it with the mode "zeros" (read per call), the input projection with "normal"; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


def init_linear(layer, scheme="default", std=0.02):
    table = {
        "default": lambda w: None,
        "zeros": lambda w: nn.init.zeros_(w),
        "normal": lambda w: nn.init.normal_(w, mean=0.0, std=std),
    }
    with torch.no_grad():
        table[scheme](layer.weight)
    return layer


class Attention(nn.Module):
    def __init__(self, dim, n_head, out_init):
        super().__init__()
        self.n_head = n_head
        self.qkv = init_linear(nn.Linear(dim, 3 * dim, bias=False), scheme="normal")
        self.proj = init_linear(nn.Linear(dim, dim, bias=False), scheme=out_init)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.n_head, -1).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))


class MLP(nn.Module):
    def __init__(self, dim, out_init):
        super().__init__()
        self.fc = init_linear(nn.Linear(dim, 4 * dim, bias=False), scheme="normal")
        self.proj = init_linear(nn.Linear(4 * dim, dim, bias=False), scheme=out_init)

    def forward(self, x):
        return self.proj(F.relu(self.fc(x)).square())


class Block(nn.Module):
    def __init__(self, dim=768, n_head=6, out_init="zeros"):
        super().__init__()
        self.attn = Attention(dim, n_head, out_init)
        self.mlp = MLP(dim, out_init)

    def forward(self, x):
        x = x + self.attn(F.rms_norm(x, (x.size(-1),)))
        return x + self.mlp(F.rms_norm(x, (x.size(-1),)))


blocks = nn.ModuleList([Block(out_init="zeros") for _ in range(12)])
