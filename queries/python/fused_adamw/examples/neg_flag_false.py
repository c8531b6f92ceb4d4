# example: near miss - an argparse flag --fused defaults to False and is passed to AdamW; negative (the fused kernel is off by default).
import argparse
import torch

ap = argparse.ArgumentParser()
ap.add_argument("--fused", action="store_true", default=False)
args = ap.parse_args()
model = torch.nn.Linear(768, 768)
opt = torch.optim.AdamW(model.parameters(), lr=0.0036, fused=args.fused)
