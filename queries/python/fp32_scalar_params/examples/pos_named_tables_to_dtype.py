# example: the token table and each value-embedding table are cast by name with .to(dtype=torch.bfloat16) after model.cuda(); nothing casts the whole model, so scalars stay fp32.
import torch
from torch import nn


class GPT(nn.Module):
    def __init__(self, vocab=50304, dim=768, n_layer=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.value_tables = nn.ModuleList(nn.Embedding(vocab, dim) for _ in range(3))
        self.layers = nn.ModuleList(nn.Linear(dim, dim, bias=False) for _ in range(n_layer))
        self.scales = nn.Parameter(torch.ones(n_layer))


gpt = GPT().cuda()
gpt.wte.to(dtype=torch.bfloat16)
for table in gpt.value_tables:
    table.to(dtype=torch.bfloat16)
