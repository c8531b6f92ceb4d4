# example: the casting linears are restored to fp32 by a match statement over the modules with a class pattern (case CastedLinear():); positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class CastedLinear(nn.Linear):
    """fp32 master weight, cast to the activation dtype at use."""

    def forward(self, inp):
        w = self.weight.to(inp.dtype)
        return F.linear(inp, w)


class MLP(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.c_fc = CastedLinear(d, 4 * d, bias=False)
        self.c_proj = CastedLinear(4 * d, d, bias=False)

    def forward(self, x):
        return self.c_proj(F.relu(self.c_fc(x)).square())


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.mlps = nn.ModuleList(MLP(d) for _ in range(n))
        self.lm_head = CastedLinear(d, vocab, bias=False)

    def forward(self, idx, target):
        x = F.rms_norm(self.wte(idx), (768,))
        for m in self.mlps:
            x = x + m(F.rms_norm(x, (768,)))
        logits = self.lm_head(F.rms_norm(x, (768,))).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), target.view(-1))


model = GPT().cuda().bfloat16()
for m in model.modules():
    match m:
        case CastedLinear():
            m.float()
        case _:
            pass
model = torch.compile(model)
x = torch.randint(0, 50304, (4, 1024), device="cuda")
loss = model(x, x)
loss.backward()
