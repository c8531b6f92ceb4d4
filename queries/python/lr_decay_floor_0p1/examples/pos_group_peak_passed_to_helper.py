# example: Absolute LRs: min_lr = 0.1 * peak; during the cooldown lr = min_lr + (peak - min_lr) * remaining, written into each group by hand (keyed by each group's own peak); positive.
import torch

cfg = dict(num_iterations=1390, cooldown_frac=0.4, final_lr_ratio=0.1)

layer = torch.nn.Linear(768, 768, bias=False)
optimizers = [torch.optim.Adam(layer.parameters(), lr=0.008, betas=(0.8, 0.95))]
peaks = [[g["lr"] for g in o.param_groups] for o in optimizers]


def lr_for(step, peak):
    min_lr = cfg["final_lr_ratio"] * peak
    progress = step / cfg["num_iterations"]
    if progress < 1 - cfg["cooldown_frac"]:
        return peak
    remaining = (1 - progress) / cfg["cooldown_frac"]
    return min_lr + (peak - min_lr) * remaining


for step in range(cfg["num_iterations"] + 1):
    layer(torch.randn(2, 768)).sum().backward()
    for opt, pk in zip(optimizers, peaks):
        for g, p0 in zip(opt.param_groups, pk):
            g["lr"] = lr_for(step, p0)
        opt.step()
    layer.zero_grad(set_to_none=True)
