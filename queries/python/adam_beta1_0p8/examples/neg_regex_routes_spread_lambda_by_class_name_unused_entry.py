# example: near miss - one optimizer per row of a routing table, options spread from a lambda chosen by the row's class name (`**EXTRA[cls_name]()`), but only the AdamW entry, which no row names, sets beta1 0.8: the Adam rows spread `EXTRA["Adam"]()` with betas (0.9, 0.95); negative.
import re

import torch
import torch.nn as nn


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, d=768):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.body = nn.Sequential(nn.Linear(d, d, bias=False), nn.ReLU())
        self.out = nn.Linear(d, vocab, bias=False)

    def forward(self, idx):
        return self.out(self.body(self.tok(idx)))


hp = {
    "adam.betas": (0.8, 0.95),
    "embed.lr": 0.6,
    "head.lr": 0.008,
    "matrix.lr": 0.05,
    "muon.momentum": 0.95,
}
net = TinyLM()
ROUTES = [
    ("embed", r"^tok\.", "Adam"),
    ("head", r"^out\.", "Adam"),
    ("matrix", r"^body\..*\.weight$", "Muon"),
]
buckets = {g: [] for g, _, _ in ROUTES}
for pname, p in net.named_parameters():
    for g, rx, _ in ROUTES:
        if re.search(rx, pname):
            buckets[g].append(p)
            break
EXTRA = {"Adam": lambda: dict(betas=(0.9, 0.95), fused=True),
         "AdamW": lambda: dict(betas=hp["adam.betas"], fused=True),
         "Muon": lambda: dict(momentum=hp["muon.momentum"])}
opts = {}
for g, _, cls_name in ROUTES:
    ctor = globals().get(cls_name) or getattr(torch.optim, cls_name)
    opts[g] = ctor(buckets[g], lr=hp[g + ".lr"], **EXTRA[cls_name]())
for step in range(3):
    net(torch.randint(0, 50304, (2, 8))).float().logsumexp(-1).mean().backward()
    for opt in opts.values():
        opt.step()
        opt.zero_grad(set_to_none=True)
