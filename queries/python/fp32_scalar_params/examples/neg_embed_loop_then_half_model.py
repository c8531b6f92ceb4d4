# example: the embedding-only bf16 loop is there, but the model is later cast with .to(torch.bfloat16), so every scalar param is bf16 again; NOT present (near miss).
import torch
from torch import nn


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(50304, 768)
        self.blocks = nn.ModuleList([nn.Linear(768, 768, bias=False) for _ in range(12)])
        self.lambdas = nn.Parameter(torch.tensor([1.0, 0.0]))


model = GPT().cuda()
for m in model.modules():
    if isinstance(m, nn.Embedding):
        m.bfloat16()
model = model.to(torch.bfloat16)  # halve memory for the big sweep
model = torch.compile(model)
