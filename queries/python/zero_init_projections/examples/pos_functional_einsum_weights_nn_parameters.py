# example: Functional/einsum weights as nn.Parameters; output matrices are created with torch.zeros_like of the input matrices' transposes; positive.
import torch
import torch.nn as nn


class Layer(nn.Module):
    def __init__(self, d=384, h=6):
        super().__init__()
        self.h = h
        self.Wq = nn.Parameter(torch.randn(d, d) * d ** -0.5)
        self.Wk = nn.Parameter(torch.randn(d, d) * d ** -0.5)
        self.Wv = nn.Parameter(torch.randn(d, d) * d ** -0.5)
        self.Wo = nn.Parameter(torch.zeros_like(self.Wv))
        self.W1 = nn.Parameter(torch.randn(d, 4 * d) * d ** -0.5)
        self.W2 = nn.Parameter(torch.zeros_like(self.W1.T))

    def forward(self, x):
        B, T, D = x.shape
        n = torch.nn.functional.rms_norm(x, (D,))
        q, k, v = (torch.einsum("btd,de->bte", n, W).view(B, T, self.h, -1).transpose(1, 2)
                   for W in (self.Wq, self.Wk, self.Wv))
        a = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + torch.einsum("btd,de->bte", a.transpose(1, 2).reshape(B, T, D), self.Wo)
        n = torch.nn.functional.rms_norm(x, (D,))
        return x + torch.einsum("btf,fd->btd", torch.relu(n @ self.W1).square(), self.W2)


layers = nn.ModuleList(Layer() for _ in range(6))
