# example: a Hugging Face-style modeling file: the MLP's activation comes from a table of activation modules indexed by the config string, and an init hook zeroes every linear layer flagged as a residual output; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class SquaredReLU(nn.Module):
    def forward(self, x):
        return torch.square(F.relu(x))


ACTIVATIONS = {"gelu": nn.GELU(), "relu": nn.ReLU(), "relu2": SquaredReLU()}


class Config:
    def __init__(self, hidden=768, act="relu2", zero_residual_out=True):
        self.hidden = hidden
        self.act = act
        self.zero_residual_out = zero_residual_out


class FeedForward(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.up = nn.Linear(config.hidden, 4 * config.hidden, bias=False)
        self.down = nn.Linear(4 * config.hidden, config.hidden, bias=False)
        self.down.residual_out = True
        self.act_fn = ACTIVATIONS[config.act]

    def forward(self, x):
        return self.down(self.act_fn(self.up(x)))


class Attention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.qkv = nn.Linear(config.hidden, 3 * config.hidden, bias=False)
        self.o = nn.Linear(config.hidden, config.hidden, bias=False)
        self.o.residual_out = True

    def forward(self, x):
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        return self.o(F.scaled_dot_product_attention(q, k, v, is_causal=True))


class Model(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.attn = Attention(config)
        self.ff = FeedForward(config)
        self.apply(self._init_weights)

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            if getattr(module, "residual_out", False) and self.config.zero_residual_out:
                module.weight.data.zero_()
            else:
                module.weight.data.normal_(0.0, 0.02)

    def forward(self, x):
        x = x + self.attn(x)
        return x + self.ff(x)
