# example: argparse default given as a string ("1e-10"); argparse applies type=float to string defaults; positive.
import argparse

import torch
from torch import nn

p = argparse.ArgumentParser()
p.add_argument("--adam-eps", type=float, default="1e-10")
p.add_argument("--head-lr", type=float, default=0.008)
args, _ = p.parse_known_args()

model = nn.ModuleDict({"embed": nn.Embedding(50304, 768), "lm_head": nn.Linear(768, 50304, bias=False)})
optimizer = torch.optim.AdamW(
    [{"params": [model["lm_head"].weight], "lr": args.head_lr},
     {"params": [model["embed"].weight], "lr": 0.6}],
    betas=(0.8, 0.95), eps=args.adam_eps, weight_decay=0.0,
)
