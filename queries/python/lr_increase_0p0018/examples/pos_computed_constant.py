# example: module constant computed as 2 * 0.0009 and used as the AdamW lr inside a helper; positive (value must be folded from an expression).
import torch
import torch.nn as nn

BASE_LR = 0.0009
PEAK_LR = 2 * BASE_LR
BETAS = (0.9, 0.95)


def make_optimizer(module: nn.Module) -> torch.optim.Optimizer:
    return torch.optim.AdamW(module.parameters(), lr=PEAK_LR, betas=BETAS, weight_decay=0.1)


def lr_multiplier(step: int, total: int = 9536, cool: int = 2000) -> float:
    return 1.0 if step < total - cool else (total - step) / cool


model = nn.Linear(768, 768)
opt = make_optimizer(model)
for step in range(100):
    for group in opt.param_groups:
        group["lr"] = PEAK_LR * lr_multiplier(step)
    model(torch.randn(1, 768)).sum().backward()
    opt.step()
    opt.zero_grad()
