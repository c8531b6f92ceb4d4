# example: the full-block lists are computed (fkn, fki = lists(whole)) but only the spread partial lists reach from_kv_blocks(*lists(some), ...); NOT present.
import torch
from torch.nn.attention.flex_attention import BlockMask, flex_attention


def block_mask(ids, wb, bs=128):
    doc = (ids == 50256).cumsum(0)
    nb = ids.numel() // bs
    lo, hi = doc.view(nb, bs)[:, 0], doc.view(nb, bs)[:, -1]
    r = torch.arange(nb, dtype=torch.int32, device=ids.device)
    qb, kb = r[:, None], r[None, :]
    causal_doc = lambda b, h, q, k: (q >= k) & (doc[q] == doc[k])
    lists = lambda m: (m.sum(-1, dtype=torch.int32)[None, None].contiguous(),
                       m.to(torch.int8).argsort(-1, descending=True, stable=True).to(torch.int32)[None, None].contiguous())
    near = qb - kb < wb
    some = (qb >= kb) & near & (lo[qb] <= hi[kb]) & (lo[kb] <= hi[qb])
    whole = (qb > kb) & near & (lo[qb] == hi[qb]) & (lo[kb] == hi[kb]) & (lo[qb] == lo[kb])
    fkn, fki = lists(whole)
    return BlockMask.from_kv_blocks(*lists(some), BLOCK_SIZE=bs, mask_mod=causal_doc)


def attend(q, k, v, ids, wb):
    return flex_attention(q, k, v, block_mask=block_mask(ids, wb))
