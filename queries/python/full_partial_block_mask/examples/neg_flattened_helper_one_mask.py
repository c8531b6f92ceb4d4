# example: the flattening helper is given one mask only, from_kv_blocks(*lists(touched), ...): the full-block mask is computed but never passed, so the kernel gets partial lists only; negative.
import torch
from torch.nn.attention.flex_attention import BlockMask, flex_attention


def lists(*masks):
    def pair(m):
        m = m.to(torch.int32)
        return m.sum(-1, dtype=torch.int32)[None, None].contiguous(), m.argsort(-1, descending=True, stable=True).to(torch.int32)[None, None].contiguous()
    return [t for m in masks for t in pair(m)]


def block_mask(ids, wb, bs=128):
    doc = (ids == 50256).cumsum(0)
    nb = ids.numel() // bs
    lo, hi = doc.view(nb, bs)[:, 0], doc.view(nb, bs)[:, -1]
    r = torch.arange(nb, dtype=torch.int32, device=ids.device)
    qb, kb = r[:, None], r[None, :]
    causal_doc = lambda b, h, q, k: (q >= k) & (doc[q] == doc[k])
    near = qb - kb < wb
    touched = (qb >= kb) & near & (lo[qb] <= hi[kb]) & (lo[kb] <= hi[qb])
    whole = (qb > kb) & near & (lo[kb] == hi[qb])
    return BlockMask.from_kv_blocks(*lists(touched), BLOCK_SIZE=bs, mask_mod=causal_doc)


def attend(q, k, v, ids, wb):
    return flex_attention(q, k, v, block_mask=block_mask(ids, wb))
