# example: argparse --fused is a store_true flag (False unless given on the command line) forwarded to AdamW; the benchmark command passes no flags; negative.
import argparse

import torch
import torch.nn as nn

parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, default=1.8e-3)
parser.add_argument("--fused", action="store_true")
args = parser.parse_args()

model = nn.Sequential(nn.Linear(768, 3072), nn.GELU(), nn.Linear(3072, 768)).cuda()
optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.95), fused=args.fused)

for step in range(100):
    x = torch.randn(8, 768, device="cuda")
    model(x).square().mean().backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
