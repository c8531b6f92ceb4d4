# example: the window lives only in a dense block matrix (block distance below nblocks) turned into kv counts and argsorted indices for BlockMask.from_kv_blocks, with a causal-only mask_mod; positive (block-granular window).
import torch
from torch.nn.attention.flex_attention import BlockMask, flex_attention

BLOCK = 128


def causal(b, h, q_idx, kv_idx):
    return q_idx >= kv_idx


def local_block_mask(seq_len, nblocks, device="cuda"):
    n = seq_len // BLOCK
    idx = torch.arange(n, device=device)
    dist = idx[:, None] - idx[None, :]
    visible = (dist >= 0) & (dist < nblocks)
    counts = visible.sum(-1).to(torch.int32)
    indices = torch.argsort(visible.to(torch.int32), dim=-1, descending=True, stable=True).to(torch.int32)
    return BlockMask.from_kv_blocks(
        counts[None, None].contiguous(),
        indices[None, None].contiguous(),
        BLOCK_SIZE=BLOCK,
        mask_mod=causal,
    )


def attention(q, k, v, window_blocks=8):
    mask = local_block_mask(q.size(-2), window_blocks, q.device)
    return flex_attention(q, k, v, block_mask=mask)


if __name__ == "__main__":
    q = k = v = torch.randn(1, 4, 4096, 64, device="cuda", dtype=torch.bfloat16)
    print(attention(q, k, v).shape)
