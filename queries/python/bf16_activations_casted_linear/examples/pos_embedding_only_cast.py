# example: record-18 style - only nn.Embedding modules are cast with m.bfloat16() (found by isinstance), linears stay fp32 and CastedLinear casts its weight with type_as(x) in forward; no autocast; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class CastedLinear(nn.Linear):
    def __init__(self, d_in, d_out):
        super().__init__(d_in, d_out, bias=False)

    def forward(self, x):
        return F.linear(x, self.weight.type_as(x))


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n=12):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(CastedLinear(d, d) for _ in range(n))
        self.lm_head = CastedLinear(d, vocab)

    def forward(self, idx, target):
        x = F.rms_norm(self.embed(idx), (768,))
        for b in self.blocks:
            x = x + b(x)
        return F.cross_entropy(self.lm_head(x).float().view(-1, 50304), target.view(-1))


model = GPT().cuda()
for m in model.modules():
    if isinstance(m, nn.Embedding):
        m.bfloat16()
idx = torch.randint(0, 50304, (1, 1024), device="cuda")
model(idx, idx).backward()
