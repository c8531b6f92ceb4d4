# example: WSD schedule precomputed as a numpy array (ramp / plateau / ramp-down concatenated) and indexed per step; positive.
import numpy as np
import torch

TOTAL, WARMUP, COOLDOWN = 6000, 250, 1500
PEAK_LR = 2e-3

lr_table = np.concatenate([
    np.linspace(0.0, PEAK_LR, WARMUP, endpoint=False),
    np.full(TOTAL - WARMUP - COOLDOWN, PEAK_LR),
    np.linspace(PEAK_LR, 0.0, COOLDOWN),
])

net = torch.nn.Linear(512, 512)
opt = torch.optim.Adam(net.parameters(), lr=PEAK_LR, betas=(0.9, 0.95))

for step in range(TOTAL):
    for group in opt.param_groups:
        group["lr"] = float(lr_table[step])
    net(torch.randn(8, 512)).pow(2).mean().backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
