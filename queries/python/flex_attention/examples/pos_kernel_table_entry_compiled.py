# example: the attention kernel and the mask builder are compiled once into a module-level table and called by key; the attention entry is FlexAttention with a document-causal block mask; positive.
import torch
import torch.nn as nn
from torch.nn.attention.flex_attention import flex_attention, create_block_mask

OPS = {
    "attend": torch.compile(flex_attention, dynamic=False),
    "mask": torch.compile(create_block_mask, dynamic=False),
}
SEP = 50256


class SelfAttention(nn.Module):
    def __init__(self, d=768, n_head=6):
        super().__init__()
        self.n_head = n_head
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.proj = nn.Linear(d, d, bias=False)

    def forward(self, x, block_mask):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.n_head, -1).permute(2, 0, 3, 1, 4)
        y = OPS["attend"](q, k, v, block_mask=block_mask)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))


def doc_mask(tokens):
    doc_id = (tokens == SEP).cumsum(0)

    def keep(b, h, q_idx, kv_idx):
        return (q_idx >= kv_idx) & (doc_id[q_idx] == doc_id[kv_idx])

    n = len(tokens)
    return OPS["mask"](keep, None, None, n, n, device="cuda")
