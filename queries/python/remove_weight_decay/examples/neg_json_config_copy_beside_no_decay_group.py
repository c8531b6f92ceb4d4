# example: the optimizer settings come from a JSON config, are copied and the decay read from the copy (`p["weight_decay"]`, 0.1); a second parameter group of vectors has "weight_decay": 0.0, which is not what the read gives, so the matrices decay; NOT present.
import json
import torch
import torch.nn as nn

CONFIG = json.loads(r"""
{"optimizer": {"params": {"lr": 1.8e-3, "betas": [0.9, 0.95], "weight_decay": 0.1}}}
""")


def build_optimizer(model, section):
    p = dict(section["params"])
    wd = p["weight_decay"]
    matrices = [t for t in model.parameters() if t.dim() >= 2]
    vectors = [t for t in model.parameters() if t.dim() < 2]
    groups = [{"params": matrices, "weight_decay": wd}, {"params": vectors, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=p["lr"], betas=tuple(p["betas"]))


opt = build_optimizer(nn.Linear(768, 768), CONFIG["optimizer"])
