# example: peak LR given as an argparse default written 1.8e-3 and passed to Adam param groups; positive (different mechanism and numeric spelling).
import argparse
import torch
import torch.nn as nn

parser = argparse.ArgumentParser(description="gpt2 speedrun")
parser.add_argument("--peak_lr", type=float, default=1.8e-3)
parser.add_argument("--beta2", type=float, default=0.95)
parser.add_argument("--steps", type=int, default=9536)
opts = parser.parse_args()

net = nn.Sequential(nn.Embedding(50257, 768), nn.Linear(768, 50257, bias=False))
groups = [
    {"params": net[0].parameters()},
    {"params": net[1].parameters()},
]
optimizer = torch.optim.Adam(groups, lr=opts.peak_lr, betas=(0.9, opts.beta2))

for step in range(opts.steps):
    tokens = torch.randint(0, 50257, (2, 32))
    logits = net(tokens)
    loss = torch.nn.functional.cross_entropy(logits.flatten(0, 1), tokens.flatten())
    loss.backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
