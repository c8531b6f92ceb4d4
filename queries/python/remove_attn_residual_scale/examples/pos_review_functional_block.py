# example: functional block: x = x + attention(p, rms_norm(x)) and x = x + mlp(p, rms_norm(x)) with weights in a dict, no constant on the attention branch; positive.
import torch
import torch.nn.functional as F


def rms_norm(x):
    return F.rms_norm(x, (x.size(-1),))


def attention(p, x, heads=4):
    B, T, D = x.shape
    q, k, v = (x @ p["wqkv"]).split(D, dim=-1)
    q, k, v = (t.view(B, T, heads, -1).transpose(1, 2) for t in (q, k, v))
    y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    return y.transpose(1, 2).reshape(B, T, D) @ p["wo"]


def mlp(p, x):
    return F.relu(x @ p["w1"]).square() @ p["w2"]


def block(p, x):
    x = x + attention(p, rms_norm(x))
    x = x + mlp(p, rms_norm(x))
    return x


D = 256
p = {"wqkv": torch.randn(D, 3 * D) * 0.02, "wo": torch.zeros(D, D), "w1": torch.randn(D, 4 * D) * 0.02, "w2": torch.zeros(4 * D, D)}
y = block(p, torch.randn(2, 8, D))
