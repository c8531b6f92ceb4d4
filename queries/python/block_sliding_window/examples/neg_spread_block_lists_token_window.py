# example: the same spread from_kv_blocks(*lists(hit), ...) with a block-level window, but the mask_mod also bounds the token distance (q - k < window); NOT present.
import torch
from torch.nn.attention.flex_attention import BlockMask, flex_attention


def block_mask(ids, wb, bs=128):
    doc = (ids == 50256).cumsum(0)
    nb = ids.numel() // bs
    lo, hi = doc.view(nb, bs)[:, 0], doc.view(nb, bs)[:, -1]
    r = torch.arange(nb, dtype=torch.int32, device=ids.device)
    qb, kb = r[:, None], r[None, :]
    window = wb * bs
    causal_doc_window = lambda b, h, q, k: (q >= k) & (doc[q] == doc[k]) & (q - k < window)
    lists = lambda m: (m.sum(-1, dtype=torch.int32)[None, None].contiguous(),
                       m.to(torch.int8).argsort(-1, descending=True, stable=True).to(torch.int32)[None, None].contiguous())
    hit = (qb >= kb) & (qb - kb < wb) & (lo[qb] <= hi[kb]) & (lo[kb] <= hi[qb])
    return BlockMask.from_kv_blocks(*lists(hit), BLOCK_SIZE=bs, mask_mod=causal_doc_window)


def attend(q, k, v, ids, wb):
    return flex_attention(q, k, v, block_mask=block_mask(ids, wb))
