# example: the same config copy read by key (`p["weight_decay"]`), but the config's decay is 0.0, as is the vectors' group: no group decays; positive.
import torch
import torch.nn as nn

CONFIG = {"optimizer": {"params": {"lr": 1.8e-3, "betas": (0.9, 0.95), "weight_decay": 0.0}}}


def build_optimizer(model, section):
    p = dict(section["params"])
    wd = p["weight_decay"]
    matrices = [t for t in model.parameters() if t.dim() >= 2]
    vectors = [t for t in model.parameters() if t.dim() < 2]
    groups = [{"params": matrices, "weight_decay": wd}, {"params": vectors, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=p["lr"], betas=p["betas"])


opt = build_optimizer(nn.Linear(768, 768), CONFIG["optimizer"])
