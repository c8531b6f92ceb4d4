# example: one optimizer per row of a table keyed by role, `OPTIMS = {"embed": dict(glob="tok.*", cls="Adam", kw=dict(lr=0.6)), ...}`; parameters bucketed by the first row whose glob their name matches (`key = next(k for k, spec in OPTIMS.items() if fnmatch.fnmatch(name, spec["glob"]))`), the class resolved by name through a helper (`resolve(spec["cls"])`) and built as `resolve(spec["cls"])(owned[k], **spec["kw"])`: embedding Adam at 0.6, head Adam at 0.008; positive.
import fnmatch

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


net = TinyLM()
OPTIMS = {
    "embed": dict(glob="tok.*", cls="Adam", kw=dict(lr=0.6, betas=(0.8, 0.95))),
    "head": dict(glob="out.*", cls="Adam", kw=dict(lr=0.008, betas=(0.8, 0.95))),
    "body": dict(glob="body.*", cls="Muon", kw=dict(lr=0.05)),
}
owned = {k: [] for k in OPTIMS}
for name, p in net.named_parameters():
    key = next(k for k, spec in OPTIMS.items() if fnmatch.fnmatch(name, spec["glob"]))
    owned[key].append(p)


def resolve(cls_name):
    return globals().get(cls_name) or getattr(torch.optim, cls_name)


opts = [resolve(spec["cls"])(owned[k], **spec["kw"]) for k, spec in OPTIMS.items()]
for step in range(3):
    net(torch.randint(0, 50304, (2, 8))).float().logsumexp(-1).mean().backward()
    for opt in opts:
        opt.step()
        opt.zero_grad(set_to_none=True)
