# example: a notebook export starts with GELU and a later cell redefines the activation as relu(x) squared before the model is built; positive (the later definition is the one that runs).
import torch
import torch.nn as nn
import torch.nn.functional as F

# %%
WIDTH = 512


def activation(x):
    return F.gelu(x, approximate="tanh")


class FeedForward(nn.Module):
    def __init__(self):
        super().__init__()
        self.up = nn.Linear(WIDTH, 4 * WIDTH)
        self.down = nn.Linear(4 * WIDTH, WIDTH)

    def forward(self, x):
        return self.down(activation(self.up(x)))


# %%
def activation(x):
    return F.relu(x).square()


# %%
net = FeedForward()
out = net(torch.randn(4, WIDTH))
out.sum().backward()
