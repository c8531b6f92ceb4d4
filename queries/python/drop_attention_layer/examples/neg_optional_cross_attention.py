# example: every block has self-attention; an extra cross-attention module is None unless the model-wide use_cross flag is on, and that flag is the same for all layers; no layer loses its attention, so NOT present.
import torch
from torch import nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, width, heads, use_cross=False):
        super().__init__()
        self.attn = nn.MultiheadAttention(width, heads, batch_first=True)
        self.cross_attn = nn.MultiheadAttention(width, heads, batch_first=True) if use_cross else None
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width))

    def forward(self, x, mask, memory=None):
        h = F.rms_norm(x, (x.size(-1),))
        x = x + self.attn(h, h, h, attn_mask=mask, need_weights=False)[0]
        if self.cross_attn is not None and memory is not None:
            x = x + self.cross_attn(F.rms_norm(x, (x.size(-1),)), memory, memory, need_weights=False)[0]
        return x + self.mlp(F.rms_norm(x, (x.size(-1),)))


def build(n_layer=12, width=768, heads=12, encoder_decoder=False):
    return nn.ModuleList(Block(width, heads, use_cross=encoder_decoder) for _ in range(n_layer))
