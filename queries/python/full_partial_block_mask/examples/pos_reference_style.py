# example: blocks that are strictly causal and inside one document go to full_kv_num_blocks/full_kv_indices, the rest to the partial lists, all four passed to from_kv_blocks; present.
import torch
from torch.nn.attention.flex_attention import BlockMask

BLOCK_SIZE = 128


def to_lists(dense):
    counts = dense.sum(dim=-1, dtype=torch.int32)
    order = dense.argsort(dim=-1, descending=True, stable=True).to(torch.int32)
    return counts[None, None].contiguous(), order[None, None].contiguous()


def make_doc_causal_mask(inputs):
    docs = (inputs == 50256).cumsum(0)
    lo = docs.view(-1, BLOCK_SIZE)[:, 0].contiguous()
    hi = docs.view(-1, BLOCK_SIZE)[:, -1].contiguous()

    def document_causal(b, h, q_idx, kv_idx):
        return (q_idx >= kv_idx) & (docs[q_idx] == docs[kv_idx])

    blk = torch.arange(len(lo), dtype=torch.int32, device=inputs.device)
    touches = (blk[:, None] >= blk) & (lo[:, None] <= hi) & (lo <= hi[:, None])
    fully_visible = (blk[:, None] > blk) & (lo[:, None] == hi) & (lo == hi[:, None])
    kv_num_blocks, kv_indices = to_lists(touches & ~fully_visible)
    full_kv_num_blocks, full_kv_indices = to_lists(fully_visible)
    return BlockMask.from_kv_blocks(kv_num_blocks, kv_indices, full_kv_num_blocks, full_kv_indices,
                                    BLOCK_SIZE=BLOCK_SIZE, mask_mod=document_causal)
