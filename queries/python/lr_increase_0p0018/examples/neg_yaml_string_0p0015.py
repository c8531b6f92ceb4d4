# example: the settings are a YAML document in a string read with yaml.safe_load, and its learning rate is 0.0015 (the earlier value), nested under an optimizer mapping; negative.

import textwrap

import torch
import torch.nn as nn
import yaml

CONFIG = yaml.safe_load(textwrap.dedent("""
    model:
      width: 768
    optimizer:
      learning-rate: 0.0015
      betas: [0.9, 0.95]
    steps: 9536
"""))

model = nn.Linear(CONFIG["model"]["width"], CONFIG["model"]["width"])
opt = torch.optim.AdamW(model.parameters(), lr=CONFIG["optimizer"]["learning-rate"], betas=CONFIG["optimizer"]["betas"])
for _ in range(CONFIG["steps"]):
    model(torch.randn(2, 768)).mean().backward()
    opt.step()
    opt.zero_grad()
