# example: argparse flag --no-fused-adam with action="store_false", dest="fused_adam": the flag defaults to True and is passed as fused= to Adam; positive.
import argparse

import torch
import torch.nn as nn

parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, default=1.8e-3)
parser.add_argument("--no-fused-adam", dest="fused_adam", action="store_false", help="disable the fused kernel")
args = parser.parse_args()

model = nn.Sequential(nn.Linear(768, 3072), nn.GELU(), nn.Linear(3072, 768)).cuda()
optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, betas=(0.9, 0.95), fused=args.fused_adam)

for step in range(100):
    x = torch.randn(8, 768, device="cuda")
    model(x).square().mean().backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
