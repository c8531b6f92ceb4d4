# example: block-level causal/document/window tests on 128-token blocks give kv_num_blocks and kv_indices that go straight into BlockMask.from_kv_blocks; manual block mask present.
import torch
from torch.nn.attention.flex_attention import BlockMask, flex_attention

BLOCK_SIZE = 128


def build_block_mask(idx: torch.Tensor, window: torch.Tensor) -> BlockMask:
    docs = (idx == 50256).cumsum(0)
    docs_low = docs.reshape(-1, BLOCK_SIZE)[:, 0].contiguous()
    docs_high = docs.reshape(-1, BLOCK_SIZE)[:, -1].contiguous()

    def mask_mod(b, h, q_idx, kv_idx):
        return (q_idx >= kv_idx) & (docs[q_idx] == docs[kv_idx]) & (q_idx - kv_idx < window)

    blk = torch.arange(len(idx) // BLOCK_SIZE, dtype=torch.int32, device=idx.device)
    q_blk, kv_blk = blk[:, None], blk[None, :]
    causal = q_blk >= kv_blk
    overlap = (docs_low[q_blk] <= docs_high[kv_blk]) & (docs_low[kv_blk] <= docs_high[q_blk])
    near = q_blk - kv_blk < (window + BLOCK_SIZE - 1) // BLOCK_SIZE
    dense = (causal & overlap & near).to(torch.int32)
    kv_num_blocks = dense.sum(dim=-1).to(torch.int32)[None, None].contiguous()
    kv_indices = torch.argsort(dense, dim=-1, descending=True, stable=True).to(torch.int32)[None, None].contiguous()
    return BlockMask.from_kv_blocks(kv_num_blocks, kv_indices, BLOCK_SIZE=BLOCK_SIZE, mask_mod=mask_mod)


def attend(q, k, v, idx, window):
    return flex_attention(q, k, v, block_mask=build_block_mask(idx, window))
