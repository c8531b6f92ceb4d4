# example: functional model whose output matrices go through a helper with a zero flag, but the calls leave it off (random uniform init); negative.
import math
import torch
import torch.nn.functional as F


def init_params(d, n_layer):
    def lin(o, i, zero=False):
        w = torch.empty(o, i)
        if zero:
            return w.zero_()
        return w.uniform_(-1 / math.sqrt(i), 1 / math.sqrt(i))

    return [{"wq": lin(d, d), "wk": lin(d, d), "wv": lin(d, d), "wo": lin(d, d),
             "w_in": lin(4 * d, d), "w_out": lin(d, 4 * d, zero=False)} for _ in range(n_layer)]


def block(p, x):
    B, T, C = x.shape
    q, k, v = (F.linear(x, p[n]).view(B, T, 4, C // 4).transpose(1, 2) for n in ("wq", "wk", "wv"))
    y = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, C)
    x = x + F.linear(y, p["wo"])
    return x + F.linear(F.relu(F.linear(x, p["w_in"])).square(), p["w_out"])


params = init_params(64, 2)
x = torch.randn(2, 8, 64)
for p in params:
    x = block(p, x)
