# example: a functional attention splits q, k and v into heads with a lambda bound to a name, heads = lambda t: t.view(B, T, H, hd).transpose(1, 2), with 6 heads of a 768-wide model (hd = D // H = 128); positive.
import torch
import torch.nn.functional as F

D, H, L, V = 768, 6, 2, 50304


def init(seed=0):
    g = torch.Generator().manual_seed(seed)
    mk = lambda *shape: (torch.randn(*shape, generator=g) * 0.02).requires_grad_()
    return {"embed": mk(V, D), "layers": [{"wq": mk(D, D), "wk": mk(D, D), "wv": mk(D, D), "wo": mk(D, D)} for _ in range(L)]}


def attend(p, x):
    B, T, _ = x.shape
    hd = D // H
    heads = lambda t: t.view(B, T, H, hd).transpose(1, 2)
    q, k, v = heads(x @ p["wq"].T), heads(x @ p["wk"].T), heads(x @ p["wv"].T)
    y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    return y.transpose(1, 2).reshape(B, T, D) @ p["wo"].T


def forward(params, idx):
    x = params["embed"][idx]
    for p in params["layers"]:
        x = x + attend(p, F.rms_norm(x, (D,)))
    return x @ params["embed"].T


params = init()
print(forward(params, torch.randint(0, V, (2, 16))).shape)
