# example: warmup length computed as max(1, int(0.01 * num_iterations)) = 50 steps, then flat, then linear cooldown; negative (a positive warmup remains).
import torch

num_iterations = 5000
warmup_frac = 0.01
cooldown_iters = 1500
warmup_iters = max(1, int(warmup_frac * num_iterations))


def get_lr_scale(it):
    if it < warmup_iters:
        return (it + 1) / warmup_iters
    if it < num_iterations - cooldown_iters:
        return 1.0
    return (num_iterations - it) / cooldown_iters


model = torch.nn.Linear(128, 128)
optimizer = torch.optim.AdamW(model.parameters(), lr=3.6e-3, weight_decay=0.0)
base_lr = 3.6e-3
for it in range(num_iterations):
    for group in optimizer.param_groups:
        group["lr"] = base_lr * get_lr_scale(it)
    model(torch.randn(8, 128)).square().mean().backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
