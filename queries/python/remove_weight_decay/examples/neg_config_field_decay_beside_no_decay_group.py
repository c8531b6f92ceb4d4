# example: near miss - the optimizer builder splits the parameters into a decayed group, whose rate comes from the config object's `weight_decay` field (0.1), and a group of gains and biases written with weight_decay=0.0; the matrices keep their decay; negative.
import torch
from torch import nn


class TrainConfig:
    lr = 0.0018
    weight_decay = 0.1


def build_optimizer(model, cfg):
    matrices = [p for p in model.parameters() if p.ndim >= 2]
    others = [p for p in model.parameters() if p.ndim < 2]
    groups = [
        dict(params=matrices, weight_decay=cfg.weight_decay),
        dict(params=others, weight_decay=0.0),
    ]
    return torch.optim.AdamW(groups, lr=cfg.lr, betas=(0.9, 0.95))


cfg = TrainConfig()
net = nn.Sequential(nn.Linear(768, 768), nn.LayerNorm(768), nn.Linear(768, 50304))
opt = build_optimizer(net, cfg)
