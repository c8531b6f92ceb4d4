# example: document ids come from a cumulative sum over EOT tokens and the mask_mod demands same document plus causality; document masking is present.
import torch
from torch import nn
from torch.nn.attention.flex_attention import flex_attention, create_block_mask


class TinyGPT(nn.Module):
    def __init__(self, vocab=50304, dim=768):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.head = nn.Linear(dim, vocab, bias=False)

    def forward(self, idx):
        docs = (idx == 50256).cumsum(0)

        def same_doc_causal(b, h, q_idx, kv_idx):
            causal = q_idx >= kv_idx
            same_doc = docs[q_idx] == docs[kv_idx]
            return causal & same_doc

        n = idx.numel()
        mask = create_block_mask(same_doc_causal, None, None, n, n, device="cuda")
        x = self.wte(idx[None])
        q, k, v = self.qkv(x).view(1, n, 3, 6, -1).permute(2, 0, 3, 1, 4)
        y = flex_attention(q, k, v, block_mask=mask)
        return self.head(y.transpose(1, 2).reshape(1, n, -1))
