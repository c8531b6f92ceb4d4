# example: flex_attention reached through a module alias and given a BlockMask built with from_kv_blocks; other names, same FlexAttention idea.
import torch
from torch import nn
from torch.nn.attention import flex_attention as fa


def lower_triangular_blocks(num_blocks, device):
    rows = torch.arange(num_blocks, device=device)
    dense = (rows[:, None] >= rows[None, :]).to(torch.int32)
    counts = dense.sum(-1).to(torch.int32)
    order = dense.argsort(-1, descending=True, stable=True).to(torch.int32)
    return counts[None, None], order[None, None]


class Mixer(nn.Module):
    def __init__(self, d_model=512, n_heads=4, tile=128):
        super().__init__()
        self.n_heads = n_heads
        self.tile = tile
        self.qkv = nn.Linear(d_model, 3 * d_model, bias=False)
        self.proj = nn.Linear(d_model, d_model, bias=False)

    def forward(self, h):
        bsz, length, width = h.shape
        q, k, v = self.qkv(h).view(bsz, length, 3, self.n_heads, -1).permute(2, 0, 3, 1, 4)
        counts, order = lower_triangular_blocks(length // self.tile, h.device)
        sparse = fa.BlockMask.from_kv_blocks(
            counts, order, BLOCK_SIZE=self.tile,
            mask_mod=lambda b, hh, qi, ki: qi >= ki,
        )
        attended = fa.flex_attention(q, k, v, block_mask=sparse)
        return self.proj(attended.transpose(1, 2).reshape(bsz, length, width))
