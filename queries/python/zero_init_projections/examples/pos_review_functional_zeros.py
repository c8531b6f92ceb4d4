# example: functional transformer with weights in a dict; the attention output matrix "wo" and the MLP output matrix "w_down" are created with torch.zeros, the others random; positive.
import torch
import torch.nn.functional as F


def init_layer(dim, hidden, gen):
    normal = lambda *shape: torch.randn(*shape, generator=gen) * dim ** -0.5
    return {
        "wqkv": normal(dim, 3 * dim),
        "wo": torch.zeros(dim, dim),
        "w_up": normal(dim, hidden),
        "w_down": torch.zeros(hidden, dim),
    }


def layer_forward(p, x, heads):
    B, T, D = x.shape
    q, k, v = (x @ p["wqkv"]).split(D, dim=-1)
    q, k, v = (t.view(B, T, heads, -1).transpose(1, 2) for t in (q, k, v))
    a = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, D)
    x = x + a @ p["wo"]
    x = x + F.relu(x @ p["w_up"]).square() @ p["w_down"]
    return x


gen = torch.Generator().manual_seed(0)
layers = [init_layer(256, 1024, gen) for _ in range(4)]
x = torch.randn(2, 32, 256)
for p in layers:
    x = layer_forward(p, x, heads=4)
