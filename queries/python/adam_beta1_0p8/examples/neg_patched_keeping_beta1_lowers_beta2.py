# example: near miss - the same helper keeps each group's own beta1 and writes 0.8 into beta2 (`(g["betas"][0], 0.8)`): beta1 stays 0.9; NOT present.
import torch
from torch import nn

trunk = nn.Sequential(nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 32))
readout = nn.Linear(32, 10)
trunk_opt = torch.optim.AdamW(trunk.parameters(), lr=3e-4, betas=(0.9, 0.95), weight_decay=0.0)
readout_opt = torch.optim.Adam(readout.parameters(), lr=1e-3, betas=(0.9, 0.95))


def lower_second_moment(optimizers, beta2):
    for o in optimizers:
        for g in o.param_groups:
            g["betas"] = (g["betas"][0], beta2)


lower_second_moment([trunk_opt, readout_opt], 0.8)

for step in range(100):
    x = torch.randn(16, 32)
    loss = readout(trunk(x)).logsumexp(-1).mean()
    loss.backward()
    trunk_opt.step()
    readout_opt.step()
    trunk_opt.zero_grad(set_to_none=True)
    readout_opt.zero_grad(set_to_none=True)
