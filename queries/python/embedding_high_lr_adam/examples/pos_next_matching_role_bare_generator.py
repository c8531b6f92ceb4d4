# example: parameters bucketed by role, the role being the first key of a glob table whose glob the name matches, found by `next` over a bare generator (`role = next(r for r, g in GLOBS.items() if fnmatch.fnmatch(name, g))`); `Adam(buckets["embed"], lr=0.5)` and `Adam(buckets["head"], lr=0.004)`; positive.
import fnmatch

import torch
import torch.nn as nn


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, d=768):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.blocks = nn.Sequential(nn.Linear(d, d, bias=False), nn.ReLU())
        self.lm_head = nn.Linear(d, vocab, bias=False)

    def forward(self, idx):
        return self.lm_head(self.blocks(self.wte(idx)))


model = TinyLM()
GLOBS = {"embed": "wte.*", "head": "lm_head.*", "body": "blocks.*"}
buckets = {role: [] for role in GLOBS}
for name, p in model.named_parameters():
    role = next(r for r, g in GLOBS.items() if fnmatch.fnmatch(name, g))
    buckets[role].append(p)
optimizers = [
    torch.optim.Adam(buckets["embed"], lr=0.5, betas=(0.8, 0.95)),
    torch.optim.Adam(buckets["head"], lr=0.004, betas=(0.8, 0.95)),
    Muon(buckets["body"], lr=0.05),
]
for step in range(3):
    model(torch.randint(0, 50304, (2, 8))).float().logsumexp(-1).mean().backward()
    for opt in optimizers:
        opt.step()
        opt.zero_grad(set_to_none=True)
