# example: an LR callback object built as LinearCooldown(total=3000) whose on_step(self, step, opt) writes each group's peak times min((1 - step / total) / 0.4, 1); the training loop runs it once per pass of `for step in range(3000)`; flat, then linear to zero; positive.
import torch


class LinearCooldown:
    def __init__(self, total, fraction=0.4):
        self.total = total
        self.fraction = fraction

    def on_step(self, step, opt):
        scale = min((1.0 - step / self.total) / self.fraction, 1.0)
        for g in opt.param_groups:
            g["lr"] = g["peak"] * scale


net = torch.nn.Linear(16, 16)
opt = torch.optim.Adam(net.parameters(), lr=0.008)
for g in opt.param_groups:
    g["peak"] = g["lr"]
cooldown = LinearCooldown(total=3000)
for step in range(3000):
    net(torch.randn(4, 16)).square().mean().backward()
    cooldown.on_step(step, opt)
    opt.step()
    opt.zero_grad(set_to_none=True)
