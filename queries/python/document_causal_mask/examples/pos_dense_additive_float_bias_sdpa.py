# example: Dense additive float bias for SDPA: -inf wherever key is in the future OR in another document; positive.
import torch
import torch.nn.functional as F

EOS_TOKEN_ID = 50256


def packed_bias(tokens: torch.Tensor, dtype=torch.bfloat16) -> torch.Tensor:
    # tokens: (B, T). doc index increments at every EOS.
    doc = (tokens == EOS_TOKEN_ID).long().cumsum(dim=1)                     # (B, T)
    T = tokens.size(1)
    future = torch.ones(T, T, dtype=torch.bool, device=tokens.device).triu(diagonal=1)
    cross_doc = doc[:, :, None] != doc[:, None, :]                          # (B, T, T)
    blocked = future[None] | cross_doc
    bias = torch.zeros(blocked.shape, dtype=dtype, device=tokens.device)
    return bias.masked_fill(blocked, float("-inf"))[:, None]                # (B, 1, T, T)


def attention_block(x, tokens, w_qkv, w_out, n_head):
    B, T, C = x.shape
    qkv = torch.einsum("btc,oc->bto", x, w_qkv)
    q, k, v = qkv.view(B, T, 3, n_head, C // n_head).unbind(2)
    q, k, v = (t.transpose(1, 2) for t in (q, k, v))
    y = F.scaled_dot_product_attention(q, k, v, attn_mask=packed_bias(tokens, x.dtype))
    return torch.einsum("btc,oc->bto", y.transpose(1, 2).reshape(B, T, C), w_out)


if __name__ == "__main__":
    toks = torch.randint(0, 50257, (2, 512))
    x = torch.randn(2, 512, 256)
    print(attention_block(x, toks, torch.randn(768, 256), torch.randn(256, 256), 4).shape)
