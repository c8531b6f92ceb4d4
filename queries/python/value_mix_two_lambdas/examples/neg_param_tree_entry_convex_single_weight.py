# example: the same functional dictionary tree trained with torch.autograd.grad, but the values are mixed convexly by one entry (1 - lam) * v + lam * ve, not by two independent weights; negative.
import torch
import torch.nn.functional as F


def init_params(d, n_layer, device="cuda"):
    return {"blocks": [{
        "wq": torch.randn(d, d, device=device) * d ** -0.5,
        "wk": torch.randn(d, d, device=device) * d ** -0.5,
        "wv": torch.randn(d, d, device=device) * d ** -0.5,
        "v_lam": torch.tensor(0.5, device=device),
    } for _ in range(n_layer)]}


def attention(p, x, ve):
    q, k, v = F.linear(x, p["wq"]), F.linear(x, p["wk"]), F.linear(x, p["wv"])
    v = (1 - p["v_lam"]) * v + p["v_lam"] * ve
    return F.scaled_dot_product_attention(q, k, v, is_causal=True)


def loss_fn(params, x, ve):
    for p in params["blocks"]:
        x = x + attention(p, x, ve)
    return x.square().mean()


params = init_params(64, 2)
leaves = [t.requires_grad_() for b in params["blocks"] for t in b.values()]
x = torch.randn(1, 8, 16, 64, device="cuda")
grads = torch.autograd.grad(loss_fn(params, x, torch.randn_like(x)), leaves)
