# example: every group keeps its starting rate; each step a helper gets the step and that rate and returns the rate held
# flat, then decayed linearly over the last 40% of the run, never below a tenth of it; positive.
import torch

STEPS = 3000
model = torch.nn.Sequential(torch.nn.Linear(512, 512), torch.nn.Linear(512, 512))
opt = torch.optim.AdamW([{"params": model[0].parameters(), "lr": 0.004}, {"params": model[1].parameters(), "lr": 0.02}],
                        betas=(0.8, 0.95))
tops = tuple(group["lr"] for group in opt.param_groups)


def rate(i, top):
    left = (STEPS - i) / (0.4 * STEPS)
    return top * max(0.1, min(1.0, left))


for i in range(STEPS):
    model(torch.randn(8, 512)).square().mean().backward()
    for group, top in zip(opt.param_groups, tops):
        group["lr"] = rate(i, top)
    opt.step()
    opt.zero_grad(set_to_none=True)
