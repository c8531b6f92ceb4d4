# example: dataclass field weight_decay: float = 0.0 passed as the AdamW weight_decay keyword for the only optimizer; positive (value resolved through a config field).
from dataclasses import dataclass
import torch
import torch.nn as nn


@dataclass
class OptimConfig:
    learning_rate: float = 0.0036
    betas: tuple = (0.9, 0.95)
    weight_decay: float = 0.0
    fused: bool = True


def build_optimizer(model: nn.Module, cfg: OptimConfig) -> torch.optim.Optimizer:
    return torch.optim.AdamW(
        model.parameters(),
        lr=cfg.learning_rate,
        betas=cfg.betas,
        weight_decay=cfg.weight_decay,
        fused=cfg.fused,
    )


cfg = OptimConfig()
net = nn.Sequential(nn.Linear(768, 3072), nn.ReLU(), nn.Linear(3072, 768)).cuda()
opt = build_optimizer(net, cfg)
for step in range(10):
    net(torch.randn(4, 768, device="cuda")).sum().backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
