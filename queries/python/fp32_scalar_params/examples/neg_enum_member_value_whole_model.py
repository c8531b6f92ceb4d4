# example: the whole model is cast to bf16 through an enumeration member's `.value`, then the embeddings are cast again; scalar parameters are bf16; negative.
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


model = GPT().cuda().to(dtype=Precision.LOW.value)
for m in model.modules():
    if isinstance(m, nn.Embedding):
        m.bfloat16()
