# example: hidden linears are re-initialised from a normal with std = INIT_GAIN / sqrt(fan_in) and INIT_GAIN = 0.5 from a config dict; the same 0.5/sqrt(fan_in) scale, third spelling.
import math

import torch
from torch import nn

CONFIG = {"width": 1024, "depth": 8, "init_gain": 0.5}


class FeedForward(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.w_in = nn.Linear(width, 4 * width, bias=False)
        self.w_out = nn.Linear(4 * width, width, bias=False)


def reinit(model: nn.Module, gain: float):
    for mod in model.modules():
        if isinstance(mod, nn.Linear):
            nn.init.normal_(mod.weight, mean=0.0, std=gain / math.sqrt(mod.weight.shape[1]))


layers = nn.ModuleList(FeedForward(CONFIG["width"]) for _ in range(CONFIG["depth"]))
reinit(layers, CONFIG["init_gain"])
