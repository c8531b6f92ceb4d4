# example: learning rate stored in a config dict as 18e-4 and read by key when constructing torch.optim.AdamW; positive.
import torch
import torch.nn as nn

CONFIG = {
    "model": {"d_model": 768, "n_layer": 12},
    "optim": {"lr": 18e-4, "betas": (0.9, 0.95), "weight_decay": 0.1},
    "steps": 9536,
}


def build(cfg):
    layers = [nn.Linear(cfg["model"]["d_model"], cfg["model"]["d_model"]) for _ in range(cfg["model"]["n_layer"])]
    model = nn.Sequential(*layers)
    o = cfg["optim"]
    opt = torch.optim.AdamW(model.parameters(), lr=o["lr"], betas=o["betas"], weight_decay=o["weight_decay"])
    return model, opt


model, opt = build(CONFIG)
for _ in range(CONFIG["steps"]):
    model(torch.randn(2, 768)).mean().backward()
    opt.step()
    opt.zero_grad()
