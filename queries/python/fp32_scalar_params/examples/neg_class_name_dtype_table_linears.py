# example: the same class-name table of storage dtypes, but it also lists Linear as bfloat16, so the block weights are cast too and not only the embeddings; negative.
import json

import torch
from torch import nn


class GPT(nn.Module):
    def __init__(self, vocab=50304, dim=768):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.value_embeds = nn.ModuleList([nn.Embedding(vocab, dim) for _ in range(3)])
        self.blocks = nn.ModuleList([nn.Linear(dim, dim, bias=False) for _ in range(12)])
        self.lambdas = nn.Parameter(torch.tensor([0.5, 0.5]))
        self.skip_weights = nn.Parameter(torch.ones(6))


SPEC = json.loads("""
{
  "dim": 768,
  "storage_dtypes": {"Embedding": "bfloat16", "Linear": "bfloat16"}
}
""")
model = GPT(dim=SPEC["dim"]).cuda()
for m in model.modules():
    wanted = SPEC["storage_dtypes"].get(type(m).__name__)
    if wanted is not None:
        m.to(dtype=getattr(torch, wanted))
