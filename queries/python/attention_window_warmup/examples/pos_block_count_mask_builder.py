# example: the number of 128-token window blocks is interpolated from training progress and handed to a block-mask builder whose mask the loss call uses; window warmup with other names and layout.
import torch
from torch.nn.attention.flex_attention import BlockMask

TOTAL_STEPS = 2000
FIRST_BLOCKS, LAST_BLOCKS = 1, 14


def window_mask(seq_len, n_blocks, doc_causal):
    nb = seq_len // 128
    r = torch.arange(nb, device="cuda")
    keep = (r[:, None] >= r[None, :]) & (r[:, None] - r[None, :] < n_blocks)
    counts = keep.sum(-1, dtype=torch.int32)[None, None]
    order = keep.int().argsort(-1, descending=True, stable=True).int()[None, None]
    return BlockMask.from_kv_blocks(counts, order, BLOCK_SIZE=128, mask_mod=doc_causal)


def fit(model, stream, opt, doc_causal):
    for it in range(TOTAL_STEPS):
        progress = it / TOTAL_STEPS
        blocks = round(FIRST_BLOCKS + (LAST_BLOCKS - FIRST_BLOCKS) * progress)
        tokens, labels = next(stream)
        loss = model(tokens, labels, window_mask(tokens.numel(), blocks, doc_causal))
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
