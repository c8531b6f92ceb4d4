# example: the mask_mod compares document ids with `torch.eq(docs[q_idx], docs[kv_idx])` and keeps causality as
# `lag >= 0` with `lag = q_idx - kv_idx` held in a local; document ids are a cumsum of `torch.eq(idx, 50256)`; positive.
import torch
from torch import nn
from torch.nn.attention.flex_attention import create_block_mask, flex_attention


class TinyGPT(nn.Module):
    def __init__(self, vocab=50304, dim=768):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.head = nn.Linear(dim, vocab, bias=False)

    def forward(self, idx):
        docs = torch.cumsum(torch.eq(idx, 50256), dim=0)

        def keep(b, h, q_idx, kv_idx):
            lag = q_idx - kv_idx
            backward_only = lag >= 0
            same_doc = torch.eq(docs[q_idx], docs[kv_idx])
            return backward_only & same_doc

        n = idx.numel()
        mask = create_block_mask(keep, None, None, n, n, device="cuda")
        x = self.wte(idx[None])
        q, k, v = self.qkv(x).view(1, n, 3, 6, -1).permute(2, 0, 3, 1, 4)
        y = flex_attention(q, k, v, block_mask=mask)
        return self.head(y.transpose(1, 2).reshape(1, n, -1))
