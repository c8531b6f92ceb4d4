# example: the mask is and_masks() of a causal rule and a same-document rule, each its own function with its own position names; positive.
import torch
from torch import nn
from torch.nn.attention.flex_attention import and_masks, create_block_mask, flex_attention


class TinyGPT(nn.Module):
    def __init__(self, vocab=50304, dim=768):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.head = nn.Linear(dim, vocab, bias=False)

    def forward(self, idx):
        docs = (idx == 50256).cumsum(0)

        def is_causal(b, h, qi, ki):
            return qi >= ki

        def within_document(b, h, q_idx, kv_idx):
            return docs[q_idx] == docs[kv_idx]

        n = idx.numel()
        mask = create_block_mask(and_masks(is_causal, within_document), None, None, n, n, device="cuda")
        x = self.wte(idx[None])
        q, k, v = self.qkv(x).view(1, n, 3, 6, -1).permute(2, 0, 3, 1, 4)
        y = flex_attention(q, k, v, block_mask=mask)
        return self.head(y.transpose(1, 2).reshape(1, n, -1))
