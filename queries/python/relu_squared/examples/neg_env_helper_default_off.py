# example: the squared-ReLU path sits behind an environment switch read through a small helper of the file, and the helper's default leaves it off (nothing in the run sets the variable), so the MLP runs GELU; negative.
import os

import torch
import torch.nn.functional as F


def flag_from_env(name, fallback=False):
    raw = os.getenv(name)
    return fallback if raw is None else raw.strip().lower() in {"1", "true", "yes"}


SQUARED_ACT = flag_from_env("MLP_SQUARED_RELU")


class FeedForward(torch.nn.Module):
    def __init__(self, width):
        super().__init__()
        self.up = torch.nn.Linear(width, 4 * width, bias=False)
        self.down = torch.nn.Linear(4 * width, width, bias=False)

    def forward(self, h):
        h = self.up(h)
        h = F.relu(h).square() if SQUARED_ACT else F.gelu(h)
        return self.down(h)
