# example: an MLP made of modules in order, the activation being nn.ReLU followed by a generic PowerLayer given p=2 by keyword (its forward is `h ** self.p`); a squared ReLU, positive.
import torch.nn as nn


class PowerLayer(nn.Module):
    def __init__(self, p=1.0):
        super().__init__()
        self.p = p

    def forward(self, h):
        return h ** self.p


def make_mlp(d_model, mult=4):
    return nn.Sequential(
        nn.Linear(d_model, mult * d_model, bias=False),
        nn.ReLU(inplace=True),
        PowerLayer(p=2),
        nn.Linear(mult * d_model, d_model, bias=False),
    )


mlp = make_mlp(256)
