# example: the decay is INI text "0.01 * 0" that the script's reading helper runs through eval, so AdamW gets 0; positive.
import configparser

import torch

SETTINGS = """
[optim]
lr = 0.0018
weight_decay = 0.01 * 0
"""


def number(text):
    return eval(text, {"__builtins__": {}}, {})


cfg = configparser.ConfigParser()
cfg.read_string(SETTINGS)
lr = number(cfg["optim"]["lr"])
weight_decay = number(cfg["optim"]["weight_decay"])
model = torch.nn.Linear(16, 16)
optimizer = torch.optim.AdamW(model.parameters(), lr=lr, betas=(0.9, 0.95), weight_decay=weight_decay)
