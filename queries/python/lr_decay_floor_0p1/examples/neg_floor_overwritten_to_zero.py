# example: near miss - the floor is first set to 0.1 and overwritten with 0.0 on the next line, so the LambdaLR cooldown decays to zero; negative.
import torch

num_iterations = 1750
cooldown_frac = 0.4
model = torch.nn.Linear(768, 768)
optimizer = torch.optim.Adam(model.parameters(), lr=0.008)

lr_floor = 0.1
lr_floor = 0.0


def get_lr(it):
    t = 1 - it / num_iterations
    mix = min(t / cooldown_frac, 1.0)
    return mix * 1.0 + (1 - mix) * lr_floor


scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, get_lr)
for step in range(num_iterations):
    model(torch.randn(4, 768)).square().mean().backward()
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad(set_to_none=True)
