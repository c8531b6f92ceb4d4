# example: CastedLinear keeps nn.Linear's default kaiming-uniform init (std about 0.577/sqrt(fan_in)) and other layers use GPT-2 normal(0, 0.02); NOT present.
import torch
from torch import nn
import torch.nn.functional as F


class CastedLinear(nn.Linear):
    def __init__(self, fan_in, fan_out):
        super().__init__(fan_in, fan_out, bias=False)

    def forward(self, x):
        return F.linear(x, self.weight.to(dtype=x.dtype))


def gpt2_init(module):
    if isinstance(module, nn.Embedding):
        torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)


class MLP(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.up = CastedLinear(dim, 4 * dim)
        self.down = CastedLinear(4 * dim, dim)


mlp = MLP(768)
mlp.apply(gpt2_init)
