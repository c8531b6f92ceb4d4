# example: the model's method builds its optimizer with a factory it is handed (`make_optimizer=make_adamw`), the factory a functools.partial binding lr=0.0018; positive.
from functools import partial

import torch
import torch.nn as nn

PEAK = 0.0018


class TinyLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(50304, 256)
        self.body = nn.Linear(256, 256)
        self.out = nn.Linear(256, 50304, bias=False)

    def forward(self, idx):
        return self.out(torch.relu(self.body(self.emb(idx))))

    def build_optimizer(self, make_optimizer):
        groups = [{"params": [p for p in self.parameters() if p.ndim >= 2], "weight_decay": 0.0},
                  {"params": [p for p in self.parameters() if p.ndim < 2], "weight_decay": 0.0}]
        return make_optimizer(groups)


model = TinyLM()
make_adamw = partial(torch.optim.AdamW, lr=PEAK, betas=(0.9, 0.95))
opt = model.build_optimizer(make_optimizer=make_adamw)
for step in range(100):
    idx = torch.randint(0, 50304, (4, 64))
    loss = model(idx).logsumexp(-1).mean()
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
