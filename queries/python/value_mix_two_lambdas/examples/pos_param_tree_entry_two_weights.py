# example: a functional model whose weights live in a dictionary tree trained with torch.autograd.grad; the attention function mixes its values with the value embedding by two elements of the tree's "v_lambdas" entry (init 0.5, 0.5); positive.
import torch
import torch.nn.functional as F


def init_params(d, n_layer, device="cuda"):
    return {"blocks": [{
        "wq": torch.randn(d, d, device=device) * d ** -0.5,
        "wk": torch.randn(d, d, device=device) * d ** -0.5,
        "wv": torch.randn(d, d, device=device) * d ** -0.5,
        "v_lambdas": torch.tensor([0.5, 0.5], device=device),
    } for _ in range(n_layer)]}


def attention(p, x, ve):
    q, k, v = F.linear(x, p["wq"]), F.linear(x, p["wk"]), F.linear(x, p["wv"])
    v = p["v_lambdas"][0] * v + p["v_lambdas"][1] * ve
    return F.scaled_dot_product_attention(q, k, v, is_causal=True)


def loss_fn(params, x, ve):
    for p in params["blocks"]:
        x = x + attention(p, x, ve)
    return x.square().mean()


params = init_params(64, 2)
leaves = [t.requires_grad_() for b in params["blocks"] for t in b.values()]
x = torch.randn(1, 8, 16, 64, device="cuda")
grads = torch.autograd.grad(loss_fn(params, x, torch.randn_like(x)), leaves)
