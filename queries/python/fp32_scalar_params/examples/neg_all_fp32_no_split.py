# example: the model is never cast (everything fp32, autocast does the bf16 math) and embeddings are not singled out; the bf16-embeddings / fp32-rest scheme is absent, so NOT present.
import torch
from torch import nn


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(50304, 768)
        self.blocks = nn.ModuleList([nn.Linear(768, 768, bias=False) for _ in range(12)])
        self.lambdas = nn.Parameter(torch.tensor([1.0, 0.0]))
        self.lm_head = nn.Linear(768, 50304, bias=False)

    def forward(self, idx):
        x = self.embed(idx)
        for blk in self.blocks:
            x = x + blk(x) * self.lambdas[0]
        return self.lm_head(x)


model = GPT().cuda()
with torch.autocast("cuda", dtype=torch.bfloat16):
    out = model(torch.zeros(1, 16, dtype=torch.long, device="cuda"))
