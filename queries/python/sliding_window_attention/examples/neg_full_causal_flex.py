# example: FlexAttention with causal and document terms only; every earlier token of the document is visible, so there is NO sliding window.
import torch
from torch.nn.attention.flex_attention import flex_attention, create_block_mask


def document_causal_attention(tokens, q, k, v):
    docs = (tokens == 50256).cumsum(0)

    def mask_mod(b, h, q_idx, kv_idx):
        return (q_idx >= kv_idx) & (docs[q_idx] == docs[kv_idx])

    n = tokens.numel()
    bm = create_block_mask(mask_mod, None, None, n, n, device="cuda")
    return flex_attention(q, k, v, block_mask=bm)


if __name__ == "__main__":
    toks = torch.randint(0, 50257, (8192,), device="cuda")
    q = k = v = torch.randn(1, 6, 8192, 128, device="cuda")
    print(document_causal_attention(toks, q, k, v).shape)
