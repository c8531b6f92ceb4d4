# example: the constructor sets eps=1e-10, but the output head's group overrides it with eps=1e-8; the head keeps the old epsilon; negative.
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, vocab=50304, d=640):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.gates = nn.Parameter(torch.zeros(10))
        self.out = nn.Linear(d, vocab, bias=False)

    def forward(self, idx):
        return self.out(self.wte(idx) * self.gates.sigmoid().mean())


net = Net()
groups = [
    dict(params=[net.out.weight], lr=0.004, eps=1e-8),
    dict(params=[net.wte.weight], lr=0.3),
    dict(params=[net.gates], lr=0.02),
]
opt = torch.optim.AdamW(groups, betas=(0.8, 0.95), eps=1e-10, weight_decay=0.0)
