# example: one AdamW over two param-group dicts, each with "weight_decay": 0.0, values read from argparse; positive (every group resolves to zero decay).
import argparse
import torch
import torch.nn as nn

ap = argparse.ArgumentParser()
ap.add_argument("--lr", type=float, default=0.0018)
ap.add_argument("--wd", type=float, default=0.0)
a = ap.parse_args()

model = nn.TransformerEncoder(nn.TransformerEncoderLayer(512, 8, batch_first=True), num_layers=4)
matrices = [p for p in model.parameters() if p.dim() >= 2]
vectors = [p for p in model.parameters() if p.dim() < 2]
optimizer = torch.optim.AdamW(
    [
        {"params": matrices, "weight_decay": a.wd},
        {"params": vectors, "weight_decay": 0.0},
    ],
    lr=a.lr,
    betas=(0.9, 0.95),
)
for step in range(5):
    model(torch.randn(2, 16, 512)).pow(2).mean().backward()
    optimizer.step()
    optimizer.zero_grad()
