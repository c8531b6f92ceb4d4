# example: the same functional parameter dictionary with one stacked (3, d, d) "qkv" tensor per block, but the attention function applies it slice by slice (three products of p["qkv"][0], [1], [2]): still three projections; negative.
import torch
import torch.nn.functional as F


def mm(x, w):
    return F.linear(x, w.type_as(x))


def init_params(d, n_layer):
    def mat(*shape, zero=False):
        if zero:
            return torch.zeros(*shape, device="cuda").requires_grad_()
        bound = 3 ** 0.5 * 0.5 * shape[-1] ** -0.5
        return torch.empty(*shape, device="cuda").uniform_(-bound, bound).requires_grad_()
    return {"blocks": [{"qkv": mat(3, d, d), "wo": mat(d, d, zero=True)} for _ in range(n_layer)]}


def attn_forward(p, x, num_heads):
    B, T = x.size(0), x.size(1)
    q, k, v = (mm(x, p["qkv"][i]).view(B, T, num_heads, -1) for i in range(3))
    y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
    return mm(y.transpose(1, 2).reshape(B, T, -1), p["wo"])


params = init_params(64, 2)
x = torch.randn(1, 8, 64, device="cuda")
for p in params["blocks"]:
    x = x + attn_forward(p, x, 4)
grads = torch.autograd.grad(x.square().mean(), [t for p in params["blocks"] for t in p.values()])
