# example: the job's settings are a TOML document kept in a string and loaded with tomllib; the optimizer table's lr = 1.8e-3 reaches AdamW by key; positive.

import tomllib

import torch
import torch.nn as nn

JOB = """
# single-node job
[model]
width = 768
depth = 12

[optimizer]
name = "AdamW"
lr = 1.8e-3        # peak learning rate
weight_decay = 0.0

[training]
steps = 9536
"""


def build(job):
    width = job["model"]["width"]
    model = nn.Sequential(*[nn.Linear(width, width) for _ in range(job["model"]["depth"])])
    o = job["optimizer"]
    return model, torch.optim.AdamW(model.parameters(), lr=o["lr"], weight_decay=o["weight_decay"])


job = tomllib.loads(JOB)
model, opt = build(job)
for _ in range(job["training"]["steps"]):
    model(torch.randn(2, 768)).mean().backward()
    opt.step()
    opt.zero_grad()
