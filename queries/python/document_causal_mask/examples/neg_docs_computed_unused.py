# example: EOT-based document ids are computed (the exact cumsum line) but the mask_mod only checks causality, so documents still see each other; NOT present (near miss for a text matcher).
import torch
from torch.nn.attention.flex_attention import flex_attention, create_block_mask


def forward_attention(idx, q, k, v):
    docs = (idx == 50256).cumsum(0)
    n_docs = int(docs[-1]) + 1  # only used for logging below

    def causal_mask(b, h, q_idx, kv_idx):
        return q_idx >= kv_idx

    S = len(idx)
    block_mask = create_block_mask(causal_mask, None, None, S, S, device="cuda")
    out = flex_attention(q, k, v, block_mask=block_mask)
    return out, n_docs


if __name__ == "__main__":
    idx = torch.randint(0, 50257, (1024,), device="cuda")
    q = k = v = torch.randn(1, 4, 1024, 64, device="cuda")
    y, nd = forward_attention(idx, q, k, v)
    print(y.shape, "documents in batch:", nd)
