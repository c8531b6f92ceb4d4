# example: a notebook export defines the activation as relu(x) squared, then a later cell redefines it as GELU before the model is built and trained; negative (the later definition is the one that runs).
import torch
import torch.nn as nn
import torch.nn.functional as F

# %%
WIDTH = 512


def activation(x):
    return F.relu(x).square()


class FeedForward(nn.Module):
    def __init__(self):
        super().__init__()
        self.up = nn.Linear(WIDTH, 4 * WIDTH)
        self.down = nn.Linear(4 * WIDTH, WIDTH)

    def forward(self, x):
        return self.down(activation(self.up(x)))


# %% [markdown]
# relu^2 was unstable in the last run: back to gelu.

# %%
def activation(x):
    return F.gelu(x, approximate="tanh")


# %%
net = FeedForward()
out = net(torch.randn(4, WIDTH))
out.sum().backward()
