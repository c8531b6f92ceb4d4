# example: the attention kernel is a property of the module returning the imported flex_attention (`@property def kernel(self): return flex_attention`), called as self.kernel(q, k, v, block_mask=...); positive.
import torch.nn as nn
from torch.nn.attention.flex_attention import create_block_mask, flex_attention


def causal(b, h, q_idx, kv_idx):
    return q_idx >= kv_idx


class Mixer(nn.Module):
    def __init__(self, dim=768, n_head=6):
        super().__init__()
        self.n_head = n_head
        self.c_attn = nn.Linear(dim, 3 * dim, bias=False)
        self.c_proj = nn.Linear(dim, dim, bias=False)

    @property
    def kernel(self):
        return flex_attention

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).view(B, T, 3, self.n_head, -1).permute(2, 0, 3, 1, 4)
        block_mask = create_block_mask(causal, None, None, T, T)
        y = self.kernel(q, k, v, block_mask=block_mask)
        return self.c_proj(y.transpose(1, 2).reshape(B, T, C))
