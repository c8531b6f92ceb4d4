# example: the same flattening helper, from_kv_blocks(*lists(partial, whole), ...), but the window is a token distance in the mask_mod (q - k < window) and the block lists are only causal and per document; negative.
import torch
from torch.nn.attention.flex_attention import BlockMask, flex_attention


def pair(m):
    m = m.to(torch.int32)
    return (m.sum(-1, dtype=torch.int32)[None, None].contiguous(),
            m.argsort(-1, descending=True, stable=True).to(torch.int32)[None, None].contiguous())


def lists(*masks):
    return [t for m in masks for t in pair(m)]


def block_mask(ids, window, bs=128):
    doc = (ids == 50256).cumsum(0)
    nb = ids.numel() // bs
    lo, hi = doc.view(nb, bs)[:, 0], doc.view(nb, bs)[:, -1]
    r = torch.arange(nb, dtype=torch.int32, device=ids.device)
    qb, kb = r[:, None], r[None, :]

    def causal_doc_window(b, h, q, k):
        return (q >= k) & (doc[q] == doc[k]) & (q - k < window)

    touched = (qb >= kb) & (lo[qb] <= hi[kb]) & (lo[kb] <= hi[qb])
    whole = (qb > kb) & (lo[kb] == hi[qb])
    partial = touched & ~whole
    return BlockMask.from_kv_blocks(*lists(partial, whole), BLOCK_SIZE=bs, mask_mod=causal_doc_window)


def attend(q, k, v, ids, window):
    return flex_attention(q, k, v, block_mask=block_mask(ids, window))
