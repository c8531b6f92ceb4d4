# example: near miss - one Adam per entry of a literal (parameters, rate) table built in a for loop, but the rates are swapped: embedding at 0.008, head at 0.6; negative (the embedding does not get the high rate).
import torch
import torch.nn as nn


class Config:
    embed_rate = 0.008
    head_rate = 0.6


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, d=768):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.body = nn.Sequential(nn.Linear(d, d, bias=False), nn.ReLU())
        self.out = nn.Linear(d, vocab, bias=False)

    def forward(self, idx):
        return self.out(self.body(self.tok(idx)))


cfg = Config()
net = TinyLM()
plan = (
    (net.tok.parameters(), cfg.embed_rate),
    (net.out.parameters(), cfg.head_rate),
)
opts = []
for group, rate in plan:
    opts.append(torch.optim.Adam(group, lr=rate, betas=(0.8, 0.95), eps=1e-10))
opts.append(torch.optim.SGD(net.body.parameters(), lr=0.02, momentum=0.9))
for step in range(3):
    net(torch.randint(0, 50304, (2, 8))).float().logsumexp(-1).mean().backward()
    for opt in opts:
        opt.step()
        opt.zero_grad(set_to_none=True)
