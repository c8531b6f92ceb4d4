# example: Block keeps attn_scale = 1 / (2 * n_layer) ** 0.5 and multiplies the attention branch by it; negative.
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, n_embd=768, n_head=12, n_layer=12):
        super().__init__()
        self.attn = nn.MultiheadAttention(n_embd, n_head, bias=False, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(n_embd, 4 * n_embd, bias=False), nn.GELU(),
                                 nn.Linear(4 * n_embd, n_embd, bias=False))
        self.attn_scale = 1 / (2 * n_layer) ** 0.5

    def forward(self, x, mask):
        h = F.rms_norm(x, (x.size(-1),))
        x = x + self.attn_scale * self.attn(h, h, h, attn_mask=mask, need_weights=False)[0]
        x = x + self.mlp(F.rms_norm(x, (x.size(-1),)))
        return x
