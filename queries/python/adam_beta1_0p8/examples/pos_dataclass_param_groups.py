# example: beta1 comes from a dataclass field and is applied to a single Adam with three param groups; the value reaches the optimizer's betas, so present.
from dataclasses import dataclass, field

import torch
from torch import nn


@dataclass
class OptimConfig:
    adam_beta1: float = 0.8
    adam_beta2: float = 0.95
    group_lrs: dict = field(default_factory=lambda: dict(embed=0.6, head=0.008, scalar=0.04))


def build_adam(model: nn.Module, cfg: OptimConfig):
    embed = [p for n, p in model.named_parameters() if "embed" in n]
    head = [p for n, p in model.named_parameters() if "head" in n]
    scalar = [p for p in model.parameters() if p.ndim < 2]
    groups = [
        dict(params=embed, lr=cfg.group_lrs["embed"]),
        dict(params=head, lr=cfg.group_lrs["head"]),
        dict(params=scalar, lr=cfg.group_lrs["scalar"]),
    ]
    return torch.optim.Adam(groups, betas=(cfg.adam_beta1, cfg.adam_beta2), fused=True)
