# example: the window is counted in 128-token blocks and only applied to the block matrix fed to from_kv_blocks, while mask_mod keeps just causal & document; block-granular window present.
import torch
from torch.nn.attention.flex_attention import BlockMask

BLOCK = 128


def as_kv_lists(keep):
    counts = keep.sum(dim=-1, dtype=torch.int32)
    order = keep.argsort(dim=-1, descending=True, stable=True).to(torch.int32)
    return counts[None, None].contiguous(), order[None, None].contiguous()


def build_mask(inputs, window_blocks):
    doc = (inputs == 50256).cumsum(0)
    first_doc = doc.view(-1, BLOCK)[:, 0].contiguous()
    last_doc = doc.view(-1, BLOCK)[:, -1].contiguous()

    def same_doc_causal(b, h, q_idx, kv_idx):
        return (q_idx >= kv_idx) & (doc[q_idx] == doc[kv_idx])

    blocks = torch.arange(len(inputs) // BLOCK, dtype=torch.int32, device="cuda")
    qb, kb = blocks[:, None], blocks[None, :]
    in_window = qb - kb < window_blocks
    may_see = (qb >= kb) & in_window & (first_doc[:, None] <= last_doc) & (first_doc <= last_doc[:, None])
    sees_all = (qb > kb) & in_window & (first_doc[:, None] == last_doc) & (first_doc == last_doc[:, None])
    part_counts, part_order = as_kv_lists(may_see & ~sees_all)
    full_counts, full_order = as_kv_lists(sees_all)
    return BlockMask.from_kv_blocks(part_counts, part_order, full_counts, full_order,
                                    BLOCK_SIZE=BLOCK, mask_mod=same_doc_causal)
