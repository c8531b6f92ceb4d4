# example: a functional model's parameter dictionary holds one stacked (3, d, d) "qkv" tensor per block, made by a helper taking the shape as *shape; the attention function applies it whole in one product through a helper (mm(x, p["qkv"].flatten(end_dim=1))) and chunks q, k, v; positive.
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
    q, k, v = mm(x, p["qkv"].flatten(end_dim=1)).view(B, T, 3 * num_heads, -1).chunk(3, dim=-2)
    y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
    return mm(y.transpose(1, 2).reshape(B, T, -1), p["wo"])


params = init_params(64, 2)
x = torch.randn(1, 8, 64, device="cuda")
for p in params["blocks"]:
    x = x + attn_forward(p, x, 4)
grads = torch.autograd.grad(x.square().mean(), [t for p in params["blocks"] for t in p.values()])
