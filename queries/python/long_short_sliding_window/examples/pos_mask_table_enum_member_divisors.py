# example: one block-mask builder called in a dict comprehension over a tuple of Enum members whose tuple values carry the window divisor (LONG = ("long", 1), SHORT = ("short", 2), read through a property), the window computed inline (clamp_min(w // span.divisor, 1)); layers read the table by a per-layer member; positive.
import enum

import torch
from torch import nn
from torch.nn.attention.flex_attention import BlockMask


class Span(enum.Enum):
    LONG = ("long", 1)
    SHORT = ("short", 2)

    @property
    def divisor(self):
        return self.value[1]


PLAN = (Span.LONG, Span.SHORT, Span.SHORT, Span.SHORT, Span.LONG, Span.SHORT)


class GPT(nn.Module):
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
            span: build(torch.clamp_min(window_blocks // span.divisor, 1))
            for span in (Span.LONG, Span.SHORT)
        }
        for block, span in zip(self.blocks, PLAN + PLAN[::-1]):
            x = block(x, masks[span])
        return x
