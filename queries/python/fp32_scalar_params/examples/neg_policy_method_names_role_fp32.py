# example: the same precision policy answering dtype_of(role) with getattr(self, role), but its embeddings role is float32 too, so nothing is cast to 16 bits; NOT present.
from dataclasses import dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class Precision:
    params: torch.dtype = torch.float32
    embeddings: torch.dtype = torch.float32

    def dtype_of(self, role: str) -> torch.dtype:
        return getattr(self, role)


class GPT(nn.Module):
    def __init__(self, vocab=50304, dim=768, n_layer=12):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.blocks = nn.ModuleList([nn.Linear(dim, dim, bias=False) for _ in range(n_layer)])
        self.skip_weights = nn.Parameter(torch.ones(n_layer // 2))
        self.lm_head = nn.Linear(dim, vocab, bias=False)


policy = Precision()
model = GPT().cuda()
model.to(policy.dtype_of("params"))
for m in model.modules():
    if isinstance(m, nn.Embedding):
        m.to(policy.dtype_of("embeddings"))
model = torch.compile(model)
