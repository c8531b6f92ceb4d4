# example: one optimizer per entry of a dict keyed by Enum members, walked with `.items()` and routed by a test on a member property (`if part.rule != "adam": SGD(...) else: Adam(...)`), the Adam keywords spread from a helper that returns a dict read off its member parameter (`**adam_kwargs(part)`): embedding at 0.4, head at 0.003; positive.
import enum

import torch
import torch.nn as nn


class Part(enum.Enum):
    # (rule, rate)
    TABLE = ("adam", 0.4)
    OUT = ("adam", 0.003)
    BODY = ("sgd", 0.05)

    @property
    def rule(self):
        return self.value[0]

    @property
    def rate(self):
        return self.value[1]


def adam_kwargs(which):
    return {"lr": which.rate, "betas": (0.8, 0.95), "eps": 1e-10}


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, d=768):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.body = nn.Sequential(nn.Linear(d, d, bias=False), nn.ReLU())
        self.out = nn.Linear(d, vocab, bias=False)

    def forward(self, idx):
        return self.out(self.body(self.tok(idx)))


net = TinyLM()
owned = {
    Part.TABLE: list(net.tok.parameters()),
    Part.OUT: list(net.out.parameters()),
    Part.BODY: list(net.body.parameters()),
}
opts = []
for part, plist in owned.items():
    if part.rule != "adam":
        opts.append(torch.optim.SGD(plist, lr=part.rate, momentum=0.9))
    else:
        opts.append(torch.optim.Adam(plist, **adam_kwargs(which=part)))
for step in range(3):
    net(torch.randint(0, 50304, (2, 8))).float().logsumexp(-1).mean().backward()
    for opt in opts:
        opt.step()
        opt.zero_grad(set_to_none=True)
