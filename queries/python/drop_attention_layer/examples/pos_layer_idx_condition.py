# example: the block keeps its layer_idx, creates attention only when layer_idx != 7 and checks the same condition in forward; same removal, other structure.
import torch
import torch.nn as nn
import torch.nn.functional as F


class MLP(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.up, self.down = nn.Linear(d, 4 * d, bias=False), nn.Linear(4 * d, d, bias=False)

    def forward(self, x):
        return self.down(F.relu(self.up(x)).square())


class Block(nn.Module):
    def __init__(self, d, heads, layer_idx):
        super().__init__()
        self.layer_idx = layer_idx
        if layer_idx != 7:
            self.attn = nn.MultiheadAttention(d, heads, bias=False, batch_first=True)
        self.mlp = MLP(d)

    def forward(self, x, causal_mask):
        if self.layer_idx != 7:
            h = F.rms_norm(x, (x.size(-1),))
            x = x + self.attn(h, h, h, attn_mask=causal_mask, need_weights=False)[0]
        return x + self.mlp(F.rms_norm(x, (x.size(-1),)))


blocks = nn.ModuleList(Block(768, 6, i) for i in range(12))
