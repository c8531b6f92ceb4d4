# example: a functional layer keeps its stacked (3, d, d) projection under the "in" key of a weight dict; a small einsum
# helper applies it flattened in one product and the caller splits the result into q, k and v; positive.
import torch
import torch.nn.functional as F


def project(x, w):
    return torch.einsum("btd,ed->bte", x, w)


def init_layer(d):
    return {"in": torch.randn(3, d, d, requires_grad=True), "out": torch.zeros(d, d, requires_grad=True)}


def attend(x, weights, heads):
    b, t, d = x.shape
    packed = project(x, weights["in"].flatten(0, 1))
    q, k, v = packed.split(d, dim=-1)
    q, k, v = (z.view(b, t, heads, -1).transpose(1, 2) for z in (q, k, v))
    y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    return project(y.transpose(1, 2).reshape(b, t, d), weights["out"])
