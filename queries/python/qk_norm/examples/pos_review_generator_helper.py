# example: functional attention; q and k are normalized together with a generator over (q, k) through a manual rsqrt RMS helper over the last dim; positive.
import torch
import torch.nn.functional as F


def rms(t, eps=1e-6):
    return t * torch.rsqrt(t.float().pow(2).mean(dim=-1, keepdim=True) + eps).type_as(t)


def attention(w, x, n_heads):
    B, T, D = x.shape
    q, k, v = (x @ w["qkv"]).chunk(3, dim=-1)
    q, k, v = (t.reshape(B, T, n_heads, D // n_heads).transpose(1, 2) for t in (q, k, v))
    q, k = (rms(t) for t in (q, k))
    o = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    return o.transpose(1, 2).reshape(B, T, D) @ w["out"]


w = {"qkv": torch.randn(384, 3 * 384) * 0.02, "out": torch.zeros(384, 384)}
y = attention(w, torch.randn(2, 8, 384), n_heads=6)
