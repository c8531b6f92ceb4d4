# example: functional, JAX-like PyTorch: weights in a dict, angle tables from an outer product, a rope() helper applied to q and k via a tuple comprehension before SDPA; positive.
import torch
import torch.nn.functional as F


def rope_tables(head_dim, seq_len, theta=10000.0):
    freqs = theta ** (-torch.arange(0, head_dim, 2).float() / head_dim)
    angles = torch.outer(torch.arange(seq_len).float(), freqs)
    return angles.cos(), angles.sin()


def rope(t, cos, sin):
    half = t.shape[-1] // 2
    a, b = t[..., :half], t[..., half:]
    return torch.cat([a * cos - b * sin, a * sin + b * cos], dim=-1)


def init_params(dim, key_seed=0):
    g = torch.Generator().manual_seed(key_seed)
    return {name: torch.randn(dim, dim, generator=g) * dim ** -0.5 for name in ("wq", "wk", "wv", "wo")}


def attention(params, x, n_heads):
    B, T, D = x.shape
    cos, sin = rope_tables(D // n_heads, T)
    heads = lambda w: (x @ w).view(B, T, n_heads, -1).transpose(1, 2)
    q, k, v = heads(params["wq"]), heads(params["wk"]), heads(params["wv"])
    q, k = rope(q, cos, sin), rope(k, cos, sin)
    y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    return y.transpose(1, 2).reshape(B, T, D) @ params["wo"]


params = init_params(256)
out = attention(params, torch.randn(2, 64, 256), n_heads=4)
