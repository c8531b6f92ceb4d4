# example: near miss - the AdamW weight decay comes from a config field set to 0.01 (small but not zero), next to a decay-free orthogonal optimizer; negative.
from dataclasses import dataclass
import torch


@dataclass
class TrainCfg:
    lr: float = 0.0036
    wd: float = 0.01


cfg = TrainCfg()
head = torch.nn.Linear(768, 50304, bias=False)
opt = torch.optim.AdamW(head.parameters(), lr=cfg.lr, weight_decay=cfg.wd, betas=(0.9, 0.95))
for _ in range(3):
    head(torch.randn(2, 768)).sum().backward()
    opt.step()
    opt.zero_grad()
