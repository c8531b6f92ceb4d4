# example: the mask_mod keeps only keys less than 1024 positions behind the query, on top of causal and document terms; a sliding window is present.
import torch
from torch import nn
from torch.nn.attention.flex_attention import flex_attention, create_block_mask


class LocalGPT(nn.Module):
    def __init__(self, vocab=50304, dim=768, heads=6):
        super().__init__()
        self.heads = heads
        self.embed = nn.Embedding(vocab, dim)
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.lm_head = nn.Linear(dim, vocab, bias=False)

    def forward(self, idx):
        docs = (idx == 50256).cumsum(0)

        def local_doc_causal(b, h, q_idx, kv_idx):
            causal = q_idx >= kv_idx
            same_doc = docs[q_idx] == docs[kv_idx]
            near = q_idx - kv_idx < 1024
            return causal & same_doc & near

        S = idx.numel()
        bm = create_block_mask(local_doc_causal, None, None, S, S, device="cuda", _compile=True)
        x = self.embed(idx[None])
        q, k, v = self.qkv(x).view(1, S, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        y = flex_attention(q, k, v, block_mask=bm)
        return self.lm_head(y.transpose(1, 2).reshape(1, S, -1))
