# example: functional model whose per-layer parameter dictionary gets its "attn" entry only for layers not in a skip tuple, and whose block function runs attention only if "attn" in p; positive.
import torch
import torch.nn.functional as F

SKIP_ATTN = (7,)


def init_params(n_layer, d):
    blocks = []
    for i in range(n_layer):
        bp = {"mlp": {"fc": torch.randn(4 * d, d) * 0.02, "proj": torch.zeros(d, 4 * d)}}
        if i not in SKIP_ATTN:
            bp["attn"] = {"qkv": torch.randn(3 * d, d) * 0.02, "o": torch.zeros(d, d)}
        blocks.append(bp)
    return blocks


def attn_forward(p, x):
    B, T, C = x.shape
    q, k, v = F.linear(x, p["qkv"]).view(B, T, 3, 4, C // 4).permute(2, 0, 3, 1, 4)
    y = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, C)
    return F.linear(y, p["o"])


def block_forward(p, x):
    if "attn" in p:
        x = x + attn_forward(p["attn"], x)
    return x + F.linear(F.relu(F.linear(x, p["mlp"]["fc"])).square(), p["mlp"]["proj"])


x = torch.randn(1, 8, 64)
for bp in init_params(12, 64):
    x = block_forward(bp, x)
