# example: beta1 and beta2 are argparse defaults (0.8, 0.95) passed as a tuple of names to two fused AdamW optimizers; every Adam has beta1 0.8.
import argparse

import torch
from torch import nn

ap = argparse.ArgumentParser()
ap.add_argument("--beta1", type=float, default=0.8)
ap.add_argument("--beta2", type=float, default=0.95)
ap.add_argument("--embed_lr", type=float, default=0.6)
hp, _ = ap.parse_known_args()

embed = nn.Embedding(50304, 768)
head = nn.Linear(768, 50304, bias=False)
embed_opt = torch.optim.AdamW(embed.parameters(), lr=hp.embed_lr, betas=(hp.beta1, hp.beta2), weight_decay=0.0, fused=True)
head_opt = torch.optim.AdamW(head.parameters(), lr=0.008, betas=(hp.beta1, hp.beta2), weight_decay=0.0, fused=True)
