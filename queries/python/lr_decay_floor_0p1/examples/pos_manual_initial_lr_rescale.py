# example: the loop computes m = lr_factor(step) and writes g["lr"] = g["initial_lr"] * m into every param group; the factor blends 0.1 + 0.9 * w with w reaching 0 at the final step, so the LR ends at 0.1 of peak; positive.
import torch
import torch.nn.functional as F

TRAIN_STEPS = 5000
COOLDOWN_STEPS = 2000


def lr_factor(step):
    w = min((TRAIN_STEPS - step) / COOLDOWN_STEPS, 1.0)
    return 0.1 + 0.9 * w


def fit(model, loader, peak_lr=6e-4):
    opt = torch.optim.AdamW(model.parameters(), lr=peak_lr, weight_decay=0.0)
    for g in opt.param_groups:
        g["initial_lr"] = g["lr"]
    data = iter(loader)
    for step in range(TRAIN_STEPS + 1):
        m = lr_factor(step)
        for g in opt.param_groups:
            g["lr"] = g["initial_lr"] * m
        inputs, targets = next(data)
        logits = model(inputs)
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
    return model
