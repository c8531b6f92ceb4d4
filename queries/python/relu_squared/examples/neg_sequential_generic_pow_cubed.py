# example: the same generic power module after nn.ReLU, but constructed with exponent 3 (a cubed ReLU); not relu_squared, negative.
import torch.nn as nn


class PowerLayer(nn.Module):
    def __init__(self, p=1.0):
        super().__init__()
        self.p = p

    def forward(self, h):
        return h.pow(self.p)


def make_mlp(d_model, mult=4):
    return nn.Sequential(
        nn.Linear(d_model, mult * d_model, bias=False),
        nn.ReLU(),
        PowerLayer(3),
        nn.Linear(mult * d_model, d_model, bias=False),
    )


mlp = make_mlp(256)
