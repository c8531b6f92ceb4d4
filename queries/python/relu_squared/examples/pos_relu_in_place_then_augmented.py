# example: In-place activation: relu_ then augmented multiply h *= h on the hidden tensor, weights applied with einsum; positive.
import torch
import torch.nn as nn


class FeedForward(nn.Module):
    def __init__(self, d_model=512, d_ff=2048):
        super().__init__()
        self.w_up = nn.Parameter(torch.randn(d_model, d_ff) / d_model ** 0.5)
        self.w_down = nn.Parameter(torch.randn(d_ff, d_model) / d_ff ** 0.5)

    def forward(self, x):
        h = torch.einsum("btd,df->btf", x, self.w_up)
        h.relu_()
        h *= h
        return torch.einsum("btf,fd->btd", h, self.w_down)


class Layer(nn.Module):
    def __init__(self, d_model=512):
        super().__init__()
        self.ln = nn.LayerNorm(d_model)
        self.ff = FeedForward(d_model)

    def forward(self, x):
        return x + self.ff(self.ln(x))


out = Layer()(torch.randn(4, 8, 512))
