# example: near miss - warmup then a linear decay_ratio that starts right after warmup and spans the whole run (the baseline), with names like decay_ratio; negative (no flat peak phase).
import torch

learning_rate = 0.0015
warmup_iters = 256
num_iterations = 24576

model = torch.nn.Linear(768, 768)
optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.1, betas=(0.9, 0.95))


def get_lr(it):
    if it < warmup_iters:
        return learning_rate * (it + 1) / warmup_iters
    decay_ratio = (it - warmup_iters) / (num_iterations - warmup_iters)
    assert 0 <= decay_ratio <= 1
    return (0.1 + (1 - decay_ratio)) / (0.1 + 1) * learning_rate


for it in range(num_iterations):
    model(torch.randn(2, 768)).sum().backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    for pg in optimizer.param_groups:
        pg["lr"] = get_lr(it)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
