# example: Einsum attention with per-head projection tensors; q and k divided by their L2 norm over the head dim (cosine attention); positive.
import torch
import torch.nn as nn


class EinsumAttention(nn.Module):
    def __init__(self, d=512, heads=8, tau=12.0):
        super().__init__()
        hd = d // heads
        self.Wq = nn.Parameter(torch.randn(heads, d, hd) * d ** -0.5)
        self.Wk = nn.Parameter(torch.randn(heads, d, hd) * d ** -0.5)
        self.Wv = nn.Parameter(torch.randn(heads, d, hd) * d ** -0.5)
        self.Wo = nn.Parameter(torch.zeros(heads, hd, d))
        self.tau = tau

    def forward(self, x):
        T = x.size(1)
        q = torch.einsum("btd,hde->bhte", x, self.Wq)
        k = torch.einsum("btd,hde->bhte", x, self.Wk)
        v = torch.einsum("btd,hde->bhte", x, self.Wv)
        q = q / q.norm(dim=-1, keepdim=True).clamp_min(1e-6)
        k = k / k.norm(dim=-1, keepdim=True).clamp_min(1e-6)
        scores = self.tau * torch.einsum("bhqe,bhke->bhqk", q, k)
        causal = torch.triu(torch.ones(T, T, dtype=torch.bool, device=x.device), 1)
        probs = scores.masked_fill(causal, float("-inf")).softmax(-1)
        out = torch.einsum("bhqk,bhke->bhqe", probs, v)
        return torch.einsum("bhte,hed->btd", out, self.Wo)


y = EinsumAttention()(torch.randn(2, 16, 512))
