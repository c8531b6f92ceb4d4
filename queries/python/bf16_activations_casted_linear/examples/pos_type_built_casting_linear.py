# example: the casting linear is built with the three-argument type() and a lambda forward, Lin = type("Lin", (nn.Linear,), dict(forward=lambda s, x: F.linear(x, s.weight.to(x.dtype)))); model cast to bf16, Lin modules restored to fp32; no autocast; present.
import torch
import torch.nn as nn
import torch.nn.functional as F

Lin = type("Lin", (nn.Linear,), dict(forward=lambda s, x: F.linear(x, s.weight.to(x.dtype))))


class Net(nn.Module):
    def __init__(self, vocab=256, d=64):
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        self.fc = Lin(d, d, bias=False)
        self.head = Lin(d, vocab, bias=False)

    def forward(self, idx, tgt):
        logits = self.head(F.relu(self.fc(self.emb(idx))).square()).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), tgt.view(-1))


model = Net().cuda().bfloat16()
for m in model.modules():
    if isinstance(m, Lin):
        m.float()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for step in range(10):
    idx = torch.randint(0, 256, (4, 32), device="cuda")
    model(idx, idx).backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
