# example: hidden linears are re-drawn from a truncated normal with std = INIT_GAIN * fan_in ** -0.5 and INIT_GAIN = 0.5, fan_in read from weight.size(1); the 0.5/sqrt(fan_in) scale via another distribution.
import torch
from torch import nn

INIT_GAIN = 0.5


@torch.no_grad()
def init_hidden(model: nn.Module):
    for m in model.modules():
        if isinstance(m, nn.Linear):
            fan_in = m.weight.size(1)
            nn.init.trunc_normal_(m.weight, mean=0.0, std=INIT_GAIN * fan_in ** -0.5)


blocks = nn.Sequential(nn.Linear(768, 3072, bias=False), nn.ReLU(), nn.Linear(3072, 768, bias=False))
init_hidden(blocks)
