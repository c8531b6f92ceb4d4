# example: activation written as x.clamp_min(0).pow(2) inside a functional MLP helper with raw weight tensors; positive (clamp is ReLU, pow(2) is the square).
import torch
import torch.nn as nn
import torch.nn.functional as F


def mlp_forward(x, w_in, w_out):
    hidden = F.linear(x, w_in)
    hidden = hidden.clamp_min(0).pow(2)
    return F.linear(hidden, w_out)


class MLPWeights(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.w_in = nn.Parameter(torch.randn(4 * d, d) * d ** -0.5)
        self.w_out = nn.Parameter(torch.zeros(d, 4 * d))

    def forward(self, x):
        return mlp_forward(x, self.w_in, self.w_out)


out = MLPWeights()(torch.randn(2, 16, 768))
