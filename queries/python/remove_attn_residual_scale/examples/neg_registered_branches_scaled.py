# example: branches registered with add_module under names from a layout and read back with getattr, each added to the residual times a fixed 1 / sqrt(2 * n_layer); negative.
import torch.nn as nn
import torch.nn.functional as F


class CausalSelfAttention(nn.Module):
    def __init__(self, d, n_head=6):
        super().__init__()
        self.n_head = n_head
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.out = nn.Linear(d, d, bias=False)

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.qkv(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.out(y.transpose(1, 2).contiguous().view(B, T, C))


class MLP(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.up = nn.Linear(d, 4 * d, bias=False)
        self.down = nn.Linear(4 * d, d, bias=False)

    def forward(self, x):
        return self.down(F.relu(self.up(x)).square())


BRANCHES = {"attn": CausalSelfAttention, "mlp": MLP}
LAYOUT = [("attn", {}), ("mlp", {})]


class Block(nn.Module):
    def __init__(self, d, layout):
        super().__init__()
        self.order = [kind for kind, _ in layout]
        for kind, opts in layout:
            self.add_module(kind, BRANCHES[kind](d, **opts))

    def forward(self, x):
        for kind in self.order:
            x = x + (1 / (2 * 12) ** 0.5) * getattr(self, kind)(F.rms_norm(x, (x.size(-1),)))
        return x


blocks = nn.ModuleList([Block(768, LAYOUT) for _ in range(12)])
