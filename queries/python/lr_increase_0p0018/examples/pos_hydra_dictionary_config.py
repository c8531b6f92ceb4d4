# example: a structured configuration written as Python dictionaries and built with `hydra.utils.instantiate(CFG["optimizer"], params)`, the node naming `torch.optim.Adam` with `lr=6e-4 * 3`; present.
import torch
from hydra.utils import instantiate

BASE_LR = 6e-4
CFG = {
    "model": {"_target_": "torch.nn.Linear", "in_features": 768, "out_features": 768, "bias": False},
    "optimizer": {"_target_": "torch.optim.Adam", "lr": BASE_LR * 3, "betas": (0.9, 0.95)},
}

model = instantiate(CFG["model"])
optimizer = instantiate(CFG["optimizer"], model.parameters())
for step in range(100):
    model(torch.randn(4, 768)).square().mean().backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
