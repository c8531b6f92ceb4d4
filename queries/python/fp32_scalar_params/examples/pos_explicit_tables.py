# example: the token and value-embedding tables are cast one by one to bf16 and an assertion checks scalar params are fp32; a third spelling with no whole-model cast.
import torch
from torch import nn


class Model(nn.Module):
    def __init__(self, vocab=50304, dim=768):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.value_embeds = nn.ModuleList([nn.Embedding(vocab, dim) for _ in range(3)])
        self.blocks = nn.ModuleList([nn.Linear(dim, dim, bias=False) for _ in range(12)])
        self.lambdas = nn.Parameter(torch.tensor([0.5, 0.5]))
        self.skip_weights = nn.Parameter(torch.ones(6))


model = Model().cuda()
for table in (model.embed, *model.value_embeds):
    table.weight.data = table.weight.data.to(torch.bfloat16)
scalar_params = [p for p in model.parameters() if p.ndim < 2]
assert all(p.dtype == torch.float32 for p in scalar_params)
