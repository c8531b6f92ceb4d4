# example: the storage dtype is an enumeration member read through `.value`; only nn.Embedding modules are cast with it, linears and scalar parameters stay fp32; positive.
import enum
import torch
from torch import nn


class Precision(enum.Enum):
    LOW = torch.bfloat16
    FULL = torch.float32


class GPT(nn.Module):
    def __init__(self, vocab=50304, dim=768):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.proj = nn.Linear(dim, dim, bias=False)
        self.lambdas = nn.Parameter(torch.tensor([0.5, 0.5]))
        self.lm_head = nn.Linear(dim, vocab, bias=False)


model = GPT().cuda()
for m in model.modules():
    if isinstance(m, nn.Embedding):
        m.to(dtype=Precision.LOW.value)
