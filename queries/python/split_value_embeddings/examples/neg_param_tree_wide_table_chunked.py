# example: the same functional parameter dictionary, but the value embeddings are one wide vocab x (3 * d) table looked up once and chunked per layer: a single table, not split value embeddings; negative.
import torch
import torch.nn.functional as F

V, D, N = 50304, 64, 3


def init_params(device="cuda"):
    return {
        "wte": torch.randn(V, D, device=device),
        "vte": torch.randn(V, N * D, device=device),
        "blocks": [{"wq": torch.randn(D, D, device=device), "wk": torch.randn(D, D, device=device),
                    "wv": torch.randn(D, D, device=device)} for _ in range(2 * N)],
    }


def block(p, x, ve):
    q, k, v = F.linear(x, p["wq"]), F.linear(x, p["wk"]), F.linear(x, p["wv"])
    v = v + ve
    return x + F.scaled_dot_product_attention(q, k, v, is_causal=True)


def forward(params, idx):
    x = F.rms_norm(F.embedding(idx, params["wte"]), (D,))
    chunks = F.embedding(idx, params["vte"]).chunk(N, dim=-1)
    ve = list(chunks) + list(reversed(chunks))
    for i, p in enumerate(params["blocks"]):
        x = block(p, x, ve[i])
    return x
