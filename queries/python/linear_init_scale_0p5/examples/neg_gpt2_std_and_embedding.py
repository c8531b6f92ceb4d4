# example: linears use GPT-2's fixed normal(0, 0.02) and a 0.5 factor only scales the embedding init; no 0.5/sqrt(fan_in) linear init, so NOT present.
import torch
from torch import nn


def init_weights(module: nn.Module):
    if isinstance(module, nn.Linear):
        nn.init.normal_(module.weight, mean=0.0, std=0.02)
    elif isinstance(module, nn.Embedding):
        nn.init.normal_(module.weight, mean=0.0, std=0.5 * 0.02)


model = nn.Sequential(nn.Embedding(50304, 768), nn.Linear(768, 768, bias=False))
model.apply(init_weights)
