# example: from_kv_blocks receives only kv_num_blocks/kv_indices, so every block, even fully visible ones, runs the mask_mod; NOT the full/partial split.
import torch
from torch.nn.attention.flex_attention import BlockMask

BLOCK_SIZE = 128


def build(idx, window_blocks):
    docs = (idx == 50256).cumsum(0)
    low = docs.view(-1, BLOCK_SIZE)[:, 0]
    high = docs.view(-1, BLOCK_SIZE)[:, -1]

    def doc_causal(b, h, q_idx, kv_idx):
        return (q_idx >= kv_idx) & (docs[q_idx] == docs[kv_idx])

    blk = torch.arange(len(low), dtype=torch.int32, device="cuda")
    q = blk[:, None]
    dense = (q >= blk) & (low[q] <= high[blk]) & (low[blk] <= high[q]) & (q - blk < window_blocks)
    dense = dense.to(torch.int32)
    num_blocks = dense.sum(dim=-1).to(torch.int32)[None, None].contiguous()
    indices = torch.argsort(dense, dim=-1, descending=True, stable=True).to(torch.int32)[None, None].contiguous()
    return BlockMask.from_kv_blocks(num_blocks, indices, BLOCK_SIZE=BLOCK_SIZE, mask_mod=doc_causal)
