# example: a functional model keeps its weights in a dict keyed by f-strings; each layer's attention output and
# MLP output matrices are created as zeros and applied transposed; positive.
import torch
import torch.nn.functional as F


def init(d=256, layers=4, vocab=50304):
    w = {"embed": torch.randn(vocab, d) * 0.02}
    for i in range(layers):
        w[f"{i}.qkv"] = torch.randn(3 * d, d) / d ** 0.5
        w[f"{i}.out"] = torch.zeros(d, d)
        w[f"{i}.up"] = torch.randn(4 * d, d) / d ** 0.5
        w[f"{i}.down"] = torch.zeros(d, 4 * d)
    return {k: v.requires_grad_() for k, v in w.items()}


def forward(w, idx, heads=4, layers=4):
    x = w["embed"][idx]
    b, t, d = x.shape
    for i in range(layers):
        h = F.rms_norm(x, (d,))
        q, k, v = (h @ w[f"{i}.qkv"].t()).view(b, t, 3, heads, -1).unbind(2)
        a = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        x = x + a.transpose(1, 2).reshape(b, t, d) @ w[f"{i}.out"].t()
        x = x + F.gelu(F.rms_norm(x, (d,)) @ w[f"{i}.up"].t()) @ w[f"{i}.down"].t()
    return F.rms_norm(x, (d,)) @ w["embed"].t()
