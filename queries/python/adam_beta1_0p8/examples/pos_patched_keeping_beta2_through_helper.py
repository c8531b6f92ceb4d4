# example: two Adams built with betas (0.9, 0.95); a helper handed both of them rewrites beta1 in every group and keeps each group's own beta2 (`(0.8, g["betas"][1])`); present.
import torch
from torch import nn

trunk = nn.Sequential(nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 32))
readout = nn.Linear(32, 10)
trunk_opt = torch.optim.AdamW(trunk.parameters(), lr=3e-4, betas=(0.9, 0.95), weight_decay=0.0)
readout_opt = torch.optim.Adam(readout.parameters(), lr=1e-3, betas=(0.9, 0.95))


def lower_first_moment(optimizers, beta1):
    for o in optimizers:
        for g in o.param_groups:
            g["betas"] = (beta1, g["betas"][1])


lower_first_moment([trunk_opt, readout_opt], 0.8)

for step in range(100):
    x = torch.randn(16, 32)
    loss = readout(trunk(x)).logsumexp(-1).mean()
    loss.backward()
    trunk_opt.step()
    readout_opt.step()
    trunk_opt.zero_grad(set_to_none=True)
    readout_opt.zero_grad(set_to_none=True)
