# example: the whole model is cast with .half() before the embedding-only loop runs, so scalars are 16-bit anyway; NOT present.
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(50304, 768)
        self.body = nn.Linear(768, 768, bias=False)
        self.gain = nn.Parameter(torch.ones(1))


net = Net().cuda().half()
for module in net.modules():
    if isinstance(module, nn.Embedding):
        module.bfloat16()
