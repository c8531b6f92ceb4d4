# example: the same callable mask builder and L S S S L S span plan, but the short window is window_blocks // SHORT_DIVISOR with the module constant SHORT_DIVISOR = 1, so both masks have one window and every layer attends as far; negative.
import torch
from torch import nn
from torch.nn.attention.flex_attention import BlockMask

SHORT_DIVISOR = 1  # short-window layers see window_blocks // SHORT_DIVISOR blocks


class WindowMaskBuilder:
    BLOCK_SIZE = 128

    def __init__(self, idx):
        self.docs = (idx == 50256).cumsum(0)
        self.num_blocks = len(idx) // self.BLOCK_SIZE

    def __call__(self, window_blocks):
        blk = torch.arange(self.num_blocks, dtype=torch.int32, device="cuda")
        causal = blk[:, None] >= blk
        in_window = blk[:, None] - blk < window_blocks
        dense = (causal & in_window).to(torch.int32)
        counts = dense.sum(dim=-1, dtype=torch.int32)
        order = dense.argsort(dim=-1, descending=True, stable=True).to(torch.int32)
        docs = self.docs

        def document_causal(b, h, q_idx, kv_idx):
            return (q_idx >= kv_idx) & (docs[q_idx] == docs[kv_idx])
        return BlockMask.from_kv_blocks(counts[None, None], order[None, None], BLOCK_SIZE=self.BLOCK_SIZE, mask_mod=document_causal)


class GPT(nn.Module):
    PATTERN = ("long", "short", "short", "short", "long", "short")

    def __init__(self, blocks):
        super().__init__()
        self.blocks = nn.ModuleList(blocks)
        self.spans = list(self.PATTERN) + list(reversed(self.PATTERN))

    def forward(self, idx, x, window_blocks):
        build = WindowMaskBuilder(idx)
        short_blocks = window_blocks // SHORT_DIVISOR
        masks = dict(long=build(window_blocks), short=build(short_blocks))
        layer_masks = [masks[span] for span in self.spans]
        for block, mask in zip(self.blocks, layer_masks):
            x = block(x, mask)
        return x
