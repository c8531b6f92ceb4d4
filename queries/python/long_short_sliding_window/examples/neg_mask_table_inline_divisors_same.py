# example: near miss - the same inline-divisor mask table, but both kinds divide the window by 1 (dict(L=1, S=1)): one window for every layer; negative.
import torch
from torch import nn
from torch.nn.attention.flex_attention import BlockMask, flex_attention


class GPT(nn.Module):
    PLAN = "LSSSLS"
    DIVISORS = dict(L=1, S=1)

    def __init__(self, blocks):
        super().__init__()
        self.blocks = nn.ModuleList(blocks)

    def forward(self, x, num_blocks, window_blocks):
        def build(n):
            idx = torch.arange(num_blocks, dtype=torch.int32)
            dense = (idx[:, None] >= idx) & (idx[:, None] - idx < n)
            counts = dense.sum(-1, dtype=torch.int32)
            order = dense.argsort(-1, descending=True).to(torch.int32)
            return BlockMask.from_kv_blocks(counts[None, None], order[None, None], BLOCK_SIZE=128)

        masks = {
            kind: build(torch.clamp_min(window_blocks // d, 1))
            for kind, d in self.DIVISORS.items()
        }
        plan = self.PLAN + self.PLAN[::-1]
        for block, kind in zip(self.blocks, plan):
            x = block(x, masks[kind])
        return x
