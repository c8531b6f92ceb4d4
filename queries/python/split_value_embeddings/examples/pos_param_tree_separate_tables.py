# example: a functional model keeps three separate vocab x d value tables as a list entry of its parameter dictionary, looks each up with F.embedding and hands the lookups (mirrored) to the blocks, which mix them into the attention values; positive.
import torch
import torch.nn.functional as F

V, D, N = 50304, 64, 3


def init_params(device="cuda"):
    return {
        "wte": torch.randn(V, D, device=device),
        "value_embeds": [torch.randn(V, D, device=device) for _ in range(N)],
        "blocks": [{"wq": torch.randn(D, D, device=device), "wk": torch.randn(D, D, device=device),
                    "wv": torch.randn(D, D, device=device)} for _ in range(2 * N)],
    }


def value_tables(tables, idx):
    ve = [F.embedding(idx, t) for t in tables]
    return ve + ve[::-1]


def block(p, x, ve):
    q, k, v = F.linear(x, p["wq"]), F.linear(x, p["wk"]), F.linear(x, p["wv"])
    v = v + ve
    return x + F.scaled_dot_product_attention(q, k, v, is_causal=True)


def forward(params, idx):
    x = F.rms_norm(F.embedding(idx, params["wte"]), (D,))
    ve = value_tables(params["value_embeds"], idx)
    for i, p in enumerate(params["blocks"]):
        x = block(p, x, ve[i])
    return x
